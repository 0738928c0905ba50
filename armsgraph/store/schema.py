"""Tables (SQLAlchemy Core, portable SQL) and migrations as small numbered functions."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    BigInteger,
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
    insert,
    inspect,
    select,
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
    # blocking keys for cross-document resolution (migration 5): the folded name with its non-ASCII
    # letters dropped, and the first and last letters of the folded name (close spellings share one)
    Column("variant", Text),
    Column("head", Text),
    Column("tail", Text),
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
# near-copy detection (migration 7): the MinHash band keys of every stored original (`dedupe.band_keys`)
document_bands = Table(
    "document_bands", metadata,
    Column("band", Integer, nullable=False),
    Column("key", BigInteger, nullable=False),
    Column("doc_id", Text, ForeignKey("documents.id"), nullable=False),
    Index("ix_document_bands_key", "band", "key"),
    Index("ix_document_bands_doc", "doc_id"),
)

# ISO dates compare as strings; on PostgreSQL byte order ("C"), whatever the database's collation
WhenKey = Text().with_variant(Text(collation="C"), "postgresql")

facts = Table(
    "facts", metadata,
    Column("id", Text, primary_key=True),
    Column("type", Text, nullable=False),
    Column("key", JSON, nullable=False),
    # what the fact's statements add up to, kept up to date by the write path (migration 5):
    # current status, the fact's date, and its time for sorting and date filters ('' when unknown)
    Column("status", Text),
    Column("date", Text),
    Column("when_key", WhenKey),
)
# query indexes over facts (migration 5): an entity's facts, a country pair's facts, each newest first,
# with the fact's type, status and time repeated so that filters and paging need no join
fact_entities = Table(
    "fact_entities", metadata,
    Column("entity_id", Text, nullable=False),
    Column("fact_id", Text, ForeignKey("facts.id"), nullable=False),
    Column("type", Text, nullable=False),
    Column("status", Text),
    Column("when_key", WhenKey, nullable=False),
    UniqueConstraint("entity_id", "fact_id"),
)
fact_pairs = Table(
    "fact_pairs", metadata,
    Column("country_a", Text, nullable=False),
    Column("country_b", Text, nullable=False),  # country_a <= country_b; (x, x) for every country x
    Column("fact_id", Text, ForeignKey("facts.id"), nullable=False),
    Column("type", Text, nullable=False),
    Column("status", Text),
    Column("when_key", WhenKey, nullable=False),
    UniqueConstraint("country_a", "country_b", "fact_id"),
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
                                      event_entities, fact_entities, fact_pairs, document_bands])


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


@migration(5, "fact summaries and query indexes; name blocking keys")
def _fact_summaries(conn: Connection) -> None:
    have = {c["name"] for c in inspect(conn).get_columns("facts")}
    when_type = 'TEXT COLLATE "C"' if conn.dialect.name == "postgresql" else "TEXT"
    for name, sql_type in (("status", "TEXT"), ("date", "TEXT"), ("when_key", when_type)):
        if name not in have:
            conn.execute(text(f"ALTER TABLE facts ADD COLUMN {name} {sql_type}"))
    have = {c["name"] for c in inspect(conn).get_columns("entity_names")}
    for name in ("variant", "head", "tail"):
        if name not in have:
            conn.execute(text(f"ALTER TABLE entity_names ADD COLUMN {name} TEXT"))
    metadata.create_all(conn, tables=[fact_entities, fact_pairs])
    for sql in QUERY_INDEXES:
        conn.execute(text(sql))
    # fill the new columns and tables for what an older armsgraph stored
    from armsgraph.store import summaries  # the write path's own code, so old and new rows agree

    summaries.backfill(conn)


@migration(6, "stored tsvector for evidence search (PostgreSQL)")
def _evidence_tsv_stored(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    # stored, so that ranking reads it instead of parsing each matching sentence again
    conn.execute(text("ALTER TABLE evidence ADD COLUMN IF NOT EXISTS tsv tsvector "
                      "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_evidence_tsv_stored ON evidence USING gin (tsv)"))
    conn.execute(text("DROP INDEX IF EXISTS ix_evidence_tsv"))


@migration(7, "near-copy band keys of stored originals")
def _document_bands(conn: Connection) -> None:
    from armsgraph.ingest.dedupe import band_keys

    metadata.create_all(conn, tables=[document_bands])
    rows = conn.execute(select(documents.c.id, documents.c.minhash)
                        .where(documents.c.duplicate_of.is_(None), documents.c.minhash.is_not(None))).all()
    have = set(conn.scalars(select(document_bands.c.doc_id).distinct()))
    batch = [{"band": b, "key": k, "doc_id": doc_id} for doc_id, sig in rows if doc_id not in have
             for b, k in band_keys(sig)]
    for i in range(0, len(batch), 20_000):
        conn.execute(insert(document_bands), batch[i:i + 20_000])


QUERY_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_facts_when ON facts (when_key, id)",
    "CREATE INDEX IF NOT EXISTS ix_facts_type_when ON facts (type, when_key, id)",
    "CREATE INDEX IF NOT EXISTS ix_facts_status_when ON facts (status, when_key, id)",
    "CREATE INDEX IF NOT EXISTS ix_facts_type_status_when ON facts (type, status, when_key, id)",
    "CREATE INDEX IF NOT EXISTS ix_fact_entities_when ON fact_entities (entity_id, when_key, fact_id)",
    "CREATE INDEX IF NOT EXISTS ix_fact_entities_fact ON fact_entities (fact_id)",
    "CREATE INDEX IF NOT EXISTS ix_fact_pairs_when ON fact_pairs (country_a, country_b, when_key, fact_id)",
    "CREATE INDEX IF NOT EXISTS ix_fact_pairs_fact ON fact_pairs (fact_id)",
    "CREATE INDEX IF NOT EXISTS ix_entity_names_variant ON entity_names (variant)",
    "CREATE INDEX IF NOT EXISTS ix_entity_names_head ON entity_names (head)",
    "CREATE INDEX IF NOT EXISTS ix_entity_names_tail ON entity_names (tail)",
]


LATEST = max(v for v, _, _ in MIGRATIONS)
