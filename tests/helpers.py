"""Small helpers shared by the test modules (not fixtures)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from armsgraph import Document, Store
from armsgraph.resolve.names import fold
from armsgraph.store import schema

# The PostgreSQL server the store tests use; CI starts the machine's local server (see .ci/run).
PG_ADMIN_URL = os.environ.get("ARMSGRAPH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for one test, dropped afterwards; skips when no server answers."""
    import psycopg  # the PostgreSQL driver armsgraph uses

    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    name = f"armsgraph_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"  # the project's ../shared
SAMPLES = REPO / "samples" / "corpus"


def entity_named(doc: Document, name: str) -> str | None:
    """The id of the document entity with a name or mention folding to `name`, else None."""
    key = fold(name)
    for ent in doc.entities:
        if fold(ent.name) == key or any(fold(m.text) == key for m in ent.mentions):
            return ent.id
    return None


def doc_spans(doc: Document) -> list[tuple[int, int, str]]:
    """Every mention and evidence span of a processed document."""
    spans = [(m.start, m.end, m.text) for e in doc.entities for m in e.mentions]
    spans += [(s.start, s.end, s.text) for ev in doc.events for s in ev.evidence]
    return spans


def record_spans(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mention and evidence span of an exported record."""
    spans = [m for e in rec["entities"] for m in e["mentions"]]
    spans += [x for ev in rec["events"] for x in ev["evidence"]]
    return spans


def wrong_offsets(text: str, spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The spans whose offsets do not give back their text."""
    return [(s, e, t) for s, e, t in spans if text[s:e] != t]


def row_counts(store: Store) -> dict[str, int]:
    """Rows per table: a fingerprint of the store's content size."""
    with store.connect() as conn:
        return {t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                for t in schema.metadata.sorted_tables}


def table_rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: the store's exact content."""
    with store.connect() as conn:
        return {t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
                for t in schema.metadata.sorted_tables}
