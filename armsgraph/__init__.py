"""armsgraph: news articles on defence cooperation in, a source-cited knowledge graph out."""

from armsgraph.errors import (
                              ArmsgraphError,
                              GoldFileError,
                              InputError,
                              KnowledgeBaseError,
                              MalformedInput,
                              StoreError,
                              UnreadableInput,
)
from armsgraph.model import Document, Entity, Event, Mention, Span, Zone
from armsgraph.pipeline import IngestReport, Pipeline, ingest
from armsgraph.settings import Settings
from armsgraph.store import Store

__version__ = "0.1.0"

__all__ = [
    "ArmsgraphError",
    "Document",
    "Entity",
    "Event",
    "GoldFileError",
    "IngestReport",
    "InputError",
    "KnowledgeBaseError",
    "MalformedInput",
    "Mention",
    "Pipeline",
    "Settings",
    "Span",
    "Store",
    "StoreError",
    "UnreadableInput",
    "Zone",
    "ingest",
]
