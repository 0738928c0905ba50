"""Training: the learned event model rebuilt from the annotated corpus, seeded and reproducible.

    armsgraph train [--corpus corpus/] [--output armsgraph/extract/models/events.json] [--limit N]

1. read the corpus (`docs/`, `gold.jsonl`, `splits.json`) and run the pipeline's rules on each train
   and dev document (parse, mentions, entities, the rules' events);
2. make the learned extractor's candidates and features (`extract/learned.py`) and label each from
   the gold: a candidate is positive when a gold event of its type has its two key fillers (the
   reference scorer's matching, products aside);
3. fit one logistic regression per event type (scikit-learn, L-BFGS, L2, balanced classes) on the train split, and a
   multinomial one for the status of positive candidates;
4. choose each type's two cuts (for candidates the rules state, for the others) where the dev split's
   candidate F1 is best;
5. write the weights as JSON with what they were trained on: the corpus files' SHA-256, the
   documents per split, the library versions and the seed. Nothing is pickled: the model is data.

The test split is never read here.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armsgraph import __version__
from armsgraph.errors import ArmsgraphError
from armsgraph.evaluate import Gold, entity_names, event_match, free_words
from armsgraph.extract import learned
from armsgraph.extract.events import rule_events
from armsgraph.extract.stray import mark_stray
from armsgraph.ingest.readers import read_paths
from armsgraph.model import Document
from armsgraph.nlp.mentions import find_mentions
from armsgraph.ontology import ONTOLOGY
from armsgraph.pipeline import Pipeline
from armsgraph.resolve.entities import resolve_mentions
from armsgraph.settings import Settings

SEED = 13


@dataclass(slots=True)
class Example:
    doc_id: str
    cand: learned.Candidate
    label: bool
    status: str | None


def _entity_record(ent: Any) -> dict[str, Any]:
    return {"name": ent.name, "aliases": ent.aliases, "mentions": [{"text": m.text} for m in ent.mentions]}


def label(cand: learned.Candidate, gold: Gold) -> tuple[bool, str | None]:
    """Whether a gold event of the candidate's type has its key fillers (products aside), and its status."""
    a, b = entity_names(_entity_record(cand.first)), entity_names(_entity_record(cand.second))
    product = [free_words(n) for n in [cand.second.name, *cand.second.aliases, *(m.text for m in cand.second.mentions)]]
    tup = {"type": cand.type, "key": (a, b), "product": product}
    for g in gold.events:
        if g["type"] != cand.type:
            continue
        keyed = ONTOLOGY.events[cand.type].key
        roles = {r: v for r, v in g["roles"].items() if r in keyed}
        if event_match({**g, "roles": roles}, tup, gold):
            return True, (g.get("status") or [None])[0]
    return False, None


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


def _examples(pipeline: Pipeline, docs: list[Document], golds: dict[str, dict[str, Any]]) -> list[Example]:
    out = []
    parsed = pipeline.annotator([d.text for d in docs], batch_size=pipeline.settings.batch_size)
    for doc, sdoc in zip(docs, parsed, strict=True):
        doc.entities = resolve_mentions(find_mentions(sdoc, pipeline.kb, pipeline.annotator.matcher),
                                        pipeline.kb, doc.text)
        mark_stray(doc, sdoc)
        gold = Gold(golds[doc.doc_id])
        for cand in learned.prepare(doc, sdoc, rule_events(doc, sdoc, pipeline.kb)):
            positive, status = label(cand, gold)
            out.append(Example(doc.doc_id, cand, positive, status))
    return out


def _fit(examples: list[Example], c: float = 0.5) -> tuple[float, dict[str, float]] | None:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    y = [e.label for e in examples]
    if len(set(y)) < 2:
        return None
    vec = DictVectorizer()
    x = vec.fit_transform([e.cand.features for e in examples])
    clf = LogisticRegression(C=c, random_state=SEED, max_iter=2000)
    clf.fit(x, y)
    # weights too small to move a probability are left out: the shipped file stays small
    weights = {name: round(float(w), 4) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True)
               if abs(w) >= 5e-3}
    return round(float(clf.intercept_[0]), 5), weights


def _fit_status(examples: list[Example]) -> dict[str, dict[str, float]]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [(learned.status_features(e.cand), e.status) for e in examples if e.label and e.status]
    if len({s for _, s in rows}) < 2:
        return {}
    vec = DictVectorizer()
    x = vec.fit_transform([f for f, _ in rows])
    clf = LogisticRegression(C=0.5, max_iter=1000, random_state=SEED)
    clf.fit(x, [s for _, s in rows])
    names = vec.get_feature_names_out()
    out: dict[str, dict[str, float]] = {}
    coefs = clf.coef_ if len(clf.classes_) > 2 else [-clf.coef_[0], clf.coef_[0]]
    intercepts = clf.intercept_ if len(clf.classes_) > 2 else [-clf.intercept_[0], clf.intercept_[0]]
    for cls, coef, bias in zip(clf.classes_, coefs, intercepts, strict=True):
        w = {n: round(float(v), 4) for n, v in zip(names, coef, strict=True) if abs(v) >= 5e-3}
        w["__bias__"] = round(float(bias), 5)
        out[str(cls)] = w
    return out


def _threshold(model: learned.Model, etype: str, dev: list[Example]) -> tuple[float, float, dict[str, float]]:
    """The cuts (for candidates the rules state, and for the others) with the best candidate F1 on the
    dev split; (0, 0.5) when dev has no positive of the type."""
    scored = [(model.probability(etype, e.cand.features), e.cand.rule is not None, e.label)
              for e in dev if e.cand.type == etype]
    positives = sum(1 for _, _, y in scored if y)
    best = (0.0, 0.5, {"f1": 0.0, "precision": 0.0, "recall": 0.0})
    if not positives:
        return best
    for drop in (0.0, 0.05, 0.1, 0.2):
        for cut in [x / 20 for x in range(4, 20)]:
            kept = [y for p, rule, y in scored if (p >= drop if rule else p >= cut)]
            tp = sum(kept)
            prec, rec = (tp / len(kept) if kept else 0.0), tp / positives
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            if f1 > best[2]["f1"] + 1e-9:
                best = (drop, cut, {"f1": round(f1, 3), "precision": round(prec, 3), "recall": round(rec, 3)})
    return best


def corpus_hash(corpus: Path, doc_ids: list[str]) -> str:
    h = hashlib.sha256()
    h.update((corpus / "gold.jsonl").read_bytes())
    h.update((corpus / "splits.json").read_bytes())
    for d in sorted(doc_ids):
        h.update((corpus / "docs" / f"{d}.txt").read_bytes())
    return h.hexdigest()


def train(corpus: Path, output: Path, limit: int | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Rebuild the event model from `corpus` and write it to `output`; returns its metadata."""
    import sklearn

    docs, golds, splits = _read_corpus(corpus)
    train_ids = [d for d in splits["train"] if d in docs][:limit]
    dev_ids = [d for d in splits["dev"] if d in docs][: (limit // 4 + 1) if limit else None]
    pipeline = Pipeline(settings or Settings(events="rules"))
    train_ex = _examples(pipeline, [docs[d] for d in train_ids], golds)
    dev_ex = _examples(pipeline, [docs[d] for d in dev_ids], golds)
    types: dict[str, dict[str, Any]] = {}
    for etype in ONTOLOGY.event_types:
        fitted = _fit([e for e in train_ex if e.cand.type == etype])
        if fitted is not None:
            types[etype] = {"bias": fitted[0], "weights": fitted[1], "threshold": 0.5, "drop_rule_below": 0.0}
    status = _fit_status(train_ex)
    model = learned.Model(types=types, status=status, meta={})
    dev_scores = {}
    for etype in types:
        drop, cut, scores = _threshold(model, etype, dev_ex)
        types[etype]["drop_rule_below"], types[etype]["threshold"] = drop, cut
        dev_scores[etype] = scores
    counts = Counter(e.cand.type for e in train_ex if e.label)
    meta = {
        "armsgraph": __version__, "sklearn": sklearn.__version__, "seed": SEED,
        "corpus_sha256": corpus_hash(corpus, train_ids + dev_ids),
        "train_documents": len(train_ids), "dev_documents": len(dev_ids),
        "train_candidates": len(train_ex), "train_positives": dict(sorted(counts.items())),
        "dev_candidate_scores": dev_scores,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"meta": meta, "types": types, "status": status}, sort_keys=True,
                                 separators=(",", ":")) + "\n", encoding="utf-8")
    return meta
