"""Tables (SQLAlchemy Core, portable SQL) and migrations as small numbered functions."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("name", Text, nullable=False),
)
documents = Table(
    "documents", metadata,
    Column("id", Text, primary_key=True),
    Column("content_hash", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("published", Text),
    Column("published_source", Text),
    Column("text", Text, nullable=False),
    Column("zones", JSON, nullable=False),
    Column("author", Text),
    Column("site", Text),
    Column("language", Text),
    Column("content_key", Text),
    Column("minhash", JSON),
    Column("duplicate_of", Text),
)
entities = Table(
    "entities", metadata,
    Column("id", Text, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kb_id", Text),
    Column("wikidata", Text),
    Column("country", Text),
)
entity_names = Table(
    "entity_names", metadata,
    Column("entity_id", Text, ForeignKey("entities.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("folded", Text, nullable=False),
    UniqueConstraint("entity_id", "name"),
    Index("ix_entity_names_folded", "folded"),
)
mentions = Table(
    "mentions", metadata,
    Column("doc_id", Text, ForeignKey("documents.id"), nullable=False),
    Column("entity_id", Text, ForeignKey("entities.id"), nullable=False),
    Column("local_id", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("source", Text, nullable=False),
    UniqueConstraint("doc_id", "start", "end"),
    Index("ix_mentions_entity", "entity_id"),
)
facts = Table(
    "facts", metadata,
    Column("id", Text, primary_key=True),
    Column("type", Text, nullable=False),
    Column("key", JSON, nullable=False),
)
events = Table(
    "events", metadata,
    Column("id", Text, primary_key=True),
    Column("doc_id", Text, ForeignKey("documents.id"), nullable=False),
    Column("fact_id", Text, ForeignKey("facts.id"), nullable=False),
    Column("local_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("status", Text),
    Column("date", Text),
    Column("date_derived", Boolean, nullable=False, default=False),
    Column("attribution", Text),
    Column("confidence", Float, nullable=False),
    Index("ix_events_fact", "fact_id"),
    Index("ix_events_doc", "doc_id"),
)
evidence = Table(
    "evidence", metadata,
    Column("event_id", Text, ForeignKey("events.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    UniqueConstraint("event_id", "start", "end"),
)
event_entities = Table(
    "event_entities", metadata,
    Column("event_id", Text, ForeignKey("events.id"), nullable=False),
    Column("entity_id", Text, ForeignKey("entities.id"), nullable=False),
    Column("role", Text, nullable=False),
    UniqueConstraint("event_id", "entity_id", "role"),
    Index("ix_event_entities_entity", "entity_id"),
)

Migration = Callable[[Connection], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((version, name, fn))
        MIGRATIONS.sort(key=lambda m: m[0])
        return fn
    return register


@migration(1, "initial tables")
def _initial(conn: Connection) -> None:
    # later migrations add columns idempotently, so creating today's tables here is safe
    metadata.create_all(conn, tables=[documents, entities, entity_names, mentions, facts, events, evidence,
                                      event_entities])


@migration(2, "document provenance: author, site, language, copy detection")
def _provenance(conn: Connection) -> None:
    have = {c["name"] for c in inspect(conn).get_columns("documents")}
    for name, sql_type in (("author", "TEXT"), ("site", "TEXT"), ("language", "TEXT"), ("content_key", "TEXT"),
                           ("minhash", "TEXT"), ("duplicate_of", "TEXT")):
        if name not in have:
            conn.execute(text(f"ALTER TABLE documents ADD COLUMN {name} {sql_type}"))
    if "ix_documents_content_key" not in {i["name"] for i in inspect(conn).get_indexes("documents")}:
        conn.execute(text("CREATE INDEX ix_documents_content_key ON documents (content_key)"))


@migration(3, "full-text index over evidence (SQLite FTS5)")
def _evidence_fts(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return  # other backends search with their own full-text machinery
    conn.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS evidence_fts USING fts5("
                      "text, event_id UNINDEXED, start UNINDEXED, tokenize='unicode61 remove_diacritics 2')"))
    conn.execute(text("INSERT INTO evidence_fts (text, event_id, start) SELECT text, event_id, start FROM evidence"))


@migration(4, "full-text index over evidence (PostgreSQL tsvector)")
def _evidence_tsv(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_evidence_tsv ON evidence "
                      "USING gin (to_tsvector('simple', text))"))


LATEST = max(v for v, _, _ in MIGRATIONS)
