"""Stray paragraphs: text from another story appended to an article.

Scraped pages often end with a paragraph of a different story (a peace-talks
item under an arms-industry article). Such a tail is marked as zone `stray`: its
entities are kept (they are in the text) but no event is read from it.

A tail of body paragraphs is stray from paragraph P to the end when
- at least two body paragraphs stay before P;
- P introduces at least two names never seen before, and most of its names are new;
- P shares no noun with the article's lead (headline and first two paragraphs) and uses
  no word of the defence domain (`data/events.yaml: domain_words`);
- no paragraph from P on names an actor (company, person, weapon, body, unit,
  organisation) already named before P.
"""

from __future__ import annotations

from spacy.tokens import Doc

from armsgraph.extract import lexicon
from armsgraph.model import Document, Zone

_ACTOR_TYPES = {"COMPANY", "PERSON", "WEAPON", "GOVERNMENT", "MILITARY", "ORGANIZATION"}
_MIN_KEPT = 2
_MIN_NEW = 2
_COMMON_NOUNS = {"year", "time", "day", "month", "country", "state", "people", "part", "way", "world", "week"}


def mark_stray(doc: Document, sdoc: Doc) -> None:
    """Re-zone a trailing paragraph run from another story as `stray` (in place)."""
    zones = doc.zones
    body = [i for i, z in enumerate(zones) if z.kind == "body"]
    if len(body) < _MIN_KEPT + 1:
        return
    names = [set() for _ in zones]  # type: list[set[str]]
    for ent in doc.entities:
        for m in ent.mentions:
            i = next((k for k, z in enumerate(zones) if z.start <= m.start < z.end), None)
            if i is not None:
                names[i].add(ent.id)
    actors = {e.id for e in doc.entities if e.type in _ACTOR_TYPES}
    lead = [i for i, z in enumerate(zones) if z.kind == "headline"] + body[:_MIN_KEPT]
    lead_nouns = set().union(*(_nouns(sdoc, zones[i]) for i in lead))
    domain_words = lexicon.load().domain_words
    start = None
    for pos in range(len(body) - 1, _MIN_KEPT - 1, -1):
        i = body[pos]
        before = set().union(*names[:i])
        if any(names[j] & before & actors for j in body[pos:]):
            break
        new = names[i] - before
        words = _nouns(sdoc, zones[i])
        domain = any(t.lower_ in domain_words for t in sdoc.char_span(zones[i].start, zones[i].end,
                                                                          alignment_mode="expand") or [])
        if len(new) >= _MIN_NEW and len(new) * 2 > len(names[i]) and not words & lead_nouns and not domain:
            start = i
    if start is not None:
        doc.zones = [Zone("stray", z.start, z.end) if i >= start and z.kind == "body" else z
                     for i, z in enumerate(zones)]


def _nouns(sdoc: Doc, zone: Zone) -> set[str]:
    span = sdoc.char_span(zone.start, zone.end, alignment_mode="expand")
    if span is None:
        return set()
    return {t.lemma_.lower() for t in span if t.pos_ == "NOUN" and not t.is_stop} - _COMMON_NOUNS
