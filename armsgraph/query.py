"""Queries over the store: entities, fused facts with their assessment, search, neighbourhoods.

The CLI, the dossier and the web app call these; none of them reads tables directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, func, select

from armsgraph import kb as kb_module
from armsgraph.assess import Assessment, Statement, assess
from armsgraph.errors import ArmsgraphError
from armsgraph.resolve.names import fold
from armsgraph.settings import Settings
from armsgraph.store import Store
from armsgraph.store import schema as t


@dataclass(slots=True)
class FactView:
    """A fused fact: its roles by name, its statements in time order and what they add up to."""

    id: str
    type: str
    status: str | None
    date: str | None
    roles: dict[str, list[str]]  # role -> entity names or free text
    role_ids: dict[str, list[str]]  # role -> entity ids or free text
    citations: list[dict[str, Any]]  # doc_id, title, published, outlet, status, text, start, end
    assessment: Assessment = field(default_factory=lambda: Assessment(None))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "status": self.status, "date": self.date, "roles": self.roles,
                "citations": self.citations, **self.assessment.as_dict()}


def entities(store: Store, type_: str | None = None) -> list[dict[str, Any]]:
    """Every entity with its type and how many mentions and documents it has."""
    with store.connect() as conn:
        q = (select(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.entities.c.wikidata,
                    t.entities.c.country,
                    func.count(t.mentions.c.start).label("mentions"),
                    func.count(func.distinct(t.mentions.c.doc_id)).label("documents"))
             .join(t.mentions, t.mentions.c.entity_id == t.entities.c.id)
             .group_by(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.entities.c.wikidata,
                       t.entities.c.country)
             .order_by(func.count(t.mentions.c.start).desc(), t.entities.c.name))
        if type_:
            q = q.where(t.entities.c.type == type_.upper())
        return [dict(r) for r in conn.execute(q).mappings()]


def find_entity(store: Store, name: str) -> dict[str, Any]:
    """The entity a user means by `name` (any of its names, case and accents folded)."""
    with store.connect() as conn:
        ids = list(dict.fromkeys(conn.scalars(select(t.entity_names.c.entity_id)
                                              .where(t.entity_names.c.folded == fold(name)))))
        if not ids:
            raise ArmsgraphError(f"no entity named {name!r}; `armsgraph entities` lists them")
        rows = [dict(r) for r in conn.execute(select(t.entities).where(t.entities.c.id.in_(ids))).mappings()]
    return max(rows, key=lambda r: (r["type"] == "COUNTRY", r["name"] == name))


def _country_of(store: Store, name: str) -> str:
    ent = find_entity(store, name)
    if ent["type"] != "COUNTRY" or not ent["country"]:
        raise ArmsgraphError(f"{name!r} is not a country; --between takes two countries")
    return str(ent["country"])


def _until_bound(until: str) -> str:
    """The smallest time key after every key that starts with `until` or is a prefix of it
    ('2020' -> '2021', '2020-09' -> '2020-0:'), so that `until` is one index range bound."""
    return until[:-1] + chr(ord(until[-1]) + 1)


def _selection(store: Store, entity: str | None, type_: str | None, status: str | None,
               between: tuple[str, str] | None, since: str | None, until: str | None,
               entity_id: str | None, ids: list[str] | None) -> tuple[Any, Select[Any]]:
    """The ids of the matching facts as one indexed query: (the table's time-key column, the query).

    An entity's facts come from `fact_entities`, a country pair's from `fact_pairs`, others from
    `facts`; each holds the fact's type, status and time key, so filters and order use one index."""
    if entity:
        entity_id = str(find_entity(store, entity)["id"])
    if between:
        a, b = sorted((_country_of(store, between[0]), _country_of(store, between[1])))
        table, fact_col = t.fact_pairs, t.fact_pairs.c.fact_id
        q = select(fact_col).where(table.c.country_a == a, table.c.country_b == b)
        if entity_id:
            q = q.where(fact_col.in_(select(t.fact_entities.c.fact_id)
                                     .where(t.fact_entities.c.entity_id == entity_id)))
    elif entity_id:
        table, fact_col = t.fact_entities, t.fact_entities.c.fact_id
        q = select(fact_col).where(table.c.entity_id == entity_id)
    else:
        table, fact_col = t.facts, t.facts.c.id
        q = select(fact_col)
    if ids is not None:
        q = q.where(fact_col.in_(ids))
    if type_:
        q = q.where(table.c.type == type_)
    if status:
        q = q.where(table.c.status == status)
    if since:
        q = q.where(table.c.when_key >= since)
    if until:
        q = q.where(table.c.when_key < _until_bound(until), table.c.when_key != "")
    return table.c.when_key, q


def facts(store: Store, entity: str | None = None, type_: str | None = None, status: str | None = None,
          between: tuple[str, str] | None = None, since: str | None = None, until: str | None = None, *,
          entity_id: str | None = None, ids: list[str] | None = None, limit: int | None = None,
          offset: int = 0) -> list[FactView]:
    """Fused facts, newest first (undated last), with citations and assessment, filtered by entity
    (a name, or `entity_id`), type, current status, a country pair (facts whose key roles name both
    countries or their companies, bodies and people) and a date range (the fact's date, else its
    earliest article's publication date; ISO prefixes compare, both ends included); `limit` and
    `offset` page. The filters and the page are one indexed query; then only the page is read."""
    when, q = _selection(store, entity, type_, status, between, since, until, entity_id, ids)
    q = q.order_by(when.desc(), q.selected_columns[0].desc()).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with store.connect() as conn:
        page = list(conn.scalars(q))
        return _views(conn, page)


def count_facts(store: Store, entity: str | None = None, type_: str | None = None, status: str | None = None,
                between: tuple[str, str] | None = None, since: str | None = None, until: str | None = None, *,
                entity_id: str | None = None) -> int:
    """How many facts `facts` gives with these filters and no limit."""
    _, q = _selection(store, entity, type_, status, between, since, until, entity_id, None)
    with store.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(q.subquery())) or 0)


def fact_counts(store: Store) -> dict[str, int]:
    """How many facts of each type the store holds."""
    with store.connect() as conn:
        return {str(k): int(n) for k, n in conn.execute(
            select(t.facts.c.type, func.count()).group_by(t.facts.c.type)).all()}


def _views(conn: Connection, fact_ids: list[str]) -> list[FactView]:
    """The facts with these ids, in this order, each with every statement, citation and its assessment
    (four queries, whatever the number of facts)."""
    if not fact_ids:
        return []
    events = conn.execute(select(t.events).where(t.events.c.fact_id.in_(fact_ids))
                          .order_by(t.events.c.fact_id, t.events.c.doc_id)).mappings().all()
    evidence: dict[str, list[Any]] = {}
    for x in conn.execute(select(t.evidence).where(t.evidence.c.event_id.in_([e["id"] for e in events]))
                          .order_by(t.evidence.c.event_id, t.evidence.c.start)).mappings():
        evidence.setdefault(x["event_id"], []).append(x)
    docs = {r["id"]: r for r in conn.execute(select(
        t.documents.c.id, t.documents.c.title, t.documents.c.published, t.documents.c.source,
        t.documents.c.url, t.documents.c.site, t.documents.c.duplicate_of)
        .where(t.documents.c.id.in_({e["doc_id"] for e in events}))).mappings()}
    role_ids = {v for e in events for vals in e["roles"].values() for v in vals}
    names = dict(conn.execute(select(t.entities.c.id, t.entities.c.name)  # type: ignore[arg-type]
                              .where(t.entities.c.id.in_(role_ids))).all())
    out: dict[str, FactView] = {}
    statements: dict[str, list[Statement]] = {}
    for ev in events:
        view = out.get(ev["fact_id"])
        if view is None:
            view = out[ev["fact_id"]] = FactView(ev["fact_id"], ev["type"], ev["status"], ev["date"], {}, {}, [])
        for role, vals in ev["roles"].items():
            have = view.role_ids.setdefault(role, [])
            have += [v for v in vals if v not in have]
        view.date = view.date or ev["date"]
        d = docs[ev["doc_id"]]
        texts = []
        for x in evidence.get(ev["id"], []):
            texts.append(x["text"].strip())
            view.citations.append({"doc_id": ev["doc_id"], "title": d["title"], "published": d["published"],
                                   "url": d["url"], "status": ev["status"], "text": x["text"],
                                   "start": x["start"], "end": x["end"]})
        statements.setdefault(view.id, []).append(Statement(
            ev["doc_id"], ev["status"], ev["date"], d["published"], d["source"], d["url"], d["site"],
            d["duplicate_of"], " ".join(texts)))
    views = []
    for fact_id in fact_ids:
        if fact_id not in out:
            continue  # its last statement was deleted since the page was chosen
        view = out[fact_id]
        view.roles = {r: [names.get(v, v) for v in vals] for r, vals in view.role_ids.items()}
        view.assessment = assess(statements[view.id])
        view.status = view.assessment.status or view.status
        outlets = {s.doc_id: s.outlet.name for s in view.assessment.history if s.outlet}
        for c in view.citations:
            c["outlet"] = outlets.get(c["doc_id"])
        views.append(view)
    return views


def show(store: Store, name: str) -> dict[str, Any]:
    """Everything the knowledge base holds on one entity: names, documents, what the shipped knowledge
    files state about it (`knowledge`: country, maker, category, capital...), facts with citations."""
    ent = find_entity(store, name)
    with store.connect() as conn:
        aliases = sorted(set(conn.scalars(select(t.entity_names.c.name)
                                          .where(t.entity_names.c.entity_id == ent["id"]))))
        docs = sorted(set(conn.scalars(select(t.mentions.c.doc_id).where(t.mentions.c.entity_id == ent["id"]))))
    entry = kb_module.load(Settings().kb_dir).get(ent.get("kb_id"))
    return {**ent, "aliases": aliases, "documents": docs, "knowledge": entry.facts() if entry else {},
            "facts": facts(store, entity_id=ent["id"])}


def neighbours(store: Store, name: str) -> list[dict[str, Any]]:
    """The entities that share a fact with `name`, with the fact types and how many facts."""
    eid = find_entity(store, name)["id"]
    with store.connect() as conn:
        mine = select(t.event_entities.c.event_id).where(t.event_entities.c.entity_id == eid)
        rows = conn.execute(
            select(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.events.c.type.label("fact_type"),
                   t.events.c.fact_id)
            .join(t.event_entities, t.event_entities.c.entity_id == t.entities.c.id)
            .join(t.events, t.events.c.id == t.event_entities.c.event_id)
            .where(t.event_entities.c.event_id.in_(mine), t.entities.c.id != eid)).mappings().all()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        n = out.setdefault(r["id"], {"id": r["id"], "name": r["name"], "type": r["type"], "facts": set(),
                                     "fact_types": set()})
        n["facts"].add(r["fact_id"])
        n["fact_types"].add(r["fact_type"])
    return sorted(({**n, "facts": len(n["facts"]), "fact_types": sorted(n["fact_types"])} for n in out.values()),
                  key=lambda n: (-n["facts"], n["name"]))


def search(store: Store, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """Evidence sentences matching `text` (full-text search), each with its fact and document."""
    return store.search_evidence(text, limit)
