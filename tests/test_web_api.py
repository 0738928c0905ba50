"""The web app's REST API and pages over the sample corpus (plus one hostile article):
every endpoint, pagination, 404s, the token rules of POST /api/ingest, security headers,
escaping of untrusted article text, errors without tracebacks, and a schemathesis run."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from armsgraph import Pipeline, Store, StoreError, ingest
from armsgraph.web import data as web_data
from armsgraph.web import exports
from armsgraph.web import pages as web_pages
from armsgraph.web.app import create_app
from tests.helpers import SAMPLES

with warnings.catch_warnings():
    # Starlette's TestClient warns on import that it will move from httpx to httpx2: not ours to fix
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

TOKEN = "s3cret-token-for-tests"
SAMPLE_DOCS = {"de-ua-jv", "feed-0001", "feed-0002", "id-tr-kaplan", "in-ph-brahmos", "pl-kr-k9", "tr-az-uav"}
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE documents;--"
INJECTION = (
    f"Hanwha Aerospace to supply K9 howitzers to Poland {SCRIPT}\n\n"
    "South Korea's Hanwha Aerospace signed a contract on Monday to supply 48 K9 howitzers to Poland, "
    f"the Polish defence ministry said {SCRIPT}.\n\n"
    f"The howitzers {IMG} will be delivered in 2026, officials said. {SQL}\n"
)
INJECTION_DOC = "inject"


# ------------------------------------------------------------------ the store (shared with the browser tests)
def web_store(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline, name: str) -> Path:
    """A private copy of a store holding the sample corpus and the hostile article `inject`.

    The store is built once per test session and copied for each module, so that the browser
    tests do not ingest the corpus a second time and no module sees another's writes.
    """
    base = tmp_path_factory.getbasetemp() / "web-store"
    db = base / "base.db"
    if not (base / "done").exists():
        base.mkdir(exist_ok=True)
        article = base / f"{INJECTION_DOC}.txt"
        article.write_text(INJECTION, encoding="utf-8")
        store = Store(str(db))
        report = ingest([SAMPLES, article], store, pipeline)
        store.close()
        assert report.ok and report.ingested == len(SAMPLE_DOCS) + 1, report.summary()
        (base / "done").touch()
    target = tmp_path_factory.mktemp(name) / "store.db"
    src, dst = sqlite3.connect(db), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("samples/corpus not found")
    return web_store(tmp_path_factory, pipeline, "web-api")


@pytest.fixture(scope="module")
def app(db: Path, pipeline: Pipeline) -> FastAPI:
    return create_app(str(db), token=TOKEN, pipeline=pipeline)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def readonly(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(db))) as c:
        yield c


def entity_id(client: TestClient, name: str) -> str:
    hits = client.get("/api/search", params={"q": name}).json()["entities"]
    exact = [e for e in hits if e["name"] == name]
    assert exact, f"no entity named {name!r} in {hits}"
    return str(exact[0]["id"])


def all_pages(client: TestClient, url: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = client.get(url, params={**params, "limit": limit, "offset": offset}).json()
        items += page["items"]
        offset += limit
        if offset >= page["total"]:
            assert len(items) == page["total"]
            return items


def table_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


# ------------------------------------------------------------------ schema and search
def test_openapi_is_served_and_the_cdn_docs_are_not(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/search", "/api/entities", "/api/entities/{entity_id}", "/api/entities/{entity_id}/neighbours",
                 "/api/facts", "/api/facts/{fact_id}", "/api/documents", "/api/documents/{doc_id}",
                 "/api/timeline", "/api/export/{fmt}", "/api/ingest"):
        assert path in spec["paths"], path
    assert not any(p.startswith(("/entity", "/fact/", "/document/", "/pair")) for p in spec["paths"])
    body = spec["paths"]["/api/ingest"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(body)
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_search_suggests_entities_by_prefix_alias_and_close_spelling(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "bayk"}).json()["entities"][0]["name"] == "Baykar"
    turkey = client.get("/api/search", params={"q": "Turkey"}).json()["entities"][0]
    assert (turkey["name"], turkey["matched"], turkey["type"]) == ("Türkiye", "Turkey", "COUNTRY")
    assert client.get("/api/search", params={"q": "Rheinmetal"}).json()["entities"][0]["name"] == "Rheinmetall"
    assert len(client.get("/api/search", params={"q": "a", "limit": 3}).json()["entities"]) <= 3


def test_search_finds_evidence_sentences_by_full_text(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "howitzers Poland"}).json()["evidence"]
    assert hits
    for h in hits:
        assert {"howitzers", "poland"} <= set(re.findall(r"\w+", h["text"].lower()))
        assert h["fact_id"] and h["doc_id"]
    assert client.get("/api/search", params={"q": "zzzqqq"}).json() == {"q": "zzzqqq", "entities": [], "evidence": []}


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 201}, {"q": "x", "limit": 0}, {"q": "x", "limit": 51}])
def test_search_rejects_bad_parameters(client: TestClient, params: dict[str, Any]) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == 422
    assert r.json()["status"] == 422 and r.json()["error"].startswith("invalid request")


# ------------------------------------------------------------------ entities
def test_entities_are_paginated_with_a_total(client: TestClient) -> None:
    first = client.get("/api/entities", params={"limit": 5}).json()
    assert (first["limit"], first["offset"], len(first["items"])) == (5, 0, 5)
    everything = all_pages(client, "/api/entities", 7)
    assert len({e["id"] for e in everything}) == first["total"]
    assert everything[:5] == first["items"]
    mentions = [e["mentions"] for e in everything]
    assert mentions == sorted(mentions, reverse=True)
    past = client.get("/api/entities", params={"offset": first["total"] + 10}).json()
    assert past["items"] == [] and past["total"] == first["total"]


def test_entities_filter_by_type(client: TestClient) -> None:
    countries = client.get("/api/entities", params={"type": "COUNTRY", "limit": 500}).json()["items"]
    assert countries and {e["type"] for e in countries} == {"COUNTRY"}
    assert {"Poland", "Türkiye", "Azerbaijan"} <= {e["name"] for e in countries}
    assert client.get("/api/entities", params={"type": "SPACESHIP"}).status_code == 422


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}])
def test_pagination_parameters_are_validated(client: TestClient, params: dict[str, Any]) -> None:
    for url in ("/api/entities", "/api/facts", "/api/documents"):
        assert client.get(url, params=params).status_code == 422, (url, params)


def test_entity_has_aliases_wikidata_documents_and_facts(client: TestClient) -> None:
    e = client.get(f"/api/entities/{entity_id(client, 'Türkiye')}").json()
    assert e["wikidata"] == "Q43" and e["type"] == "COUNTRY"
    assert {"Turkey", "Türkiye"} <= set(e["aliases"])
    assert {d["id"] for d in e["documents"]} >= {"feed-0001", "tr-az-uav"}
    assert e["facts"] and all(f["citations"] for f in e["facts"])
    for f in e["facts"]:
        assert any(e["id"] in ids for ids in f["role_ids"].values())
        assert "credibility" in f and "history" in f
    assert e["fact_total"] == len(e["facts"]) and e["document_total"] == len(e["documents"])
    assert e["mentions"] == sum(d["mentions"] for d in e["documents"])


def test_an_entity_page_shows_the_newest_facts_and_counts_all(client: TestClient,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from armsgraph.web import data

    turkey = entity_id(client, "Türkiye")
    full = client.get(f"/api/entities/{turkey}").json()
    assert len(full["facts"]) > 2 and len(full["documents"]) > 2
    monkeypatch.setattr(data, "ENTITY_PAGE_ITEMS", 2)
    e = client.get(f"/api/entities/{turkey}").json()
    assert [f["id"] for f in e["facts"]] == [f["id"] for f in full["facts"][:2]]
    assert [d["id"] for d in e["documents"]] == [d["id"] for d in full["documents"][:2]]
    assert (e["fact_total"], e["document_total"], e["mentions"]) == (
        full["fact_total"], full["document_total"], full["mentions"])
    page = client.get(f"/entity/{turkey}").text
    assert f"{full['fact_total']} facts (the newest 2 below)" in page


def test_unknown_ids_are_404_in_json(client: TestClient) -> None:
    for url in ("/api/entities/Enothing", "/api/entities/Enothing/neighbours", "/api/facts/Fnothing",
                "/api/documents/nothing", "/api/documents/a/b/c", "/api/nothing"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["status"] == 404 and r.json()["error"]


def test_neighbours_form_a_graph_around_the_entity(client: TestClient) -> None:
    poland = entity_id(client, "Poland")
    g = client.get(f"/api/entities/{poland}/neighbours").json()
    assert g["nodes"][0]["id"] == poland and g["nodes"][0]["centre"]
    names = {n["name"] for n in g["nodes"]}
    assert {"Hanwha Aerospace", "South Korea"} <= names
    ids = {n["id"] for n in g["nodes"]}
    assert g["edges"] and all(e["source"] in ids and e["target"] in ids and e["facts"] >= 1 for e in g["edges"])
    assert any(poland in (e["source"], e["target"]) for e in g["edges"])
    small = client.get(f"/api/entities/{poland}/neighbours", params={"limit": 2}).json()
    assert len(small["nodes"]) == 3 and small["truncated"]


# ------------------------------------------------------------------ facts
def test_facts_are_paginated_and_filtered(client: TestClient) -> None:
    everything = all_pages(client, "/api/facts", 10)
    assert len({f["id"] for f in everything}) == len(everything) > 20
    supply = client.get("/api/facts", params={"type": "supply", "limit": 500}).json()
    assert supply["total"] and {f["type"] for f in supply["items"]} == {"supply"}
    done = client.get("/api/facts", params={"status": "completed", "limit": 500}).json()["items"]
    assert done and {f["status"] for f in done} == {"completed"}
    baykar = client.get("/api/facts", params={"entity": "Baykar", "limit": 500}).json()["items"]
    assert baykar and all(any("Baykar" in names for names in f["roles"].values()) for f in baykar)
    by_id = client.get("/api/facts", params={"entity": entity_id(client, "Baykar"), "limit": 500}).json()["items"]
    assert {f["id"] for f in by_id} == {f["id"] for f in baykar}


def test_facts_between_two_countries_and_in_a_period(client: TestClient) -> None:
    pair = client.get("/api/facts", params={"between": "Poland,South Korea", "limit": 500}).json()["items"]
    assert pair and any(f["type"] == "supply" for f in pair)
    since = client.get("/api/facts", params={"since": "2025-03", "limit": 500}).json()["items"]
    assert since and all(f["when"] >= "2025-03" for f in since)
    until = client.get("/api/facts", params={"until": "2022", "limit": 500}).json()["items"]
    assert until and all(f["when"][:4] <= "2022" for f in until)


@pytest.mark.parametrize(("params", "status"), [
    ({"between": "Poland"}, 422), ({"between": "Poland,South Korea,Japan"}, 422),
    ({"between": "Poland,Baykar"}, 400), ({"between": "Poland,Atlantis"}, 404),
    ({"entity": "Atlantis"}, 404), ({"type": "war"}, 422), ({"status": "rumoured"}, 422),
    ({"since": "March"}, 422), ({"until": "2025-3-1"}, 422),
])
def test_fact_filters_are_checked(client: TestClient, params: dict[str, str], status: int) -> None:
    r = client.get("/api/facts", params=params)
    assert r.status_code == status, r.text
    assert r.json()["error"]


def test_fact_has_assessment_and_citations_with_offsets_into_documents(client: TestClient) -> None:
    for item in client.get("/api/facts", params={"limit": 500}).json()["items"][:12]:
        f = client.get(f"/api/facts/{item['id']}").json()
        assert f["id"] == item["id"] and f["type"] == item["type"]
        assert f["credibility"]["code"] and f["corroboration"] >= 1 and isinstance(f["conflicts"], list)
        assert f["citations"]
        for c in f["citations"]:
            text = client.get(f"/api/documents/{c['doc_id']}").json()["text"]
            assert text[c["start"]:c["end"]] == c["text"]
        for role, members in f["entities"].items():
            assert [m["name"] for m in members] == f["roles"][role]


def test_timeline_lists_dated_facts_oldest_first(client: TestClient) -> None:
    for params in ({"entity": "Türkiye"}, {"between": "Poland,South Korea"}, {}):
        t = client.get("/api/timeline", params=params).json()
        assert t["items"], params
        whens = [i["when"] for i in t["items"]]
        assert whens == sorted(whens)
        assert all(i["dated_by"] in ("fact", "publication") for i in t["items"])
    everything = client.get("/api/timeline").json()
    assert everything["total"] + everything["undated"] == client.get("/api/facts").json()["total"]
    assert client.get("/api/timeline", params={"entity": "Atlantis"}).status_code == 404


# ------------------------------------------------------------------ documents
def test_documents_are_paginated_newest_first(client: TestClient) -> None:
    docs = all_pages(client, "/api/documents", 3)
    assert {d["id"] for d in docs} == SAMPLE_DOCS | {INJECTION_DOC}
    dated = [d["published"] for d in docs if d["published"]]
    assert dated == sorted(dated, reverse=True)


def test_document_has_text_zones_entities_with_mentions_and_events(client: TestClient) -> None:
    d = client.get("/api/documents/pl-kr-k9").json()
    assert d["title"].startswith("Hanwha Aerospace signs deal")
    assert d["zones"][0]["kind"] == "headline"
    assert all(0 <= z["start"] < z["end"] <= len(d["text"]) for z in d["zones"])
    names = {e["name"] for e in d["entities"]}
    assert {"Poland", "Hanwha Aerospace"} <= names
    for e in d["entities"]:
        assert all(d["text"][m["start"]:m["end"]] == m["text"] for m in e["mentions"])
    assert d["events"]
    for ev in d["events"]:
        assert ev["fact_id"].startswith("F")
        assert all(d["text"][x["start"]:x["end"]] == x["text"] for x in ev["evidence"])


# ------------------------------------------------------------------ exports
def test_export_jsonl_and_kb_json(client: TestClient) -> None:
    r = client.get("/api/export/jsonl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in r.headers["content-disposition"]
    records = [json.loads(line) for line in r.text.splitlines()]
    assert {rec["doc_id"] for rec in records} == SAMPLE_DOCS | {INJECTION_DOC}
    kb = client.get("/api/export/kb-json").json()
    assert kb["entities"] and kb["events"]
    assert {e["id"] for e in kb["events"]} == {f["id"] for f in client.get("/api/facts?limit=500").json()["items"]}
    r = client.get("/api/export/nonsense")
    assert r.status_code == 404 and "jsonl" in r.json()["error"]


@pytest.mark.skipif(not exports.extra_names(), reason="armsgraph.export.formats is not installed")
def test_export_analyst_formats(client: TestClient) -> None:
    csv = client.get("/api/export/csv")
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("Supplier,Recipient")
    for fmt, marker in (("graphml", "<graphml"), ("gexf", "<gexf")):
        r = client.get(f"/api/export/{fmt}")
        assert r.status_code == 200 and marker in r.text, fmt
    assert "@context" in client.get("/api/export/jsonld").json()
    parquet = client.get("/api/export/parquet")
    assert parquet.headers["content-type"] == "application/zip"
    assert set(zipfile.ZipFile(io.BytesIO(parquet.content)).namelist()) == {"entities.parquet", "facts.parquet"}


# ------------------------------------------------------------------ POST /api/ingest
ARTICLE = ("Rheinmetall to build ammunition plant in Lithuania\n\n"
           "Germany's Rheinmetall will build an ammunition plant in Lithuania, the Lithuanian defence ministry "
           "said on Tuesday. Construction is to start next year.\n")


def test_a_read_only_server_needs_an_existing_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        create_app(str(tmp_path / "missing.db"))
    assert not (tmp_path / "missing.db").exists()
    create_app(str(tmp_path / "new.db"), token=TOKEN).state.web.store.close()  # a writable one may start empty


def test_ingest_is_forbidden_on_a_read_only_server(readonly: TestClient) -> None:
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        r = readonly.post("/api/ingest", json={"text": ARTICLE}, headers=headers)
        assert r.status_code == 403 and "read-only" in r.json()["error"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}])
def test_ingest_needs_the_token(client: TestClient, headers: dict[str, str]) -> None:
    r = client.post("/api/ingest", json={"text": ARTICLE, "id": "never-stored"}, headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/api/documents/never-stored").status_code == 404


def test_ingest_json_with_the_token_stores_and_serves_the_article(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = client.post("/api/ingest", json={"text": ARTICLE, "title": None, "id": "rh-lt-plant"}, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["ingested"] == 1 and r.json()["documents"][0]["id"] == "rh-lt-plant"
    doc = client.get("/api/documents/rh-lt-plant").json()
    assert doc["title"] == "Rheinmetall to build ammunition plant in Lithuania"
    assert "Rheinmetall" in {e["name"] for e in doc["entities"]}
    assert client.get("/document/rh-lt-plant").status_code == 200
    again = client.post("/api/ingest", json={"text": ARTICLE, "id": "rh-lt-plant"}, headers=auth)
    assert again.status_code == 200 and again.json()["unchanged"] == 1


def test_ingest_a_file_upload(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    text = ARTICLE.replace("Lithuania", "Latvia").encode()
    r = client.post("/api/ingest", files={"file": ("../../etc/rh lv.txt", text, "text/plain")}, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["documents"][0]["id"] == "rh-lv"  # the name is made safe: no path, no spaces
    assert "Latvia" in client.get("/api/documents/rh-lv").json()["text"]


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 422),
    ({"json": ["text"]}, 422),
    ({"json": {"title": "no text"}}, 422),
    ({"json": {"text": "   "}}, 422),
    ({"json": {"text": ARTICLE, "id": "../escape"}}, 422),
    ({"json": {"text": ARTICLE, "id": 5}}, 422),
    ({"json": {"text": ARTICLE, "published": "last week"}}, 422),
    ({"content": b"text", "headers": {"Content-Type": "text/plain"}}, 415),
    ({"files": {"file": ("article.pdf", b"%PDF-1.4", "application/pdf")}}, 415),
    ({"files": {"file": ("feed.txt", b"<?xml version='1.0'?><rss><channel><item><link>file:///etc/passwd</link>"
                                     b"</item></channel></rss>", "text/plain")}}, 422),
    ({"files": {"file": ("empty.txt", b"", "text/plain")}}, 422),
    ({"files": {"field": (None, "no file")}}, 422),
    ({"data": {"text": ARTICLE}}, 415),
])
def test_ingest_refuses_what_it_cannot_read(client: TestClient, kwargs: dict[str, Any], status: int) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", **kwargs.pop("headers", {})}
    before = client.get("/api/documents").json()["total"]
    r = client.post("/api/ingest", headers=headers, **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"] and "Traceback" not in r.text
    assert client.get("/api/documents").json()["total"] == before


def test_ingest_refuses_a_body_over_the_limit(app: FastAPI, client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state.web.ingester, "max_bytes", lambda: 1000)
    r = client.post("/api/ingest", json={"text": "x" * 70_000}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 413


# ------------------------------------------------------------------ pages, headers, escaping, errors
def page_urls(client: TestClient) -> list[str]:
    fact = client.get("/api/facts", params={"limit": 1}).json()["items"][0]["id"]
    return ["/", "/search?q=hanwha", "/entities", "/entities?type=COMPANY", "/facts", "/facts?type=supply",
            "/documents", f"/entity/{entity_id(client, 'Baykar')}", f"/fact/{fact}", "/document/pl-kr-k9",
            f"/pair/{entity_id(client, 'Poland')}/{entity_id(client, 'South Korea')}", "/nothing-here"]


def test_pages_render(client: TestClient) -> None:
    for url in page_urls(client)[:-1]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("text/html")
    baykar = client.get(f"/entity/{entity_id(client, 'Baykar')}").text
    assert 'id="graph"' in baykar and "timeline-svg" in baykar and "Bayraktar TB2" in baykar
    turkey = client.get(f"/entity/{entity_id(client, 'Türkiye')}").text
    assert 'href="https://www.wikidata.org/wiki/Q43"' in turkey and "/pair/" in turkey


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for url in [*page_urls(client), "/api/facts", "/api/nothing", "/static/app.js", "/openapi.json"]:
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'self'", url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert directives["script-src"] in ("'self'", "'none'"), url
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert r.headers["referrer-policy"] == "no-referrer", url


def test_pages_have_no_inline_script_style_or_handlers(client: TestClient) -> None:
    for url in page_urls(client):
        html = client.get(url).text
        if 'class="ag-bar"' in html:
            continue  # the dossier: its own inline styles, allowed by hash, and script-src 'none'
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"<style|\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert not re.search(r"""(src|href)=["']?(https?:)?//(?!www\.wikidata\.org)""", html), url  # no CDN


def test_pair_page_shows_the_dossier_or_the_facts(client: TestClient) -> None:
    poland, korea = entity_id(client, "Poland"), entity_id(client, "South Korea")
    r = client.get(f"/pair/{poland}/{korea}")
    assert r.status_code == 200 and "Poland" in r.text and "South Korea" in r.text
    assert client.get(f"/pair/{poland}/{entity_id(client, 'Baykar')}").status_code == 400
    assert client.get(f"/pair/{poland}/Enothing").status_code == 404
    by_name = client.get("/pair/Poland/South Korea")
    assert by_name.status_code == 200


def test_pair_page_without_the_dossier_module_lists_the_facts(client: TestClient,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_pages, "report", None)
    r = client.get(f"/pair/{entity_id(client, 'Poland')}/{entity_id(client, 'South Korea')}")
    assert r.status_code == 200 and "country pair" in r.text and "timeline-svg" in r.text
    assert 'class="fact"' in r.text and "default-src 'self'; script-src 'self'" in r.headers["content-security-policy"]


def test_an_entity_page_by_name_redirects_to_its_id(client: TestClient) -> None:
    r = client.get("/entity/Turkey", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == f"/entity/{entity_id(client, 'Türkiye')}"


def test_unknown_pages_are_404_in_html(client: TestClient) -> None:
    for url in ("/entity/Enothing", "/fact/Fnothing", "/document/nothing", "/pair/Atlantis/Poland", "/nothing"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.headers["content-type"].startswith("text/html")
        assert "Not found" in r.text


def test_a_crash_answers_without_a_traceback(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals at /srv/armsgraph/store.py line 42")

    monkeypatch.setattr(web_data, "document_list", boom)
    with TestClient(app, raise_server_exceptions=False) as crashing:
        for url, kind in (("/api/documents", "application/json"), ("/documents", "text/html")):
            r = crashing.get(url)
            assert r.status_code == 500, url
            assert r.headers["content-type"].startswith(kind)
            assert "Traceback" not in r.text and "secret internals" not in r.text and "store.py" not in r.text
            assert "internal error" in r.text
            assert "default-src 'self'" in r.headers["content-security-policy"]
            assert r.headers["x-content-type-options"] == "nosniff"


def injection_fact(client: TestClient) -> str:
    hits = client.get("/api/search", params={"q": "Polish defence ministry said alert"}).json()["evidence"]
    ids = [h["fact_id"] for h in hits if h["doc_id"] == INJECTION_DOC]
    assert ids, hits
    return str(ids[0])


def test_hostile_article_is_escaped_on_document_and_fact_pages(client: TestClient, db: Path) -> None:
    before = table_counts(db)
    assert before["documents"] == client.get("/api/documents").json()["total"]
    raw = client.get(f"/api/documents/{INJECTION_DOC}").json()["text"]
    assert SCRIPT in raw and IMG in raw and SQL in raw  # stored as written
    fact = client.get(f"/fact/{injection_fact(client)}").text
    doc = client.get(f"/document/{INJECTION_DOC}").text
    for html in (doc, fact):
        assert SCRIPT not in html and "<img src=x" not in html
        assert not re.search(r"<[^>]*\sonerror=", html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "&#39;; DROP TABLE documents;--" in html
        assert html.count("<script") == 1  # app.js only
    marks = re.findall(r'<mark data-cite="\d+">(.*?)</mark>', fact, re.DOTALL)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in m for m in marks)
    assert table_counts(db) == before


def test_hostile_queries_are_just_text(client: TestClient, db: Path) -> None:
    before = table_counts(db)
    for q in (SQL, SCRIPT, '" OR 1=1 --', "NEAR(a b)", "*", "%_%", "title:x", "\x00"):
        assert client.get("/api/search", params={"q": q}).status_code == 200, q
        page = client.get("/search", params={"q": q})
        assert page.status_code == 200 and SCRIPT not in page.text
    assert client.get("/api/facts", params={"entity": SQL}).status_code == 404
    assert client.get(f"/api/entities/{SQL}").status_code == 404
    assert client.get("/api/documents/' OR '1'='1").status_code == 404
    assert table_counts(db) == before


# ------------------------------------------------------------------ property-based: no 5xx anywhere
# The schema is read at import time from an app over an empty in-memory store (the OpenAPI document does
# not depend on the data); each generated request is then sent to the app over the sample store.
_schema_app = create_app("sqlite://", token=TOKEN)
schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app)
_schema_app.state.web.store.close()


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx(case: Any, app: FastAPI) -> None:
    case.call_and_validate(checks=[not_a_server_error], app=app)


@pytest.mark.parametrize("path", ["/facts?offset=9223372036854775808", "/documents?offset=99999999999999999999999",
                                  "/entities?offset=18446744073709551616", "/api/facts?offset=9223372036854775808"])
def test_a_huge_offset_is_refused_not_a_server_error(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert client.get("/api/entities?limit=1").status_code == 200  # the server still answers


@pytest.mark.parametrize("path", ["/", "/facts", "/api/entities?limit=2", "/static/app.css"])
def test_head_answers_where_get_does(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == 200 and head.status_code == 200
    assert head.content == b"" and head.headers.get("content-type") == got.headers.get("content-type")
    assert head.headers.get("content-length") == got.headers.get("content-length")
    assert client.head("/api/ingest").status_code == 405  # no GET there, so no HEAD either


def test_deeply_nested_json_is_a_clear_400_not_a_server_error(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    body = "[" * 200_000 + "]" * 200_000
    r = client.post("/api/ingest", content=body, headers=auth)
    assert 400 <= r.status_code < 500 and "nested too deeply" in r.text, r.text
