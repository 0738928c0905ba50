"""Learned event extraction: candidates without a trigger gate, kept or dropped by a trained model.

1. candidates: every pair of entities named in one sentence of the article whose types fit the key
   roles of an event type (ontology.yaml), plus every event the rules found, split into pairs;
2. features: the entities' types, the words between and around them, the dependency path that joins
   them, the sentence's content words and verb tags, its zone, and whether the rules stated the same
   tuple there or elsewhere in the article (the rules become features);
3. facts: the candidates of one type and one pair of fillers are one possible fact of the article;
   its features are those of any of its sentences, with how often and where it is said and how
   prominent its fillers are (the gold says which facts an article states, not which sentence);
4. a logistic model per event type (`armsgraph train`; weights shipped as JSON in `models/`) decides:
   a fact the rules state is kept unless its probability is below the type's `drop_rule_below`,
   any other needs the type's `threshold`; its evidence is its sentence that the same weights score
   highest (a rule's sentence first); a second model gives the status from that sentence; the
   product is the rule's, else the weapons named there (or in the next sentences); an event whose
   side is only the state of a side another kept event names is dropped;
5. the kept events are merged into one per fact and the ontology's derived events added, as the
   rules' events are.

The model is read once per process; a missing or unreadable model file is an error that names it.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span, Token

from armsgraph import weights
from armsgraph.extract import english, lexicon
from armsgraph.ingest.dates import sentence_date
from armsgraph.model import Document, Entity, Event
from armsgraph.model import Span as TextSpan
from armsgraph.ontology import ONTOLOGY

MODEL_FILE = Path(__file__).parent.parent / "models" / "events.json"
_MAX_BETWEEN = 12
_MAX_PRODUCTS = 5


@dataclass(slots=True)
class Candidate:
    """A possible event: a type and one filler per key role side, in one sentence."""

    type: str
    first: Entity  # first key role (or one side of a pair role)
    second: Entity  # second key role (or the other side)
    sent: Span
    rule: Event | None = None  # the rule event that states this tuple in this sentence
    features: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Fact:
    """All candidates of one type and one pair of fillers in an article: what the model decides on."""

    type: str
    first: Entity
    second: Entity
    cands: list[Candidate]
    features: dict[str, float] = field(default_factory=dict)

    @property
    def rule(self) -> Event | None:
        return next((c.rule for c in self.cands if c.rule is not None), None)


@dataclass(slots=True, frozen=True)
class Model:
    """Per event type a logistic model (bias, weights, threshold); a multinomial status model."""

    types: dict[str, dict[str, Any]]
    status: dict[str, dict[str, float]]  # status -> weights (with "__bias__")
    meta: dict[str, Any]

    def score(self, etype: str, features: dict[str, float]) -> float:
        """The linear score (log-odds) of a fact of `etype` with these features."""
        spec = self.types.get(etype)
        if spec is None:
            return -30.0
        w = spec["weights"]
        return float(spec["bias"] + sum(w[f] * features[f] for f in features.keys() & w.keys()))

    def probability(self, etype: str, features: dict[str, float]) -> float:
        z = self.score(etype, features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def keeps(self, etype: str, p: float, stated_by_rule: bool = False) -> bool:
        """A candidate the rules state is kept unless the model all but rules it out; any other needs
        the type's threshold (both chosen on the dev split by training)."""
        spec = self.types.get(etype)
        if spec is None:
            return stated_by_rule
        return bool(p >= float(spec["drop_rule_below"] if stated_by_rule else spec["threshold"]))

    def status_of(self, features: dict[str, float], allowed: tuple[str, ...]) -> str | None:
        scores = {s: w.get("__bias__", 0.0) + sum(w[f] * features[f] for f in features.keys() & w.keys())
                  for s, w in self.status.items() if s in allowed}
        return max(scores, key=lambda s: scores[s]) if scores else None


@functools.cache
def load_model(path: Path = MODEL_FILE) -> Model:
    raw = weights.read(path, "event model", ("types", "status", "meta"),
                       "the `rule_events` component instead of `learned_events` (--events rules)")
    return Model(types=raw["types"], status=raw["status"], meta=raw["meta"])


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


def candidates(doc: Document, sdoc: Doc, rule_events: list[Event],
               named_in: Callable[[Span], dict[str, tuple[Entity, Token]]]) -> list[Candidate]:
    """Entity pairs of one sentence that fit an event type's key roles, and the rules' events as pairs;
    `named_in` gives a sentence's entities (`_SentenceCache.named`)."""
    ents = {e.id: e for e in doc.entities}
    out: dict[tuple[str, str, str, int], Candidate] = {}
    sents = [s for s in sdoc.sents if doc.zone_at(s.start_char) != "stray"]
    for sent in sents:
        named = named_in(sent)
        if len(named) < 2:
            continue
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
def _path(a: Token, b: Token) -> tuple[str, str, set[Token]]:
    """The dependency path from a to b through their lowest common ancestor: its labels, the
    ancestor's lemma, and the tokens on it (the ancestor included)."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    common = next((t for t in up_a if t in up_b), None)
    if common is None:
        return "none", "", set()
    left, right = up_a[:up_a.index(common)], up_b[:up_b.index(common)]
    labels = "<".join(t.dep_ for t in left) + "^" + ">".join(t.dep_ for t in reversed(right))
    return labels, common.lemma_.lower(), {*left, common, *right}


def _window(sent: Span, tok: Token, token_entity: dict[int, Entity], words: frozenset[int],
            size: int = 3) -> list[int]:
    """Up to `size` words either side of the mention whose root is `tok`, outside any mention (by
    token index; `words` are the sentence's alphabetic tokens outside mentions)."""
    ent = token_entity.get(tok.i)
    lo = hi = tok.i
    while lo - 1 >= sent.start and token_entity.get(lo - 1) is ent:
        lo -= 1
    while hi + 1 < sent.end and token_entity.get(hi + 1) is ent:
        hi += 1
    return [i for i in (*range(max(sent.start, lo - size), lo), *range(hi + 1, min(sent.end, hi + 1 + size)))
            if i in words]


@dataclass(slots=True)
class _SentenceCache:
    """What every candidate of one sentence shares: its entities and its sentence-wide features."""

    named: dict[str, tuple[Entity, Token]]
    features: dict[str, float]
    triggers: dict[int, set[str]]  # token index -> the event types whose lexicon trigger it heads
    lemma: dict[int, str]  # token index -> lower-case lemma (spaCy builds the string on every access)
    words: frozenset[int]  # the alphabetic tokens outside any mention


def _sentence_triggers(sent: Span) -> dict[int, set[str]]:
    """The sentence's trigger words of every event type (the rules' lexicon, `events.yaml`)."""
    toks = list(sent)
    words = english.words(toks)
    out: dict[int, set[str]] = {}
    for spec in lexicon.load().specs:
        for head, _frame in english.triggers(toks, spec, words):
            out.setdefault(head.i, set()).add(spec.type)
    return out


def _sentence_cache(sent: Span, token_entity: dict[int, Entity],
                    named: dict[str, tuple[Entity, Token]] | None = None) -> _SentenceCache:
    f: dict[str, float] = {}
    triggers = _sentence_triggers(sent)
    for types in triggers.values():
        for etype in types:
            f[f"trig_s={etype}"] = 1.0
    for t in sent:
        if t.pos_ in ("VERB", "NOUN") and t.i not in token_entity:
            f[f"s={t.lemma_.lower()}"] = 1.0
        if t.tag_ in ("MD", "VBD", "VBN", "VBG", "VBZ", "VBP"):
            f[f"tag={t.tag_}"] = 1.0
        if t.tag_ == "MD":
            f[f"md={t.lower_}"] = 1.0
    lemma = {t.i: t.lemma_.lower() for t in sent}
    words = frozenset(t.i for t in sent if t.is_alpha and t.i not in token_entity)
    return _SentenceCache(named if named is not None else _sentence_entities(sent, token_entity), f, triggers,
                          lemma, words)


def featurize(cand: Candidate, doc: Document, token_entity: dict[int, Entity],
              rule_keys: set[tuple[str, str, str]], cache: _SentenceCache | None = None) -> None:
    """Fill `cand.features` (binary indicators, weight 1)."""
    sent = cand.sent
    cache = cache or _sentence_cache(sent, token_entity)
    named = cache.named
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
        between = [i for i in range(lo + 1, hi) if i in cache.words]
        f[f"dist={min(len(between), _MAX_BETWEEN)}"] = 1.0
        for i in between[:_MAX_BETWEEN]:
            f[f"bw={cache.lemma[i]}"] = 1.0
        for i in range(lo + 1, hi):
            other = token_entity.get(i)
            if other is not None and other is not cand.first and other is not cand.second:
                f[f"bw_type={other.type}"] = 1.0
        path, lca, on_path = _path(a_tok, b_tok)
        for t in on_path | {a_tok.head, b_tok.head}:
            for etype in cache.triggers.get(t.i, ()):
                f[f"trig_path={etype}"] = 1.0
        for i in range(lo + 1, hi):
            for etype in cache.triggers.get(i, ()):
                f[f"trig_between={etype}"] = 1.0
        f[f"path={path}"] = 1.0
        f[f"lca={lca}"] = 1.0
        f[f"path_lca={path}|{lca}"] = 1.0
        if path != "none" and set(path.replace("^", "<").replace(">", "<").split("<")) <= {"conj", "appos", ""}:
            f["same_list"] = 1.0
        for side, tok in (("1", a_tok), ("2", b_tok)):
            for i in _window(sent, tok, token_entity, cache.words):
                f[f"win{side}={cache.lemma[i]}"] = 1.0
        f[f"dep1={a_tok.dep_}"] = 1.0
        f[f"dep2={b_tok.dep_}"] = 1.0
        f[f"head1={cache.lemma[a_tok.head.i]}"] = 1.0
        f[f"head2={cache.lemma[b_tok.head.i]}"] = 1.0
    f.update(cache.features)
    pair = (cand.type, cand.first.id, cand.second.id)
    if cand.rule is not None:
        f["rule"] = 1.0
        f[f"rule_status={cand.rule.status}"] = 1.0
    elif pair in rule_keys or (cand.type, cand.second.id, cand.first.id) in rule_keys:
        f["rule_elsewhere"] = 1.0
    cand.features = f


def status_features(cand: Candidate) -> dict[str, float]:
    """What the status model reads: the type, the verbs' tags and modals, the sentence's words, the
    rules' status cues found in it (`events.yaml`, with the type), its main verb's tag, a negation,
    and the rule's status."""
    f = {f"type={cand.type}": 1.0, f"root_tag={cand.sent.root.tag_}": 1.0}
    lemmas = {t.lemma_.lower() for t in cand.sent} | {t.lower_ for t in cand.sent}
    text = f" {' '.join(t.lower_ for t in cand.sent)} "
    for name, cues in lexicon.load().status:
        if any((f" {c} " in text) if " " in c else (c in lemmas) for c in cues):
            f[f"cue={name}"] = 1.0
            f[f"type_cue={cand.type}|{name}"] = 1.0
    if any(t.dep_ == "neg" for t in cand.sent):
        f["negated"] = 1.0
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
    named: dict[int, dict[str, tuple[Entity, Token]]] = {}
    caches: dict[int, _SentenceCache] = {}

    def named_in(sent: Span) -> dict[str, tuple[Entity, Token]]:
        if sent.start not in named:
            named[sent.start] = _sentence_entities(sent, token_entity)
        return named[sent.start]

    cands = candidates(doc, sdoc, rule_events, named_in)
    for c in cands:
        if c.sent.start not in caches:
            caches[c.sent.start] = _sentence_cache(c.sent, token_entity, named_in(c.sent))
        featurize(c, doc, token_entity, rule_keys, caches[c.sent.start])
    return cands


def _bucket(n: int, cuts: tuple[int, ...] = (1, 2, 3, 5, 8)) -> str:
    return next((str(c) for c in cuts if n <= c), f">{cuts[-1]}")


def facts(doc: Document, cands: list[Candidate]) -> list[Fact]:
    """The candidates grouped into one possible fact per type and pair of fillers, with its features:
    any sentence's, how many sentences and which zones say it, the rules' word, and the fillers'
    prominence (their mentions, and their rank among the article's entities)."""
    groups: dict[tuple[str, str, str], Fact] = {}
    for c in cands:
        a, b = c.first, c.second
        if ONTOLOGY.events[c.type].pair_role and b.id < a.id:
            a, b = b, a
        fact = groups.setdefault((c.type, a.id, b.id), Fact(c.type, a, b, []))
        fact.cands.append(c)
    ranked = sorted(doc.entities, key=lambda e: -len(e.mentions))
    rank = {e.id: i for i, e in enumerate(ranked)}
    first_body = min((s.sent.start for f in groups.values() for s in f.cands
                      if doc.zone_at(s.sent.start_char) == "body"), default=0)
    for fact in groups.values():
        f: dict[str, float] = {}
        for c in fact.cands:
            f.update(dict.fromkeys(c.features, 1.0))
        sents = {c.sent.start for c in fact.cands}
        f[f"n_sent={_bucket(len(sents))}"] = 1.0
        f[f"n_rule={_bucket(sum(c.rule is not None for c in fact.cands), (0, 1, 2))}"] = 1.0
        for side, ent in (("1", fact.first), ("2", fact.second)):
            f[f"mentions{side}={_bucket(len(ent.mentions))}"] = 1.0
            f[f"rank{side}={_bucket(rank.get(ent.id, 99) + 1, (1, 2, 3, 5))}"] = 1.0
        if any(c.sent.start == first_body for c in fact.cands):
            f["lead_sentence"] = 1.0
        fact.features = f
    return list(groups.values())


# ---------------------------------------------------------------- events
def best_sentence(fact: Fact, model: Model) -> Candidate:
    """The sentence that states the fact: a rule's, else the one the type's weights score highest."""
    return max(fact.cands, key=lambda c: (c.rule is not None, model.score(fact.type, c.features), -c.sent.start))


def _event(fact: Fact, best: Candidate, p: float, status: str | None, art: _Article,
           more: list[Span] | None = None) -> Event:
    spec = ONTOLOGY.events[fact.type]
    rule = best.rule
    roles = {r: list(v) for r, v in rule.roles.items()} if rule is not None else {}
    if spec.pair_role:
        roles[spec.pair_role] = [best.first.id, best.second.id]
    else:
        roles[spec.key[0]], roles[spec.key[1]] = [best.first.id], [best.second.id]
    if "product" in spec.roles and "product" not in spec.key:
        found = list(dict.fromkeys([*roles.get("product", []), *_products(art, best.sent, fact.type),
                                    *(p for s in more or [] for p in _products(art, s, fact.type))]))
        if found:
            roles["product"] = found[:_MAX_PRODUCTS]
    sent = best.sent
    date = (rule.date, rule.date_derived) if rule is not None and rule.date else sentence_date(sent, art.doc.published)
    return Event(id="", type=fact.type, roles=roles, status=status or (rule.status if rule else None),
                 date=date[0] if date else None, date_derived=date[1] if date else False,
                 attribution=rule.attribution if rule else None, confidence=round(p, 3),
                 evidence=[TextSpan(sent.start_char, sent.end_char, sent.text)])


@dataclass(slots=True)
class _Article:
    """What building the kept events reads of the whole article, computed once: its sentences (and
    each one's place by its first token), the entity over each token, its weapons, and its noun
    chunks by sentence."""

    doc: Document
    sents: list[Span]
    index: dict[int, int]
    token_entity: dict[int, Entity]
    weapons: list[Entity]
    chunks: dict[int, list[Span]]

    @classmethod
    def of(cls, doc: Document, sdoc: Doc, token_entity: dict[int, Entity],
           chunks: dict[int, list[Span]] | None = None) -> _Article:
        sents = list(sdoc.sents)
        return cls(doc, sents, {s.start: i for i, s in enumerate(sents)}, token_entity,
                   [e for e in doc.entities if e.type == "WEAPON"],
                   chunks if chunks is not None else english.chunks_by_sentence(sdoc))


def _products(art: _Article, sent: Span, etype: str) -> list[str]:
    """What the sentence says is supplied, built or produced: the weapons it names and its noun
    phrases headed by a product noun ("tracked armoured vehicles"); else those of the sentence before
    or after; else the article's most named weapon. Weapons are entity ids, phrases free text."""
    i = art.index.get(sent.start, 0)
    lex = lexicon.load()
    nouns = lex.nouns_for(etype)
    for window in ([art.sents[i]], art.sents[max(0, i - 1):i + 2]):
        found: list[str] = [e.id for e in art.weapons
                            if any(s.start_char <= m.start < s.end_char for s in window for m in e.mentions)]
        for s in window:
            found += [p for c in art.chunks.get(s.start, [])
                      if (p := english.product_phrase(c, art.token_entity, lex, nouns))]
        if found:
            return list(dict.fromkeys(found))
    return [max(art.weapons, key=lambda e: len(e.mentions)).id] if art.weapons else []


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


def _status(model: Model, features: dict[str, float], allowed: tuple[str, ...]) -> str | None:
    """The status model's answer, with the rules' cues as a validator: a sentence that says the
    fact is planned or expected ("plans to build", "will deliver") and says nothing of its
    completion does not report it completed (5-fold on train and dev: 0.67 to 0.71 accuracy)."""
    status = model.status_of(features, allowed)
    if status == "completed" and features.get("cue=announced") and not features.get("cue=completed") \
            and "announced" in allowed:
        return "announced"
    return status


def _contains_name(a: Entity, b: Entity) -> bool:
    """One name is the other's with words added: "Hanwha Aerospace Romania", "Hanwha Aerospace"."""
    x, y = sorted((a.name.lower().split(), b.name.lower().split()), key=len)
    return len(x) < len(y) and y[:len(x)] == x


def _conjoined(a: Entity, b: Entity, sent: Span, token_entity: dict[int, Entity]) -> bool:
    """Two firms named together as one side of the sentence ("Airbus and Tata opened ...")."""
    if a.type != "COMPANY" or b.type != "COMPANY":
        return False
    ids = {a.id, b.id}
    return any(tok.dep_ == "conj" and (x := token_entity.get(tok.i)) is not None
               and (y := token_entity.get(tok.head.i)) is not None and {x.id, y.id} == ids for tok in sent)


def _one_side(kept: list[tuple[Fact, Candidate, float]], token_entity: dict[int, Entity]
              ) -> list[tuple[Fact, Candidate, float, list[Candidate]]]:
    """Event coreference within the article: two kept facts of one type that differ only in one side,
    where the two fillers are one side (a firm and its local arm, two firms acting jointly), are
    one fact; the more probable stays, with the other's sentence as more evidence of its product.
    Separate recipients, hosts or partners stay separate."""
    out: list[tuple[Fact, Candidate, float, list[Candidate]]] = []
    for fact, best, p in sorted(kept, key=lambda k: -k[2]):
        pair = ONTOLOGY.events[fact.type].pair_role is not None
        same = False
        for other, obest, _, also in out:
            if other.type != fact.type:
                continue
            mine, theirs = (fact.first, fact.second), (other.first, other.second)
            for k in (0, 1):
                if mine[1 - k] is not theirs[1 - k] or mine[k] is theirs[k]:
                    continue
                a, b = mine[k], theirs[k]
                if _contains_name(a, b) or (k == 0 and not pair and any(
                        _conjoined(a, b, c.sent, token_entity) for c in (best, obest))):
                    same = True
            if pair and not same:  # a pair may share its side in either order
                for k, j in ((0, 1), (1, 0)):
                    if mine[k] is theirs[j] and mine[1 - k] is not theirs[1 - j] \
                            and _contains_name(mine[1 - k], theirs[1 - j]):
                        same = True
            if same:
                also.append(best)
                break
        if not same:
            out.append((fact, best, p, []))
    return out


def extract(doc: Document, sdoc: Doc, rule_events: list[Event], model: Model | None = None,
            chunks: dict[int, list[Span]] | None = None) -> list[Event]:
    """The events the model keeps among the article's possible facts (not yet merged); `chunks` are
    the document's noun chunks by sentence when the caller has them already."""
    model = model or load_model()
    token_entity = token_entities(doc, sdoc)
    kept = []
    for fact in facts(doc, prepare(doc, sdoc, rule_events)):
        p = model.probability(fact.type, fact.features)
        if model.keeps(fact.type, p, stated_by_rule=fact.rule is not None):
            kept.append((fact, best_sentence(fact, model), p))
    art = _Article.of(doc, sdoc, token_entity, chunks)
    out = []
    for fact, best, p, also in _one_side(kept, token_entity):
        allowed = tuple(s for s in ONTOLOGY.statuses if fact.type in ONTOLOGY.status_only.get(s, (fact.type,)))
        out.append(_event(fact, best, p, _status(model, status_features(best), allowed), art,
                          [c.sent for c in also]))
    ents = {e.id: e for e in doc.entities}
    return [ev for ev in out if not _less_specific(ev, out, ents)]
