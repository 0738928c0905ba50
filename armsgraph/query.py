"""Queries over the store: entities, facts with filters, and what is known about one entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from armsgraph.errors import ArmsgraphError
from armsgraph.resolve.names import fold
from armsgraph.store import Store
from armsgraph.store import schema as t


@dataclass(slots=True)
class FactView:
    id: str
    type: str
    status: str | None
    date: str | None
    roles: dict[str, list[str]]  # role -> entity names or free text
    citations: list[dict[str, Any]]  # doc_id, title, published, text


def entities(store: Store, type_: str | None = None) -> list[dict[str, Any]]:
    """Every entity with its type and how many mentions and documents it has."""
    with store.connect() as conn:
        q = (select(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.entities.c.wikidata,
                    func.count(t.mentions.c.start).label("mentions"),
                    func.count(func.distinct(t.mentions.c.doc_id)).label("documents"))
             .join(t.mentions, t.mentions.c.entity_id == t.entities.c.id)
             .group_by(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.entities.c.wikidata)
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
    return max(rows, key=lambda r: r["type"] == "COUNTRY")


def facts(store: Store, entity: str | None = None, type_: str | None = None,
          status: str | None = None) -> list[FactView]:
    """Fused facts, each with its citations, filtered by entity name, event type and status."""
    with store.connect() as conn:
        names = dict(conn.execute(select(t.entities.c.id, t.entities.c.name)).tuples().all())
        q = select(t.events).order_by(t.events.c.fact_id, t.events.c.doc_id)
        if entity:
            eid = find_entity(store, entity)["id"]
            q = q.where(t.events.c.id.in_(select(t.event_entities.c.event_id)
                                          .where(t.event_entities.c.entity_id == eid)))
        if type_:
            q = q.where(t.events.c.type == type_)
        if status:
            q = q.where(t.events.c.status == status)
        docs = {r["id"]: r for r in conn.execute(select(t.documents.c.id, t.documents.c.title,
                                                        t.documents.c.published)).mappings()}
        out: dict[str, FactView] = {}
        for ev in conn.execute(q).mappings():
            view = out.get(ev["fact_id"])
            if view is None:
                view = out[ev["fact_id"]] = FactView(ev["fact_id"], ev["type"], ev["status"], ev["date"], {}, [])
            for role, vals in ev["roles"].items():
                have = view.roles.setdefault(role, [])
                have += [names.get(v, v) for v in vals if names.get(v, v) not in have]
            view.date = view.date or ev["date"]
            for x in conn.execute(select(t.evidence).where(t.evidence.c.event_id == ev["id"])).mappings():
                d = docs[ev["doc_id"]]
                view.citations.append({"doc_id": ev["doc_id"], "title": d["title"], "published": d["published"],
                                       "status": ev["status"], "text": x["text"], "start": x["start"],
                                       "end": x["end"]})
        return list(out.values())


def show(store: Store, name: str) -> dict[str, Any]:
    """Everything the knowledge base holds on one entity: names, documents, facts with citations."""
    ent = find_entity(store, name)
    with store.connect() as conn:
        aliases = sorted(set(conn.scalars(select(t.entity_names.c.name)
                                          .where(t.entity_names.c.entity_id == ent["id"]))))
        docs = sorted(set(conn.scalars(select(t.mentions.c.doc_id).where(t.mentions.c.entity_id == ent["id"]))))
    return {**ent, "aliases": aliases, "documents": docs, "facts": facts(store, entity=name)}
