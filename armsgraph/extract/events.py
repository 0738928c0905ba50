"""Event extraction: trigger words, role frames over the dependency parse, status, date.

For each sentence of the article (never of clutter or a stray paragraph):
1. find triggers (lemmas and lemma phrases from `data/events.yaml`);
2. give every entity mention in the sentence a syntactic case relative to the
   trigger (subject of its clause, passive agent, object, possessor, modifier,
   object of a preposition);
3. fill each role of the trigger's frame from the cases it lists, in order,
   with entities of the role's types, falling back to the product's maker,
   a location's country, or the document's two main countries;
4. read status from cue words and the trigger's tense and aspect, the date from
   date expressions in the sentence, the attribution from reporting verbs.
Then events stating the same fact in one document are merged into one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from armsgraph.extract import english, learned
from armsgraph.extract import lexicon as lx
from armsgraph.ingest.dates import sentence_date
from armsgraph.kb import KnowledgeBase
from armsgraph.model import Document, Entity, Event
from armsgraph.model import Span as TextSpan
from armsgraph.ontology import ONTOLOGY

_CLAUSE_DEPS = {"xcomp", "dobj", "pobj", "prep", "advcl", "acl", "attr", "conj", "compound", "amod",
                "nmod", "appos", "pcomp", "oprd", "npadvmod", "ccomp", "relcl", "nsubj", "nsubjpass", "dative"}
_MAKE_VERBS = {"produce", "develop", "manufacture", "make", "build", "design"}


@dataclass(slots=True)
class _Slot:
    """An entity mention inside the sentence with its syntactic case."""

    entity: Entity
    start: int  # token index of the mention's first token
    root: Token
    case: str
    governor: Token | None


@dataclass(slots=True)
class _Context:
    doc: Document
    sdoc: Doc
    kb: KnowledgeBase
    lex: lx.Lexicon
    token_entity: dict[int, Entity]
    pair: list[Entity]
    events: list[Event] = field(default_factory=list)
    _chunks: dict[int, list[Span]] | None = None

    def chunks(self) -> dict[int, list[Span]]:
        """The document's noun chunks by sentence, read once (`english.chunks_by_sentence`)."""
        if self._chunks is None:
            self._chunks = english.chunks_by_sentence(self.sdoc)
        return self._chunks

    def noun_chunks(self, sent: Span) -> list[Span]:
        return [c for c in self.chunks().get(sent.start, []) if c.end <= sent.end]


def extract_events(doc: Document, sdoc: Doc, kb: KnowledgeBase, model: learned.Model | None = None) -> list[Event]:
    """All events of one document, one per fact, numbered v1, v2...: the rules' events, or, with a
    `model`, the candidates it keeps (the rules' events among them, as features), then the derived
    events, merged."""
    ctx = _rules(doc, sdoc, kb)
    found = ctx.events if model is None else learned.extract(doc, sdoc, ctx.events, model, ctx.chunks())
    return _merge(_derive_agreements(found, ctx), {e.id: e for e in doc.entities})


def rule_events(doc: Document, sdoc: Doc, kb: KnowledgeBase) -> list[Event]:
    """The rules' events sentence by sentence, before merging (what the learned model reads)."""
    return _rules(doc, sdoc, kb).events


def _compound_phrase(tok: Token) -> str:
    """The trigger with the compound word right before it, lower case: 'power plant'."""
    before = [c for c in tok.children if c.dep_ == "compound" and c.i == tok.i - 1]
    return " ".join([*(c.lower_ for c in before), tok.lemma_.lower()])


def _rules(doc: Document, sdoc: Doc, kb: KnowledgeBase) -> _Context:
    lex = lx.load()
    token_entity = learned.token_entities(doc, sdoc)
    _infer_countries(doc, sdoc, token_entity, lex)
    ctx = _Context(doc, sdoc, kb, lex, token_entity, _main_pair(doc))
    for sent in sdoc.sents:
        if doc.zone_at(sent.start_char) == "stray":
            continue
        slots = _slots(sent, ctx)
        toks = list(sent)
        words = english.words(toks)
        for spec in lex.specs:
            for trigger, frame in english.triggers(toks, spec, words):
                if trigger.i in ctx.token_entity and ctx.token_entity[trigger.i].type != "AGREEMENT":
                    continue  # 'Federal Antimonopoly Office' names a body, it is no office being opened
                if trigger.dep_ == "compound" and trigger.head.pos_ in ("NOUN", "PROPN"):
                    continue  # 'plant equipment' is equipment
                if spec.exclude_objects and _compound_phrase(trigger) in spec.exclude_objects:
                    continue  # 'a nuclear power plant' is no arms factory
                if spec.type == "supply" and trigger.lemma_ in ("order", "contract", "deal") \
                        and trigger.head.lemma_ in lex.win_verbs:
                    frame = "won"
                ctx.events += _build(spec, frame, trigger, sent, slots, ctx)
        _attach_following_products(sent, slots, ctx)
    return ctx


# ---------------------------------------------------------------- mentions in a sentence
def _infer_countries(doc: Document, sdoc: Doc, token_entity: dict[int, Entity], lex: lx.Lexicon) -> None:
    """An open-world company takes the country its noun phrase gives it: 'Turkish defense company
    Assan', 'Assan, a Turkish firm', "Germany's Rheinmetall"."""
    for ent in doc.entities:
        if ent.country or ent.type not in ("COMPANY", "ORGANIZATION", "GOVERNMENT", "MILITARY"):
            continue
        for m in ent.mentions:
            span = sdoc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            head = span.root
            near = [*head.children, *(head.head.children if head.dep_ == "appos" or head.head.lemma_.lower()
                                       in lex.generic_nouns else [])]
            if head.dep_ == "appos" or head.head.lemma_.lower() in lex.generic_nouns:
                near.append(head.head)
            left = list(sdoc[max(span.sent.start, span.start - 4):span.start])
            if any(t.lemma_.lower() in lex.generic_nouns for t in left):
                near += left  # 'Turkish defense company Assan'
            for tok in near:
                other = token_entity.get(tok.i)
                if other is not None and other is not ent and other.type == "COUNTRY" and other.country:
                    ent.country = other.country
                    break
            if ent.country:
                break


def _main_pair(doc: Document) -> list[Entity]:
    """The two countries the article is most about (mentions outside stray text)."""
    counts: Counter[str] = Counter()
    for ent in doc.entities:
        if ent.type == "COUNTRY":
            counts[ent.id] = sum(1 for m in ent.mentions if doc.zone_at(m.start) != "stray")
    top = [eid for eid, n in counts.most_common(2) if n > 0]
    return [e for e in doc.entities if e.id in top]


def _slots(sent: Span, ctx: _Context) -> list[_Slot]:
    seen: dict[tuple[str, int], _Slot] = {}
    for tok in sent:
        ent = ctx.token_entity.get(tok.i)
        if ent is None:
            continue
        start = tok.i
        while start - 1 >= sent.start and ctx.token_entity.get(start - 1) is ent:
            start -= 1
        if (ent.id, start) in seen:
            continue
        end = start
        while end + 1 < sent.end and ctx.token_entity.get(end + 1) is ent:
            end += 1
        root = ctx.sdoc[start:end + 1].root
        case, governor = _case(root)
        seen[(ent.id, start)] = _Slot(ent, start, root, case, governor)
    return list(seen.values())


def _case(root: Token) -> tuple[str, Token | None]:
    tok = root
    for _ in range(6):
        title_of = (tok.dep_ == "compound" and tok.head.pos_ == "NOUN" and tok.pos_ == "PROPN"
                    and tok.head.dep_ in ("pobj", "nsubj", "dobj", "nsubjpass", "appos"))
        if (tok.dep_ == "conj" and tok.head != tok) or tok.dep_ == "appos" or title_of:
            tok = tok.head
        else:
            break
    dep = tok.dep_
    if dep == "pobj":
        prep = tok.head
        if prep.dep_ == "agent" or prep.lower_ == "by":
            return "by", prep.head
        return f"prep:{prep.lower_}", prep.head
    if dep in ("nsubj", "csubj"):
        return "subj", tok.head
    if dep == "nsubjpass":
        return "subjpass", tok.head
    if dep in ("dobj", "attr", "oprd"):
        return "obj", tok.head
    if dep == "poss":
        return "poss", tok.head
    if dep in ("amod", "compound", "nmod", "npadvmod", "nummod"):
        return "mod", tok.head
    return dep, tok.head


def _is_clause(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)


def _path_up(trigger: Token) -> list[Token]:
    """The trigger and its heads, stopping where a coordinated clause begins."""
    out = [trigger]
    tok = trigger
    for _ in range(10):
        if tok.head == tok or (tok.dep_ == "conj" and tok.pos_ in ("VERB", "AUX")):
            break
        if tok.dep_ in ("ccomp", "advcl", "parataxis") and _is_clause(tok):
            break
        tok = tok.head
        out.append(tok)
    return out


def _clause_head(trigger: Token) -> Token:
    """The verb whose clause the trigger is in ('build' <- 'plans' <- 'advancing')."""
    for tok in _path_up(trigger):
        if _is_clause(tok):
            return tok
    return _path_up(trigger)[-1]


def _subject_tokens(trigger: Token, generic: frozenset[str]) -> list[Token]:
    head = _clause_head(trigger)
    out = []
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if head.dep_ == "relcl" and any(c.lower_ in ("which", "that", "who") for c in subjects):
        subjects.append(head.head)  # 'the DRDO stable, which won orders': the stable is the subject
    for s in subjects:
        for tok in [s, *[c for c in s.children if c.dep_ in ("conj", "appos")]]:
            out.append(tok)
            if tok.lemma_.lower() not in generic and tok.dep_ != "appos":
                out += [c for c in tok.children if c.dep_ in ("compound", "amod", "poss")]
            out += [c for c in tok.children if c.dep_ == "conj"]
    return out


def _attached(gov: Token | None, trigger: Token) -> bool:
    """True where a dependent of `gov` speaks of the trigger: gov is on the trigger's path up."""
    return gov is not None and (gov in _path_up(trigger) or trigger.is_ancestor(gov))


def _in_clause(tok: Token | None, trigger: Token) -> bool:
    if tok is None:
        return False
    head = _clause_head(trigger)
    t = tok
    for _ in range(12):
        if t in (head, trigger):
            return True
        if t != tok and _is_clause(t):
            return False
        if t.head == t:
            return False
        t = t.head
    return False


def _distance(a: Token, b: Token) -> int:
    anc_a = [a, *a.ancestors]
    anc_b = [b, *b.ancestors]
    for i, x in enumerate(anc_a):
        if x in anc_b:
            return i + anc_b.index(x)
    return 99


# ---------------------------------------------------------------- roles
def _raised(slot: _Slot, trigger: Token, ctx: _Context) -> bool:
    """'Roketsan is expected to build a plant': the passive subject of a raising verb is the subject
    of the infinitive below it, on the trigger's path up."""
    gov = slot.governor
    return gov is not None and gov.lemma_.lower() in ctx.lex.raising_verbs \
        and any(t.dep_ == "xcomp" and t.head == gov for t in _path_up(trigger))


def _pick(case: str, role: str, etype: str, trigger: Token, slots: list[_Slot], used: set[str],
          ctx: _Context, roles: dict[str, list[Entity]]) -> list[Entity]:
    allowed = ONTOLOGY.role_types(etype, role)
    state_role = role in ("parties", "host", "recipient", "user", "operator", "partners") and "COUNTRY" in allowed

    def ok(s: _Slot) -> bool:
        e = _as_state(s.entity, ctx) if state_role else s.entity
        return e.type in allowed and e.id not in used

    chosen: list[_Slot] = []
    if case in ("subj", "clause_subj"):
        tokens = _subject_tokens(trigger, ctx.lex.generic_nouns) if case == "subj" else _lower_subjects(trigger)
        subj = {t.i for t in tokens}
        chosen = [s for s in slots if ok(s) and s.root.i in subj
                  and (s.case != "subjpass" or etype == "combat_use" or _raised(s, trigger, ctx))]
        if not chosen:
            found = _antecedents(tokens, ctx, allowed, used)
            if found:
                return found
        head = _clause_head(trigger)
        if not chosen and case == "subj" and head.dep_ in ("relcl", "acl") and head.head != head:
            # 'it bought a site near Lviv where a new factory is to be built': who builds is the subject above
            return _pick("subj", role, etype, head.head, slots, used, ctx, roles)
    elif case == "led":
        chosen = [s for s in slots if ok(s) and s.case == "by" and s.governor is not None
                  and s.governor.lemma_ in ("lead", "head")]
    elif case == "by":
        chosen = [s for s in slots if ok(s) and s.case == "by" and _in_clause(s.governor, trigger)
                  and not (s.governor is not None and s.governor.lemma_ in
                           _MAKE_VERBS | {"lead", "head", "report"} | ctx.lex.reporting)]
    elif case == "mod":
        chosen = [s for s in slots if ok(s) and s.case == "mod" and s.governor is not None
                  and (s.governor == trigger or s.governor.head == trigger or trigger.head == s.governor
                       or (s.governor.head.head == trigger and s.governor.dep_ in ("amod", "compound")))]
    elif case == "between":
        preps = [t for t in trigger.sent if t.lower_ == "between" and _attached(t.head, trigger)]
        chosen = [s for s in slots if ok(s) and any(p.is_ancestor(s.root) for p in preps)]
    elif case == "objmod":  # "upgrading the navy's Type 22 frigates": the system names the object
        chosen = [s for s in slots if ok(s) and s.case == "mod" and s.governor is not None
                  and (noun := _noun_head(s.governor)).dep_ in ("dobj", "pobj") and _attached(noun.head, trigger)]
    elif case in ("obj", "poss", "dative", "appos") or case.startswith("prep:"):
        chosen = [s for s in slots if ok(s) and s.case == case and _attached(s.governor, trigger)]
    elif case == "any":
        chosen = [s for s in slots if ok(s)]
    elif case == "list":
        chosen = [s for s in slots if ok(s) and s.root.i > trigger.i - 30 and s.entity.type == "COUNTRY"]
    elif case == "maker":
        return _makers(trigger, slots, used, ctx, allowed, roles)
    elif case == "pair":
        taken = {e.country for fillers in roles.values() for e in fillers if e.country}
        return [e for e in ctx.pair if e.id not in used and e.type in allowed and e.country not in taken]
    elif case == "partner_country":
        mine = {e.country for e in roles.get("parent", []) if e.country}
        return [c for s in slots if s.entity.type == "COMPANY" and s.entity.country
                and s.entity.country not in mine and s.entity.id not in used
                for c in _countries_of([s.entity], ctx, used)][:1]
    elif case == "country":
        places = roles.get("location", []) + [s.entity for s in sorted(slots, key=lambda s: _distance(s.root, trigger))
                                              if s.entity.type == "LOCATION"]
        return _countries_of(places, ctx, used)[:1]
    elif case == "named":
        return _countries_of(roles.get("name", []), ctx, used, by_name=True)
    chosen.sort(key=lambda s: _distance(s.root, trigger))
    out: list[Entity] = []
    for s in chosen:
        e = _as_state(s.entity, ctx) if state_role and role != "location" else s.entity
        if e not in out:
            out.append(e)
    return out


def _lower_subjects(trigger: Token) -> list[Token]:
    """Subjects of clauses under the trigger: 'an order under which PT Pindad will build ...'."""
    return [c for t in trigger.subtree if t != trigger and _is_clause(t)
            for c in t.children if c.dep_ == "nsubj"]


def _antecedents(tokens: list[Token], ctx: _Context, allowed: tuple[str, ...], used: set[str]) -> list[Entity]:
    """What 'it', 'the company' or 'the German concern' refers to: the latest company named before,
    of that nationality where one == given."""
    for tok in tokens:
        definite = tok.lemma_.lower() in ctx.lex.generic_nouns and any(
            c.lower_ in ("the", "this", "that") for c in tok.children)
        if tok.lower_ not in ("it", "its", "they", "their") and not definite:
            continue
        country = next((ctx.token_entity[c.i].country for c in tok.children
                        if c.dep_ in ("amod", "compound") and c.i in ctx.token_entity
                        and ctx.token_entity[c.i].type == "COUNTRY"), None)
        best: tuple[int, Entity] | None = None
        for ent in ctx.doc.entities:
            if ent.type != "COMPANY" or ent.type not in allowed or ent.id in used:
                continue
            if country and ent.country != country:
                continue
            starts = [m.start for m in ent.mentions if m.start < tok.idx]
            if starts and (best is None or max(starts) > best[0]):
                best = (max(starts), ent)
        if best is not None:
            return [best[1]]
    return []


def _noun_head(tok: Token) -> Token:
    """The head noun of a compound ('F-16' -> 'fighter' -> 'jets')."""
    for _ in range(4):
        if tok.dep_ not in ("compound", "amod", "nmod", "nummod") or tok.head == tok:
            break
        tok = tok.head
    return tok


def _as_state(ent: Entity, ctx: _Context) -> Entity:
    """A capital or city standing for its state ('Baku has cooperated with...') is that state."""
    if ent.type != "LOCATION" or not ent.country:
        return ent
    return next((c for c in ctx.doc.entities if c.type == "COUNTRY" and c.country == ent.country), ent)


def _makers(trigger: Token, slots: list[_Slot], used: set[str], ctx: _Context,
            allowed: tuple[str, ...], roles: dict[str, list[Entity]]) -> list[Entity]:
    """Who made the product: 'produced by X', 'X-produced', or the knowledge base's manufacturer."""
    out: list[Entity] = []
    for s in slots:
        if s.entity.id in used or s.entity.type not in allowed:
            continue
        gov = s.governor
        nxt = s.root.nbor(1) if s.root.i + 1 < len(s.root.doc) else None
        after = s.root.nbor(2) if s.root.i + 2 < len(s.root.doc) else None
        made_by = s.case == "by" and gov is not None and gov.lemma_ in _MAKE_VERBS
        made_by_mod = (s.case == "mod" and gov is not None and gov.dep_ == "pobj" and gov.head.lower_ == "by"
                       and gov.head.head.lemma_ in _MAKE_VERBS)  # 'developed by the Turkish industry'
        hyphen_made = nxt is not None and nxt.text == "-" and after is not None and after.lemma_ in _MAKE_VERBS
        if made_by or made_by_mod or hyphen_made:
            out.append(s.entity)
    if out:
        return out
    for product in roles.get("product", []) or [s.entity for s in slots if s.entity.type == "WEAPON"]:
        entry = ctx.kb.get(product.kb_id)
        if entry is None:
            continue
        for ent in ctx.doc.entities:
            if ent.id in used or ent.type not in allowed:
                continue
            if (entry.manufacturer and ent.kb_id == entry.manufacturer) or \
               (ent.type == "COUNTRY" and ent.country and ent.country == entry.country):
                out.append(ent)
        if out:
            return [min(out, key=lambda e: (e.type == "COUNTRY", e.id))]
    return out


def _countries_of(ents: list[Entity], ctx: _Context, used: set[str], by_name: bool = False) -> list[Entity]:
    out = []
    for e in ents:
        iso = e.country
        if by_name:
            iso = next((c.country for c in ctx.doc.entities if c.type == "COUNTRY" and c.country
                        and any(m.text in e.name for m in c.mentions)), None)
        if e.type == "COUNTRY":
            country: Entity | None = e
        else:
            country = next((c for c in ctx.doc.entities if c.type == "COUNTRY" and c.country == iso), None)
            if country is None and e.type == "LOCATION" and iso:
                country = e  # 'in Baku' with no country named: the capital stands for its state
        if country is not None and country.id not in used and country not in out:
            out.append(country)
    return out


def _products(trigger: Token, sent: Span, slots: list[_Slot], ctx: _Context) -> list[str | Entity]:
    weapons = [s.entity for s in slots if s.entity.type == "WEAPON"]
    if weapons:
        return list({w.id: w for w in weapons}.values())
    best: tuple[int, str] | None = None
    for chunk in ctx.noun_chunks(sent):
        text = english.product_phrase(chunk, ctx.token_entity, ctx.lex)
        if text is None:
            continue
        d = abs(chunk.root.i - trigger.i)
        if best is None or d < best[0]:
            best = (d, text)
    if best is None:
        for tok in trigger.subtree:  # "aerial bomb production facility": the product is a compound
            if tok.i < trigger.i and tok.dep_ == "compound" and tok.lemma_.lower() in ctx.lex.product_nouns:
                left = [t for t in tok.lefts if t.dep_ in ("amod", "compound")]
                return [ctx.sdoc[(left[0].i if left else tok.i):tok.i + 1].text]
    return [best[1]] if best else []


# ---------------------------------------------------------------- one event
def _build(spec: lx.EventSpec, frame_name: str, trigger: Token, sent: Span, slots: list[_Slot],
           ctx: _Context) -> list[Event]:
    lemmas = {t.lemma_.lower() for t in sent} | {t.lower_ for t in sent}
    if spec.requires_cue and not (spec.requires_cue & (lemmas | _previous_lemmas(sent))) \
            and not _cue_near(spec, ctx, sent):
        return []
    if spec.type == "meeting" and trigger.pos_ == "VERB" and trigger.lemma_ == "meet" and not any(
            (c.dep_ == "prep" and c.lower_ == "with") or (c.dep_ == "dobj" and c.i in ctx.token_entity)
            for c in trigger.children):
        return []  # 'meet its needs' is not a meeting
    if spec.exclude & lemmas and spec.type in ("agreement", "facility"):
        return []
    if spec.type == "meeting" and trigger.lemma_ == "receive" and any(s.entity.type == "WEAPON" for s in slots):
        return []
    if spec.type == "supply" and trigger.lemma_ == "transfer" and any(
            c.lemma_ in ("technology", "know", "knowledge", "production", "manufacturing")
            for c in [*trigger.children, trigger.head]) \
            and not any(s.entity.type == "WEAPON" for s in slots):
        return []  # a transfer of technology is cooperation, not a delivery
    products = _products(trigger, sent, slots, ctx) if spec.type in (
        "supply", "facility", "joint_production", "combat_use") else []
    ent_products = [p for p in products if isinstance(p, Entity)]
    if len(ent_products) > 1 and spec.type in ("supply", "joint_production", "combat_use"):
        out: list[Event] = []  # one fact per product: 'KAAN and Kizilelma parts made in Azerbaijan'
        for product in ent_products:
            others = {p.id for p in ent_products} - {product.id}
            out += _build_with(spec, frame_name, trigger, sent, [s for s in slots if s.entity.id not in others],
                               ctx, [product])
        return out
    return _build_with(spec, frame_name, trigger, sent, slots, ctx, products)


def _build_with(spec: lx.EventSpec, frame_name: str, trigger: Token, sent: Span, slots: list[_Slot],
                ctx: _Context, products: list[str | Entity]) -> list[Event]:
    ent_products = [p for p in products if isinstance(p, Entity)]
    frame = spec.frames[frame_name]
    roles: dict[str, list[Entity]] = {}
    used: set[str] = set()
    free: dict[str, list[str]] = {}
    if ent_products:
        roles["product"] = ent_products
        used |= {p.id for p in ent_products}
    pair_role = lx.PAIR_ROLES.get(spec.type)
    if spec.type == "meeting":
        people = _meeting_people(sent, slots, ctx)
        if len(people) >= 2:
            roles["parties"] = people
            used |= {p.id for p in people}
    for role, cases in frame.items():
        if role in roles:
            continue
        if role == "product" and ent_products:
            continue
        filled: list[Entity] = []
        for case in cases:
            got = _pick(case, role, spec.type, trigger, slots, used, ctx, roles)
            if not got:
                continue
            if role == pair_role:
                filled += [g for g in got if g not in filled]
                used |= {g.id for g in got}
                if len(filled) >= 2:
                    break
                continue
            filled = got
            break
        if filled:
            roles[role] = filled
            if role != pair_role:
                used |= {f.id for f in filled}
    if not all(roles.get(r) for r in lx.KEY_ROLES[spec.type]):
        return []
    text_products = [p for p in products if isinstance(p, str)]
    if text_products and not ent_products:
        free["product"] = text_products
    if spec.type == "agreement":
        kind = _kind(spec, trigger, sent)
        if kind:
            free["kind"] = [kind]
        names = [s.entity for s in slots if s.entity.type == "AGREEMENT"]
        if names:
            free["name"] = [names[0].name]
    if spec.type == "subsidiary" and roles.get("name"):
        free["name"] = [roles.pop("name")[0].name]
    for role, fillers in roles.items():
        if role != pair_role and len(fillers) > 1:  # 'Hanwha Aerospace, South Korea': the side is named once
            own = {f.country for f in fillers if f.type != "COUNTRY" and f.country}
            roles[role] = [f for f in fillers if not (f.type == "COUNTRY" and f.country in own)] or fillers
    events = _split_pairs(spec.type, roles, pair_role)
    status = _status(spec, trigger, sent, ctx)
    date = _date(sent, ctx)
    attribution = _attribution(sent, slots, ctx)
    evidence = [TextSpan(sent.start_char, sent.end_char, sent.text)]
    return [Event(id="", type=spec.type,
                  roles={**{k: [e.id for e in v] for k, v in r.items()}, **free},
                  status=status, date=date[0] if date else None, date_derived=date[1] if date else False,
                  attribution=attribution, confidence=_confidence(spec.type, r, frame),
                  evidence=list(evidence))
            for r in events]


def _previous_lemmas(sent: Span) -> set[str]:
    if sent.start == 0:
        return set()
    prev = sent.doc[sent.start - 1].sent
    return {t.lemma_.lower() for t in prev} | {t.lower_ for t in prev}


def _meeting_people(sent: Span, slots: list[_Slot], ctx: _Context) -> list[Entity]:
    """The people who met: persons in the sentence who are not only the source of the report."""
    out: list[Entity] = []
    for s in sorted(slots, key=lambda s: s.start):
        if s.entity.type != "PERSON" or s.entity in out:
            continue
        gov = s.governor
        if s.case == "prep:to" or (gov is not None and gov.lemma_ in ctx.lex.reporting and s.case == "subj"
                                   and gov.lemma_ not in ("announce",)):
            continue
        out.append(s.entity)
    return out


def _cue_near(spec: lx.EventSpec, ctx: _Context, sent: Span) -> bool:
    """The headline's cue words count for the whole article (a defence article's 'ties')."""
    if spec.type != "cooperation":
        return False
    head = next((z for z in ctx.doc.zones if z.kind == "headline"), None)
    if head is None:
        return False
    words = set(ctx.doc.text[head.start:head.end].lower().replace("-", " ").split())
    return bool(words & spec.requires_cue)


def _split_pairs(etype: str, roles: dict[str, list[Entity]], pair_role: str | None) -> list[dict[str, list[Entity]]]:
    """'A cooperates with B, C and D' is three facts; 'A and B cooperate' is one."""
    if pair_role is None or pair_role not in roles:
        return [roles]
    parties = roles[pair_role]
    org_countries = {p.country for p in parties if p.type != "COUNTRY" and p.country}
    parties = [p for p in parties if not (p.type == "COUNTRY" and p.country in org_countries)] \
        if len(parties) > 2 else parties
    if len(parties) < 2:
        return []
    if etype == "meeting":
        people = [p for p in parties if p.type == "PERSON"]
        if len(people) >= 2:
            parties = people
    if len(parties) <= 2:
        return [] if len(parties) == 2 and _own_state(*parties) else [{**roles, pair_role: parties}]
    first, rest = parties[0], parties[1:]
    return [{**roles, pair_role: [first, other]} for other in rest if not _own_state(first, other)]


def _own_state(a: Entity, b: Entity) -> bool:
    """A company (or body, or person) and its own state are not two parties to a deal or a partnership."""
    return (a.type == "COUNTRY") != (b.type == "COUNTRY") and bool(a.country) and a.country == b.country


def _kind(spec: lx.EventSpec, trigger: Token, sent: Span) -> str | None:
    words = {t.lemma_.lower() for t in sent}
    text = sent.text.lower()
    for kind, cues in spec.kinds.items():
        if trigger.lemma_.lower() in cues:
            return kind
    for kind, cues in spec.kinds.items():
        if any((c in words) if " " not in c else (c in text) for c in cues):
            return kind
    return "other"


def _window(trigger: Token, sent: Span) -> list[Token]:
    head = _clause_head(trigger)
    chain = [trigger, *[a for a in trigger.ancestors if a.i >= sent.start and (a == head or head.is_ancestor(a))]]
    if head not in chain:
        chain.append(head)
    out = list(chain)
    for t in chain:
        out += [c for c in t.children if c.dep_ in ("aux", "auxpass", "neg", "advmod", "prt", "xcomp")]
    for rel in (c for c in trigger.children if c.dep_ in ("relcl", "acl")):
        out += [rel, *[c for c in rel.children if c.dep_ in ("aux", "auxpass", "advmod")]]
    lo = max(sent.start, trigger.i - 6)
    out += list(trigger.doc[lo:trigger.i])
    return out


def _status(spec: lx.EventSpec, trigger: Token, sent: Span, ctx: _Context) -> str:
    window = _window(trigger, sent)
    lemmas = {t.lemma_.lower() for t in window} | {t.lower_ for t in window}
    negated = any(c.dep_ == "neg" for t in [trigger, *trigger.ancestors] for c in t.children)
    cues = dict(ctx.lex.status)

    clause = " ".join(t.lower_ for t in _clause_head(trigger).subtree if sent.start <= t.i < sent.end)

    def said(name: str) -> bool:
        """A cue of the status named: a single word among the window's lemmas, or a phrase in the
        trigger's clause ("under construction", "in service": the window holds no phrases)."""
        return bool(lemmas & cues[name]) or said_phrase(name)

    def said_phrase(name: str) -> bool:
        return any(" " in c and f" {c} " in f" {clause} " for c in cues[name])

    if lemmas & cues["cancelled"] and not negated:
        return "cancelled"
    if spec.type == "agreement" and any(t.lower_ in ("signed", "signing", "signings", "concluded", "inked")
                                        for t in window):
        return "completed"
    if spec.type == "supply" and (lemmas & cues["interest"]):
        return "interest"
    head = _clause_head(trigger)
    verbs = [t for t in window if t.pos_ in ("VERB", "AUX")]
    future = any(t.lower_ in ("will", "would", "shall") for t in window) or any(
        t.lemma_ in ("plan", "intend", "aim", "prepare", "expect", "seek", "want") for t in window) or any(
        t.lemma_ == "be" and t.i + 2 < len(t.doc) and t.nbor(1).lower_ == "to" and t.nbor(2).tag_ == "VB"
        for t in window)
    if ctx.doc.zone_at(sent.start_char) == "headline" and any(t.tag_ == "TO" and t.head == head for t in window):
        future = True
    if future or lemmas & cues["announced"] - {"to", "may"} or said_phrase("announced"):
        if spec.type in ("supply", "agreement") and lemmas & {"sign", "signed", "conclude", "ink"} and not future:
            return "agreed"
        return "announced"
    if lemmas & cues["agreed"]:
        if spec.type == "agreement":
            return "completed" if any(t.tag_ in ("VBD", "VBN") for t in verbs) else "agreed"
        if spec.type in ("supply", "facility", "joint_production"):
            return "agreed"
    progressive = any(t.tag_ == "VBG" and any(c.lemma_ == "be" and c.dep_ in ("aux", "auxpass")
                                              for c in t.children) for t in verbs)
    if progressive or said("in_progress"):
        return "in_progress"
    if any(t.tag_ in ("VBD", "VBN") for t in verbs) or said("completed"):
        return "completed"
    if any(t.tag_ in ("VBZ", "VBP") for t in verbs):
        return "in_progress" if spec.type in ("supply", "modernization", "cooperation") else "completed"
    return "completed" if spec.type in ("meeting", "combat_use", "subsidiary") else "announced"


def _date(sent: Span, ctx: _Context) -> tuple[str, bool] | None:
    return sentence_date(sent, ctx.doc.published)


def _attribution(sent: Span, slots: list[_Slot], ctx: _Context) -> str | None:
    for tok in sent:
        if tok.lower_ == "according":
            for s in slots:
                if s.root.i > tok.i and s.entity.type in ("PERSON", "ORGANIZATION", "GOVERNMENT", "COMPANY"):
                    return s.entity.id
        if tok.lemma_.lower() in ctx.lex.reporting and tok.pos_ == "VERB":
            for child in tok.children:
                if child.dep_ == "nsubj":
                    ent = ctx.token_entity.get(child.i)
                    if ent is not None and ent.type in ("PERSON", "ORGANIZATION", "GOVERNMENT", "COMPANY"):
                        return ent.id
    return None


def _confidence(etype: str, roles: dict[str, list[Entity]], frame: dict[str, list[str]]) -> float:
    filled = sum(1 for r in frame if roles.get(r))
    base = 0.5 + 0.4 * filled / max(1, len(frame))
    return round(min(base, 0.95), 2)


def _derive_agreements(events: list[Event], ctx: _Context) -> list[Event]:
    """The events the ontology's `derived` rules imply: a concluded contract for a system is also an
    agreement of kind 'contract', a contract between a maker and a state for a named system is also a
    supply (ontology.md, conventions). Every rule reads the events as extracted, not the derived ones."""
    out = list(events)
    ents = {e.id: e for e in ctx.doc.entities}
    for rule in ONTOLOGY.derived:
        for ev in events:
            if ev.type != rule.source or (rule.status and ev.status not in rule.status):
                continue
            if rule.roles and any(ev.roles.get(r) != list(v) for r, v in rule.roles.items()):
                continue
            span = ev.evidence[0] if ev.evidence else None
            if rule.cue and not (span and _has_cue(span.text, ctx.lex.contract_cues)):
                continue
            roles = _derived_roles(rule.fill, ev, ents, span, ONTOLOGY.pair_roles.get(rule.target))
            if roles is None or not all(roles.get(r) for r in ONTOLOGY.key_roles[rule.target]):
                continue
            out.append(Event(id="", type=rule.target, roles=roles, status=rule.status_to, date=ev.date,
                             date_derived=ev.date_derived, attribution=ev.attribution,
                             confidence=round(ev.confidence * 0.9, 2), evidence=list(ev.evidence)))
    return out


def _has_cue(text: str, cues: frozenset[str]) -> bool:
    words = set(text.lower().replace(",", " ").split())
    return bool((words | {w.rstrip("s") for w in words}) & cues)


def _derived_roles(fill: dict[str, dict[str, object]], ev: Event, ents: dict[str, Entity], span: TextSpan | None,
                   pair_role: str | None) -> dict[str, list[str]] | None:
    """The roles of a derived event by its rule's `fill`; None when a role cannot be filled as the rule asks."""
    roles: dict[str, list[str]] = {}
    for role, how in fill.items():
        if "value" in how:
            roles[role] = [str(how["value"])]
        elif how.get("weapons_in_evidence"):
            roles[role] = [e.id for e in ents.values() if e.type == "WEAPON" and span is not None
                           and any(span.start <= m.start < span.end for m in e.mentions)]
        else:
            sources = [str(r) for r in how.get("from", [])]  # type: ignore[attr-defined]
            types = {str(t) for t in how.get("types") or []}  # type: ignore[attr-defined]
            if types:
                found = [v for r in sources for v in ev.roles.get(r, []) if getattr(ents.get(v), "type", None) in types]
                roles[role] = found if len(found) == 1 else []
            else:
                roles[role] = list(dict.fromkeys(v for r in sources for v in ev.roles.get(r, [])[:1]))
            if role == pair_role and len(roles[role]) != 2:
                return None
        if not roles[role]:
            return None
    return roles


def _attach_following_products(sent: Span, slots: list[_Slot], ctx: _Context) -> None:
    """'... where a factory is to rise. It is meant to assemble the K9 and ...':
    weapons made 'there' belong to the facility of the sentence before."""
    weapons = [s.entity.id for s in slots if s.entity.type == "WEAPON"]
    if not weapons or not any(t.lemma_ in _MAKE_VERBS for t in sent):
        return
    if any(sent.start_char <= e.evidence[0].start < sent.end_char for e in ctx.events if e.evidence):
        return
    previous = [e for e in ctx.events if e.type == "facility" and e.evidence
                and 0 <= sent.start_char - e.evidence[-1].end <= 2]
    for ev in previous:
        have = ev.roles.setdefault("product", [])
        have += [w for w in weapons if w not in have]
        ev.evidence.append(TextSpan(sent.start_char, sent.end_char, sent.text))


# ---------------------------------------------------------------- one event per fact
def fact_key(ev: Event) -> tuple[str, tuple[frozenset[str], ...], frozenset[str]]:
    key_roles = lx.KEY_ROLES[ev.type]
    if ev.type in lx.PAIR_ROLES:
        parts: tuple[frozenset[str], ...] = (frozenset(ev.roles.get(key_roles[0], [])),)
    else:
        parts = tuple(frozenset(ev.roles.get(r, [])) for r in key_roles)
    product = frozenset(p for p in ev.roles.get("product", []) if _is_entity_id(p)) \
        if ONTOLOGY.events[ev.type].product_in_key else frozenset()
    return (ev.type, parts, product)


def _side_match(x: str, y: str, ents: dict[str, Entity]) -> bool:
    if x == y:
        return True
    ex, ey = ents.get(x), ents.get(y)
    if ex is None or ey is None or (ex.type == "COUNTRY") == (ey.type == "COUNTRY"):
        return False
    return bool(ex.country) and ex.country == ey.country


def _keep_specific(kept: Event, other: Event, ents: dict[str, Entity]) -> None:
    """Merge `other`'s key fillers into `kept`, keeping per side the most specific name
    (a person before its country, a company before its state), as ontology.md asks."""
    for role in lx.KEY_ROLES[kept.type]:
        xs, ys = kept.roles.get(role, []), other.roles.get(role, [])
        if kept.type in lx.PAIR_ROLES and len(xs) == 2 and len(ys) == 2:
            if not (_side_match(xs[0], ys[0], ents) and _side_match(xs[1], ys[1], ents)):
                ys = [ys[1], ys[0]]
            rank = _PREFERENCE.get(kept.type, _SPECIFICITY)
            kept.roles[role] = [min((x, y), key=lambda v: rank.get(getattr(ents.get(v), "type", ""), 9))
                                for x, y in zip(xs, ys, strict=True)]
            other.roles[role] = list(kept.roles[role])



def _is_entity_id(value: str) -> bool:
    return value[:1] == "e" and value[1:].isdigit()


# Which filler a merged fact keeps per side: the person who met; the states that cooperate;
# otherwise the most specific name (ontology.md: "ROKETSAN rather than Turkey").
_PREFERENCE = {
    "meeting": {"PERSON": 0, "GOVERNMENT": 1, "COMPANY": 1, "MILITARY": 1, "ORGANIZATION": 1, "COUNTRY": 2},
    "cooperation": {"COUNTRY": 0, "COMPANY": 1, "GOVERNMENT": 1, "MILITARY": 1, "ORGANIZATION": 1},
}
_SPECIFICITY = {"PERSON": 0, "COMPANY": 1, "GOVERNMENT": 1, "MILITARY": 1, "ORGANIZATION": 1,
                "WEAPON": 1, "LOCATION": 2, "COUNTRY": 3}


def _same_fact(a: Event, b: Event, ents: dict[str, Entity]) -> bool:
    """Two events state one fact when their key fillers are the same, or one names a country
    and the other a company, body or person of that country ('FNSS' and 'Turkey')."""
    if a.type != b.type or fact_key(a)[2] != fact_key(b)[2]:
        return False

    def side_match(x: str, y: str) -> bool:
        return x == y or (a.type in lx.PAIR_ROLES and _side_match(x, y, ents))

    for role in lx.KEY_ROLES[a.type]:
        xs, ys = a.roles.get(role, []), b.roles.get(role, [])
        if a.type in lx.PAIR_ROLES:
            if len(xs) != 2 or len(ys) != 2:
                return False
            if not ((side_match(xs[0], ys[0]) and side_match(xs[1], ys[1]))
                    or (side_match(xs[0], ys[1]) and side_match(xs[1], ys[0]))):
                return False
        elif not (xs and ys and any(side_match(x, y) for x in xs for y in ys)):
            return False
    return True


def _merge(events: list[Event], ents: dict[str, Entity] | None = None) -> list[Event]:
    ents = ents or {}
    merged: dict[tuple[str, tuple[frozenset[str], ...], frozenset[str]], Event] = {}
    for ev in events:
        k = fact_key(ev)
        if k not in merged:
            twin = next((key for key, kept in merged.items() if _same_fact(kept, ev, ents)), None)
            if twin is None:
                merged[k] = ev
                continue
            k = twin
            _keep_specific(merged[k], ev, ents)
        kept = merged[k]
        for role, fillers in ev.roles.items():
            have = kept.roles.setdefault(role, [])
            have += [f for f in fillers if f not in have]
        kept.evidence += [e for e in ev.evidence if e not in kept.evidence]
        kept.date = kept.date or ev.date
        kept.attribution = kept.attribution or ev.attribution
        kept.confidence = round(min(0.99, max(kept.confidence, ev.confidence) + 0.05), 2)
    out = list(merged.values())
    for i, ev in enumerate(out, 1):
        ev.id = f"v{i}"
    return out


__all__ = ["extract_events", "fact_key"]
