"""The entity typer's training: open-world names labelled by the gold entity they name.

Each open-world mention the rules find (and each uncovered run of proper nouns) on a train document
is labelled with the type of the gold entity whose name it is (folded as the scorer folds), else
NONE; a multinomial logistic regression learns the type from the name and its context
(`nlp/typer.py`); its three cuts (retype, drop, add) are chosen one by one where the dev split's
F1 over these names, a name counting only with its right type, is best.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

from armsgraph.evaluate import fold
from armsgraph.kb import KnowledgeBase
from armsgraph.model import Document
from armsgraph.nlp import typer
from armsgraph.nlp.mentions import find_mentions
from armsgraph.train.fitting import SEED, sparse

_NEVER = 1.01  # a cut no probability reaches


@dataclass(slots=True)
class NameExample:
    features: dict[str, float]
    label: str  # the gold entity type of the name, or typer.NONE
    rule_type: str | None  # the rules' type; None for a name the rules did not find


def examples(parsed: list[tuple[Document, Doc]], kb: KnowledgeBase, matcher: object,
             golds: dict[str, dict[str, Any]]) -> list[NameExample]:
    """Each open-world mention of the rules and each uncovered proper-noun run, labelled by the gold
    entity whose name it is (folded as the scorer folds), else NONE."""
    out = []
    for doc, sdoc in parsed:
        names = {fold(n): g["type"] for g in golds[doc.doc_id]["entities"] for n in g["names"]}
        ner = {(e.start_char, e.end_char): e.label_ for e in sdoc.ents}
        mentions = find_mentions(sdoc, kb, matcher)
        for m in mentions:
            if m.kb_id is None and m.key is None and m.source in ("ner", "pattern"):
                out.append(NameExample(typer.features(sdoc, m.start, m.end, m.type, ner.get((m.start, m.end)), kb),
                                       names.get(fold(m.text), typer.NONE), m.type))
        occupied = {i for m in mentions for i in range(m.start, m.end)}
        text = sdoc.text
        for start, end in typer.proposals(sdoc, occupied):
            out.append(NameExample(typer.features(sdoc, start, end, None, ner.get((start, end)), kb),
                                   names.get(fold(text[start:end]), typer.NONE), None))
    return out


def _typer_f1(model: typer.TyperModel, rows: list[tuple[NameExample, str, float]]) -> dict[str, float]:
    """Names kept with the right type against the gold's: what the typer's cuts are chosen by."""
    tp = fp = fn = 0
    for ex, label, p in rows:
        final: str | None = ex.rule_type
        if ex.rule_type is None:
            final = label if label != typer.NONE and p >= model.cuts["add_above"] else None
        elif label == typer.NONE and p >= model.cuts["drop_above"]:
            final = None
        elif label not in (typer.NONE, ex.rule_type) and p >= model.cuts["retype_above"]:
            final = label
        gold = None if ex.label == typer.NONE else ex.label
        tp += final is not None and final == gold
        fp += final is not None and final != gold
        fn += gold is not None and final != gold
    prec, rec = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
    return {"f1": round(2 * prec * rec / (prec + rec) if prec + rec else 0.0, 3), "precision": round(prec, 3),
            "recall": round(rec, 3)}


def fit(train_ex: list[NameExample], dev_ex: list[NameExample]) -> typer.TyperModel:
    """A multinomial logistic regression over the entity types and NONE; cuts with the best dev F1."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    x = vec.fit_transform([e.features for e in train_ex])
    clf = LogisticRegression(C=1.0, max_iter=3000, random_state=SEED)
    clf.fit(x, [e.label for e in train_ex])
    names = vec.get_feature_names_out()
    weights: dict[str, dict[str, float]] = {}
    for cls, coef, bias in zip(clf.classes_, clf.coef_, clf.intercept_, strict=True):
        weights[str(cls)] = sparse(names, coef, bias)
    never = dict.fromkeys(("add_above", "drop_above", "retype_above"), _NEVER)
    model = typer.TyperModel(weights=weights, cuts=dict(never), meta={})
    rows = [(e, *model.predict(e.features)) for e in dev_ex]
    rules_only = _typer_f1(model, rows)  # every cut out of reach: the rules' types alone
    grid = [x / 20 for x in range(6, 21)] + [_NEVER]
    best = (rules_only, dict(model.cuts))
    for key in ("retype_above", "drop_above", "add_above"):  # one cut at a time, each on the best so far
        for cut in grid:
            model.cuts[key] = cut
            scores = _typer_f1(model, rows)
            if scores["f1"] > best[0]["f1"] + 1e-9:
                best = (scores, dict(model.cuts))
        model.cuts.update(best[1])
    counts = {c: sum(1 for e in train_ex if e.label == c) for c in sorted({e.label for e in train_ex})}
    return typer.TyperModel(weights=weights, cuts=best[1],
                            meta={"train_names": len(train_ex), "train_labels": counts, "dev_scores": best[0],
                                  "dev_scores_rules_alone": rules_only})


