"""Learned event extraction: candidates without a trigger gate, kept or dropped by a trained model.

1. candidates: every pair of entities named in one sentence of the article whose types fit the key
   roles of an event type (ontology.yaml), plus every event the rules found, split into pairs;
2. features: the entities' types, the words between and around them, the dependency path that joins
   them, the sentence's content words and verb tags, its zone, and whether the rules stated the same
   tuple there or elsewhere in the article (the rules become features);
3. a logistic model per event type (`armsgraph train`; weights shipped as JSON in `models/`) decides:
   a candidate the rules state is kept unless its probability is below the type's `drop_rule_below`,
   any other candidate needs the type's `threshold`; a second model gives the status; the product is
   the rule's, else the weapons named in the sentence (or the next ones); an event whose side is only
   the state of a side another kept event names is dropped;
4. the kept events are merged into one per fact and the ontology's derived events added, as the
   rules' events are.

The model is read once per process; a missing or unreadable model file is an error that names it.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span, Token

from armsgraph.errors import KnowledgeBaseError
from armsgraph.model import Document, Entity, Event
from armsgraph.model import Span as TextSpan
from armsgraph.ontology import ONTOLOGY

MODEL_FILE = Path(__file__).parent / "models" / "events.json"
_MAX_BETWEEN = 12


@dataclass(slots=True)
class Candidate:
    """A possible event: a type and one filler per key role side, in one sentence."""

    type: str
    first: Entity  # first key role (or one side of a pair role)
    second: Entity  # second key role (or the other side)
    sent: Span
    rule: Event | None = None  # the rule event that states this tuple in this sentence
    features: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class Model:
    """Per event type a logistic model (bias, weights, threshold); a multinomial status model."""

    types: dict[str, dict[str, Any]]
    status: dict[str, dict[str, float]]  # status -> weights (with "__bias__")
    meta: dict[str, Any]

    def probability(self, etype: str, features: dict[str, float]) -> float:
        spec = self.types.get(etype)
        if spec is None:
            return 0.0
        w = spec["weights"]
        z = spec["bias"] + sum(w.get(f, 0.0) * v for f, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def keeps(self, etype: str, p: float, stated_by_rule: bool = False) -> bool:
        """A candidate the rules state is kept unless the model all but rules it out; any other needs
        the type's threshold (both chosen on the dev split by training)."""
        spec = self.types.get(etype)
        if spec is None:
            return stated_by_rule
        return bool(p >= float(spec["drop_rule_below"] if stated_by_rule else spec["threshold"]))

    def status_of(self, features: dict[str, float], allowed: tuple[str, ...]) -> str | None:
        scores = {s: w.get("__bias__", 0.0) + sum(w.get(f, 0.0) * v for f, v in features.items())
                  for s, w in self.status.items() if s in allowed}
        return max(scores, key=lambda s: scores[s]) if scores else None


@functools.cache
def load_model(path: Path = MODEL_FILE) -> Model:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Model(types=raw["types"], status=raw["status"], meta=raw["meta"])
    except (OSError, ValueError, KeyError) as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the event model ({exc}); rebuild it with `armsgraph train` "
                                 "or set events='rules' in the settings") from exc


# ---------------------------------------------------------------- candidates
def _fits(ent: Entity, etype: str, role: str) -> bool:
    return ent.type in ONTOLOGY.role_types(etype, role)


def _sentence_entities(sent: Span, token_entity: dict[int, Entity]) -> dict[str, tuple[Entity, Token]]:
    """Each entity named in the sentence with the root token of its first mention there."""
    found: dict[str, tuple[Entity, Token]] = {}
    for tok in sent:
        ent = token_entity.get(tok.i)
        if ent is None or ent.id in found:
            continue
        end = tok.i
        while end + 1 < sent.end and token_entity.get(end + 1) is ent:
            end += 1
        found[ent.id] = (ent, sent.doc[tok.i:end + 1].root)
    return found


def token_entities(doc: Document, sdoc: Doc) -> dict[int, Entity]:
    """Token index -> the entity a mention over it names (a later mention of an overlap wins)."""
    out: dict[int, Entity] = {}
    for ent in doc.entities:
        for m in ent.mentions:
            span = sdoc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                for tok in span:
                    out[tok.i] = ent
    return out


def candidates(doc: Document, sdoc: Doc, rule_events: list[Event]) -> list[Candidate]:
    """Entity pairs of one sentence that fit an event type's key roles, and the rules' events as pairs."""
    token_entity = token_entities(doc, sdoc)
    ents = {e.id: e for e in doc.entities}
    out: dict[tuple[str, str, str, int], Candidate] = {}
    sents = [s for s in sdoc.sents if doc.zone_at(s.start_char) != "stray"]
    for sent in sents:
        named = _sentence_entities(sent, token_entity)
        for etype, spec in ONTOLOGY.events.items():
            r1, r2 = (spec.key[0], spec.key[0]) if spec.pair_role else spec.key
            pairs = (itertools.combinations(named.values(), 2) if spec.pair_role
                     else itertools.permutations(named.values(), 2))
            for (a, _), (b, _) in pairs:
                if a.country and a.country == b.country:
                    continue  # within one state: not cooperation between states and their industries
                if _fits(a, etype, r1) and _fits(b, etype, r2):
                    out.setdefault((etype, a.id, b.id, sent.start), Candidate(etype, a, b, sent))
    for ev in rule_events:
        span = ev.evidence[0] if ev.evidence else None
        where = next((s for s in sents if span and s.start_char <= span.start < s.end_char), None)
        if where is None:
            continue
        for a_id, b_id in _rule_pairs(ev):
            first, second = ents.get(a_id), ents.get(b_id)
            if first is None or second is None:
                continue
            key = (ev.type, first.id, second.id, where.start)
            flipped = (ev.type, second.id, first.id, where.start)
            if ONTOLOGY.events[ev.type].pair_role and key not in out and flipped in out:
                key = flipped
            cand = out.setdefault(key, Candidate(ev.type, first, second, where))
            cand.rule = ev
    return list(out.values())


def _rule_pairs(ev: Event) -> list[tuple[str, str]]:
    spec = ONTOLOGY.events[ev.type]
    if spec.pair_role:
        return list(itertools.combinations(ev.roles.get(spec.pair_role, []), 2))
    r1, r2 = spec.key
    return [(a, b) for a in ev.roles.get(r1, []) for b in ev.roles.get(r2, [])]


# ---------------------------------------------------------------- features
def _path(a: Token, b: Token) -> tuple[str, str]:
    """The dependency path from a to b through their lowest common ancestor: labels, and the ancestor's lemma."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    common = next((t for t in up_a if t in up_b), None)
    if common is None:
        return "none", ""
    left = [t.dep_ for t in up_a[:up_a.index(common)]]
    right = [t.dep_ for t in up_b[:up_b.index(common)]]
    return "<".join(left) + "^" + ">".join(reversed(right)), common.lemma_.lower()


def featurize(cand: Candidate, doc: Document, token_entity: dict[int, Entity],
              rule_keys: set[tuple[str, str, str]]) -> None:
    """Fill `cand.features` (binary indicators, weight 1)."""
    sent = cand.sent
    named = _sentence_entities(sent, token_entity)
    a_tok, b_tok = named.get(cand.first.id, (None, None))[1], named.get(cand.second.id, (None, None))[1]
    f: dict[str, float] = {"bias_type": 1.0}
    f[f"t1={cand.first.type}"] = 1.0
    f[f"t2={cand.second.type}"] = 1.0
    f[f"tt={cand.first.type}|{cand.second.type}"] = 1.0
    if cand.first.kb_id:
        f["kb1"] = 1.0
    if cand.second.kb_id:
        f["kb2"] = 1.0
    if cand.first.country and cand.first.country == cand.second.country:
        f["same_country"] = 1.0
    f[f"zone={doc.zone_at(sent.start_char)}"] = 1.0
    f[f"n_ents={min(len(named), 6)}"] = 1.0
    if a_tok is not None and b_tok is not None:
        lo, hi = sorted((a_tok.i, b_tok.i))
        f["order=ab" if a_tok.i < b_tok.i else "order=ba"] = 1.0
        between = [t for t in sent.doc[lo + 1:hi] if t.i not in token_entity and t.is_alpha]
        f[f"dist={min(len(between), _MAX_BETWEEN)}"] = 1.0
        for t in between[:_MAX_BETWEEN]:
            f[f"bw={t.lemma_.lower()}"] = 1.0
        path, lca = _path(a_tok, b_tok)
        f[f"path={path}"] = 1.0
        f[f"lca={lca}"] = 1.0
        f[f"dep1={a_tok.dep_}"] = 1.0
        f[f"dep2={b_tok.dep_}"] = 1.0
        f[f"head1={a_tok.head.lemma_.lower()}"] = 1.0
        f[f"head2={b_tok.head.lemma_.lower()}"] = 1.0
    for t in sent:
        if t.pos_ in ("VERB", "NOUN") and t.i not in token_entity:
            f[f"s={t.lemma_.lower()}"] = 1.0
        if t.tag_ in ("MD", "VBD", "VBN", "VBG", "VBZ", "VBP"):
            f[f"tag={t.tag_}"] = 1.0
        if t.tag_ == "MD":
            f[f"md={t.lower_}"] = 1.0
    pair = (cand.type, cand.first.id, cand.second.id)
    if cand.rule is not None:
        f["rule"] = 1.0
        f[f"rule_status={cand.rule.status}"] = 1.0
    elif pair in rule_keys or (cand.type, cand.second.id, cand.first.id) in rule_keys:
        f["rule_elsewhere"] = 1.0
    cand.features = f


def status_features(cand: Candidate) -> dict[str, float]:
    """What the status model reads: the type, the verbs' tags and modals, the sentence's words, the rule's status."""
    f = {f"type={cand.type}": 1.0}
    for t in cand.sent:
        f[f"w={t.lemma_.lower()}"] = 1.0
        if t.tag_.startswith("VB") or t.tag_ == "MD":
            f[f"tag={t.tag_}"] = 1.0
            f[f"type_tag={cand.type}|{t.tag_}"] = 1.0
    if cand.rule is not None and cand.rule.status:
        f[f"rule_status={cand.rule.status}"] = 1.0
    return f


def prepare(doc: Document, sdoc: Doc, rule_events: list[Event]) -> list[Candidate]:
    """Candidates of one document with their features."""
    token_entity = token_entities(doc, sdoc)
    rule_keys = {(ev.type, a, b) for ev in rule_events for a, b in _rule_pairs(ev)}
    cands = candidates(doc, sdoc, rule_events)
    for c in cands:
        featurize(c, doc, token_entity, rule_keys)
    return cands


# ---------------------------------------------------------------- events
def _event(cand: Candidate, p: float, status: str | None, doc: Document) -> Event:
    spec = ONTOLOGY.events[cand.type]
    roles = {r: list(v) for r, v in cand.rule.roles.items()} if cand.rule is not None else {}
    if spec.pair_role:
        roles[spec.pair_role] = [cand.first.id, cand.second.id]
    else:
        roles[spec.key[0]], roles[spec.key[1]] = [cand.first.id], [cand.second.id]
    if "product" in spec.roles and "product" not in spec.key and not roles.get("product"):
        weapons = _nearest_weapons(doc, cand.sent)
        if weapons:
            roles["product"] = weapons
    sent = cand.sent
    rule = cand.rule
    return Event(id="", type=cand.type, roles=roles, status=status or (rule.status if rule else None),
                 date=rule.date if rule else None, date_derived=rule.date_derived if rule else False,
                 attribution=rule.attribution if rule else None, confidence=round(p, 3),
                 evidence=[TextSpan(sent.start_char, sent.end_char, sent.text)])


def _nearest_weapons(doc: Document, sent: Span) -> list[str]:
    """The weapons named in the sentence, else in the sentence before or after, else the article's most named."""
    sents = list(sent.doc.sents)
    i = next((k for k, s in enumerate(sents) if s.start == sent.start), 0)
    weapons = [e for e in doc.entities if e.type == "WEAPON"]
    for window in ([sents[i]], sents[max(0, i - 1):i + 2]):
        found = [e.id for e in weapons if any(s.start_char <= m.start < s.end_char for s in window for m in e.mentions)]
        if found:
            return found
    return [max(weapons, key=lambda e: len(e.mentions)).id] if weapons else []


def _less_specific(ev: Event, others: list[Event], ents: dict[str, Entity]) -> bool:
    """A kept event one of whose sides is only the state of the side another kept event names
    ("Turkey" beside "Baykar"): the gold accepts either for that side, so the state's is a duplicate."""
    spec = ONTOLOGY.events[ev.type]
    roles = [spec.pair_role] * 2 if spec.pair_role else list(spec.key)
    mine = _sides(ev, roles)
    for other in others:
        if other is ev or other.type != ev.type:
            continue
        theirs = _sides(other, roles)
        for k in range(2):
            a, b = ents.get(mine[k]), ents.get(theirs[k])
            rest_equal = mine[1 - k] == theirs[1 - k]
            if rest_equal and a is not None and b is not None and a.type == "COUNTRY" and b.type != "COUNTRY" \
                    and b.country == a.country:
                return True
    return False


def _sides(ev: Event, roles: list[str]) -> tuple[str, str]:
    if roles[0] == roles[1]:
        vals = sorted(ev.roles.get(roles[0], []))[:2]
        return (vals[0], vals[1]) if len(vals) == 2 else ("", "")
    return (ev.roles.get(roles[0], [""])[0], ev.roles.get(roles[1], [""])[0])


def extract(doc: Document, sdoc: Doc, rule_events: list[Event], model: Model | None = None) -> list[Event]:
    """The events the model keeps among the candidates (not yet merged into facts)."""
    model = model or load_model()
    out = []
    for cand in prepare(doc, sdoc, rule_events):
        p = model.probability(cand.type, cand.features)
        if not model.keeps(cand.type, p, stated_by_rule=cand.rule is not None):
            continue
        allowed = tuple(s for s in ONTOLOGY.statuses if cand.type in ONTOLOGY.status_only.get(s, (cand.type,)))
        out.append(_event(cand, p, model.status_of(status_features(cand), allowed), doc))
    ents = {e.id: e for e in doc.entities}
    return [ev for ev in out if not _less_specific(ev, out, ents)]
