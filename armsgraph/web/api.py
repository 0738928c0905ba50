"""The REST API under /api: JSON answers over the store, one article upload behind a bearer token."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from armsgraph import export, query
from armsgraph.model import ENTITY_TYPES, EVENT_TYPES, STATUSES
from armsgraph.web import data, exports
from armsgraph.web.uploads import Upload, UploadError, from_json, from_multipart

router = APIRouter(prefix="/api")
bearer = HTTPBearer(auto_error=False, description="the token the server was started with")

EntityType = Literal[ENTITY_TYPES]  # type: ignore[valid-type]
FactType = Literal[EVENT_TYPES]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Limit = Annotated[int, Query(ge=1, le=500, description="at most this many items")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="skip this many items")]
Between = Annotated[str | None, Query(max_length=400, description="two countries, ids or names: 'A,B'",
                                      examples=["Poland,South Korea"])]
IsoPrefix = Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                        description="an ISO date or prefix: 2025, 2025-03, 2025-03-14")]
Ref = Annotated[str | None, Query(max_length=300, description="an entity id or any of its names")]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a parameter that cannot be answered (e.g. a pair that is not two countries)"},
    404: {"description": "unknown id or name"},
    422: {"description": "invalid parameters"},
}


def ctx(request: Request) -> Any:
    return request.app.state.web


Ctx = Annotated[Any, Depends(ctx)]


def _between(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise HTTPException(422, "between takes two countries separated by a comma: 'A,B'")
    return parts[0], parts[1]


def _page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset:offset + limit]}


# ------------------------------------------------------------------ search
@router.get("/search", tags=["search"], responses=ERRORS)
def search(c: Ctx, q: Annotated[str, Query(min_length=1, max_length=200, description="what to look for")],
           limit: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    """Entities by name (prefix, word prefix or close spelling: for suggestions) and evidence
    sentences that contain every word of `q` (full text)."""
    return {"q": q, "entities": data.suggest(c.store, q, limit),
            "evidence": query.search(c.store, q, limit)}


# ------------------------------------------------------------------ entities
@router.get("/entities", tags=["entities"], responses=ERRORS)
def entities(c: Ctx, type_: Annotated[EntityType | None, Query(alias="type")] = None,
             limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Entities by number of mentions, with their type, Wikidata id, country and document count."""
    return data.entity_list(c.store, type_, limit, offset)


@router.get("/entities/{entity_id}", tags=["entities"], responses=ERRORS)
def entity(c: Ctx, entity_id: Annotated[str, Path(max_length=300)]) -> dict[str, Any]:
    """One entity: every name it was seen under, Wikidata id, documents, and the facts it is part of."""
    detail = data.entity_detail(c.store, entity_id)
    known = data.known_ids(c.store, detail["facts"])
    return {**detail, "facts": [data.fact_dict(v, known) for v in detail["facts"]]}


@router.get("/entities/{entity_id}/neighbours", tags=["entities"], responses=ERRORS)
def neighbours(c: Ctx, entity_id: Annotated[str, Path(max_length=300)],
               limit: Annotated[int, Query(ge=1, le=200)] = 40) -> dict[str, Any]:
    """The entity's partners as a graph: nodes (the entity first) and edges between entities that
    share facts, each with how many facts and of which types."""
    return data.neighbourhood(c.store, entity_id, limit)


# ------------------------------------------------------------------ facts
@router.get("/facts", tags=["facts"], responses=ERRORS)
def facts(c: Ctx, type_: Annotated[FactType | None, Query(alias="type")] = None, status: Status | None = None,
          entity: Ref = None, between: Between = None, since: IsoPrefix = None, until: IsoPrefix = None,
          limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Fused facts with citations and assessment, filtered by type, status, entity, a country pair
    and a date range (the fact's date, else its earliest article's; ISO prefixes compare)."""
    filters = data.fact_filters(c.store, entity=entity, type_=type_, status=status, between=_between(between),
                                since=since, until=until)
    views = query.facts(c.store, **filters, limit=limit, offset=offset)
    known = data.known_ids(c.store, views)
    return {"total": query.count_facts(c.store, **filters), "limit": limit, "offset": offset,
            "items": [data.fact_dict(v, known) for v in views]}


@router.get("/facts/{fact_id}", tags=["facts"], responses=ERRORS)
def fact(c: Ctx, fact_id: Annotated[str, Path(max_length=300)]) -> dict[str, Any]:
    """One fact: roles, status, assessment (history, conflicts, corroboration, Admiralty code) and every
    citation with its document id and character offsets into the document's text."""
    view = data.fact(c.store, fact_id)
    return data.fact_dict(view, data.known_ids(c.store, [view]))


@router.get("/timeline", tags=["facts"], responses=ERRORS)
def timeline(c: Ctx, entity: Ref = None, between: Between = None, type_: Annotated[FactType | None,
             Query(alias="type")] = None, since: IsoPrefix = None, until: IsoPrefix = None) -> dict[str, Any]:
    """Dated facts, oldest first: of an entity, of a country pair, or all of them."""
    views = data.fact_list(c.store, entity=entity, type_=type_, status=None, between=_between(between),
                           since=since, until=until)
    items = data.timeline(views)
    return {"total": len(items), "undated": len(views) - len(items), "items": items}


# ------------------------------------------------------------------ documents
@router.get("/documents", tags=["documents"], responses=ERRORS)
def documents(c: Ctx, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Documents, newest first."""
    return data.document_list(c.store, limit, offset)


@router.get("/documents/{doc_id:path}", tags=["documents"], responses=ERRORS)
def document(c: Ctx, doc_id: Annotated[str, Path(max_length=500)]) -> dict[str, Any]:
    """One document: its cleaned text, zones, entities with their mentions (offsets into the text)
    and the events it states, each with its fact id and evidence."""
    return data.document(c.store, doc_id)


# ------------------------------------------------------------------ export
@router.get("/export/{fmt}", tags=["export"], responses={**ERRORS, 200: {
    "description": "the export as a file", "content": {"application/json": {}, "application/x-ndjson": {}}}})
def export_as(c: Ctx, fmt: Annotated[str, Path(max_length=20, description="jsonl, kb-json" + (
        ", " + ", ".join(exports.extra_names()) if exports.extra_names() else ""))]) -> Response:
    """Every document's record (jsonl, ontology.md), or the fused knowledge base (kb-json and the
    analysts' formats when installed)."""
    if fmt == "jsonl":
        def lines() -> Iterator[bytes]:
            for record in export.records(c.store):
                yield (json.dumps(record, ensure_ascii=False) + "\n").encode()
        return StreamingResponse(lines(), media_type="application/x-ndjson",
                                 headers={"Content-Disposition": 'attachment; filename="armsgraph.jsonl"'})
    if fmt == "kb-json":
        return JSONResponse(export.knowledge_base(c.store),
                            headers={"Content-Disposition": 'attachment; filename="armsgraph-kb.json"'})
    made = exports.render(c.store, fmt)
    if made is None:
        names = ", ".join(["jsonl", "kb-json", *exports.extra_names()])
        raise HTTPException(404, f"no export format {fmt!r}; formats: {names}")
    body, media_type, suffix = made
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="armsgraph.{suffix}"'})


# ------------------------------------------------------------------ ingest
_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "one article: .txt (headline first), .html or .jsonl"}}}},
        "application/json": {"schema": {
            "type": "object",
            "properties": {"text": {"type": "string"}, "html": {"type": "string"}, "title": {"type": "string"},
                           "id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"},
                           "url": {"type": "string"}, "published": {"type": "string", "format": "date"}},
            "required": ["text"]}},
    },
}


def authorize(c: Any, credentials: HTTPAuthorizationCredentials | None) -> None:
    if c.token is None:
        raise HTTPException(403, "this server is read-only; start it with a token to accept articles")
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "send 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(credentials.credentials.encode(), c.token.encode()):
        raise HTTPException(401, "wrong token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise UploadError(f"the request is over the {limit:,}-byte limit", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise UploadError(f"the request is over the {limit:,}-byte limit", 413)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/ingest", tags=["ingest"], status_code=201, openapi_extra={"requestBody": _UPLOAD_BODY},
             responses={200: {"description": "the article was already stored unchanged"},
                        201: {"description": "the article was stored"},
                        401: {"description": "no or wrong bearer token"},
                        403: {"description": "the server is read-only (started without a token)"},
                        413: {"description": "too large"}, 415: {"description": "not an article file"},
                        422: {"description": "the article could not be read"}})
async def ingest_article(request: Request, c: Ctx,
                         credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Response:
    """Read one article into the store, as `armsgraph ingest` would: a multipart upload (field
    `file`: .txt, .html or .jsonl) or a JSON object {"text", "title", "id", "url", "published"}."""
    authorize(c, credentials)
    body = await _body(request, c.ingester.max_bytes() + 65_536)
    content_type = request.headers.get("content-type", "")
    upload: Upload
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        upload = from_multipart(content_type, body)
    elif content_type.split(";")[0].strip().lower() in ("application/json", ""):
        upload = from_json(body)
    else:
        raise UploadError("send multipart/form-data (a 'file' field) or application/json", 415)
    outcome = await run_in_threadpool(c.ingester.run, upload)
    result = {**outcome.summary, "problems": outcome.problems,
              "documents": [{"id": d, "page": f"/document/{d}", "api": f"/api/documents/{d}"}
                            for d in outcome.documents]}
    if not outcome.documents:
        return JSONResponse({"error": "the article was not stored", "status": 422, **result}, status_code=422)
    stored = outcome.summary["ingested"] + outcome.summary["duplicate"]
    return JSONResponse(result, status_code=201 if stored else 200)
