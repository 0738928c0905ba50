"""Analyst export formats, each read back with its own reader: csv + pyarrow.csv, networkx GraphML/GEXF,
rdflib JSON-LD (with SPARQL), the PLOVER/CAMEO table, pyarrow Parquet. On a hand-made fused graph and
on the sample corpus."""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import rdflib

from armsgraph import Pipeline, Store, ingest
from armsgraph.export import formats, knowledge_base
from armsgraph.extract.lexicon import KEY_ROLES
from armsgraph.model import EVENT_TYPES, STATUSES

WDT = "http://www.wikidata.org/prop/direct/"
ENT = formats.ENTITY_IRI


def entity(eid: str, etype: str, name: str, country: str | None = None, kb_id: str | None = None,
           wikidata: str | None = None) -> dict[str, Any]:
    return {"id": eid, "type": etype, "name": name, "wikidata": wikidata, "country": country, "kb_id": kb_id,
            "aliases": [name], "mentions": [{"doc_id": "d1", "text": name, "start": 0, "end": len(name)}]}


def fact(fid: str, etype: str, roles: dict[str, list[str]], status: str, date: str | None,
         docs: list[str], **extra: Any) -> dict[str, Any]:
    return {"id": fid, "type": etype, "roles": roles, "status": status, "date": date, "confidence": 0.9,
            "documents": docs,
            "evidence": [{"doc_id": d, "text": f"{fid} evidence\nin {d}", "start": 0, "end": 20} for d in docs],
            "statements": [{"doc_id": d, "event": "v1", "status": status, "date": date} for d in docs], **extra}


@pytest.fixture
def kb() -> dict[str, Any]:
    """Türkiye, Azerbaijan, Baykar (company/baykar), the TB2 (weapon/bayraktar-tb2), and six facts."""
    entities = [
        entity("E_TUR", "COUNTRY", "Türkiye", "TUR", "country/tur", "Q43"),
        entity("E_AZE", "COUNTRY", "Azerbaijan", "AZE", "country/aze", "Q227"),
        entity("E_BAY", "COMPANY", "Baykar", "TUR", "company/baykar"),
        entity("E_TB2", "WEAPON", "Bayraktar TB2", "TUR", "weapon/bayraktar-tb2"),
        entity("E_AAF", "MILITARY", "Azerbaijani Air Force", "AZE"),
        entity("E_SUB", "COMPANY", "Baykar Azerbaijan", "AZE"),
        entity("E_P1", "PERSON", "Haluk Görgün", "TUR"),
        entity("E_P2", "PERSON", "Zakir Hasanov", "AZE"),
        entity("E_BAKU", "LOCATION", "Baku", "AZE"),
    ]
    delivered = fact("F1", "supply", {"supplier": ["E_BAY"], "recipient": ["E_AZE"], "product": ["E_TB2"]},
                     "completed", "2020", ["d1", "d2"],
                     sources=[{"doc_id": "d1", "published": "2020-10-01"}], credibility={"score": 0.8})
    delivered["statements"][1].update(status="agreed", date="2019")
    events = [
        delivered,
        fact("F2", "supply", {"supplier": ["E_BAY", "E_TUR"], "recipient": ["E_AAF"],
                              "product": ["Akinci\ndrones"]}, "agreed", "2025-05", ["d3"]),
        fact("F3", "cooperation", {"parties": ["E_TUR", "E_AZE"]}, "completed", None, ["d1"]),
        fact("F4", "subsidiary", {"parent": ["E_BAY"], "host": ["E_AZE"], "name": ["E_SUB"]},
             "completed", "2024-01-15", ["d2"]),
        fact("F5", "meeting", {"parties": ["E_P2", "E_P1"], "location": ["E_BAKU"]}, "completed",
             "2025-05-19", ["d3"]),
        fact("F6", "combat_use", {"user": ["E_AAF"], "product": ["E_TB2"]}, "completed", "2020", ["d2"]),
    ]
    return {"entities": entities, "events": events}


# ------------------------------------------------------------------ SIPRI CSV

def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def test_sipri_csv_reads_back_with_csv_and_pyarrow(kb: dict[str, Any], tmp_path: Path) -> None:
    out = formats.sipri_csv(kb, tmp_path / "sipri.csv")
    header, rows = read_csv(out)
    assert header == list(formats.SIPRI_COLUMNS) == [
        "Supplier", "Recipient", "Designation", "Description", "Number ordered", "Year of order",
        "Years of delivery", "Number delivered", "Status", "Comments", "Sources"]
    assert len(rows) == 2  # the supply facts only
    first, second = rows
    assert first["Supplier"] == "Baykar" and first["Recipient"] == "Azerbaijan"
    assert first["Designation"] == "Bayraktar TB2" and first["Description"] == "UCAV"  # category from the KB
    assert first["Number ordered"] == first["Number delivered"] == ""
    assert first["Year of order"] == "2019" and first["Years of delivery"] == "2020"
    assert first["Status"] == "completed"
    assert first["Sources"] == "d1 (2020-10-01); d2 (2019)"  # publication date from "sources", else statement
    assert "fact F1" in first["Comments"]
    assert second["Supplier"] == "Baykar; Türkiye" and second["Recipient"] == "Azerbaijani Air Force"
    assert second["Designation"] == "" and second["Description"] == "Akinci drones"  # free text, one line
    assert second["Year of order"] == "2025" and second["Years of delivery"] == ""
    table = pacsv.read_csv(out)
    assert table.column_names == list(formats.SIPRI_COLUMNS)
    assert table.num_rows == 2
    assert table.column("Supplier").to_pylist() == ["Baykar", "Baykar; Türkiye"]


def test_sipri_delivery_years_span(kb: dict[str, Any]) -> None:
    kb["events"][0]["statements"].append({"doc_id": "d9", "event": "v3", "status": "in_progress", "date": "2022-06"})
    row = formats.sipri_rows(kb)[0]
    assert row["Years of delivery"] == "2020-2022"


# ------------------------------------------------------------------ GraphML / GEXF

def test_graph_nodes_and_edges(kb: dict[str, Any]) -> None:
    g = formats.graph(kb)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 9 and g.number_of_edges() == 7
    edges = {(u, v, d["fact"]): d for u, v, d in g.edges(data=True)}
    assert set(edges) == {("E_BAY", "E_AZE", "F1"), ("E_BAY", "E_AAF", "F2"), ("E_TUR", "E_AAF", "F2"),
                          ("E_TUR", "E_AZE", "F3"), ("E_BAY", "E_AZE", "F4"), ("E_P2", "E_P1", "F5"),
                          ("E_AAF", "E_TB2", "F6")}
    assert edges[("E_TUR", "E_AZE", "F3")]["directed"] is False
    assert edges[("E_BAY", "E_AZE", "F1")]["directed"] is True
    assert edges[("E_BAY", "E_AZE", "F1")]["documents"] == "d1; d2"
    for _u, _v, d in g.edges(data=True):
        assert all(isinstance(x, str | float | bool) for x in d.values())
    for _n, d in g.nodes(data=True):
        assert all(isinstance(x, str) for x in d.values())


def test_graphml_round_trip(kb: dict[str, Any], tmp_path: Path) -> None:
    out = formats.graphml(kb, tmp_path / "kb.graphml")
    g = nx.read_graphml(out)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 9 and g.number_of_edges() == 7
    assert g.nodes["E_TB2"] == {"label": "Bayraktar TB2", "type": "WEAPON", "country": "TUR", "wikidata": ""}
    assert g.nodes["E_TUR"]["wikidata"] == "Q43"
    data = g.get_edge_data("E_BAY", "E_AZE")
    by_fact = {d["fact"]: d for d in data.values()}
    assert set(by_fact) == {"F1", "F4"}
    assert by_fact["F1"]["type"] == "supply" and by_fact["F1"]["status"] == "completed"
    assert by_fact["F1"]["date"] == "2020" and by_fact["F1"]["confidence"] == pytest.approx(0.9)
    assert by_fact["F1"]["directed"] is True and by_fact["F1"]["documents"] == "d1; d2"
    assert next(iter(g.get_edge_data("E_TUR", "E_AZE").values()))["directed"] is False
    assert by_fact["F4"]["type"] == "subsidiary"


def test_gexf_round_trip(kb: dict[str, Any], tmp_path: Path) -> None:
    out = formats.gexf(kb, tmp_path / "kb.gexf")
    g = nx.read_gexf(out)
    assert g.is_directed() and g.is_multigraph()
    assert g.number_of_nodes() == 9 and g.number_of_edges() == 7
    assert g.nodes["E_BAY"]["label"] == "Baykar"
    assert g.nodes["E_BAY"]["type"] == "COMPANY" and g.nodes["E_BAY"]["country"] == "TUR"
    by_fact = {d["fact"]: d for _u, _v, d in g.edges(data=True)}
    assert set(by_fact) == {"F1", "F2", "F3", "F4", "F5", "F6"}
    assert by_fact["F6"]["fact_type"] == "combat_use" and by_fact["F6"]["status"] == "completed"
    assert by_fact["F3"]["directed"] is False and by_fact["F1"]["directed"] is True
    assert by_fact["F1"]["confidence"] == pytest.approx(0.9) and by_fact["F3"]["date"] == ""


# ------------------------------------------------------------------ JSON-LD

def parse_jsonld(doc: dict[str, Any]) -> rdflib.Graph:
    assert isinstance(doc["@context"], dict)  # inline: nothing is fetched
    return rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")


def pairs(g: rdflib.Graph, prop: str) -> set[tuple[str, str]]:
    rows: list[Any] = list(g.query(f"SELECT ?s ?o WHERE {{ ?s <{WDT}{prop}> ?o }}"))
    return {(str(r[0]), str(r[1])) for r in rows}


def test_jsonld_parses_and_has_wikidata_edges(kb: dict[str, Any]) -> None:
    g = parse_jsonld(formats.jsonld(kb))
    assert pairs(g, "P176") == {(ENT + "E_TB2", ENT + "E_BAY")}  # the KB names Baykar as the maker
    p17 = pairs(g, "P17")
    assert (ENT + "E_BAY", ENT + "E_TUR") in p17 and (ENT + "E_AAF", ENT + "E_AZE") in p17
    assert (ENT + "E_TUR", ENT + "E_TUR") not in p17
    assert pairs(g, "P495") == {(ENT + "E_TB2", ENT + "E_TUR")}  # a weapon's country is its origin
    assert (ENT + "E_P1", ENT + "E_TUR") in pairs(g, "P27")
    assert pairs(g, "P137") == {(ENT + "E_TB2", ENT + "E_AZE"), (ENT + "E_TB2", ENT + "E_AAF")}
    assert pairs(g, "P355") == {(ENT + "E_BAY", ENT + "E_SUB")}
    q = """PREFIX schema: <https://schema.org/>
           SELECT ?name ?wd WHERE { ?c <http://www.wikidata.org/prop/direct/P17> ?x .
                                   ?x schema:name ?name ; schema:sameAs ?wd }"""
    result: list[Any] = list(g.query(q))
    found = {(str(r[0]), str(r[1])) for r in result}
    assert ("Türkiye", "http://www.wikidata.org/entity/Q43") in found


def test_jsonld_facts_carry_type_status_date_evidence(kb: dict[str, Any]) -> None:
    g = parse_jsonld(formats.jsonld(kb))
    q = """PREFIX ag: <urn:armsgraph:vocab:>
           PREFIX schema: <https://schema.org/>
           SELECT ?type ?status ?date ?text ?doc WHERE {
             <urn:armsgraph:fact:F1> ag:type ?type ; ag:status ?status ; ag:date ?date ;
                                     ag:evidence ?e ; ag:supplier <urn:armsgraph:entity:E_BAY> .
             ?e schema:text ?text ; ag:document ?doc }"""
    rows: list[Any] = list(g.query(q))
    assert len(rows) == 2
    for r in rows:
        assert str(r[0]) == "supply" and str(r[1]) == "completed"
        assert str(r[2]) == "2020" and str(r[2].datatype).endswith("#gYear")
    assert {str(r[4]) for r in rows} == {"urn:armsgraph:document:d1", "urn:armsgraph:document:d2"}
    free: list[Any] = list(g.query("SELECT ?p WHERE { <urn:armsgraph:fact:F2> <urn:armsgraph:vocab:product> ?p }"))
    assert [str(r[0]) for r in free] == ["Akinci\ndrones"]


def test_jsonld_country_without_entity_gets_a_node(kb: dict[str, Any]) -> None:
    kb["entities"] = [e for e in kb["entities"] if e["id"] != "E_TUR"]
    for ev in kb["events"]:
        ev["roles"] = {r: [v for v in vals if v != "E_TUR"] for r, vals in ev["roles"].items()}
    g = parse_jsonld(formats.jsonld(kb))
    assert (ENT + "E_BAY", "urn:armsgraph:country:TUR") in pairs(g, "P17")


# ------------------------------------------------------------------ PLOVER / CAMEO

def test_plover_records(kb: dict[str, Any]) -> None:
    recs = {r["id"]: r for r in formats.plover(kb)}
    assert set(recs) == {"F1", "F2", "F3", "F4", "F5", "F6"}
    r = recs["F1"]
    assert (r["plover_type"], r["plover_mode"], r["cameo_code"], r["cameo_label"]) == (
        "AID", "military", "072", "Provide military aid")
    assert r["source"][0]["name"] == "Baykar" and r["source"][0]["code"] == "TUR" and r["source"][0]["sector"] == "BUS"
    assert r["recipient"][0]["name"] == "Azerbaijan" and r["recipient"][0]["code"] == "AZE"
    assert (r["type"], r["status"], r["date"], r["documents"]) == ("supply", "completed", "2020", ["d1", "d2"])
    assert (recs["F2"]["plover_type"], recs["F2"]["cameo_code"]) == ("AGREE", "0332")
    assert [a["name"] for a in recs["F2"]["source"]] == ["Baykar", "Türkiye"]
    assert (recs["F3"]["plover_type"], recs["F3"]["plover_context"], recs["F3"]["cameo_code"]) == (
        "COOPERATE", "military", "062")
    assert (recs["F4"]["plover_type"], recs["F4"]["cameo_code"]) == ("COOPERATE", "062")
    meeting = recs["F5"]  # in Baku: the Turkish minister visits, the Azerbaijani one hosts
    assert (meeting["plover_type"], meeting["plover_mode"], meeting["cameo_code"]) == ("CONSULT", "visit", "042")
    assert [a["name"] for a in meeting["source"]] == ["Haluk Görgün"]
    assert [a["name"] for a in meeting["recipient"]] == ["Zakir Hasanov"]
    combat = recs["F6"]  # a UCAV: "Employ aerial weapons"
    assert (combat["plover_type"], combat["plover_mode"], combat["cameo_code"]) == ("ASSAULT", "heavy-weapons", "195")
    assert combat["recipient"] == []
    json.dumps(list(recs.values()))  # JSON-ready


def test_plover_statuses_and_venues(kb: dict[str, Any]) -> None:
    ev = kb["events"]
    ev[2]["status"] = "announced"
    ev[3]["status"] = "cancelled"
    ev[4]["roles"]["location"] = []
    recs = {r["id"]: r for r in formats.plover(kb)}
    assert (recs["F3"]["plover_type"], recs["F3"]["cameo_code"]) == ("AGREE", "0312")
    assert (recs["F4"]["plover_type"], recs["F4"]["cameo_code"]) == ("REJECT", "1212")
    assert (recs["F5"]["cameo_code"], len(recs["F5"]["source"]), recs["F5"]["recipient"]) == ("040", 2, [])
    ev[4]["roles"]["location"] = ["E_X"]
    kb["entities"].append(entity("E_X", "LOCATION", "Geneva", "CHE"))
    assert {r["id"]: r for r in formats.plover(kb)}["F5"]["cameo_code"] == "044"


def test_plover_table_is_complete_and_cited() -> None:
    table = formats.plover_table()
    assert any("openeventdata/PLOVER" in s["url"] for s in table["sources"])
    assert any("CAMEO" in s["name"] and "1.1b3" in s["name"] for s in table["sources"])
    assert set(table["types"]) == set(EVENT_TYPES)
    rules = [r for spec in table["types"].values() for r in spec["status"].values()]
    rules += list(table["meeting_venue"].values()) + list(table["combat_category"].values())
    for rule in rules:
        assert rule["cameo"] in table["cameo"]
    for etype, spec in table["types"].items():
        assert "default" in spec["status"] and set(spec["status"]) <= {"default", *STATUSES}
        roles = [spec.get("pair"), spec.get("source"), spec.get("recipient")]
        assert {r for r in roles if r} & set(KEY_ROLES[etype]), etype


# ------------------------------------------------------------------ Parquet

def test_parquet_round_trip(kb: dict[str, Any], tmp_path: Path) -> None:
    ent_path, fact_path = formats.parquet(kb, tmp_path / "pq")
    assert ent_path.name == "entities.parquet" and fact_path.name == "facts.parquet"
    ents = pq.read_table(ent_path)
    assert ents.num_rows == 9
    assert ents.column_names == ["id", "type", "name", "wikidata", "country", "kb_id", "aliases", "documents",
                                 "mention_count"]
    assert ents.schema.field("aliases").type == pa.list_(pa.string())
    row = ents.to_pylist()[3]
    assert row["id"] == "E_TB2" and row["kb_id"] == "weapon/bayraktar-tb2" and row["aliases"] == ["Bayraktar TB2"]
    facts = pq.read_table(fact_path)
    assert facts.num_rows == 6
    for col in ("id", "type", "status", "date", "year", "confidence", "documents", "supplier", "recipient",
                "product", "parties", "evidence_texts"):
        assert col in facts.column_names
    assert facts.schema.field("supplier").type == pa.list_(pa.string())
    f1 = facts.to_pylist()[0]
    assert f1["supplier"] == ["E_BAY"] and f1["year"] == 2020 and f1["documents"] == ["d1", "d2"]
    assert f1["parties"] == [] and f1["statement_count"] == 2
    assert facts.to_pylist()[2]["date"] is None


# ------------------------------------------------------------------ robustness

def test_minimal_events_without_optional_keys(kb: dict[str, Any], tmp_path: Path) -> None:
    bare = copy.deepcopy(kb)
    bare["events"] = [{"id": e["id"], "type": e["type"], "roles": e["roles"]} for e in kb["events"]]
    bare["events"].append({"id": "F9", "type": "new_type", "roles": {"odd": ["x"]}})
    assert len(read_csv(formats.sipri_csv(bare, tmp_path / "s.csv"))[1]) == 2
    assert nx.read_graphml(formats.graphml(bare, tmp_path / "g.graphml")).number_of_edges() == 7
    assert nx.read_gexf(formats.gexf(bare, tmp_path / "g.gexf")).number_of_edges() == 7
    assert len(parse_jsonld(formats.jsonld(bare))) > 0
    assert len(formats.plover(bare)) == 6  # no mapping for an unknown type
    _, fact_path = formats.parquet(bare, tmp_path / "pq")
    table = pq.read_table(fact_path)
    assert table.num_rows == 7 and "odd" in table.column_names


# ------------------------------------------------------------------ the sample corpus

@pytest.fixture(scope="module")
def sample_kb(samples: Path, pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    store = Store(str(tmp_path_factory.mktemp("formats") / "samples.db"))
    try:
        report = ingest([samples], store, pipeline)
        assert report.ok and report.ingested
        yield knowledge_base(store)
    finally:
        store.close()


def test_sample_corpus_exports(sample_kb: dict[str, Any], tmp_path: Path) -> None:
    ents, events = sample_kb["entities"], sample_kb["events"]
    supplies = [e for e in events if e["type"] == "supply"]
    assert ents and supplies

    header, rows = read_csv(formats.sipri_csv(sample_kb, tmp_path / "sipri.csv"))
    assert header == list(formats.SIPRI_COLUMNS) and len(rows) == len(supplies)
    assert all(r["Supplier"] and r["Sources"] for r in rows)
    assert pacsv.read_csv(tmp_path / "sipri.csv").num_rows == len(supplies)

    g = formats.graph(sample_kb)
    for reader, path in ((nx.read_graphml, formats.graphml(sample_kb, tmp_path / "kb.graphml")),
                         (nx.read_gexf, formats.gexf(sample_kb, tmp_path / "kb.gexf"))):
        back = reader(path)
        assert back.number_of_nodes() == g.number_of_nodes() == len(ents)
        assert back.number_of_edges() == g.number_of_edges() > 0

    rdf = parse_jsonld(formats.jsonld(sample_kb))
    assert pairs(rdf, "P176") and pairs(rdf, "P17")
    makers: list[Any] = list(rdf.query(f"SELECT ?n WHERE {{ ?w <{WDT}P176> ?m . ?m <https://schema.org/name> ?n }}"))
    names = {str(r[0]) for r in makers}
    assert "Baykar" in names

    recs = formats.plover(sample_kb)
    assert len(recs) == len(events)
    table = formats.plover_table()
    assert all(r["cameo_label"] == table["cameo"][r["cameo_code"]] for r in recs)
    assert {r["plover_type"] for r in recs if r["type"] == "supply" and r["status"] == "completed"} == {"AID"}

    ent_path, fact_path = formats.parquet(sample_kb, tmp_path / "pq")
    assert pq.read_table(ent_path).num_rows == len(ents)
    facts = pq.read_table(fact_path)
    assert facts.num_rows == len(events)
    assert facts.column("id").to_pylist() == [e["id"] for e in events]
