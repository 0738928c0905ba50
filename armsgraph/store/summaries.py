"""Fact summaries: what each fact's statements add up to, kept beside the fact for fast queries.

The write path calls `refresh` for every fact a document adds to or takes from, in the document's
transaction. For each fact it sets the `facts` row's current status (the latest statement's, as the
assessment computes it), its date and its time key, and rewrites the fact's rows in `fact_entities`
(every entity in any role) and `fact_pairs` (every pair of countries among its key roles' entities).
Queries then filter, sort and page facts with indexes instead of reading every statement.
A fact left without statements is deleted.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from armsgraph.assess import Statement, current_status, fact_time, in_time_order
from armsgraph.ontology import ONTOLOGY
from armsgraph.resolve.names import blocking_keys
from armsgraph.store import schema as t

CHUNK = 500


def refresh(conn: Connection, fact_ids: Iterable[str], new: set[str] | frozenset[str] = frozenset()) -> None:
    """Recompute the summary and query rows of these facts from their statements (`new`: facts created
    in this transaction, which have no query rows to delete yet)."""
    for chunk in _chunks(sorted(set(fact_ids)), CHUNK):
        _refresh(conn, chunk, new.issuperset(chunk))


def _chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    items = list(items)
    return (items[i:i + size] for i in range(0, len(items), size))


def _refresh(conn: Connection, ids: list[str], all_new: bool) -> None:
    events = conn.execute(
        select(t.events.c.id, t.events.c.fact_id, t.events.c.doc_id, t.events.c.type, t.events.c.status,
               t.events.c.date, t.documents.c.published)
        .join(t.documents, t.documents.c.id == t.events.c.doc_id)
        .where(t.events.c.fact_id.in_(ids))
        .order_by(t.events.c.fact_id, t.events.c.doc_id)).all()
    roles = conn.execute(
        select(t.events.c.fact_id, t.event_entities.c.entity_id, t.event_entities.c.role, t.entities.c.country)
        .join(t.events, t.events.c.id == t.event_entities.c.event_id)
        .join(t.entities, t.entities.c.id == t.event_entities.c.entity_id)
        .where(t.events.c.fact_id.in_(ids))).all()
    by_fact: dict[str, list[Any]] = {}
    for ev in events:
        by_fact.setdefault(ev.fact_id, []).append(ev)
    members: dict[str, list[Any]] = {}
    for r in roles:
        members.setdefault(r.fact_id, []).append(r)

    if not all_new:
        conn.execute(delete(t.fact_entities).where(t.fact_entities.c.fact_id.in_(ids)))
        conn.execute(delete(t.fact_pairs).where(t.fact_pairs.c.fact_id.in_(ids)))
    gone = [f for f in ids if f not in by_fact]
    if gone:
        conn.execute(delete(t.facts).where(t.facts.c.id.in_(gone)))
    summaries, entity_rows, pair_rows = [], [], []
    for fact_id, evs in by_fact.items():
        type_ = evs[0].type
        date = next((e.date for e in evs if e.date), None)
        history = in_time_order([Statement(e.doc_id, e.status, e.date, e.published, "") for e in evs])
        status = current_status(history)
        when = fact_time(date, (e.published for e in evs))
        summaries.append({"b_id": fact_id, "status": status, "date": date, "when_key": when})
        shared = {"fact_id": fact_id, "type": type_, "status": status, "when_key": when}
        rows = members.get(fact_id, [])
        entity_rows += [{"entity_id": e, **shared} for e in sorted({r.entity_id for r in rows})]
        countries = sorted({r.country for r in rows if r.country and r.role in ONTOLOGY.key_roles[type_]})
        pair_rows += [{"country_a": a, "country_b": b, **shared}
                      for a, b in itertools.combinations_with_replacement(countries, 2)]
    if summaries:
        conn.execute(update(t.facts).where(t.facts.c.id == bindparam("b_id"))
                     .values(status=bindparam("status"), date=bindparam("date"), when_key=bindparam("when_key")),
                     summaries)
    if entity_rows:
        conn.execute(insert(t.fact_entities), entity_rows)
    if pair_rows:
        conn.execute(insert(t.fact_pairs), pair_rows)


def name_keys(name: str) -> dict[str, str | None]:
    """The blocking-key columns of an `entity_names` row for `name`."""
    variant, head, tail = blocking_keys(name)
    return {"variant": variant, "head": head, "tail": tail}


def backfill(conn: Connection) -> None:
    """Fill the summaries and name keys of a store written before they existed (migration 5)."""
    names = conn.execute(select(t.entity_names.c.entity_id, t.entity_names.c.name)
                         .where(t.entity_names.c.head.is_(None))).all()
    for chunk in _chunks(names, 5000):
        conn.execute(update(t.entity_names)
                     .where(t.entity_names.c.entity_id == bindparam("b_entity"),
                            t.entity_names.c.name == bindparam("b_name"))
                     .values(variant=bindparam("variant"), head=bindparam("head"), tail=bindparam("tail")),
                     [{"b_entity": e, "b_name": n, **name_keys(n)} for e, n in chunk])
    refresh(conn, conn.scalars(select(t.facts.c.id).where(t.facts.c.when_key.is_(None))))
