"""What the web app shows, by id: entities, facts, documents, graphs, timelines, suggestions.

`armsgraph.query` answers by name; the web app links by id, and two entities may share a
name, so everything here starts from an id and falls back on the query module's name-based
functions only where the name leads back to the same id. All SQL is SQLAlchemy Core
(parameterized); nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import func, select

from armsgraph import query
from armsgraph.assess import fact_time
from armsgraph.errors import ArmsgraphError
from armsgraph.model import EVENT_TYPES
from armsgraph.ontology import ONTOLOGY
from armsgraph.query import FactView
from armsgraph.resolve.names import fold, fold_words
from armsgraph.store import Store
from armsgraph.store import schema as t


class NotFound(ArmsgraphError):
    """An id or name the store does not know (HTTP 404)."""


class BadRequest(ArmsgraphError):
    """A parameter that cannot be answered as given (HTTP 400)."""


# ------------------------------------------------------------------ entities
def entity_row(store: Store, entity_id: str) -> dict[str, Any]:
    with store.connect() as conn:
        row = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).mappings().first()
    if row is None:
        raise NotFound(f"no entity with id {entity_id!r}")
    return dict(row)


def resolve_entity(store: Store, ref: str) -> dict[str, Any]:
    """An entity by id, else by any of its names (case and accents folded)."""
    try:
        return entity_row(store, ref)
    except NotFound:
        pass
    try:
        return query.find_entity(store, ref)
    except ArmsgraphError:
        raise NotFound(f"no entity with id or name {ref!r}") from None


def entity_list(store: Store, type_: str | None, limit: int, offset: int) -> dict[str, Any]:
    rows = query.entities(store, type_)
    return {"total": len(rows), "limit": limit, "offset": offset, "items": rows[offset:offset + limit]}


ENTITY_PAGE_ITEMS = 500  # facts and documents an entity's page shows at most, newest first


def entity_detail(store: Store, entity_id: str) -> dict[str, Any]:
    """An entity with its names, its newest documents and facts (at most `ENTITY_PAGE_ITEMS` of each;
    `document_total`, `fact_total` and `mentions` count all)."""
    ent = entity_row(store, entity_id)
    with store.connect() as conn:
        aliases = sorted(set(conn.scalars(select(t.entity_names.c.name)
                                          .where(t.entity_names.c.entity_id == entity_id))))
        per_doc = (select(t.mentions.c.doc_id, func.count().label("mentions"))
                   .where(t.mentions.c.entity_id == entity_id).group_by(t.mentions.c.doc_id).subquery())
        totals = conn.execute(select(func.count(), func.coalesce(func.sum(per_doc.c.mentions), 0))).one()
        docs = [dict(r) for r in conn.execute(
            select(t.documents.c.id, t.documents.c.title, t.documents.c.published, per_doc.c.mentions)
            .join(per_doc, per_doc.c.doc_id == t.documents.c.id)
            .order_by(t.documents.c.published.desc(), t.documents.c.id).limit(ENTITY_PAGE_ITEMS)).mappings()]
    return {**ent, "aliases": aliases, "mentions": int(totals[1]), "documents": docs,
            "document_total": int(totals[0]), "facts": entity_facts(store, ent, limit=ENTITY_PAGE_ITEMS),
            "fact_total": query.count_facts(store, entity_id=ent["id"])}


def entity_facts(store: Store, ent: dict[str, Any], **filters: Any) -> list[FactView]:
    """The fused facts that name this entity in any role, newest first (filters and paging as
    `query.facts` takes them)."""
    return query.facts(store, entity_id=ent["id"], **filters)


def suggest(store: Store, text: str, limit: int) -> list[dict[str, Any]]:
    """Entities whose names start with, contain a word starting with, or resemble `text`."""
    folded, words = fold(text), fold_words(text)
    if not folded:
        return []
    with store.connect() as conn:
        counts: dict[str, int] = dict(conn.execute(select(t.mentions.c.entity_id, func.count())
                                   .group_by(t.mentions.c.entity_id)).all())
        names = conn.execute(select(t.entity_names.c.entity_id, t.entity_names.c.name,
                                    t.entity_names.c.folded)).all()
        best: dict[str, tuple[float, str]] = {}
        for eid, name, name_folded in names:
            if eid not in counts:
                continue  # an entity left without mentions by a replaced article
            name_words = fold_words(name)
            if name_folded == folded:
                score = 100.0
            elif name_folded.startswith(folded):
                score = 90.0
            elif words and (" " + words) in (" " + name_words):
                score = 80.0
            elif len(folded) >= 4:  # close spellings: a typo, a dropped letter, a word left out
                ratio = max(fuzz.ratio(folded, name_folded), fuzz.token_set_ratio(words, name_words))
                score = 0.7 * ratio if ratio >= 85 else 0.0
            else:
                score = 0.0
            if score and score > best.get(eid, (0.0, ""))[0]:
                best[eid] = (score, name)
        top = sorted(best, key=lambda e: (-best[e][0], -counts[e]))[:limit]
        rows = {r["id"]: dict(r) for r in conn.execute(
            select(t.entities.c.id, t.entities.c.name, t.entities.c.type, t.entities.c.country)
            .where(t.entities.c.id.in_(top))).mappings()}
    return [{**rows[e], "matched": best[e][1], "mentions": counts[e], "score": round(best[e][0], 1)}
            for e in top if e in rows]


# ------------------------------------------------------------------ facts
def fact_dict(view: FactView, known: set[str] | None = None) -> dict[str, Any]:
    """A fact as the API gives it: `FactView.as_dict()` plus role entity ids and its time."""
    out = view.as_dict()
    out["role_ids"] = view.role_ids
    out["entities"] = {
        role: [{"id": i if (known is None or i in known) and n != i else None, "name": n}
               for i, n in zip(view.role_ids.get(role, []), names, strict=False)]
        for role, names in view.roles.items()}
    out["when"] = when(view)
    out["summary"] = summary(view)
    return out


def when(view: FactView) -> str | None:
    """The fact's date, else the earliest publication date of the articles that state it."""
    return fact_time(view.date, (c["published"] for c in view.citations)) or None


def summary(view: FactView) -> str:
    """One line: the key roles joined by the fact type ('Hanwha Aerospace → Poland: K9')."""
    keys = ONTOLOGY.key_roles.get(view.type, ())
    parts = [", ".join(view.roles.get(r, [])) or "?" for r in keys]
    line = " → ".join(parts) if len(parts) == 2 else " · ".join(parts)
    product = view.roles.get("product")
    return f"{line}: {', '.join(product)}" if product and "product" not in keys else line


def fact(store: Store, fact_id: str) -> FactView:
    """One fused fact with every statement of it (all documents, all citations)."""
    views = query.facts(store, ids=[fact_id])
    if not views:
        raise NotFound(f"no fact with id {fact_id!r}")
    return views[0]


def fact_filters(store: Store, *, entity: str | None, type_: str | None, status: str | None,
                 between: tuple[str, str] | None, since: str | None, until: str | None) -> dict[str, Any]:
    """The API's fact filters (entities and countries by id or name) as `query.facts` takes them."""
    filters: dict[str, Any] = {"type_": type_, "status": status, "since": since, "until": until}
    if between is not None:
        filters["between"] = pair_names(store, *between)
    if entity:
        filters["entity_id"] = resolve_entity(store, entity)["id"]
    return filters


def fact_list(store: Store, *, limit: int | None = None, offset: int = 0, **given: Any) -> list[FactView]:
    """Facts newest first (`fact_filters` for the filters), paged."""
    return query.facts(store, **fact_filters(store, **given), limit=limit, offset=offset)


def pair_names(store: Store, a: str, b: str) -> tuple[str, str]:
    """Two country references (ids or names) as the names `query.facts(between=)` resolves back."""
    out = []
    for ref in (a, b):
        ent = resolve_entity(store, ref)
        if ent["type"] != "COUNTRY" or not ent["country"]:
            raise BadRequest(f"{ent['name']!r} is not a country; a pair is two countries")
        out.append(str(ent["name"]))
    return out[0], out[1]


def known_ids(store: Store, views: list[FactView]) -> set[str]:
    ids = {v for view in views for vals in view.role_ids.values() for v in vals}
    if not ids:
        return set()
    with store.connect() as conn:
        return set(conn.scalars(select(t.entities.c.id).where(t.entities.c.id.in_(ids))))


def timeline(views: list[FactView]) -> list[dict[str, Any]]:
    """Dated facts, oldest first."""
    out = []
    for v in views:
        w = when(v)
        if w:
            out.append({"id": v.id, "type": v.type, "status": v.status, "when": w,
                        "dated_by": "fact" if v.date and not v.date.startswith("--") else "publication",
                        "summary": summary(v), "roles": v.roles})
    return sorted(out, key=lambda f: (f["when"], f["type"], f["id"]))


# ------------------------------------------------------------------ graph
def neighbourhood(store: Store, entity_id: str, limit: int = 40) -> dict[str, Any]:
    """The entity, the entities it shares facts with, and an edge for each pair sharing facts."""
    centre = entity_row(store, entity_id)
    with store.connect() as conn:
        mine = select(t.event_entities.c.event_id).where(t.event_entities.c.entity_id == entity_id)
        rows = conn.execute(
            select(t.events.c.fact_id, t.events.c.type, t.event_entities.c.entity_id, t.entities.c.name,
                   t.entities.c.type.label("entity_type"))
            .join(t.event_entities, t.event_entities.c.event_id == t.events.c.id)
            .join(t.entities, t.entities.c.id == t.event_entities.c.entity_id)
            .where(t.events.c.id.in_(mine))).mappings().all()
    members: dict[str, set[str]] = {}
    fact_types: dict[str, str] = {}
    info: dict[str, dict[str, Any]] = {}
    for r in rows:
        members.setdefault(r["fact_id"], set()).add(r["entity_id"])
        fact_types[r["fact_id"]] = r["type"]
        info[r["entity_id"]] = {"id": r["entity_id"], "name": r["name"], "type": r["entity_type"]}
    shared: dict[str, set[str]] = {}
    for fid, ids in members.items():
        for eid in ids - {entity_id}:
            shared.setdefault(eid, set()).add(fid)
    chosen = sorted(shared, key=lambda e: (-len(shared[e]), info[e]["name"]))[:limit]
    nodes = [{"id": centre["id"], "name": centre["name"], "type": centre["type"], "centre": True,
              "facts": len(members), "fact_types": sorted(set(fact_types.values()))}]
    nodes += [{**info[e], "centre": False, "facts": len(shared[e]),
               "fact_types": sorted({fact_types[f] for f in shared[e]})} for e in chosen]
    keep = {entity_id, *chosen}
    edges: dict[tuple[str, str], set[str]] = {}
    for fid, ids in members.items():
        inside = sorted(ids & keep)
        for i, a in enumerate(inside):
            for b in inside[i + 1:]:
                edges.setdefault((a, b), set()).add(fid)
    return {"centre": entity_id, "nodes": nodes, "truncated": len(shared) > len(chosen),
            "edges": [{"source": a, "target": b, "facts": len(f),
                       "fact_types": sorted({fact_types[x] for x in f})}
                      for (a, b), f in sorted(edges.items())]}


# ------------------------------------------------------------------ documents
_DOC_COLUMNS = (t.documents.c.id, t.documents.c.title, t.documents.c.published, t.documents.c.url,
                t.documents.c.site, t.documents.c.author, t.documents.c.language, t.documents.c.duplicate_of)


def document_list(store: Store, limit: int, offset: int) -> dict[str, Any]:
    with store.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(t.documents)) or 0
        rows = [dict(r) for r in conn.execute(
            select(*_DOC_COLUMNS, func.length(t.documents.c.text).label("length"))
            .order_by(t.documents.c.published.is_(None), t.documents.c.published.desc(), t.documents.c.id)
            .limit(limit).offset(offset)).mappings()]
    return {"total": total, "limit": limit, "offset": offset, "items": rows}


def document(store: Store, doc_id: str) -> dict[str, Any]:
    with store.connect() as conn:
        doc = conn.execute(select(t.documents).where(t.documents.c.id == doc_id)).mappings().first()
        if doc is None:
            raise NotFound(f"no document with id {doc_id!r}")
        ents: dict[str, dict[str, Any]] = {}
        for m in conn.execute(
                select(t.mentions.c.entity_id, t.mentions.c.start, t.mentions.c.end, t.mentions.c.text,
                       t.entities.c.name, t.entities.c.type)
                .join(t.entities, t.entities.c.id == t.mentions.c.entity_id)
                .where(t.mentions.c.doc_id == doc_id).order_by(t.mentions.c.start)).mappings():
            e = ents.setdefault(m["entity_id"], {"id": m["entity_id"], "name": m["name"], "type": m["type"],
                                                 "mentions": []})
            e["mentions"].append({"start": m["start"], "end": m["end"], "text": m["text"]})
        names = dict(conn.execute(select(t.entities.c.id, t.entities.c.name)).all())
        events = []
        for ev in conn.execute(select(t.events).where(t.events.c.doc_id == doc_id)
                               .order_by(t.events.c.local_id)).mappings():
            evidence = [{"start": x["start"], "end": x["end"], "text": x["text"]} for x in conn.execute(
                select(t.evidence).where(t.evidence.c.event_id == ev["id"]).order_by(t.evidence.c.start)).mappings()]
            events.append({"id": ev["id"], "fact_id": ev["fact_id"], "type": ev["type"], "status": ev["status"],
                           "date": ev["date"], "confidence": ev["confidence"], "role_ids": ev["roles"],
                           "roles": {r: [names.get(v, v) for v in ev["roles"][r]] for r in _role_order(ev)},
                           "evidence": evidence})
    zones = [{"kind": str(z[0]), "start": int(z[1]), "end": int(z[2])} for z in doc["zones"] or []]
    keep = ("id", "title", "published", "url", "source", "site", "author", "language", "duplicate_of", "text")
    return {**{k: doc[k] for k in keep}, "zones": zones,
            "entities": sorted(ents.values(), key=lambda e: (-len(e["mentions"]), e["name"])),
            "events": sorted(events, key=lambda e: min((x["start"] for x in e["evidence"]), default=0))}


def _role_order(ev: Any) -> list[str]:
    keys = ONTOLOGY.key_roles.get(ev["type"], ())
    return sorted(ev["roles"], key=lambda r: (r not in keys, keys.index(r) if r in keys else 0, r))


# ------------------------------------------------------------------ text rendering
@dataclass(slots=True)
class Segment:
    """A stretch of article text, plain or marked (a mention link or an evidence highlight)."""

    text: str
    kind: str = ""  # "" | "mention" | "mark"
    ref: str = ""  # entity id of a mention, citation number of a mark
    label: str = ""  # entity type of a mention


@dataclass(slots=True)
class Block:
    kind: str  # headline | body | caption | stray
    segments: list[Segment] = field(default_factory=list)


def blocks(text: str, zones: list[dict[str, Any]], spans: list[tuple[int, int, str, str, str]]) -> list[Block]:
    """The article cut into its zones (paragraphs), each cut at the spans (start, end, kind, ref, label).

    Spans are clipped to the text; a span overlapping an earlier one is dropped, except marks,
    which are merged, so that every evidence sentence shows whole. Text the zones leave out is
    kept unless it is only white space.
    """
    n = len(text)
    cuts = sorted(((max(0, s), min(n, e), k, r, lab) for s, e, k, r, lab in spans if 0 <= s < e),
                  key=lambda x: (x[0], -x[1]))
    chosen: list[list[Any]] = []
    for s, e, k, r, lab in cuts:
        if chosen and s < chosen[-1][1]:
            if k == "mark" and chosen[-1][2] == "mark":
                chosen[-1][1] = max(chosen[-1][1], e)
            continue
        chosen.append([s, e, k, r, lab])
    areas = sorted((max(0, z["start"]), min(n, z["end"]), z["kind"]) for z in zones if z["start"] < z["end"])
    filled: list[tuple[int, int, str]] = []
    pos = 0
    for s, e, k in areas:
        s = max(s, pos)
        if s > pos and text[pos:s].strip():
            filled.append((pos, s, "body"))
        if s < e:
            filled.append((s, e, k))
            pos = e
    if text[pos:].strip():
        filled.append((pos, n, "body"))
    out = []
    for s, e, k in filled:
        block = Block(k if k.isalpha() else "body")
        at = s
        for cs, ce, ck, cr, cl in chosen:
            lo, hi = max(cs, s), min(ce, e)
            if lo >= hi:
                continue
            if lo > at:
                block.segments.append(Segment(text[at:lo]))
            block.segments.append(Segment(text[lo:hi], ck, cr, cl))
            at = hi
        if at < e:
            block.segments.append(Segment(text[at:e]))
        out.append(block)
    return out


def fold_blocks(items: list[Block]) -> list[Block | list[Block]]:
    """The headline and the paragraphs with a highlight, the runs of other paragraphs in between as lists
    (shown folded)."""
    keep = {0} | {i for i, b in enumerate(items) if any(s.kind == "mark" for s in b.segments)}
    out: list[Block | list[Block]] = []
    for i, b in enumerate(items):
        if i in keep:
            out.append(b)
        elif out and isinstance(out[-1], list):
            out[-1].append(b)
        else:
            out.append([b])
    return out


# ------------------------------------------------------------------ timeline chart
@dataclass(slots=True)
class Dot:
    x: float
    y: float
    id: str
    type: str
    title: str


@dataclass(slots=True)
class Chart:
    """Positions for the inline SVG timeline: one lane per fact type, one dot per dated fact."""

    width: int
    height: int
    lanes: list[tuple[str, float]]
    ticks: list[tuple[float, str]]
    dots: list[Dot]
    left: int = 130
    right: int = 20
    top: int = 16
    bottom: int = 30


def _day(when: str) -> dt.date | None:
    try:
        parts = [int(p) for p in when.split("-")[:3] if p]
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def chart(items: list[dict[str, Any]], width: int = 900) -> Chart | None:
    dated = [(d, f) for f in items if (d := _day(f["when"])) is not None]
    if not dated:
        return None
    types = [ty for ty in EVENT_TYPES if any(f["type"] == ty for _, f in dated)]
    types += sorted({f["type"] for _, f in dated} - set(types))
    lane_h, left, right, top, bottom = 28, 130, 20, 16, 30
    height = top + bottom + lane_h * len(types)
    lo, hi = min(d for d, _ in dated), max(d for d, _ in dated)
    lo, hi = dt.date(lo.year, 1, 1), dt.date(hi.year + 1, 1, 1)
    span = (hi - lo).days
    inner = width - left - right

    def x(d: dt.date) -> float:
        return round(left + inner * (d - lo).days / span, 1)

    years = hi.year - lo.year
    step = max(1, math.ceil(years / 10))
    ticks = [(x(dt.date(y, 1, 1)), str(y)) for y in range(lo.year, hi.year + 1, step)]
    if years <= 2:  # short spans: quarters too
        ticks += [(x(dt.date(y, m, 1)), "" if years > 1 else dt.date(y, m, 1).strftime("%b"))
                  for y in range(lo.year, hi.year) for m in (4, 7, 10)]
    lanes = [(ty, top + lane_h * i + lane_h / 2) for i, ty in enumerate(types)]
    lane_y = dict(lanes)
    dots: list[Dot] = []
    seen: dict[tuple[str, float], int] = {}
    for d, f in dated:
        px = x(d)
        n = seen[(f["type"], px)] = seen.get((f["type"], px), -1) + 1  # same day, same lane: stack
        dots.append(Dot(px + 11 * n, lane_y[f["type"]], f["id"], f["type"],
                        f"{f['when']} · {f['type'].replace('_', ' ')} · {f['summary']}"))
    return Chart(width, height, lanes, ticks, dots, left, right, top, bottom)
