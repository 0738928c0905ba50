"""The HTML pages: home, search, entities, facts, documents, country pairs."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from armsgraph import query
from armsgraph.errors import ArmsgraphError
from armsgraph.model import ENTITY_TYPES, EVENT_TYPES, STATUSES
from armsgraph.ontology import ONTOLOGY
from armsgraph.query import FactView
from armsgraph.store import Store
from armsgraph.web import data
from armsgraph.web.api import Offset as PageOffset
from armsgraph.web.render import STATIC, templates

try:
    from armsgraph import report
except ImportError:  # pragma: no cover - the dossier module is optional
    report = None  # type: ignore[assignment]

router = APIRouter(include_in_schema=False)
PAGE = 50


def ctx(request: Request) -> Any:
    return request.app.state.web


Ctx = Annotated[Any, Depends(ctx)]


def page(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context))


def _facts_by_type(views: list[FactView]) -> list[tuple[str, list[FactView]]]:
    order = {t: i for i, t in enumerate(EVENT_TYPES)}
    groups: dict[str, list[FactView]] = {}
    for v in views:
        groups.setdefault(v.type, []).append(v)
    for vs in groups.values():
        vs.sort(key=lambda v: (data.when(v) or "0000", v.id), reverse=True)
    return sorted(groups.items(), key=lambda g: order.get(g[0], len(order)))


def _roles(views: list[FactView], known: set[str]) -> dict[str, list[tuple[str, list[tuple[str | None, str]]]]]:
    """Per fact, its roles in key order, each a list of (entity id or None, name)."""
    out = {}
    for v in views:
        keys = ONTOLOGY.key_roles.get(v.type, ())
        names = sorted(v.roles, key=lambda r: (r not in keys, keys.index(r) if r in keys else 0, r))
        out[v.id] = [(r, [(i if i in known else None, n)
                          for i, n in zip(v.role_ids.get(r, []), v.roles[r], strict=False)]) for r in names]
    return out


def _fact_context(store: Store, views: list[FactView]) -> dict[str, Any]:
    return {"roles": _roles(views, data.known_ids(store, views)), "when": {v.id: data.when(v) for v in views},
            "summary": {v.id: data.summary(v) for v in views}}


@router.get("/", response_class=HTMLResponse)
def home(c: Ctx) -> HTMLResponse:
    ents = query.entities(c.store)
    docs = data.document_list(c.store, 8, 0)
    counts = query.fact_counts(c.store)
    recent = [v for v in query.facts(c.store, limit=8) if data.when(v)]  # newest first
    return page("home.html", entities=ents[:24], entity_total=len(ents), documents=docs,
                fact_total=sum(counts.values()),
                fact_counts=[(t, counts[t]) for t in EVENT_TYPES if t in counts], recent=recent,
                **_fact_context(c.store, recent))


@router.get("/search", response_class=HTMLResponse)
def search(c: Ctx, q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    ents = data.suggest(c.store, q, 30) if q.strip() else []
    hits = query.search(c.store, q, 50) if q.strip() else []
    return page("search.html", q=q, entities=ents, hits=hits)


@router.get("/entities", response_class=HTMLResponse)
def entity_index(c: Ctx, type_: Annotated[str | None, Query(alias="type", max_length=20)] = None,
                 offset: PageOffset = 0) -> HTMLResponse:
    chosen = type_.upper() if type_ and type_.upper() in ENTITY_TYPES else None
    listing = data.entity_list(c.store, chosen, PAGE, offset)
    return page("entities.html", listing=listing, type=chosen, types=ENTITY_TYPES)


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity(c: Ctx, entity_id: str) -> Response:
    try:
        detail = data.entity_detail(c.store, entity_id)
    except data.NotFound:  # a name typed into the address bar: to the entity it names
        ent = data.resolve_entity(c.store, entity_id)
        return RedirectResponse(f"/entity/{quote(ent['id'], safe='')}", status_code=307)
    views: list[FactView] = detail["facts"]
    items = data.timeline(views)
    graph = data.neighbourhood(c.store, entity_id, 40)
    return page("entity.html", e=detail, groups=_facts_by_type(views), chart=data.chart(items),
                undated=len(views) - len(items), partners=graph["nodes"][1:], pairs=_pairs(c.store, detail, views),
                **_fact_context(c.store, views))


def _pairs(store: Store, ent: dict[str, Any], views: list[FactView]) -> list[dict[str, Any]]:
    """For a country: the other countries its facts connect it with, by number of facts."""
    if ent["type"] != "COUNTRY" or not ent["country"]:
        return []
    ids = {i for v in views for r in ONTOLOGY.key_roles.get(v.type, ()) for i in v.role_ids.get(r, [])}
    country_of = {e["id"]: e["country"] for e in query.entities(store) if e["id"] in ids and e["country"]}
    countries = {e["country"]: e for e in query.entities(store, "COUNTRY") if e["country"]}
    counts: dict[str, int] = {}
    for v in views:
        keys = ONTOLOGY.key_roles.get(v.type, ())
        codes = {country_of[i] for r in keys for i in v.role_ids.get(r, []) if i in country_of}
        if ent["country"] in codes:
            for code in codes - {ent["country"]}:
                counts[code] = counts.get(code, 0) + 1
    return [{**countries[code], "facts": n} for code, n in sorted(counts.items(), key=lambda x: -x[1])
            if code in countries]


@router.get("/facts", response_class=HTMLResponse)
def fact_index(c: Ctx, type_: Annotated[str | None, Query(alias="type", max_length=30)] = None,
               status: Annotated[str | None, Query(max_length=30)] = None,
               offset: PageOffset = 0) -> HTMLResponse:
    chosen = type_ if type_ in EVENT_TYPES else None
    st = status if status in STATUSES else None
    shown = query.facts(c.store, type_=chosen, status=st, limit=PAGE, offset=offset)
    total = query.count_facts(c.store, type_=chosen, status=st)
    return page("facts.html", facts=shown, total=total, offset=offset, limit=PAGE, type=chosen, status=st,
                types=EVENT_TYPES, statuses=STATUSES, **_fact_context(c.store, shown))


@router.get("/fact/{fact_id}", response_class=HTMLResponse)
def fact(c: Ctx, fact_id: str) -> HTMLResponse:
    view = data.fact(c.store, fact_id)
    by_doc: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for n, cite in enumerate(view.citations, 1):
        by_doc.setdefault(cite["doc_id"], []).append((n, cite))
    articles: list[dict[str, Any]] = []
    for doc_id, cites in by_doc.items():
        doc = data.document(c.store, doc_id)
        spans = [(ci["start"], ci["end"], "mark", str(n), "") for n, ci in cites]
        text = data.fold_blocks(data.blocks(doc["text"], doc["zones"], spans))
        articles.append({"doc": doc, "citations": cites, "blocks": text})
    articles.sort(key=lambda a: (a["doc"]["published"] is None, a["doc"]["published"] or "", a["doc"]["id"]))
    assessment = view.assessment.as_dict()
    return page("fact.html", f=view, a=assessment, articles=articles, **_fact_context(c.store, [view]))


@router.get("/documents", response_class=HTMLResponse)
def document_index(c: Ctx, offset: PageOffset = 0) -> HTMLResponse:
    return page("documents.html", listing=data.document_list(c.store, PAGE, offset))


@router.get("/document/{doc_id:path}", response_class=HTMLResponse)
def document(c: Ctx, doc_id: str) -> HTMLResponse:
    doc = data.document(c.store, doc_id)
    spans = [(m["start"], m["end"], "mention", e["id"], e["type"]) for e in doc["entities"] for m in e["mentions"]]
    return page("document.html", doc=doc, blocks=data.blocks(doc["text"], doc["zones"], spans))


_STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_STYLE_ELEM = re.compile(r"<style[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def dossier_csp(markup: str) -> str:
    """The CSP of a dossier page: no script at all; exactly its own inline styles, allowed by hash."""
    elems = sorted({_sha256(m) for m in _STYLE_ELEM.findall(markup)})
    attrs = sorted({_sha256(html.unescape(a or b)) for a, b in _STYLE_ATTR.findall(markup)})
    attr_src = " ".join(["'unsafe-hashes'", *attrs]) if attrs else "'none'"
    elem_src = " ".join(["'self'", *elems])
    return ("default-src 'self'; script-src 'none'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'; style-src 'self'; "
            f"style-src-elem {elem_src}; style-src-attr {attr_src}")


@router.get("/pair/{a}/{b}", response_class=HTMLResponse)
def pair(c: Ctx, a: str, b: str) -> Response:
    names = data.pair_names(c.store, a, b)
    ents = [data.resolve_entity(c.store, n) for n in names]
    views = query.facts(c.store, between=names)
    if report is not None and views:
        try:
            markup = report.dossier(c.store, between=names).html()
        except ArmsgraphError:
            markup = ""
        if markup:
            bar = templates.get_template("dossier_bar.html").render(a=ents[0], b=ents[1])
            markup = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + bar, markup, count=1)
            markup = markup.replace("</head>", '<link rel="stylesheet" href="/static/dossier-bar.css">\n</head>', 1)
            return HTMLResponse(markup, headers={"Content-Security-Policy": dossier_csp(markup)})
    items = data.timeline(views)
    return page("pair.html", a=ents[0], b=ents[1], groups=_facts_by_type(views), chart=data.chart(items),
                undated=len(views) - len(items), **_fact_context(c.store, views))


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")
