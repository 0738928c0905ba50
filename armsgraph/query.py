"""Queries over the store: entities, fused facts with their assessment, search, neighbourhoods.

The CLI, the dossier and the web app call these; none of them reads tables directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from armsgraph.assess import Assessment, Statement, assess
from armsgraph.errors import ArmsgraphError
from armsgraph.extract.lexicon import KEY_ROLES
from armsgraph.resolve.names import fold
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


def facts(store: Store, entity: str | None = None, type_: str | None = None, status: str | None = None,
          between: tuple[str, str] | None = None, since: str | None = None,
          until: str | None = None) -> list[FactView]:
    """Fused facts with citations and assessment, filtered by entity, type, status, a country pair
    (facts whose key roles name both countries or their companies, bodies and people) and a date
    range (the fact's date, else its earliest citation's publication date; ISO prefixes compare)."""
    with store.connect() as conn:
        ents = {r["id"]: r for r in conn.execute(select(t.entities.c.id, t.entities.c.name,
                                                        t.entities.c.country)).mappings()}
        q = select(t.events).order_by(t.events.c.fact_id, t.events.c.doc_id)
        if entity:
            eid = find_entity(store, entity)["id"]
            q = q.where(t.events.c.id.in_(select(t.event_entities.c.event_id)
                                          .where(t.event_entities.c.entity_id == eid)))
        if type_:
            q = q.where(t.events.c.type == type_)
        docs = {r["id"]: r for r in conn.execute(select(
            t.documents.c.id, t.documents.c.title, t.documents.c.published, t.documents.c.source,
            t.documents.c.url, t.documents.c.site, t.documents.c.duplicate_of)).mappings()}
        out: dict[str, FactView] = {}
        statements: dict[str, list[Statement]] = {}
        for ev in conn.execute(q).mappings():
            view = out.get(ev["fact_id"])
            if view is None:
                view = out[ev["fact_id"]] = FactView(ev["fact_id"], ev["type"], ev["status"], ev["date"], {}, {}, [])
            for role, vals in ev["roles"].items():
                have = view.role_ids.setdefault(role, [])
                have += [v for v in vals if v not in have]
            view.date = view.date or ev["date"]
            d = docs[ev["doc_id"]]
            texts = []
            for x in conn.execute(select(t.evidence).where(t.evidence.c.event_id == ev["id"])
                                  .order_by(t.evidence.c.start)).mappings():
                texts.append(x["text"].strip())
                view.citations.append({"doc_id": ev["doc_id"], "title": d["title"], "published": d["published"],
                                       "url": d["url"], "status": ev["status"], "text": x["text"],
                                       "start": x["start"], "end": x["end"]})
            statements.setdefault(view.id, []).append(Statement(
                ev["doc_id"], ev["status"], ev["date"], d["published"], d["source"], d["url"], d["site"],
                d["duplicate_of"], " ".join(texts)))
    views = []
    for view in out.values():
        view.roles = {r: [ents[v]["name"] if v in ents else v for v in vals] for r, vals in view.role_ids.items()}
        view.assessment = assess(statements[view.id])
        view.status = view.assessment.status or view.status
        outlets = {s.doc_id: s.outlet.name for s in view.assessment.history if s.outlet}
        for c in view.citations:
            c["outlet"] = outlets.get(c["doc_id"])
        if status and view.status != status:
            continue
        when = view.date if view.date and not view.date.startswith("--") else min(
            (c["published"] for c in view.citations if c["published"]), default=None)
        if since and (when is None or when[:len(since)] < since):
            continue
        if until and (when is None or when[:len(until)] > until):
            continue
        if between and not _between(view, ents, _country_of(store, between[0]), _country_of(store, between[1])):
            continue
        views.append(view)
    return views


def _between(view: FactView, ents: dict[str, Any], a: str, b: str) -> bool:
    keys = [v for r in KEY_ROLES[view.type] for v in view.role_ids.get(r, []) if v in ents]
    countries = {ents[v]["country"] for v in keys}
    return a in countries and b in countries if a != b else a in countries


def show(store: Store, name: str) -> dict[str, Any]:
    """Everything the knowledge base holds on one entity: names, documents, facts with citations."""
    ent = find_entity(store, name)
    with store.connect() as conn:
        aliases = sorted(set(conn.scalars(select(t.entity_names.c.name)
                                          .where(t.entity_names.c.entity_id == ent["id"]))))
        docs = sorted(set(conn.scalars(select(t.mentions.c.doc_id).where(t.mentions.c.entity_id == ent["id"]))))
    return {**ent, "aliases": aliases, "documents": docs, "facts": facts(store, entity=name)}


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
