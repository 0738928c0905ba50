"""The learned entity typer: the open-world names the knowledge base does not know, typed from context.

The rules of `mentions.py` type an unknown name by its NER label and a few cue words, so a weapon
the model calls a person ("Tristar"), a class of ship called a company, and a designation with no
weapon noun after it ("MU90") are lost. This model reads each open-world name in its sentence and
says which entity type it is, or that it names nothing:

1. spans: every open-world mention the rules found, and every run of proper nouns and designations
   ("P-8A Poseidon", "Anzac-class", "C295") that no mention covers;
2. features: the span's words, their shapes, its last word, the NER label, the rules' type, the
   two words either side and the sentence's verb;
3. a multinomial logistic model (`armsgraph train`, shipped as JSON in `models/entities.json`)
   retypes a rule mention when it is sure (`retype_above`), drops one it is sure names nothing
   (`drop_above`), and adds an uncovered span it types with `add_above`.

Knowledge-base matches and institution patterns are never touched: the knowledge base knows better.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from armsgraph import weights
from armsgraph.kb import KnowledgeBase
from armsgraph.model import Mention
from armsgraph.resolve.names import hyphen_parts

MODEL_FILE = Path(__file__).parent.parent / "models" / "entities.json"
NONE = "NONE"
_DESIGNATION = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")


@dataclass(slots=True, frozen=True)
class TyperModel:
    """Per class (entity types and NONE) weights with "__bias__"; the three cuts."""

    weights: dict[str, dict[str, float]]
    cuts: dict[str, float]
    meta: dict[str, Any]

    def predict(self, features: dict[str, float]) -> tuple[str, float]:
        scores = {c: w.get("__bias__", 0.0) + sum(w.get(f, 0.0) * v for f, v in features.items())
                  for c, w in self.weights.items()}
        top = max(scores.values())
        total = sum(math.exp(s - top) for s in scores.values())
        best = max(scores, key=lambda c: scores[c])
        return best, 1.0 / total


@functools.cache
def load_model(path: Path = MODEL_FILE) -> TyperModel:
    raw = weights.read(path, "entity typer", ("weights", "cuts", "meta"),
                       "the `mentions` component instead of `learned_mentions` (--components rules)")
    return TyperModel(weights=raw["weights"], cuts=raw["cuts"], meta=raw["meta"])


def _shape(text: str) -> str:
    s = re.sub(r"[A-Z]+", "X", text)
    s = re.sub(r"[a-z]+", "x", s)
    return re.sub(r"\d+", "d", s)


def features(sdoc: Doc, start: int, end: int, rule_type: str | None, ner_label: str | None,
             kb: KnowledgeBase | None = None) -> dict[str, float]:
    """What the typer reads about the name at characters start..end (binary indicators); with the
    knowledge base, the types of known names among its hyphenated parts ("Kale-Baykar") and of its
    singular ("TB2s")."""
    span = sdoc.char_span(start, end, alignment_mode="expand")
    f: dict[str, float] = {"bias": 1.0, f"rule={rule_type}": 1.0, f"ner={ner_label}": 1.0}
    if kb is not None:
        text = span.text if span is not None else ""
        for part in hyphen_parts(text):
            for entry in kb.lookup(part):
                f[f"part_kb={entry.type}"] = 1.0
        if text.endswith("s"):
            for entry in kb.lookup(text[:-1]):
                f[f"singular_kb={entry.type}"] = 1.0
    if span is None or not len(span):
        return f
    toks = list(span)
    for t in toks:
        f[f"w={t.lower_}"] = 1.0
        f[f"shape={_shape(t.text)}"] = 1.0
    f[f"last={toks[-1].lower_}"] = 1.0
    f[f"first={toks[0].lower_}"] = 1.0
    f[f"suffix={toks[-1].lower_[-3:]}"] = 1.0
    f[f"len={min(len(toks), 4)}"] = 1.0
    if any(_DESIGNATION.match(t.text) for t in toks):
        f["designation"] = 1.0
    if span.text.isupper():
        f["upper"] = 1.0
    sent = span.sent
    before = [t for t in sdoc[max(sent.start, span.start - 2):span.start]]
    after = [t for t in sdoc[span.end:min(sent.end, span.end + 2)]]
    for k, t in enumerate(reversed(before)):
        f[f"p{k + 1}={t.lower_}"] = 1.0
    for k, t in enumerate(after):
        f[f"n{k + 1}={t.lower_}"] = 1.0
    f[f"dep={span.root.dep_}"] = 1.0
    f[f"head={span.root.head.lemma_.lower()}"] = 1.0
    return f


def proposals(sdoc: Doc, occupied: set[int]) -> list[tuple[int, int]]:
    """Runs of proper nouns and designations (joined by hyphens, with a following '-class') that no
    mention covers, as character ranges; never across a line."""
    out: list[tuple[int, int]] = []
    run: list[int] = []
    text = sdoc.text  # built on each access: read once

    def close() -> None:
        while run and not (sdoc[run[-1]].is_alpha or sdoc[run[-1]].like_num or _DESIGNATION.match(sdoc[run[-1]].text)):
            run.pop()
        if run:
            a, b = sdoc[run[0]].idx, sdoc[run[-1]].idx + len(sdoc[run[-1]].text)
            if "\n" not in text[a:b] and occupied.isdisjoint(range(a, b)) and sdoc[run[0]].text[:1].isupper():
                out.append((a, b))
        run.clear()

    for tok in sdoc:
        name_like = tok.pos_ == "PROPN" or bool(_DESIGNATION.match(tok.text) and tok.text[:1].isupper())
        joins = run and tok.text == "-" and not tok.whitespace_
        cls = run and tok.lower_ == "class" and sdoc[tok.i - 1].text == "-"
        if name_like or joins or cls:
            if tok.is_sent_start and run:
                close()
            run.append(tok.i)
        else:
            close()
    close()
    return out


def apply(sdoc: Doc, mentions: list[Mention], model: TyperModel, kb: KnowledgeBase | None = None) -> list[Mention]:
    """The mentions with the open-world ones retyped or dropped, and uncovered names added."""
    ner = {(e.start_char, e.end_char): e.label_ for e in sdoc.ents}
    out = []
    for m in mentions:
        if m.kb_id is None and m.key is None and m.source in ("ner", "pattern"):
            label, p = model.predict(features(sdoc, m.start, m.end, m.type, ner.get((m.start, m.end)), kb))
            if label == NONE and p >= model.cuts["drop_above"]:
                continue
            if label not in (NONE, m.type) and p >= model.cuts["retype_above"]:
                m.type = label
        out.append(m)
    occupied = {i for m in mentions for i in range(m.start, m.end)}
    text = sdoc.text
    for start, end in proposals(sdoc, occupied):
        label, p = model.predict(features(sdoc, start, end, None, ner.get((start, end)), kb))
        if label != NONE and p >= model.cuts["add_above"]:
            out.append(Mention(start, end, text[start:end], label, source="learned"))
    out.sort(key=lambda m: m.start)
    return out
