"""The ontology as data (`data/ontology.yaml`): entity and event types, roles, key roles, statuses, derived events.

Every module that needs to know what an event type is reads it from here: extraction (role fillers,
the fact key, derived events), the exports, the dossier and the web app (labels, colours, role
order), the CLI and API (choices). Adding an event type is a change to the YAML file plus training
data; no module lists the types itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from armsgraph.errors import KnowledgeBaseError

ONTOLOGY_FILE = Path(__file__).parent / "data" / "ontology.yaml"


@dataclass(slots=True, frozen=True)
class Role:
    name: str
    types: tuple[str, ...]  # entity types that may fill it
    text: bool = False  # free text accepted
    pair: bool = False  # the sides of a symmetric relation, scored pair by pair


@dataclass(slots=True, frozen=True)
class EventType:
    name: str
    label: str
    colour: str
    key: tuple[str, ...]
    roles: dict[str, Role]
    product_in_key: bool = False

    @property
    def pair_role(self) -> str | None:
        return next((r.name for r in self.roles.values() if r.pair), None)


@dataclass(slots=True, frozen=True)
class Derivation:
    """One rule of `derived`: an event that another one implies."""

    source: str
    target: str
    status_to: str
    fill: dict[str, dict[str, Any]]
    status: tuple[str, ...] = ()
    roles: dict[str, tuple[str, ...]] | None = None
    cue: str | None = None


@dataclass(slots=True, frozen=True)
class Ontology:
    entity_types: tuple[str, ...]
    statuses: tuple[str, ...]
    status_labels: dict[str, str]
    status_only: dict[str, tuple[str, ...]]  # status -> the event types it is allowed for
    agreement_kinds: tuple[str, ...]
    events: dict[str, EventType]
    derived: tuple[Derivation, ...]

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self.events)

    @property
    def key_roles(self) -> dict[str, tuple[str, ...]]:
        return {t.name: t.key for t in self.events.values()}

    @property
    def pair_roles(self) -> dict[str, str]:
        return {t.name: r for t in self.events.values() if (r := t.pair_role)}

    def role_types(self, event_type: str, role: str) -> tuple[str, ...]:
        found = self.events[event_type].roles.get(role)
        return found.types if found else ()

    def text_roles(self) -> frozenset[str]:
        return frozenset(r.name for t in self.events.values() for r in t.roles.values() if r.text)


_FILL_KEYS = {"from", "types", "value", "weapons_in_evidence"}


def _fill(fill: dict[str, dict[str, Any]], source: EventType | None, target: EventType | None,
          entity_types: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """A derived rule's `fill`, checked: roles of the target, filled from roles of the source, by
    entity types the ontology lists, with no key the extractor does not know."""
    out: dict[str, dict[str, Any]] = {}
    for role, how in fill.items():
        problems = [f"unknown keys {sorted(set(how) - _FILL_KEYS)}"] if set(how) - _FILL_KEYS else []
        if target is not None and role not in target.roles:
            problems.append(f"{role!r} is no role of {target.name}")
        if source is not None:
            problems += [f"{r!r} is no role of {source.name}" for r in how.get("from") or () if r not in source.roles]
        problems += [f"unknown entity type {x!r}" for x in how.get("types") or () if x not in entity_types]
        if problems:
            raise KnowledgeBaseError(f"{ONTOLOGY_FILE}: derived rule fill of {role!r}: {'; '.join(problems)}")
        out[role] = {k: (list(v) if isinstance(v, list) else v) for k, v in how.items()}
    return out


def _parse(raw: dict[str, Any]) -> Ontology:
    events = {}
    for name, spec in raw["events"].items():
        roles = {r: Role(r, tuple(v.get("types") or ()), bool(v.get("text")), bool(v.get("pair")))
                 for r, v in spec["roles"].items()}
        unknown = [k for k in spec["key"] if k not in roles]
        if unknown:
            raise KnowledgeBaseError(f"{ONTOLOGY_FILE}: key roles {unknown} of {name} are not among its roles")
        events[name] = EventType(name, spec["label"], spec["colour"], tuple(spec["key"]), roles,
                                 bool(spec.get("product_in_key")))
    derived = tuple(
        Derivation(source=d["from"], target=d["to"], status_to=d["status_to"],
                   fill=_fill(d["fill"], events.get(d["from"]), events.get(d["to"]), tuple(raw["entity_types"])),
                   status=tuple(d.get("status") or ()),
                   roles={k: tuple(v) for k, v in d["roles"].items()} if d.get("roles") else None,
                   cue=d.get("cue"))
        for d in raw.get("derived") or [])
    for d in derived:
        if d.source not in events or d.target not in events:
            raise KnowledgeBaseError(f"{ONTOLOGY_FILE}: derived rule {d.source} -> {d.target} names an unknown type")
    statuses = raw["statuses"]
    return Ontology(
        entity_types=tuple(raw["entity_types"]),
        statuses=tuple(s["name"] for s in statuses),
        status_labels={s["name"]: s["label"] for s in statuses},
        status_only={s["name"]: tuple(s["only"]) for s in statuses if s.get("only")},
        agreement_kinds=tuple(raw["agreement_kinds"]),
        events=events,
        derived=derived,
    )


@functools.cache
def load(path: Path = ONTOLOGY_FILE) -> Ontology:
    """The ontology, read once per process."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the ontology ({exc}); restore the file") from exc
    try:
        return _parse(raw)
    except (KeyError, TypeError) as exc:
        raise KnowledgeBaseError(f"{path}: the ontology lacks {exc}; see the comments at its top") from exc


ONTOLOGY = load()
