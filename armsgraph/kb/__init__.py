"""The knowledge base: countries, companies, bodies, people, weapon systems, places.

Loaded once from the YAML files in `data/` (format: `data/SCHEMA.md`). The code
that uses it never names a company; everything it knows comes from these files.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from armsgraph.errors import KnowledgeBaseError
from armsgraph.resolve.names import fold

# the format of the knowledge files, shipped beside them: where an error about an entry sends its reader
SCHEMA = Path(__file__).parent / "data" / "SCHEMA.md"
ENTITY_FILES = (
    "countries.yaml", "locations.yaml", "companies.yaml", "weapons.yaml",
    "government.yaml", "organizations.yaml", "persons.yaml", "events.yaml",
)


@dataclass(slots=True)
class KBEntry:
    id: str
    name: str
    type: str
    country: str | None = None
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    parent: str | None = None
    manufacturer: str | None = None
    category: str | None = None
    role: str | None = None
    demonyms: list[str] = field(default_factory=list)
    iso2: str | None = None  # COUNTRY
    capital: str | None = None  # COUNTRY
    parties: list[str] = field(default_factory=list)  # AGREEMENT: ISO3 codes of the signatory states

    def facts(self) -> dict[str, Any]:
        """What the entry states beyond its names, for display: only the fields it fills."""
        out = {"country": self.country, "wikidata": self.wikidata, "parent": self.parent,
               "manufacturer": self.manufacturer, "category": self.category, "role": self.role,
               "iso2": self.iso2, "capital": self.capital, "parties": self.parties or None}
        return {k: v for k, v in out.items() if v}

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass(slots=True)
class Institutions:
    """Vocabulary for names built from a country and an institution word."""

    military: dict[str, list[str]]  # canonical branch -> surface forms
    government: dict[str, list[str]]  # canonical body -> surface forms
    legal_suffixes: list[str]


class KnowledgeBase:
    """All entries, with lookups by id, by folded name and by country code."""

    def __init__(self, entries: list[KBEntry], institutions: Institutions,
                 sources: dict[str, list[dict[str, str]]] | None = None) -> None:
        self.sources = sources or {}  # file name -> where its facts come from (name, url)
        self.entries: dict[str, KBEntry] = {}
        for entry in entries:
            if entry.id in self.entries:
                raise KnowledgeBaseError(
                    f"knowledge base: duplicate id {entry.id!r}; give each entry a unique id"
                )
            self.entries[entry.id] = entry
        self.institutions = institutions
        self._by_name: dict[str, list[str]] = {}
        self.countries: dict[str, KBEntry] = {}
        for entry in self.entries.values():
            for name in [*entry.names, *entry.demonyms]:
                ids = self._by_name.setdefault(fold(name), [])
                if entry.id not in ids:
                    ids.append(entry.id)
            if entry.type == "COUNTRY" and entry.country:
                self.countries.setdefault(entry.country, entry)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str | None) -> KBEntry | None:
        return self.entries.get(entry_id) if entry_id else None

    def lookup(self, name: str, types: tuple[str, ...] = ()) -> list[KBEntry]:
        """Entries whose name, alias or demonym folds to the same key as `name`."""
        found = [self.entries[i] for i in self._by_name.get(fold(name), [])]
        return [e for e in found if not types or e.type in types]

    def country(self, iso3: str | None) -> KBEntry | None:
        return self.countries.get(iso3) if iso3 else None

    def names_index(self) -> dict[str, list[str]]:
        """Folded name -> entry ids (read-only view for fuzzy matching)."""
        return self._by_name


def _entry(raw: dict[str, Any], path: Path) -> KBEntry:
    try:
        return KBEntry(
            id=str(raw["id"]), name=str(raw["name"]), type=str(raw["type"]),
            country=raw.get("country"), aliases=[str(a) for a in raw.get("aliases") or []],
            wikidata=raw.get("wikidata"), parent=raw.get("parent"),
            manufacturer=raw.get("manufacturer"), category=raw.get("category"),
            role=raw.get("role"), demonyms=[str(d) for d in raw.get("demonyms") or []],
            iso2=raw.get("iso2"), capital=raw.get("capital"), parties=[str(p) for p in raw.get("parties") or []],
        )
    except (KeyError, TypeError) as exc:
        raise KnowledgeBaseError(f"{path}: entry {raw!r} lacks {exc}; see {SCHEMA}") from exc


@functools.cache
def load(kb_dir: Path) -> KnowledgeBase:
    """Read every knowledge file under `kb_dir` (cached: loaded once per process)."""
    entries: list[KBEntry] = []
    sources: dict[str, list[dict[str, str]]] = {}
    for name in ENTITY_FILES:
        path = kb_dir / name
        if not path.exists():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{path}: not valid YAML ({exc}); fix the file") from exc
        sources[name] = _sources(data.get("sources"), path)
        entries += [_entry(raw, path) for raw in data.get("entities") or []]
    inst_path = kb_dir / "institutions.yaml"
    try:
        inst = yaml.safe_load(inst_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"{inst_path}: cannot read ({exc}); restore the file") from exc
    institutions = Institutions(
        military={k: list(v) for k, v in inst["military"].items()},
        government={k: list(v) for k, v in inst["government"].items()},
        legal_suffixes=list(inst["legal_suffixes"]),
    )
    sources[inst_path.name] = _sources(inst.get("sources"), inst_path)
    return KnowledgeBase(entries, institutions, sources)


def _sources(raw: Any, path: Path) -> list[dict[str, str]]:
    """A file's `sources`: at least one, each with a name and a url."""
    if not raw or any(not isinstance(s, dict) or set(s) != {"name", "url"} for s in raw):
        raise KnowledgeBaseError(f"{path}: `sources` must list where its facts come from, each with a name and a "
                                 f"url; see {SCHEMA}")
    return [{"name": str(s["name"]), "url": str(s["url"])} for s in raw]
