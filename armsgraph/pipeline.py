"""The orchestrator: articles in, annotated documents out, stored.

    read -> clean -> parse -> mentions -> entities -> events -> store

`Pipeline.process` runs the steps on documents already read; `ingest` reads
paths and writes every document to the store in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from armsgraph import kb as kb_module
from armsgraph.errors import InputError
from armsgraph.extract.events import extract_events
from armsgraph.extract.stray import mark_stray
from armsgraph.ingest.readers import read_paths
from armsgraph.model import Document
from armsgraph.nlp import annotator
from armsgraph.nlp.mentions import find_mentions
from armsgraph.resolve.entities import resolve_mentions
from armsgraph.settings import Settings
from armsgraph.store import Store


@dataclass(slots=True)
class IngestReport:
    """What one ingest did: counts, and one line per input that failed."""

    ingested: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


class Pipeline:
    """The loaded models and knowledge base; `process` annotates documents in place.

    1. parse the cleaned text with spaCy (sentences never cross a line break);
    2. find mentions: knowledge-base names, institution patterns, statistical NER;
    3. resolve mentions into one entity per thing in the document;
    4. mark a trailing paragraph run from another story as stray;
    5. extract events from the article's sentences (never stray ones), one per fact.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.kb = kb_module.load(self.settings.kb_dir)
        self.annotator = annotator(self.settings.model, self.kb)

    def process(self, docs: list[Document]) -> list[Document]:
        parsed = self.annotator([d.text for d in docs], batch_size=self.settings.batch_size)
        for doc, sdoc in zip(docs, parsed, strict=True):
            mentions = find_mentions(sdoc, self.kb, self.annotator.matcher)
            doc.entities = resolve_mentions(mentions, self.kb, doc.text)
            mark_stray(doc, sdoc)
            doc.events = extract_events(doc, sdoc, self.kb)
        return docs


def ingest(paths: Iterable[str | Path], store: Store, pipeline: Pipeline,
           on_progress: Callable[[str], None] | None = None) -> IngestReport:
    """Read, process and store every article under `paths`; bad inputs are reported, not raised."""
    report = IngestReport()
    batch: list[Document] = []

    def flush() -> None:
        for doc in pipeline.process(batch):
            changed = store.write_document(doc)
            report.ingested += changed
            report.unchanged += not changed
            if on_progress:
                on_progress(doc.doc_id)
        batch.clear()

    for item in read_paths(paths, pipeline.settings.max_bytes):
        if isinstance(item, InputError):
            report.failed.append(str(item))
            continue
        if store.has_document(item):
            report.unchanged += 1
            continue
        batch.append(item)
        if len(batch) >= pipeline.settings.batch_size:
            flush()
    if batch:
        flush()
    return report
