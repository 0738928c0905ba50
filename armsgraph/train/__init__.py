"""Training: every learned model rebuilt from the annotated corpus, seeded and reproducible.

    armsgraph train [--corpus corpus/] [--output armsgraph/models/] [--limit N]

1. read the corpus (`docs/`, `gold.jsonl`, `splits.json`): the train and dev splits only;
2. the entity typer (`entities.py`) on the rules' mentions, written to `entities.json`;
3. the event model (`events.py`) on documents annotated with that typer in place, as the pipeline
   will run them (its cuts by cross-validation over train and dev), written to `events.json`;
4. each file holds its weights as JSON with what it was trained on: the corpus files' SHA-256,
   the documents per split, the library versions and the seed. Nothing is pickled: a model is data.

The test split is never read here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from armsgraph import __version__, components
from armsgraph.errors import ArmsgraphError
from armsgraph.extract import learned
from armsgraph.ingest.readers import read_paths
from armsgraph.model import Document
from armsgraph.nlp import typer
from armsgraph.pipeline import Pipeline
from armsgraph.settings import Settings
from armsgraph.train import entities, events
from armsgraph.train.fitting import SEED

# the pipeline the event model is trained behind: the default one up to its event component
_BEFORE_EVENTS = tuple(n for n in components.PRESETS["learned"] if "events" not in components.REGISTRY[n].assigns)


def _read_corpus(corpus: Path) -> tuple[dict[str, Document], dict[str, dict[str, Any]], dict[str, list[str]]]:
    for name in ("docs", "gold.jsonl", "splits.json"):
        if not (corpus / name).exists():
            raise ArmsgraphError(f"{corpus / name}: missing; give --corpus the folder of the annotated corpus")
    golds = {}
    for line in (corpus / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            g = json.loads(line)
            golds[g["doc_id"]] = g
    splits = json.loads((corpus / "splits.json").read_text(encoding="utf-8"))
    wanted = set(splits["train"]) | set(splits["dev"])  # never the test split
    paths = [corpus / "docs" / f"{d}.txt" for d in sorted(wanted)]
    docs = {d.doc_id: d for d in read_paths(paths, Settings().max_bytes) if isinstance(d, Document)}
    return docs, golds, splits


def corpus_hash(corpus: Path, doc_ids: list[str]) -> str:
    h = hashlib.sha256()
    h.update((corpus / "gold.jsonl").read_bytes())
    h.update((corpus / "splits.json").read_bytes())
    for d in sorted(doc_ids):
        h.update((corpus / "docs" / f"{d}.txt").read_bytes())
    return h.hexdigest()


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


def train(corpus: Path, output: Path, limit: int | None = None, settings: Settings | None = None,
          full_dev: bool = False) -> dict[str, Any]:
    """Rebuild the models from `corpus` into the folder `output`; returns what was trained and measured.

    `limit` trains on the first N train documents (and, unless `full_dev`, a quarter as many dev
    documents: a quick run that proves the command works)."""
    import sklearn

    docs, golds, splits = _read_corpus(corpus)
    train_ids = [d for d in splits["train"] if d in docs][:limit]
    dev_ids = [d for d in splits["dev"] if d in docs][: (limit // 4 + 1) if limit and not full_dev else None]
    base = settings or Settings()
    output.mkdir(parents=True, exist_ok=True)
    common = {"armsgraph": __version__, "sklearn": sklearn.__version__, "seed": SEED,
              "corpus_sha256": corpus_hash(corpus, train_ids + dev_ids),
              "train_documents": len(train_ids), "dev_documents": len(dev_ids)}

    parser = Pipeline(Settings(model=base.model, kb_dir=base.kb_dir, components=()))
    parsed = {split: parser.annotate([docs[d] for d in ids]) for split, ids in (("train", train_ids), ("dev", dev_ids))}
    matcher = parser.annotator.matcher
    typer_model = entities.fit(*(entities.examples([(a.doc, a.sdoc) for a in parsed[split]], parser.kb, matcher, golds)
                                 for split in ("train", "dev")))
    typer_meta = {**common, **typer_model.meta}
    _write(output / "entities.json", {"meta": typer_meta, "weights": typer_model.weights, "cuts": typer_model.cuts})

    typer.load_model.cache_clear()  # the file just written, not one read before
    # the event model learns behind the pipeline as it will run: the new typer, entities, zones
    before = components.build(_BEFORE_EVENTS, components.Context(parser.kb, parser.annotator, output))
    for annotated in (*parsed["train"], *parsed["dev"]):
        for _name, run in before:
            run(annotated)
    train_ex = events.examples(parsed["train"], parser.kb, golds)
    dev_ex = events.examples(parsed["dev"], parser.kb, golds)
    event_model, event_meta = events.fit(train_ex, dev_ex, [golds[d] for d in train_ids + dev_ids])
    _write(output / "events.json", {"meta": {**common, **event_meta}, **event_model})
    learned.load_model.cache_clear()
    return {"entities": typer_meta, "events": {**common, **event_meta}, "output": str(output)}
