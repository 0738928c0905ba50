"""The event lexicon (`data/events.yaml`) loaded into typed, read-only form."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from armsgraph.ontology import ONTOLOGY

_DATA = Path(__file__).parent / "data" / "events.yaml"

# The ontology's role tables (armsgraph/ontology/data/ontology.yaml), under the names the rules use.
KEY_ROLES: dict[str, tuple[str, ...]] = ONTOLOGY.key_roles
PAIR_ROLES: dict[str, str] = ONTOLOGY.pair_roles


@dataclass(slots=True, frozen=True)
class EventSpec:
    type: str
    triggers: dict[tuple[str, ...], str]  # lemma sequence -> frame name
    frames: dict[str, dict[str, list[str]]]
    trigger_pos: dict[tuple[str, ...], str] = field(default_factory=dict)  # phrase -> required part of speech
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)  # first word -> phrases
    requires_cue: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    kinds: dict[str, list[str]] = field(default_factory=dict)
    product_nouns: frozenset[str] = frozenset()


@dataclass(slots=True, frozen=True)
class Lexicon:
    specs: tuple[EventSpec, ...]
    status: tuple[tuple[str, frozenset[str]], ...]
    reporting: frozenset[str]
    product_nouns: frozenset[str]
    generic_nouns: frozenset[str]
    win_verbs: frozenset[str]
    domain_words: frozenset[str]
    contract_cues: frozenset[str]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(text.replace("-", " - ").split())


@functools.cache
def load() -> Lexicon:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    specs = []
    for etype, raw in data["events"].items():
        phrases = {_phrase(k.split("/")[0]): v for k, v in raw["triggers"].items()}
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, frame in phrases.items():
            by_first.setdefault(phrase[0], []).append((phrase, frame))
        specs.append(EventSpec(
            by_first=by_first,
            type=etype,
            triggers={_phrase(k.split("/")[0]): v for k, v in raw["triggers"].items()},
            trigger_pos={_phrase(k.split("/")[0]): k.split("/")[1] for k in raw["triggers"] if "/" in k},
            frames=raw["frames"],
            requires_cue=frozenset(raw.get("requires_cue") or ()),
            exclude=frozenset(raw.get("exclude") or ()),
            kinds=raw.get("kinds") or {},
            product_nouns=frozenset(raw.get("product_nouns") or ()),
        ))
    status = tuple((k, frozenset(v)) for k, v in data["status"].items())
    nouns = next((s.product_nouns for s in specs if s.product_nouns), frozenset())
    return Lexicon(tuple(specs), status, frozenset(data["reporting"]), nouns, frozenset(data["generic_nouns"]),
                   frozenset(data["win_verbs"]), frozenset(data["domain_words"]), frozenset(data["contract_cues"]))
