"""Mentions: every name in the text, typed and, where possible, linked to the knowledge base.

Three sources, in order of trust:
1. knowledge-base matches (the phrase matcher over every known name and variant);
2. institution patterns: a country or demonym joined to a branch or ministry word
   ("Azerbaijan's Air Forces", "Ministry of Defence of the Republic of Kazakhstan");
3. the statistical NER, typed by label and cue words, linked to the knowledge base
   by exact or fuzzy name match, and otherwise kept as an open-world entity.
Finding (`find_mentions`) is separate from writing (the resolver builds entities).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from armsgraph.kb import KBEntry, KnowledgeBase
from armsgraph.model import Mention
from armsgraph.nlp.typer import TyperModel
from armsgraph.nlp.typer import apply as apply_typer
from armsgraph.resolve.names import dropped_variant, fold, hyphen_parts

_DATA = Path(__file__).parent / "data" / "entity_rules.yaml"
_FUZZY_MIN = 88.0
_TYPE_GROUPS = {
    "ORG": ("COMPANY", "GOVERNMENT", "ORGANIZATION", "MILITARY", "WEAPON", "EVENT"),
    "PERSON": ("PERSON", "COMPANY", "WEAPON"),
    "GPE": ("COUNTRY", "LOCATION"),
    "LOC": ("LOCATION", "COUNTRY"),
    "NORP": ("COUNTRY",),
    "EVENT": ("EVENT",),
    "LAW": ("AGREEMENT",),
    "PRODUCT": ("WEAPON", "COMPANY"),
    "FAC": ("WEAPON", "LOCATION", "COMPANY"),
}


@dataclass(slots=True, frozen=True)
class Rules:
    keep_labels: frozenset[str]
    org_cues: tuple[tuple[str, frozenset[str]], ...]
    stoplist: frozenset[str]
    titles: re.Pattern[str]
    patronymic: re.Pattern[str]
    patronymic_name: re.Pattern[str]
    weapon_nouns: frozenset[str]
    designation: re.Pattern[str]
    company_nouns: frozenset[str]
    institution_endings: frozenset[str]
    person_roles: frozenset[str]
    title_words: frozenset[str]
    hyphen_suffixes: frozenset[str]


@functools.cache
def rules() -> Rules:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    titles = sorted(data["person_titles"], key=len, reverse=True)
    return Rules(
        keep_labels=frozenset(data["keep_labels"]),
        org_cues=tuple((t, frozenset(words)) for t, words in data["org_cues"].items()),
        stoplist=frozenset(data["stoplist"]),
        titles=re.compile(r"^(?:(?:" + "|".join(map(re.escape, titles)) + r")\.?\s+)+", re.IGNORECASE),
        patronymic=re.compile(r"\s+\S+\s+(?:" + "|".join(data["patronymic_markers"]) + r")(?=\s)",
                              re.IGNORECASE),
        patronymic_name=re.compile(
            r"\b([A-ZÀ-Þİ][\w'’-]+)\s+[A-ZÀ-Þİ][\w'’-]+\s+(?i:" + "|".join(data["patronymic_markers"])
            + r")\s+([A-ZÀ-Þİ][\w'’-]+)"),
        weapon_nouns=frozenset(data["weapon_nouns"]),
        designation=re.compile(data["designation"]),
        company_nouns=frozenset(data["company_nouns"]),
        institution_endings=frozenset(data["institution_endings"]),
        person_roles=frozenset(data["person_roles"]),
        title_words=frozenset(w for t in data["person_titles"] for w in t.split()),
        hyphen_suffixes=frozenset(data["hyphen_suffixes"]),
    )


def person_name(text: str) -> str:
    """A person's name without titles or patronymic: 'Prof. Dr. Ilham Heydar oglu Aliyev' -> 'Ilham Aliyev'."""
    r = rules()
    text = r.titles.sub("", text.strip())
    return r.patronymic.sub("", text).strip()


def find_mentions(doc: Doc, kb: KnowledgeBase, matcher: object, typer: TyperModel | None = None) -> list[Mention]:
    """All mentions in a parsed document, non-overlapping, in text order; with a `typer`, the
    open-world ones are retyped, dropped or added by it before their repeats are found."""
    kb_spans = _kb_spans(doc, kb, matcher)
    inst = _institution_spans(doc, kb, kb_spans) + _patronymic_names(doc, kb, kb_spans) + _quoted_companies(doc, kb)
    covered = {i for m in inst for i in range(m.start, m.end)}
    kb_spans = [sp for sp in kb_spans if covered.isdisjoint(range(sp.start_char, sp.end_char))]
    kb_spans = _weapon_with_maker(kb_spans, kb)
    ner, displaced = _ner_spans(doc, kb, kb_spans, inst)
    kb_spans = [sp for sp in kb_spans if sp not in displaced]
    mentions = [_kb_mention(sp, kb) for sp in kb_spans] + inst + ner
    if typer is not None:
        mentions = apply_typer(doc, mentions, typer, kb)
    _link_plurals(mentions, kb)
    mentions += _repeats(doc, mentions)
    mentions.sort(key=lambda m: m.start)
    return mentions


def _link_plurals(mentions: list[Mention], kb: KnowledgeBase) -> None:
    """An open-world name that is a known name with a plural 's' ('TB2s', "K9's") means that entry."""
    for m in mentions:
        if m.kb_id is not None or m.key is not None or len(m.text) < 3:
            continue
        for cut in ("'s", "’s", "s"):
            if m.text.endswith(cut) and m.text[:-len(cut)][-1:].isalnum():
                found = kb.lookup(m.text[:-len(cut)])
                if len(found) == 1:
                    m.kb_id, m.type = found[0].id, found[0].type
                break


def _text(doc: Doc) -> str:
    """The document's text, joined once (spaCy's `Doc.text` joins every token on each call)."""
    text = doc.user_data.get("armsgraph:text")
    if text is None:
        text = doc.user_data["armsgraph:text"] = doc.text
    return str(text)


def _surname_mentions(doc: Doc, mentions: list[Mention], covered: set[int]) -> list[Mention]:
    """A person named in full is then named by surname, often with letters lost ('Erdoan')."""
    people: dict[str, set[tuple[str | None, str | None]]] = {}
    for m in mentions:
        words = person_name(m.text).split()
        if m.type == "PERSON" and len(words) >= 2:
            surname = words[-1]
            for form in {surname, dropped_variant(surname) or surname}:
                if len(form) >= 4:
                    people.setdefault(form, set()).add((m.kb_id, m.key))
    out = []
    for form, owners in people.items():
        if len(owners) != 1:
            continue  # two people share the surname: a bare surname names neither
        kb_id, key = next(iter(owners))
        for hit in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", _text(doc)):
            span = range(hit.start(), hit.end())
            if covered.isdisjoint(span):
                out.append(Mention(hit.start(), hit.end(), form, "PERSON", kb_id=kb_id, key=key, source="ner"))
                covered.update(span)
    return out


def _repeats(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """Other occurrences of an open-world name the model tagged once ('Assan' five times)."""
    covered = {i for m in mentions for i in range(m.start, m.end)}
    out: list[Mention] = _surname_mentions(doc, mentions, covered)
    seen: set[str] = set()
    for m in mentions:
        if m.source not in ("ner", "learned") or m.text in seen or len(m.text) < 3 or not m.text[0].isupper():
            continue
        seen.add(m.text)
        for hit in re.finditer(rf"(?<![\w-]){re.escape(m.text)}(?![\w-])", _text(doc)):
            span = range(hit.start(), hit.end())
            if covered.isdisjoint(span):
                out.append(Mention(hit.start(), hit.end(), m.text, m.type, kb_id=m.kb_id, key=m.key, source="ner"))
                covered.update(span)
    return out


def _kb_spans(doc: Doc, kb: KnowledgeBase, matcher: object) -> list[Span]:
    spans = []
    for match_id, start, end in matcher(doc):  # type: ignore[operator]
        entry = kb.get(doc.vocab.strings[match_id])
        if entry is None:
            continue
        spans.append(Span(doc, start, end, label=entry.type, kb_id=entry.id))
    spans = filter_spans(spans)
    covered = {i for sp in spans for i in range(sp.start, sp.end)}
    return [sp for sp in spans if not _part_of_longer_name(sp, covered)]


def _part_of_longer_name(span: Span, covered: set[int]) -> bool:
    """'Kale-Baykar' is not Baykar: a known name glued by a hyphen to a capitalized word that no
    known name covers is part of another name (unless the word only describes it: 'Baykar-made')."""
    doc, suffixes = span.doc, rules().hyphen_suffixes
    sides = []
    if span.start >= 2:
        sides.append((doc[span.start - 1], doc[span.start - 2], doc[span.start - 2]))
    if span.end + 1 < len(doc):
        sides.append((doc[span.end], doc[span.end + 1], doc[span.end - 1]))
    for hyphen, word, before_hyphen in sides:
        glued = hyphen.text in ("-", "\u2010", "\u2011") and not hyphen.whitespace_ and not before_hyphen.whitespace_
        if glued and word.is_alpha and word.text[:1].isupper() and word.i not in covered \
                and word.lower_ not in suffixes:
            return True
    return False


def _kb_mention(span: Span, kb: KnowledgeBase) -> Mention:
    return Mention(span.start_char, span.end_char, span.text, span.label_, kb_id=span.kb_id_, source="kb")


def _weapon_with_maker(spans: list[Span], kb: KnowledgeBase) -> list[Span]:
    """'Rheinmetall Fuchs': a maker's name right before its product is part of the product's name."""
    out: list[Span] = []
    for sp in spans:
        prev = out[-1] if out else None
        entry = kb.get(sp.kb_id_)
        if (prev is not None and entry is not None and entry.type == "WEAPON" and prev.end == sp.start
                and entry.manufacturer == prev.kb_id_):
            out[-1] = Span(sp.doc, prev.start, sp.end, label="WEAPON", kb_id=sp.kb_id_)
        else:
            out.append(sp)
    return out


_InstitutionRule = tuple[str, str, re.Pattern[str], re.Pattern[str]]


@functools.cache
def _institution_regexes(kb: KnowledgeBase) -> tuple[list[_InstitutionRule], re.Pattern[str]]:
    """For each institution: (kind, canonical, 'after a country' regex, 'before a country' regex)."""
    out = []
    vocab = [("MILITARY", kb.institutions.military), ("GOVERNMENT", kb.institutions.government)]
    for kind, table in vocab:
        for canonical, forms in table.items():
            alt = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            after = re.compile(rf"^(?:['’]s)?(?:\s+government['’]s)?\s+(?:{alt})\b")
            before = re.compile(rf"\b(?:{alt})\s+of\s+(?:the\s+)?(?:Republic\s+of\s+)?$")
            out.append((kind, canonical, after, before))
    republic = re.compile(r"\b(?:the\s+)?Republic\s+of\s+$")
    return out, republic


def _institution_spans(doc: Doc, kb: KnowledgeBase, kb_spans: list[Span]) -> list[Mention]:
    """MILITARY and GOVERNMENT mentions built from a country mention and an institution word."""
    text = _text(doc)
    regexes, republic = _institution_regexes(kb)
    out: list[Mention] = []
    for sp in kb_spans:
        entry = kb.get(sp.kb_id_)
        if entry is None or entry.type != "COUNTRY" or not entry.country:
            continue
        tail = text[sp.end_char:sp.end_char + 60]
        head = text[max(0, sp.start_char - 70):sp.start_char]
        for kind, canonical, after, before in regexes:
            m = after.match(tail)
            if m and "\n" not in m.group(0):
                start, end = sp.start_char, sp.end_char + m.end()
                if (r := republic.search(head)) and "\n" not in r.group(0):
                    start -= len(head) - r.start()
                out.append(_inst_mention(text, start, end, kind, canonical, entry, kb))
                break
            b = before.search(head)
            if b and "\n" not in b.group(0):
                start = sp.start_char - (len(head) - b.start())
                out.append(_inst_mention(text, start, sp.end_char, kind, canonical, entry, kb))
                break
    return out


def _quoted_companies(doc: Doc, kb: KnowledgeBase) -> list[Mention]:
    """'The "Rheinmetal — Ukrainian Defense Industry" LLC': a quoted name before a legal form is a company."""
    forms = "|".join(re.escape(s) for s in sorted(kb.institutions.legal_suffixes, key=len, reverse=True))
    out = []
    for m in re.finditer(rf"[\"“«]([A-Z][^\"”»\n]{{2,80}})[\"”»]\s+(?:{forms})(?!\w)", _text(doc)):
        out.append(Mention(m.start(1), m.end(1), m.group(1), "COMPANY", source="pattern",
                           key=f"open:{fold(m.group(1))}"))
    return out


def _patronymic_names(doc: Doc, kb: KnowledgeBase, kb_spans: list[Span]) -> list[Mention]:
    """Formal names with a patronymic ('Ilham Heydar Oghlu Aliyev') as one person mention."""
    out = []
    for m in rules().patronymic_name.finditer(_text(doc)):
        linked = link(f"{m.group(1)} {m.group(2)}", kb, ("PERSON",))
        out.append(Mention(m.start(), m.end(), m.group(0), "PERSON", kb_id=linked.id if linked else None,
                           key=None if linked else f"open:{fold(m.group(1) + m.group(2))}", source="pattern"))
    return out


def _inst_mention(text: str, start: int, end: int, kind: str, canonical: str, country: KBEntry,
                  kb: KnowledgeBase) -> Mention:
    kb_id = _institution_entries(kb).get((country.country or "", canonical))
    return Mention(start, end, text[start:end], kind, kb_id=kb_id,
                   key=f"{kind.lower()}:{country.country}:{fold(canonical)}", source="pattern")


@functools.cache
def _institution_entries(kb: KnowledgeBase) -> dict[tuple[str, str], str]:
    """(country, canonical body) -> the knowledge-base entry of that body, where the KB has one."""
    out: dict[tuple[str, str], str] = {}
    for canonical, forms in kb.institutions.government.items():
        for entry in kb.entries.values():
            if entry.type == "GOVERNMENT" and entry.country and any(
                    re.match(rf"{re.escape(f)}\b", entry.name) for f in forms):
                out.setdefault((entry.country, canonical), entry.id)
    return out


def _clip(span: Span) -> Span | None:
    """Strip a leading article/title-less determiner and a trailing possessive from an NER span."""
    start, end = span.start, span.end
    while start < end and span.doc[start].lower_ in ("the", "a", "an", "all", "'", "‘", "“", '"'):
        start += 1
    while end > start and (span.doc[end - 1].text in ("'s", "’s", "'", "’", "”", '"', ",", ".")
                           or span.doc[end - 1].pos_ in ("ADP", "DET", "CCONJ", "PART", "PUNCT")):
        end -= 1
    if start >= end:
        return None
    return Span(span.doc, start, end, label=span.label_)


def _ner_spans(doc: Doc, kb: KnowledgeBase, kb_spans: list[Span],
               inst: list[Mention]) -> tuple[list[Mention], list[Span]]:
    """NER mentions outside the known ones, and the known spans a longer NER name displaces."""
    r = rules()
    occupied = {i for sp in kb_spans for i in range(sp.start_char, sp.end_char)}
    occupied |= {i for m in inst for i in range(m.start, m.end)}
    out: list[Mention] = []
    displaced: list[Span] = []
    for ent in doc.ents:
        if ent.label_ not in r.keep_labels:
            continue
        span = _clip(ent)
        if span is None or "\n" in span.text:
            continue
        chars = set(range(span.start_char, span.end_char))
        if chars & occupied:
            inner = _extended_company(span, kb, kb_spans)
            if inner and not chars & {i for m in inst for i in range(m.start, m.end)}:
                etype = _open_type(span, "ORG") or "COMPANY"
                out.append(Mention(span.start_char, span.end_char, span.text, etype, source="ner"))
                displaced += inner
                occupied |= chars
            continue
        mention = _typed(span, kb)
        if mention is not None:
            out.append(mention)
            occupied |= chars
    out += _designations(doc, occupied)
    out += _shouted_names(doc, kb, occupied)
    return out, displaced


def _shouted_names(doc: Doc, kb: KnowledgeBase, occupied: set[int]) -> list[Mention]:
    """All-capital words the model did not tag, linked by close spelling ('ROCKETSAN' -> Roketsan)."""
    out = []
    for tok in doc:
        if tok.idx in occupied or not (tok.is_upper and tok.is_alpha and len(tok.text) >= 5):
            continue
        entry = link(tok.text, kb, ("COMPANY", "GOVERNMENT", "ORGANIZATION", "WEAPON"))
        if entry is not None:
            out.append(Mention(tok.idx, tok.idx + len(tok.text), tok.text, entry.type, kb_id=entry.id, source="ner"))
            occupied.update(range(tok.idx, tok.idx + len(tok.text)))
    return out


def _extended_company(span: Span, kb: KnowledgeBase, kb_spans: list[Span]) -> list[Span]:
    """The known spans inside an ORG that names a known company plus distinctive words:
    'Baykar Technology Azerbaijan' is Baykar's subsidiary, not Baykar. Empty otherwise."""
    if span.label_ != "ORG":
        return []
    overlapping = [t for t in kb_spans if t.start < span.end and t.end > span.start]
    inner = [t for t in overlapping if span.start <= t.start and t.end <= span.end]
    if not inner or len(inner) != len(overlapping):
        return []
    last = span[-1]
    if (len(span) >= 3 and last.lower_ in rules().institution_endings and inner[-1].end < span.end
            and all(t.is_title or t.is_upper or not t.is_alpha for t in span)):
        return inner  # 'Ottoman Caucasian Islamic Army' is not the Ottoman Empire
    if inner[0].start != span.start:
        return []
    first = kb.get(inner[0].kb_id_)
    if first is None or first.type != "COMPANY":
        return []
    rest = [t for t in span[inner[0].end - span.start:] if t.is_alpha]
    suffixes = {s.lower().rstrip(".") for s in kb.institutions.legal_suffixes}
    if not rest or all(t.lower_ in suffixes for t in rest) or not rest[0].is_title:
        return []
    return inner


def _typed(span: Span, kb: KnowledgeBase) -> Mention | None:
    r = rules()
    text = span.text
    folded = fold(text)
    if len(folded) < 2 or folded in r.stoplist or folded.isdigit() or not text[0].isupper():
        return None
    label = span.label_
    if _is_junk(span, kb):
        return None
    if label in ("ORG", "GPE", "NORP") and _near_person_role(span):
        label = "PERSON"
    if label == "PERSON":
        text = person_name(text)
    linked = link(text, kb, _TYPE_GROUPS.get(label, ()))
    if linked is not None:
        return Mention(span.start_char, span.end_char, span.text, linked.type, kb_id=linked.id, source="ner")
    etype = _open_type(span, label)
    if etype in ("PERSON", "ORGANIZATION", None) and label in ("PERSON", "ORG", "NORP", "PRODUCT") \
            and (_near_company_noun(span) or _names_a_company(text, kb)):
        etype = "COMPANY"
    if etype is None:
        return None
    return Mention(span.start_char, span.end_char, span.text, etype, source="ner")


def _names_a_company(text: str, kb: KnowledgeBase) -> bool:
    """'Kale-Baykar': a hyphenated name with a known company's name as one part is a company's
    (joint ventures and subsidiaries are named after their parents)."""
    return any(kb.lookup(p, ("COMPANY",)) for p in hyphen_parts(text))


def _is_junk(span: Span, kb: KnowledgeBase) -> bool:
    """Spans the model tags that name nothing: part of a title ('Federal Defense Minister'),
    amounts ('USD 374.9'), bare legal forms ('Limited'), shouted captions ('PHOTO NOT FOR SALE')."""
    r = rules()
    doc = span.doc
    nxt = doc[span.end] if span.end < len(doc) else None
    if span.label_ == "ORG" and nxt is not None and nxt.lower_ in r.person_roles and nxt.is_title:
        return True
    if span.label_ in ("ORG", "PRODUCT", "FAC") and any(c.isdigit() for c in span.text) \
            and not r.designation.match(span.text):
        return True
    suffixes = {x.lower().rstrip(".") for x in kb.institutions.legal_suffixes}
    if all(t.lower_.rstrip(".") in suffixes or not t.is_alpha for t in span):
        return True
    if all(t.lower_.rstrip(".") in r.title_words for t in span if t.is_alpha):
        return True
    window = [t for t in doc[max(0, span.start - 3):span.end + 3] if t.is_alpha]
    return len(window) >= 4 and all(t.is_upper for t in window) and span.label_ == "ORG"


def _near_person_role(span: Span) -> bool:
    """'Yaver Jamalov, the Azerbaijani minister', 'Vijayantos, who heads': the name is a person's."""
    doc, roles = span.doc, rules().person_roles
    after = [t for t in doc[span.end:span.end + 5]]
    if len(after) >= 2 and after[0].text == "," and after[1].lower_ == "who":
        return True
    if after and after[0].text == ",":
        words = [t.lower_ for t in after[1:5] if not t.is_punct]
        return bool(words) and words[0] in ("the", "a", "an") and any(w in roles for w in words[1:3]) \
            and len(span) >= 2
    return False


def _near_company_noun(span: Span) -> bool:
    """'defense company Assan', 'Assan, a Turkish firm', 'Assan CEO': the name is a company's."""
    doc, nouns = span.doc, rules().company_nouns
    before = [t.lower_ for t in doc[max(0, span.start - 2):span.start]]
    after = [t.lower_ for t in doc[span.end:span.end + 4] if not t.is_punct]
    if any(w in nouns for w in before):
        return True
    return bool(after) and (after[0] in ("ceo", "chairman", "chief") or (any(w in nouns for w in after[1:3])
                            and doc[span.end].text == ","))


def _open_type(span: Span, label: str) -> str | None:
    r = rules()
    words = {t.lower_.strip(".") for t in span}
    if label == "PERSON":
        return "PERSON" if len(span) >= 2 or span[0].is_title else None
    if label in ("GPE", "LOC"):
        return "LOCATION"
    if label == "EVENT":
        return "EVENT"
    if label == "LAW":
        return "AGREEMENT" if words & {"declaration", "treaty", "agreement", "accord", "memorandum", "pact",
                                       "convention", "protocol"} else None
    if label == "PRODUCT":
        return "WEAPON" if any(r.designation.match(t.text) for t in span) else None
    if label == "ORG":
        for etype, cues in r.org_cues:
            if words & cues:
                return etype
        return "ORGANIZATION" if span.text.isupper() and len(span.text) <= 6 else "COMPANY"
    return None


def _designations(doc: Doc, occupied: set[int]) -> list[Mention]:
    """Unknown designations before a weapon noun ('K9 howitzers') are weapon systems."""
    r = rules()
    out = []
    for tok in doc[:-1]:
        if tok.idx in occupied or not r.designation.match(tok.text):
            continue
        if doc[tok.i + 1].lower_ in r.weapon_nouns and any(c.isdigit() for c in tok.text):
            out.append(Mention(tok.idx, tok.idx + len(tok.text), tok.text, "WEAPON", source="pattern"))
    return out


def link(name: str, kb: KnowledgeBase, types: tuple[str, ...]) -> KBEntry | None:
    """The knowledge-base entry a name means: exact folded match, else a close spelling
    ('ROCKETSAN' -> Roketsan, 'Rheinmetal' -> Rheinmetall) of the same kind."""
    exact = kb.lookup(name, types)
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None  # ambiguous: leave it to the open world
    key = fold(name)
    if len(key) < 6:
        return None
    choices = _fuzzy_choices(kb, types)
    best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN)
    if best is None or (best[0][0] != key[0] and not dropped_from(key, best[0])):
        return None
    ids = kb.names_index()[best[0]]
    candidates = [kb.entries[i] for i in ids if not types or kb.entries[i].type in types]
    return candidates[0] if len(candidates) == 1 else None


def dropped_from(short: str, long: str) -> bool:
    """'lhamaliyev' is 'ilhamaliyev' with letters lost: a subsequence missing at most two."""
    if not 0 < len(long) - len(short) <= 2:
        return False
    it = iter(long)
    return all(c in it for c in short)


@functools.cache
def _fuzzy_choices(kb: KnowledgeBase, types: tuple[str, ...]) -> list[str]:
    index = kb.names_index()
    return [k for k, ids in index.items() if len(k) >= 5
            and any(not types or kb.entries[i].type in types for i in ids)]
