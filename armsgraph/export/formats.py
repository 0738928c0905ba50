"""Analyst export formats over the fused graph of `knowledge_base(store)`.

Every function here reads only the fused-graph dict (`{"entities": [...], "events": [...]}`) and,
where it needs general knowledge (a weapon's category or maker, a country's name), the knowledge
base (`armsgraph.kb.load(Settings().kb_dir)` unless another is passed). Keys an event may or may
not carry (e.g. "sources") are read with `.get()` and never required.

Formats:

- `sipri_csv(kb, out)`: supply facts as a CSV in the column layout of the SIPRI Arms Transfers
  Database trade register (Supplier, Recipient, Designation, Description, Number ordered, Year of
  order, Years of delivery, Number delivered, Status, Comments, Sources); UTF-8 with a header row.
  `sipri_rows(kb)` gives the same rows as dicts.
- `graphml(kb, out)` / `gexf(kb, out)`: the graph of `graph(kb)` (a networkx MultiDiGraph: one node
  per entity, one edge per fact and pair of key-role fillers that are entities) written with
  networkx. GEXF reserves the edge attribute `type` (directed/undirected/mutual), so in GEXF the
  fact type is the edge attribute `fact_type`; everything else is the same in both files.
- `jsonld(kb) -> dict`: JSON-LD with an inline @context (schema.org, Wikidata `wd:`/`wdt:`):
  entities, facts with their evidence, and direct Wikidata-property edges where the facts or the
  knowledge base state them: P17 country (P495 country of origin for a weapon, P27 citizenship for a
  person, as Wikidata models those), P176 manufacturer (a weapon's maker per the knowledge base),
  P137 operator (recipients of a completed supply, operators of a modernized platform, users in
  combat), P355 subsidiary (a completed subsidiary fact naming its company, or a knowledge-base parent).
- `plover(kb) -> list[dict]`: one PLOVER event record per fact, with the CAMEO code it corresponds
  to, from the table in `data/plover.yaml` (sources and decisions are documented there).
- `parquet(kb, out_dir)`: `entities.parquet` and `facts.parquet` (flat columns, lists as
  list<string>), written with pyarrow.
"""

from __future__ import annotations

import copy
import csv
import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from armsgraph import kb as kb_module
from armsgraph.errors import KnowledgeBaseError
from armsgraph.ontology import ONTOLOGY
from armsgraph.settings import Settings

KB = dict[str, Any]
PathLike = str | Path

_PLOVER_FILE = Path(__file__).parent / "data" / "plover.yaml"

# Column layout of the trade register exported by the SIPRI Arms Transfers Database
# (https://armstrade.sipri.org/armstrade/page/trade_register.php), plus Status and Sources.
SIPRI_COLUMNS = (
    "Supplier", "Recipient", "Designation", "Description", "Number ordered", "Year of order",
    "Years of delivery", "Number delivered", "Status", "Comments", "Sources",
)
_DELIVERY_STATUSES = ("completed", "in_progress")

# Our entity types -> schema.org types (definitions at https://schema.org/docs/full.html).
SCHEMA_TYPES: dict[str, str] = {
    "COUNTRY": "schema:Country", "COMPANY": "schema:Corporation",
    "GOVERNMENT": "schema:GovernmentOrganization", "MILITARY": "schema:GovernmentOrganization",
    "ORGANIZATION": "schema:Organization", "PERSON": "schema:Person", "WEAPON": "schema:Product",
    "LOCATION": "schema:Place", "AGREEMENT": "schema:CreativeWork", "EVENT": "schema:Event",
}

# Wikidata properties used as direct edges (https://www.wikidata.org/wiki/Property:P17 etc.).
WIKIDATA_PROPERTIES: dict[str, str] = {
    "country": "wdt:P17",  # country: sovereign state of this item (organisations, places)
    "country of origin": "wdt:P495",  # country of origin: what Wikidata uses for products, i.e. weapons
    "country of citizenship": "wdt:P27",  # country of citizenship: what Wikidata uses for persons
    "manufacturer": "wdt:P176",  # manufacturer: maker of this product
    "operator": "wdt:P137",  # operator: who operates the equipment
    "subsidiary": "wdt:P355",  # has subsidiary: subsidiary of this organisation
}

ENTITY_IRI = "urn:armsgraph:entity:"
FACT_IRI = "urn:armsgraph:fact:"
DOCUMENT_IRI = "urn:armsgraph:document:"
COUNTRY_IRI = "urn:armsgraph:country:"
KB_IRI = "urn:armsgraph:kb:"
VOCAB_IRI = "urn:armsgraph:vocab:"

JSONLD_CONTEXT: dict[str, Any] = {
    "schema": "https://schema.org/",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "ag": VOCAB_IRI,
}

_YEAR = re.compile(r"^(\d{4})")
_XSD_DATES = ((re.compile(r"^\d{4}-\d{2}-\d{2}$"), "xsd:date"), (re.compile(r"^\d{4}-\d{2}$"), "xsd:gYearMonth"),
              (re.compile(r"^\d{4}$"), "xsd:gYear"), (re.compile(r"^--\d{2}-\d{2}$"), "xsd:gMonthDay"))
_SPACE = re.compile(r"\s+")


# ------------------------------------------------------------------ shared helpers

def _knowledge(knowledge: kb_module.KnowledgeBase | None) -> kb_module.KnowledgeBase:
    return knowledge if knowledge is not None else kb_module.load(Settings().kb_dir)


def _entities(kb: KB) -> dict[str, dict[str, Any]]:
    return {str(e["id"]): e for e in kb.get("entities") or []}


def _events(kb: KB) -> list[dict[str, Any]]:
    return list(kb.get("events") or [])


def _fillers(event: dict[str, Any], role: str | None) -> list[str]:
    if not role:
        return []
    return [str(v) for v in (event.get("roles") or {}).get(role) or []]


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _name(value: str, ents: dict[str, dict[str, Any]]) -> str:
    ent = ents.get(value)
    return _clean(str(ent["name"])) if ent else _clean(value)


def _year(date: Any) -> int | None:
    m = _YEAR.match(date) if isinstance(date, str) else None
    return int(m.group(1)) if m else None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _published(kb: KB) -> dict[str, str]:
    """doc_id -> publication date, from a top-level "documents" list when the dict has one."""
    out: dict[str, str] = {}
    for doc in kb.get("documents") or []:
        if isinstance(doc, dict) and (doc.get("doc_id") or doc.get("id")) and doc.get("published"):
            out[str(doc.get("doc_id") or doc.get("id"))] = str(doc["published"])
    return out


def _doc_dates(event: dict[str, Any], published: dict[str, str]) -> dict[str, str]:
    """doc_id -> a date for it: its publication date when the dict tells it (the event's "sources",
    a top-level "documents" list), else the date that document states for the fact."""
    dates: dict[str, str] = {}
    for src in event.get("sources") or []:
        if isinstance(src, dict):
            doc = src.get("doc_id") or src.get("id")
            date = src.get("published")
            if doc and date:
                dates.setdefault(str(doc), str(date))
    for doc in _documents(event):
        if doc in published:
            dates.setdefault(doc, published[doc])
    for st in event.get("statements") or []:
        if isinstance(st, dict) and st.get("doc_id") and st.get("date"):
            dates.setdefault(str(st["doc_id"]), str(st["date"]))
    return dates


def _documents(event: dict[str, Any]) -> list[str]:
    return [str(d) for d in event.get("documents") or []]


# ------------------------------------------------------------------ SIPRI trade-register CSV

def _years(event: dict[str, Any], statuses: tuple[str, ...]) -> list[int]:
    """Years of the fact's date and of its statements' dates, where the status is one of `statuses`."""
    years = []
    if event.get("status") in statuses:
        years.append(_year(event.get("date")))
    years += [_year(st.get("date")) for st in event.get("statements") or []
              if isinstance(st, dict) and st.get("status") in statuses]
    return sorted({y for y in years if y is not None})


def sipri_rows(kb: KB, knowledge: kb_module.KnowledgeBase | None = None) -> list[dict[str, str]]:
    """One row per supply fact, keyed by `SIPRI_COLUMNS`; unknown values are empty strings.

    Supplier/Recipient: the fillers' names ('; '-joined). Designation: the WEAPON entities of the
    product; Description: their knowledge-base categories, else the product as written. Year of order:
    from the fact's (or a statement's) date where the status is agreed; Years of delivery: where it is
    completed or in_progress ("2020" or "2020-2023"). Numbers are never known, so empty. Sources:
    'doc_id (date)' per document, the date being its publication date when known, else the date
    that document gives for the fact.
    """
    know = _knowledge(knowledge)
    ents = _entities(kb)
    published = _published(kb)
    rows = []
    for ev in _events(kb):
        if ev.get("type") != "supply":
            continue
        products = _fillers(ev, "product")
        weapons = [p for p in products if ents.get(p, {}).get("type") == "WEAPON"]
        free = [_clean(p) for p in products if p not in ents]
        categories = _unique(getattr(know.get(ents[w].get("kb_id")), "category", None) or "" for w in weapons)
        description = "; ".join(categories or free)
        comments = [f"product as written: {p}" for p in free if categories]
        for role, vals in (ev.get("roles") or {}).items():
            if role not in ("supplier", "recipient", "product") and vals:
                comments.append(f"{role}: " + ", ".join(_name(str(v), ents) for v in vals))
        if ev.get("confidence") is not None:
            comments.append(f"confidence {float(ev['confidence']):.2f}")
        comments.append(f"fact {ev.get('id')}")
        order = _years(ev, ("agreed",))
        delivery = _years(ev, _DELIVERY_STATUSES)
        dates = _doc_dates(ev, published)
        rows.append({
            "Supplier": "; ".join(_name(v, ents) for v in _fillers(ev, "supplier")),
            "Recipient": "; ".join(_name(v, ents) for v in _fillers(ev, "recipient")),
            "Designation": "; ".join(_unique(_name(w, ents) for w in weapons)),
            "Description": description,
            "Number ordered": "",
            "Year of order": str(order[0]) if order else "",
            "Years of delivery": "-".join(str(y) for y in _unique_ends(delivery)),
            "Number delivered": "",
            "Status": str(ev.get("status") or ""),
            "Comments": "; ".join(comments),
            "Sources": "; ".join(f"{d} ({dates[d]})" if d in dates else d for d in _documents(ev)),
        })
    return rows


def _unique_ends(years: list[int]) -> list[int]:
    """A year span as SIPRI writes it: [2020] or [2020, 2023] (first and last)."""
    return years[:1] if len(years) < 2 else [years[0], years[-1]]


def sipri_csv(kb: KB, out: PathLike, knowledge: kb_module.KnowledgeBase | None = None) -> Path:
    """Write the supply facts as a SIPRI-style trade register CSV (UTF-8, header row) to `out`."""
    path = Path(out)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SIPRI_COLUMNS)
        writer.writeheader()
        writer.writerows(sipri_rows(kb, knowledge))
    return path


# ------------------------------------------------------------------ GraphML / GEXF

def _edge_pairs(event: dict[str, Any], ents: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, bool]]:
    """(source, target, directed) for each pair of key-role fillers that are entities."""
    etype = str(event.get("type"))
    if etype in ONTOLOGY.pair_roles:
        parties = _unique(v for v in _fillers(event, ONTOLOGY.pair_roles[etype]) if v in ents)
        for u, v in itertools.combinations(parties, 2):
            yield u, v, False
        return
    roles = ONTOLOGY.key_roles.get(etype, ())
    if len(roles) != 2:
        return
    sources = _unique(v for v in _fillers(event, roles[0]) if v in ents)
    targets = _unique(v for v in _fillers(event, roles[1]) if v in ents)
    for u, v in itertools.product(sources, targets):
        if u != v:
            yield u, v, True


def graph(kb: KB) -> Any:
    """The fused graph as a networkx MultiDiGraph; attribute values are strings, floats or booleans."""
    ents = _entities(kb)
    g = nx.MultiDiGraph(name="armsgraph")
    for eid, e in ents.items():
        g.add_node(eid, label=str(e.get("name") or ""), type=str(e.get("type") or ""),
                   country=str(e.get("country") or ""), wikidata=str(e.get("wikidata") or ""))
    for ev in _events(kb):
        for n, (u, v, directed) in enumerate(_edge_pairs(ev, ents)):
            g.add_edge(u, v, key=f"{ev.get('id')}:{n}", fact=str(ev.get("id") or ""),
                       type=str(ev.get("type") or ""), label=str(ev.get("type") or ""),
                       status=str(ev.get("status") or ""), date=str(ev.get("date") or ""),
                       confidence=float(ev.get("confidence") or 0.0),
                       documents="; ".join(_documents(ev)), directed=directed)
    return g


def graphml(kb: KB, out: PathLike) -> Path:
    """Write `graph(kb)` as GraphML."""
    path = Path(out)
    nx.write_graphml(graph(kb), str(path), encoding="utf-8")
    return path


def gexf(kb: KB, out: PathLike) -> Path:
    """Write `graph(kb)` as GEXF 1.2; the fact type is the edge attribute `fact_type` (GEXF reserves `type`)."""
    g = graph(kb)
    for _u, _v, data in g.edges(data=True):
        data["fact_type"] = data.pop("type")
    path = Path(out)
    nx.write_gexf(g, str(path), encoding="utf-8")
    return path


# ------------------------------------------------------------------ JSON-LD

def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _date_literal(date: str) -> dict[str, str]:
    for pattern, xsd in _XSD_DATES:
        if pattern.match(date):
            return {"@value": date, "@type": xsd}
    return {"@value": date}


def _country_property(etype: str) -> str:
    """The Wikidata property linking an entity of `etype` to its country."""
    key = {"WEAPON": "country of origin", "PERSON": "country of citizenship"}.get(etype, "country")
    return WIKIDATA_PROPERTIES[key]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def jsonld(kb: KB, knowledge: kb_module.KnowledgeBase | None = None) -> dict[str, Any]:
    """The fused graph as a JSON-LD document (inline @context; parses offline with rdflib)."""
    know = _knowledge(knowledge)
    ents = _entities(kb)
    events = _events(kb)
    nodes: dict[str, dict[str, Any]] = {}
    by_kb_id = {str(e["kb_id"]): eid for eid, e in ents.items() if e.get("kb_id")}
    country_node: dict[str, str] = {}
    for eid, e in sorted(ents.items()):
        if e.get("type") == "COUNTRY" and e.get("country"):
            country_node.setdefault(str(e["country"]), ENTITY_IRI + eid)

    def country_iri(iso3: str) -> str:
        if iso3 not in country_node:
            iri = country_node[iso3] = COUNTRY_IRI + iso3
            entry = know.country(iso3)
            node: dict[str, Any] = {"@id": iri, "@type": SCHEMA_TYPES["COUNTRY"], "ag:iso3": iso3,
                                    "schema:name": entry.name if entry else iso3}
            if entry and entry.wikidata:
                node["schema:sameAs"] = _ref("wd:" + entry.wikidata)
            nodes[iri] = node
        return country_node[iso3]

    def add(node: dict[str, Any], prop: str, iri: str) -> None:
        have = node.setdefault(prop, [])
        if _ref(iri) not in have:
            have.append(_ref(iri))

    for eid, e in ents.items():
        etype = str(e.get("type") or "")
        node: dict[str, Any] = {
            "@id": ENTITY_IRI + eid, "@type": SCHEMA_TYPES.get(etype, "schema:Thing"), "ag:type": etype,
            "schema:name": str(e.get("name") or ""), "schema:alternateName": [str(a) for a in e.get("aliases") or []]}
        if e.get("wikidata"):
            node["schema:sameAs"] = _ref("wd:" + str(e["wikidata"]))
        if e.get("kb_id"):
            node["ag:kbId"] = str(e["kb_id"])
        if e.get("country"):
            node["ag:iso3"] = str(e["country"])
        nodes[node["@id"]] = node
    for eid, e in ents.items():
        if e.get("country") and e.get("type") != "COUNTRY":
            add(nodes[ENTITY_IRI + eid], _country_property(str(e.get("type"))), country_iri(str(e["country"])))

    def kb_iri(kb_id: str) -> str:
        """The node of a knowledge-base entry: its entity when the graph has one, else a node of its own."""
        if kb_id in by_kb_id:
            return ENTITY_IRI + by_kb_id[kb_id]
        iri = KB_IRI + kb_id
        entry = know.get(kb_id)
        if iri not in nodes and entry is not None:
            node: dict[str, Any] = {"@id": iri, "@type": SCHEMA_TYPES.get(entry.type, "schema:Thing"),
                                    "ag:type": entry.type, "schema:name": entry.name, "ag:kbId": kb_id}
            if entry.wikidata:
                node["schema:sameAs"] = _ref("wd:" + entry.wikidata)
            nodes[iri] = node
            if entry.country and entry.type != "COUNTRY":
                add(node, _country_property(entry.type), country_iri(entry.country))
        return iri

    # P176 manufacturer and P355 subsidiary, as the knowledge base states them
    for eid, e in ents.items():
        entry = know.get(e.get("kb_id"))
        if entry is None:
            continue
        if e.get("type") == "WEAPON" and entry.manufacturer and know.get(entry.manufacturer):
            add(nodes[ENTITY_IRI + eid], WIKIDATA_PROPERTIES["manufacturer"], kb_iri(entry.manufacturer))
        if entry.parent and entry.parent in by_kb_id:
            add(nodes[kb_iri(entry.parent)], WIKIDATA_PROPERTIES["subsidiary"], ENTITY_IRI + eid)

    # P137 operator and P355 subsidiary, as facts state them
    for ev in events:
        ftype, fstatus = ev.get("type"), ev.get("status")
        if ftype == "supply" and fstatus == "completed":
            operated, operators = _fillers(ev, "product"), _fillers(ev, "recipient")
        elif ftype == "modernization" and fstatus != "cancelled":
            operated, operators = _fillers(ev, "platform"), _fillers(ev, "operator")
        elif ftype == "combat_use" and fstatus in ("completed", "in_progress"):
            operated, operators = _fillers(ev, "product"), _fillers(ev, "user")
        else:
            operated, operators = [], []
        for w in operated:
            if ents.get(w, {}).get("type") == "WEAPON":
                for o in operators:
                    if o in ents:
                        add(nodes[ENTITY_IRI + w], WIKIDATA_PROPERTIES["operator"], ENTITY_IRI + o)
        if ftype == "subsidiary" and fstatus == "completed":
            for p in _fillers(ev, "parent"):
                for s in _fillers(ev, "name"):
                    if p in ents and s in ents and p != s:
                        add(nodes[ENTITY_IRI + p], WIKIDATA_PROPERTIES["subsidiary"], ENTITY_IRI + s)

    facts = []
    for ev in events:
        etype = str(ev.get("type") or "")
        fact: dict[str, Any] = {"@id": FACT_IRI + str(ev.get("id")), "@type": ["ag:Fact", "ag:" + _camel(etype)],
                                "ag:type": etype, "ag:status": str(ev.get("status") or "")}
        if ev.get("date"):
            fact["ag:date"] = _date_literal(str(ev["date"]))
        if ev.get("confidence") is not None:
            fact["ag:confidence"] = {"@value": float(ev["confidence"]), "@type": "xsd:double"}
        for role, vals in (ev.get("roles") or {}).items():
            fact["ag:" + role] = [_ref(ENTITY_IRI + str(v)) if v in ents else {"@value": str(v)} for v in vals]
        fact["schema:citation"] = [_ref(DOCUMENT_IRI + d) for d in _documents(ev)]
        fact["ag:evidence"] = [
            {"@type": "ag:Evidence", "schema:text": str(x.get("text") or ""),
             "ag:document": _ref(DOCUMENT_IRI + str(x.get("doc_id"))),
             "ag:start": int(x.get("start") or 0), "ag:end": int(x.get("end") or 0)}
            for x in ev.get("evidence") or [] if isinstance(x, dict)]
        facts.append(fact)
    documents = _unique(d for ev in events for d in _documents(ev))
    docs = [{"@id": DOCUMENT_IRI + d, "@type": "schema:NewsArticle", "schema:identifier": d} for d in documents]
    return {"@context": copy.deepcopy(JSONLD_CONTEXT), "@graph": [*nodes.values(), *facts, *docs]}


# ------------------------------------------------------------------ PLOVER / CAMEO

@functools.cache
def plover_table() -> dict[str, Any]:
    """The PLOVER/CAMEO mapping of `data/plover.yaml`, checked: every CAMEO code a rule, venue or
    weapon category names has a label, every label is used, and every event type has its rules."""
    data: dict[str, Any] = yaml.safe_load(_PLOVER_FILE.read_text(encoding="utf-8"))
    full = [*data["rules"].values(), *data["meeting_venue"].values()]
    full += [r for spec in data["types"].values() for r in spec["status"].values()]
    refine = list(data["combat_category"].values())
    problems = [f"rule {r} needs exactly plover, mode, context and cameo" for r in full
                if set(r) != {"plover", "mode", "context", "cameo"}]
    problems += [f"weapon category rule {r} needs exactly cameo and mode" for r in refine
                 if set(r) != {"cameo", "mode"}]
    used = {str(r["cameo"]) for r in [*full, *refine]}
    labels = set(data["cameo"])
    problems += [f"CAMEO code {c} has no label" for c in sorted(used - labels)]
    problems += [f"CAMEO label {c} is used by no rule" for c in sorted(labels - used)]
    problems += [f"event type {t} has no rules" for t in ONTOLOGY.event_types if t not in data["types"]]
    for etype, spec in data["types"].items():
        roles = ONTOLOGY.events[etype].roles if etype in ONTOLOGY.events else {}
        named = [spec[k] for k in ("pair", "source", "recipient") if k in spec and spec[k] is not None]
        problems += [f"{etype}: no role {r!r} in the ontology" for r in named if r not in roles]
    problems += [f"sector of unknown entity type {t}" for t in data["sectors"] if t not in ONTOLOGY.entity_types]
    problems += [f"source {src} needs a name and a url" for src in data["sources"] if set(src) != {"name", "url"}]
    if problems or not data["sources"]:
        raise KnowledgeBaseError(f"{_PLOVER_FILE}: {'; '.join(problems) or 'no sources given'}; fix the table")
    return data


def _actor(value: str, ents: dict[str, dict[str, Any]], sectors: dict[str, str]) -> dict[str, Any]:
    ent = ents.get(value)
    if ent is None:
        return {"name": _clean(value), "code": None, "sector": None, "wikidata": None, "entity": None}
    return {"name": str(ent.get("name") or ""), "code": ent.get("country"),
            "sector": sectors.get(str(ent.get("type"))), "wikidata": ent.get("wikidata"), "entity": value}


def _meeting_venue(event: dict[str, Any], ents: dict[str, dict[str, Any]],
                   parties: list[str]) -> tuple[str | None, list[str], list[str]]:
    """("visit", visitors, hosts), ("third-party", parties, []) or (None, parties, [])."""
    venue = {str(ents[v]["country"]) for v in _fillers(event, "location") if ents.get(v, {}).get("country")}
    if len(venue) != 1:
        return None, parties, []
    where = venue.pop()
    countries = {p: ents.get(p, {}).get("country") for p in parties}
    if any(c is None for c in countries.values()):
        return None, parties, []
    hosts = [p for p in parties if countries[p] == where]
    visitors = [p for p in parties if countries[p] != where]
    if hosts and visitors:
        return "visit", visitors, hosts
    if not hosts:
        return "third-party", parties, []
    return None, parties, []


def plover(kb: KB, knowledge: kb_module.KnowledgeBase | None = None) -> list[dict[str, Any]]:
    """One PLOVER record per fact (types without a mapping are skipped).

    Keys: id, date, source and recipient (lists of actors: name, code = ISO3 or None, sector,
    wikidata, entity id; PLOVER's "recipient" is CAMEO's target), event (the PLOVER category),
    plover_type (the same), plover_mode, plover_context, cameo_code, cameo_label, type, status,
    confidence, documents.
    """
    know = _knowledge(knowledge)
    table = plover_table()
    sectors = {str(k): str(v) for k, v in (table.get("sectors") or {}).items()}
    ents = _entities(kb)
    records = []
    for ev in _events(kb):
        etype, status = str(ev.get("type")), str(ev.get("status") or "")
        source: list[str]
        recipient: list[str]
        venue: str | None
        spec = (table.get("types") or {}).get(etype)
        if spec is None:
            continue
        by_status = spec["status"]
        rule = dict(by_status.get(status) or by_status["default"])
        if spec.get("pair"):
            parties = _unique(_fillers(ev, spec["pair"]))
            source, recipient = parties[:1], parties[1:]
            if etype == "meeting":
                source, recipient = parties, []
                if by_status.get(status) is None:
                    venue, source, recipient = _meeting_venue(ev, ents, parties)
                    if venue:
                        rule = dict(table["meeting_venue"][venue])
        else:
            source, recipient = _fillers(ev, spec.get("source")), _fillers(ev, spec.get("recipient"))
        if etype == "combat_use" and by_status.get(status) is None:
            for p in _fillers(ev, "product"):
                entry = know.get(ents.get(p, {}).get("kb_id"))
                refine = (table.get("combat_category") or {}).get(entry.category if entry else None)
                if refine:
                    rule.update(refine)
                    break
        cameo = str(rule["cameo"])
        records.append({
            "id": ev.get("id"), "date": ev.get("date"),
            "source": [_actor(v, ents, sectors) for v in source],
            "recipient": [_actor(v, ents, sectors) for v in recipient],
            "event": rule["plover"], "plover_type": rule["plover"], "plover_mode": rule.get("mode"),
            "plover_context": rule.get("context"), "cameo_code": cameo,
            "cameo_label": str(table["cameo"][cameo]), "type": etype, "status": ev.get("status"),
            "confidence": ev.get("confidence"), "documents": _documents(ev),
        })
    return records


# ------------------------------------------------------------------ Parquet

ENTITY_SCHEMA = pa.schema([
    ("id", pa.string()), ("type", pa.string()), ("name", pa.string()), ("wikidata", pa.string()),
    ("country", pa.string()), ("kb_id", pa.string()), ("aliases", pa.list_(pa.string())),
    ("documents", pa.list_(pa.string())), ("mention_count", pa.int64()),
])
_FACT_BASE = [
    ("id", pa.string()), ("type", pa.string()), ("status", pa.string()), ("date", pa.string()),
    ("year", pa.int32()), ("confidence", pa.float64()), ("documents", pa.list_(pa.string())),
    ("statement_count", pa.int64()), ("evidence_docs", pa.list_(pa.string())),
    ("evidence_texts", pa.list_(pa.string())),
]


def _roles(kb: KB) -> list[str]:
    """Every role column: the roles of the ontology, then any other role the data has."""
    known = list(dict.fromkeys(r for t in ONTOLOGY.events.values() for r in t.roles))
    extra = sorted({str(r) for ev in _events(kb) for r in ev.get("roles") or {}} - set(known))
    return [*known, *extra]


def fact_schema(kb: KB) -> Any:
    """facts.parquet columns: the fixed ones, then one list<string> column per role (entity ids or text)."""
    return pa.schema([*_FACT_BASE, *((role, pa.list_(pa.string())) for role in _roles(kb))])


def parquet(kb: KB, out_dir: PathLike) -> tuple[Path, Path]:
    """Write `entities.parquet` and `facts.parquet` under `out_dir` (created if missing)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ent_rows = [{
        "id": str(e["id"]), "type": e.get("type"), "name": e.get("name"), "wikidata": e.get("wikidata"),
        "country": e.get("country"), "kb_id": e.get("kb_id"), "aliases": [str(a) for a in e.get("aliases") or []],
        "documents": _unique(str(m.get("doc_id")) for m in e.get("mentions") or []),
        "mention_count": len(e.get("mentions") or []),
    } for e in kb.get("entities") or []]
    roles = _roles(kb)
    fact_rows = []
    for ev in _events(kb):
        evidence = [x for x in ev.get("evidence") or [] if isinstance(x, dict)]
        row: dict[str, Any] = {
            "id": str(ev.get("id")), "type": ev.get("type"), "status": ev.get("status"), "date": ev.get("date"),
            "year": _year(ev.get("date")),
            "confidence": float(ev["confidence"]) if ev.get("confidence") is not None else None,
            "documents": _documents(ev), "statement_count": len(ev.get("statements") or []),
            "evidence_docs": [str(x.get("doc_id")) for x in evidence],
            "evidence_texts": [str(x.get("text") or "") for x in evidence],
        }
        row.update({role: _fillers(ev, role) for role in roles})
        fact_rows.append(row)
    ent_path, fact_path = out / "entities.parquet", out / "facts.parquet"
    pq.write_table(pa.Table.from_pylist(ent_rows, schema=ENTITY_SCHEMA), ent_path)
    pq.write_table(pa.Table.from_pylist(fact_rows, schema=fact_schema(kb)), fact_path)
    return ent_path, fact_path
