"""The orchestrator: articles in, annotated documents out, stored.

    read -> clean -> [language, copies] -> parse -> components (settings.components) -> store

The components (`armsgraph.components`): mentions -> entities -> stray -> events, each a rule or a
learned one, chosen in the settings.

`Pipeline.process` runs the steps on documents already read; `ingest` reads
paths and writes every document to the store in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from armsgraph import components
from armsgraph import kb as kb_module
from armsgraph.errors import InputError
from armsgraph.ingest.dedupe import NearDuplicateIndex, content_key, signature
from armsgraph.ingest.language import detect, is_english
from armsgraph.ingest.readers import read_paths
from armsgraph.model import Document
from armsgraph.nlp import annotator
from armsgraph.settings import Settings
from armsgraph.store import Store


@dataclass(slots=True)
class IngestReport:
    """What one ingest did: counts, and one line per input that was skipped or failed."""

    ingested: int = 0
    unchanged: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> dict[str, int]:
        return {"ingested": self.ingested, "duplicate": self.duplicates, "unchanged": self.unchanged,
                "skipped": len(self.skipped), "failed": len(self.failed)}


_SKIP_LANGUAGE_CONFIDENCE = 0.8
Progress = Callable[[str, dict[str, object]], None]  # (event, details), e.g. ("ingested", {"doc_id": ...})


class Pipeline:
    """The loaded models, knowledge base and components; `process` annotates documents in place.

    The annotator parses the cleaned text with spaCy (sentences never cross a line break); then the
    components of `settings.components` run in order on each document (`armsgraph.components`):
    mentions, entities, stray paragraphs, events.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.kb = kb_module.load(self.settings.kb_dir)
        self.annotator = annotator(self.settings.model, self.kb)
        ctx = components.Context(self.kb, self.annotator, self.settings.models_dir)
        self.components = components.build(self.settings.components, ctx)

    def annotate(self, docs: list[Document]) -> list[components.Annotated]:
        """Parse the documents and run every component on each; the records are filled in place."""
        parsed = self.annotator([d.text for d in docs], batch_size=self.settings.batch_size)
        out = []
        for doc, sdoc in zip(docs, parsed, strict=True):
            annotated = components.Annotated(doc, sdoc)
            for _name, run in self.components:
                annotated = run(annotated)
            out.append(annotated)
        return out

    def process(self, docs: list[Document]) -> list[Document]:
        self.annotate(docs)
        return docs


def ingest(paths: Iterable[str | Path], store: Store, pipeline: Pipeline | None = None,
           on_progress: Progress | None = None, *, settings: Settings | None = None, engine: str = "local",
           workers: int = 1, ray_address: str | None = None) -> IngestReport:
    """Read, process and store every article under `paths`.

    Each document is written in its own transaction, in input order, through the store's one
    write path. Bad inputs are reported, not raised; non-English articles are skipped; an exact
    copy of a stored article is kept as provenance only; a near copy (the same agency story on
    another site) is processed and linked to its original, so that it never counts as independent
    corroboration. `engine` and `workers` choose where the NLP runs (`armsgraph.engines`): this
    process, a pool of worker processes, or Ray; the store is the same whichever runs it.
    """
    settings = pipeline.settings if pipeline is not None else settings or Settings()
    report = IngestReport()
    notify = on_progress or (lambda event, details: None)
    threshold = settings.near_duplicate_threshold
    # near copies are matched against originals only: those stored (the store's band keys) and this
    # run's not written yet (`pending`), so the match does not depend on when an original was written
    # and memory does not grow with the store
    pending = NearDuplicateIndex(threshold)
    seen: dict[str, str] = {}  # content key -> first document with it in this run

    def to_process() -> Iterator[Document]:
        for item in read_paths(paths, settings.max_bytes):
            if isinstance(item, InputError):
                report.failed.append(str(item))
                notify("failed", {"source": item.source, "reason": item.reason, "hint": item.hint})
                continue
            if store.has_document(item):
                report.unchanged += 1
                notify("unchanged", {"doc_id": item.doc_id, "source": item.source})
                continue
            language, confidence = detect(item.text)
            item.language = language
            # only a confident non-English verdict skips: losing an English article is worse
            if not is_english(item.text, min_confidence=0.0) and confidence >= _SKIP_LANGUAGE_CONFIDENCE:
                report.skipped.append(f"{item.source}: not in English (detected '{language}')")
                notify("skipped", {"source": item.source, "reason": f"language {language}"})
                continue
            key = content_key(item.text)
            original = seen.get(key) or store.document_with_key(key, other_than=item.doc_id)
            if original is not None and original != item.doc_id:
                item.duplicate_of = original
                store.write_copy(item)
                report.duplicates += 1
                notify("duplicate", {"doc_id": item.doc_id, "source": item.source, "duplicate_of": original})
                continue
            seen.setdefault(key, item.doc_id)
            sig = signature(item.text)
            found = [m for m in (store.near_copy(sig, threshold, other_than=item.doc_id), *pending.matches(sig)) if m]
            best = min(found, key=lambda m: (-m[1], m[0]), default=None)  # the most similar, then the first id
            item.duplicate_of = best[0] if best else None
            pending.discard(item.doc_id)
            if item.duplicate_of is None:
                pending.add(item.doc_id, sig)
            yield item

    from armsgraph.engines import process_all  # engines build Pipelines of their own: imported here

    for doc in process_all(to_process(), settings, engine, workers, ray_address, pipeline=pipeline):
        changed = store.write_document(doc)
        pending.discard(doc.doc_id)
        report.ingested += changed
        report.unchanged += not changed
        notify("ingested" if changed else "unchanged", {"doc_id": doc.doc_id, "source": doc.source,
                                                        "duplicate_of": doc.duplicate_of})
    notify("summary", dict(report.summary()))
    return report
