"""The event lexicon (`data/events.yaml`) loaded into typed, read-only form."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from armsgraph.errors import KnowledgeBaseError
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
    exclude_objects: frozenset[str] = frozenset()  # trigger phrases with their compound words ("power plant")


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
    raising_verbs: frozenset[str]
    vague_adjectives: frozenset[str]

    def nouns_for(self, etype: str) -> frozenset[str]:
        """The product nouns of every type with those the type adds (a facility's 'maintenance')."""
        own = next((s.product_nouns for s in self.specs if s.type == etype), frozenset())
        return self.product_nouns | own


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(text.replace("-", " - ").split())


# the syntactic cases a frame may list (events.yaml's header explains each)
CASES = frozenset({"subj", "by", "obj", "objmod", "poss", "mod", "maker", "pair", "country", "between", "dative",
                   "clause_subj", "list", "led", "appos", "named", "partner_country", "any"})


def _check(etype: str, raw: dict[str, Any]) -> None:
    """Refuse an entry whose trigger names no frame, whose frame fills a role the ontology does not
    give the type or by an unknown case, or whose agreement kind the ontology does not list."""
    where = f"{_DATA}: event type {etype}"
    if etype not in ONTOLOGY.events:
        raise KnowledgeBaseError(f"{where}: not in the ontology")
    roles = ONTOLOGY.events[etype].roles
    for name, frame in raw["frames"].items():
        for role, cases in frame.items():
            bad = [c for c in cases if c not in CASES and not c.startswith("prep:")]
            if role not in roles or bad:
                raise KnowledgeBaseError(f"{where}: frame {name} fills {role!r} by {bad or cases}; use a role of the "
                                         f"ontology and the cases listed at the top of the file")
    missing = {f for f in raw["triggers"].values() if f not in raw["frames"]}
    unknown = [k for k in raw.get("kinds") or {} if k not in ONTOLOGY.agreement_kinds]
    if missing or unknown:
        raise KnowledgeBaseError(f"{where}: triggers name frames {sorted(missing)} it lacks, or kinds {unknown} "
                                 "the ontology does not list")


@functools.cache
def load() -> Lexicon:
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    specs = []
    for etype, raw in data["events"].items():
        _check(etype, raw)
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
            exclude_objects=frozenset(raw.get("exclude_objects") or ()),
        ))
    status = tuple((k, frozenset(v)) for k, v in data["status"].items())
    nouns = next((s.product_nouns for s in specs if s.product_nouns), frozenset())  # the first type's: supply
    return Lexicon(tuple(specs), status, frozenset(data["reporting"]), nouns, frozenset(data["generic_nouns"]),
                   frozenset(data["win_verbs"]), frozenset(data["domain_words"]), frozenset(data["contract_cues"]),
                   frozenset(data["raising_verbs"]), frozenset(data["vague_adjectives"]))
