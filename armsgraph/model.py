"""The one data model every stage shares.

A `Document` goes through the pipeline and comes out annotated with `Entity`
and `Event` records. Every `Mention` and every piece of `Evidence` keeps
character offsets into `Document.text` (the cleaned text that is stored), which
is where citations come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from armsgraph.ontology import ONTOLOGY

# the ontology's vocabularies (armsgraph/ontology/data/ontology.yaml), as tuples for argparse and typing
ENTITY_TYPES = ONTOLOGY.entity_types
EVENT_TYPES = ONTOLOGY.event_types
STATUSES = ONTOLOGY.statuses


@dataclass(slots=True)
class Span:
    """A stretch of the document text: `text == document.text[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Zone:
    """A part of the cleaned text: headline, body, caption, or stray (another story)."""

    kind: str
    start: int
    end: int


@dataclass(slots=True)
class Mention:
    """One occurrence of a name in the text, typed, maybe linked to the knowledge base."""

    start: int
    end: int
    text: str
    type: str
    kb_id: str | None = None
    key: str | None = None  # resolution key for institutions built from patterns
    source: str = "ner"  # kb | pattern | ner


@dataclass(slots=True)
class Entity:
    """One real-world thing within a document; `key` identifies it across documents."""

    id: str
    type: str
    name: str
    key: str
    mentions: list[Mention] = field(default_factory=list)
    kb_id: str | None = None
    wikidata: str | None = None
    country: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Event:
    """One fact stated by a document: a typed relation between entities (or text)."""

    id: str
    type: str
    roles: dict[str, list[str]]
    status: str | None = None
    date: str | None = None
    date_derived: bool = False
    attribution: str | None = None
    confidence: float = 0.5
    evidence: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """An article: where it came from, its cleaned text, and what was found in it."""

    doc_id: str
    text: str
    source: str = ""
    title: str | None = None
    url: str | None = None
    published: str | None = None
    published_source: str | None = None  # metadata | url | dateline
    author: str | None = None
    site: str | None = None
    language: str | None = None
    duplicate_of: str | None = None  # the earlier document this one copies (syndication)
    zones: list[Zone] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def zone_at(self, offset: int) -> str:
        for z in self.zones:
            if z.start <= offset < z.end:
                return z.kind
        return "body"

    def entity(self, entity_id: str) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)
