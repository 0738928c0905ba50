"""Exports: the per-document records and the fused knowledge base of ontology.md.

`records` yields one JSON-ready dict per document (`--format jsonl`): its
entities with local ids and mentions, its events with roles pointing at those
ids. `knowledge_base` returns the fused graph (`--format kb-json`): entities
merged across documents with every name they were seen under, and each fact
once, with the evidence of every document that states it, its status history,
conflicts, independent sources and Admiralty grade (see `armsgraph.assess`).
`formats` turns the fused graph into the formats analysts' tools read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from armsgraph import query
from armsgraph.store import Store
from armsgraph.store import schema as t


def records(store: Store) -> Iterator[dict[str, Any]]:
    with store.connect() as conn:
        ents = {r["id"]: dict(r) for r in conn.execute(select(t.entities)).mappings()}
        for doc in conn.execute(select(t.documents).order_by(t.documents.c.id)).mappings():
            local: dict[str, dict[str, Any]] = {}
            by_global: dict[str, str] = {}
            rows = conn.execute(select(t.mentions).where(t.mentions.c.doc_id == doc["id"])
                                .order_by(t.mentions.c.start)).mappings()
            for m in rows:
                rec = local.get(m["local_id"])
                if rec is None:
                    e = ents[m["entity_id"]]
                    rec = local[m["local_id"]] = {
                        "id": m["local_id"], "type": e["type"], "name": e["name"], "wikidata": e["wikidata"],
                        "country": e["country"], "mentions": []}
                    by_global[m["entity_id"]] = m["local_id"]
                rec["mentions"].append({"text": m["text"], "start": m["start"], "end": m["end"]})
            events = []
            for ev in conn.execute(select(t.events).where(t.events.c.doc_id == doc["id"])
                                   .order_by(t.events.c.local_id)).mappings():
                ev_evidence = conn.execute(select(t.evidence).where(t.evidence.c.event_id == ev["id"])
                                           .order_by(t.evidence.c.start)).mappings()
                events.append({
                    "id": ev["local_id"], "type": ev["type"],
                    "roles": {r: [by_global.get(v, v) for v in vals] for r, vals in ev["roles"].items()},
                    "status": ev["status"], "date": ev["date"], "date_derived": ev["date_derived"],
                    "attribution": by_global.get(ev["attribution"]) if ev["attribution"] else None,
                    "confidence": ev["confidence"], "fact": ev["fact_id"],
                    "evidence": [{"text": x["text"], "start": x["start"], "end": x["end"]} for x in ev_evidence],
                })
            yield {"doc_id": doc["id"], "title": doc["title"], "published": doc["published"],
                   "source": doc["source"], "url": doc["url"], "text": doc["text"],
                   "entities": sorted(local.values(), key=lambda e: int(e["id"][1:])),
                   "events": sorted(events, key=lambda e: int(e["id"][1:]))}


def knowledge_base(store: Store) -> dict[str, Any]:
    with store.connect() as conn:
        names: dict[str, list[str]] = defaultdict(list)
        for r in conn.execute(select(t.entity_names).order_by(t.entity_names.c.name)).mappings():
            names[r["entity_id"]].append(r["name"])
        mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in conn.execute(select(t.mentions).order_by(t.mentions.c.doc_id, t.mentions.c.start)).mappings():
            mentions[m["entity_id"]].append({"doc_id": m["doc_id"], "text": m["text"],
                                             "start": m["start"], "end": m["end"]})
        entities = [
            {"id": e["id"], "type": e["type"], "name": e["name"], "wikidata": e["wikidata"],
             "country": e["country"], "kb_id": e["kb_id"], "aliases": names[e["id"]], "mentions": mentions[e["id"]]}
            for e in conn.execute(select(t.entities).order_by(t.entities.c.id)).mappings()
            if mentions[e["id"]]
        ]
        evidence: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for x in conn.execute(select(t.evidence.c.event_id, t.evidence.c.start, t.evidence.c.end,
                                     t.evidence.c.text)).mappings():
            evidence[x["event_id"]].append(dict(x))
        facts: dict[str, dict[str, Any]] = {}
        for ev in conn.execute(select(t.events).order_by(t.events.c.doc_id, t.events.c.local_id)).mappings():
            fact = facts.setdefault(ev["fact_id"], {
                "id": ev["fact_id"], "type": ev["type"], "roles": {}, "status": ev["status"],
                "date": ev["date"], "confidence": 0.0, "documents": [], "evidence": [], "statements": []})
            for role, vals in ev["roles"].items():
                have = fact["roles"].setdefault(role, [])
                have += [v for v in vals if v not in have]
            fact["documents"] += [ev["doc_id"]] if ev["doc_id"] not in fact["documents"] else []
            fact["confidence"] = max(fact["confidence"], ev["confidence"])
            fact["date"] = fact["date"] or ev["date"]
            fact["statements"].append({"doc_id": ev["doc_id"], "event": ev["local_id"], "status": ev["status"],
                                       "date": ev["date"]})
            fact["evidence"] += [{"doc_id": ev["doc_id"], "text": x["text"], "start": x["start"], "end": x["end"]}
                                 for x in sorted(evidence[ev["id"]], key=lambda x: x["start"])]
    for view in query.facts(store):
        if view.id in facts:
            assessed = view.assessment.as_dict()
            facts[view.id].update(assessed)  # status becomes the latest statement's
            facts[view.id]["sources"] = [
                {"doc_id": s.doc_id, "outlet": s.outlet.name if s.outlet else None,
                 "reliability": s.outlet.grade if s.outlet else None, "published": s.published,
                 "duplicate_of": s.duplicate_of} for s in view.assessment.history]
    documents = [{"doc_id": d["id"], "title": d["title"], "published": d["published"], "url": d["url"],
                  "source": d["source"], "site": d.get("site"), "duplicate_of": d.get("duplicate_of")}
                 for d in store.documents()]
    return {"documents": documents, "entities": entities, "events": list(facts.values())}
