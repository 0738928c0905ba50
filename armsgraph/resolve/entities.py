"""Within-document resolution: mentions -> one `Entity` per real-world thing.

Keys, in order: a knowledge-base id; an institution key (country + branch);
otherwise the folded name within its type. Then persons named by surname or
initials join the one full name they fit ("Hasanov" -> "Zakir Hasanov",
"Y. Karauz" -> "Yucel Karauz"; two Bayraktars stay apart), and a name followed
by its acronym in brackets is one entity ("... Management Inc. (ASFAT)").
"""

from __future__ import annotations

import re

from armsgraph.kb import KnowledgeBase
from armsgraph.model import Entity, Mention
from armsgraph.nlp.mentions import dropped_from, person_name
from armsgraph.resolve.names import acronym, fold


def strip_legal_suffix(name: str, suffixes: list[str]) -> str:
    words = name.split()
    folded = {s.casefold().rstrip(".") for s in suffixes}
    while len(words) > 1 and words[-1].casefold().rstrip(".,") in folded:
        words.pop()
    return " ".join(words)


def mention_key(m: Mention, kb: KnowledgeBase) -> str:
    if m.kb_id:
        return f"kb:{m.kb_id}"
    if m.key:
        return m.key
    if m.type == "PERSON":
        return f"open:{fold(person_name(m.text))}"
    return f"open:{fold(strip_legal_suffix(m.text, kb.institutions.legal_suffixes))}"


def resolve_mentions(mentions: list[Mention], kb: KnowledgeBase, text: str) -> list[Entity]:
    """Cluster a document's mentions into entities, numbered e1, e2... in order of first mention."""
    clusters: dict[str, list[Mention]] = {}
    for m in mentions:
        clusters.setdefault(mention_key(m, kb), []).append(m)
    _merge_persons(clusters, kb)
    _merge_short_forms(clusters, kb)
    _merge_bracketed_acronyms(clusters, text)
    ordered = sorted(clusters.items(), key=lambda kv: min(m.start for m in kv[1]))
    return [_entity(f"e{i}", key, ms, kb) for i, (key, ms) in enumerate(ordered, 1)]


def _person_tokens(key: str, ms: list[Mention], kb: KnowledgeBase) -> list[list[str]]:
    names = [person_name(m.text) for m in ms]
    if key.startswith("kb:") and (entry := kb.get(key[3:])):
        names += [person_name(n) for n in entry.names]
    return [[fold(w) for w in re.split(r"[\s\-]+", n) if fold(w)] for n in names]


def _fits(short: list[str], long: list[str]) -> bool:
    """'hasanov' fits 'zakir hasanov'; 'y karauz' fits 'yucel karauz'."""
    if not short or not long or len(short) > len(long) or short == long:
        return False
    if short[-1] != long[-1] and not dropped_from(short[-1], long[-1]):
        return False  # 'erdoan' still fits 'erdogan': letters lost in scraping
    return all(any(w == x or (len(w) == 1 and x.startswith(w)) for x in long[:-1]) for w in short[:-1])


def _merge_persons(clusters: dict[str, list[Mention]], kb: KnowledgeBase) -> None:
    persons = {k: v for k, v in clusters.items() if _type_of(v) == "PERSON"}
    tokens = {k: _person_tokens(k, v, kb) for k, v in persons.items()}
    for short_key in sorted(persons, key=lambda k: min(len(t) for t in tokens[k])):
        if short_key.startswith("kb:") or short_key not in clusters:
            continue
        short = min(tokens[short_key], key=len)
        hosts = [k for k in persons if k != short_key and k in clusters
                 and any(_fits(short, long) for long in tokens[k])]
        if len(hosts) == 1:
            clusters[hosts[0]].extend(clusters.pop(short_key))


def _merge_short_forms(clusters: dict[str, list[Mention]], kb: KnowledgeBase) -> None:
    """An open-world one-word name that is a longer entity's first word ('K2' of 'K2 Black Panther')
    or a person's surname mistyped by the model ('Papperger' as an organisation) joins that entity."""
    def words_of(key: str, ms: list[Mention]) -> list[list[str]]:
        names = [m.text for m in ms]
        if key.startswith("kb:") and (entry := kb.get(key[3:])):
            names += entry.names
        return [[fold(w) for w in re.split(r"[\s\-]+", n) if fold(w)] for n in names]

    for key in [k for k in clusters if k.startswith("open:")]:
        ms = clusters.get(key)
        if not ms or len(key[5:]) < 2 or any(len(m.text.split()) > 1 for m in ms):
            continue
        word, etype = key[5:], _type_of(ms)
        hosts = []
        for other, oms in clusters.items():
            if other == key:
                continue
            otype = _type_of(oms)
            names = [w for w in words_of(other, oms) if len(w) > 1]
            designation = otype == etype == "WEAPON" and any(n[0] == word for n in names)
            surname = otype == "PERSON" and etype != "PERSON" and any(n[-1] == word for n in names)
            if designation or surname:
                hosts.append(other)
        if len(hosts) == 1:
            clusters[hosts[0]].extend(clusters.pop(key))


def _merge_bracketed_acronyms(clusters: dict[str, list[Mention]], text: str) -> None:
    by_start = {m.start: (k, m) for k, ms in clusters.items() for m in ms}
    for key, ms in list(clusters.items()):
        for m in ms:
            after = text[m.end:m.end + 3]
            if not after.startswith(" (") or (m.end + 2) not in by_start:
                continue
            other_key, other = by_start[m.end + 2]
            if other_key == key or other_key not in clusters or key not in clusters:
                continue
            if text[other.end:other.end + 1] != ")":
                continue
            if fold(acronym(m.text)).startswith(fold(other.text)[:2]) or other.text.isupper():
                keep, drop = (other_key, key) if other_key.startswith("kb:") else (key, other_key)
                clusters[keep].extend(clusters.pop(drop))


def _entity(eid: str, key: str, ms: list[Mention], kb: KnowledgeBase) -> Entity:
    ms.sort(key=lambda m: m.start)
    entry = kb.get(ms[0].kb_id) if key.startswith("kb:") else None
    if entry is not None:
        seen = {m.text for m in ms}
        surnames = _surnames([*entry.names, *seen]) if entry.type == "PERSON" else set()
        aliases = sorted({*entry.names, *entry.demonyms, *seen, *surnames} - {entry.name})
        return Entity(eid, entry.type, entry.name, key, ms, kb_id=entry.id, wikidata=entry.wikidata,
                      country=entry.country, aliases=aliases)
    etype = _type_of(ms)
    if key.count(":") == 2 and etype in ("MILITARY", "GOVERNMENT"):
        _, iso3, _ = key.split(":")
        country = kb.country(iso3)
        return Entity(eid, etype, _institution_name(ms, country.name if country else iso3), key, ms,
                      country=iso3)
    names = [person_name(m.text) if etype == "PERSON" else m.text for m in ms]
    name = max(names, key=lambda n: (len(n.split()), len(n)))
    aliases = sorted({n for n in names if n != name} | (_surnames([name, *names]) if etype == "PERSON" else set()))
    return Entity(eid, etype, name, key, ms, aliases=aliases)


def _surnames(names: list[str]) -> set[str]:
    """A person is also referred to by surname: 'Recep Tayyip Erdoğan' -> 'Erdoğan'."""
    return {n.split()[-1] for n in names if len(n.split()) > 1}


def _type_of(ms: list[Mention]) -> str:
    """The type most mentions give; a company reading beats a person reading ('Assan')."""
    votes: dict[str, int] = {}
    for m in ms:
        votes[m.type] = votes.get(m.type, 0) + 1
    if "COMPANY" in votes and "PERSON" in votes:
        votes.pop("PERSON")
    return max(votes, key=lambda t: (votes[t], t != "PERSON"))


def _institution_name(ms: list[Mention], country: str) -> str:
    longest = max((m.text for m in ms), key=len)
    return re.sub(r"^the\s+", "", longest, flags=re.IGNORECASE).replace("’s", "'s") if longest else country
