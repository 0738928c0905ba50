"""The web app and REST API: `create_app(db, token)` builds it, `serve(db, ...)` runs it with uvicorn.

One `Store` per app. Without a token the app is read-only: POST /api/ingest answers 403.
With a token, writes need `Authorization: Bearer <token>` (401 otherwise).

Every response carries a strict Content-Security-Policy (scripts and styles only from
/static, nothing inline), X-Content-Type-Options and Referrer-Policy. Errors are a short
message, JSON under /api and HTML elsewhere, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from armsgraph import __version__
from armsgraph.errors import ArmsgraphError, StoreError
from armsgraph.pipeline import Pipeline
from armsgraph.store import Store
from armsgraph.web import api, pages
from armsgraph.web.data import BadRequest, NotFound
from armsgraph.web.render import STATIC, templates
from armsgraph.web.uploads import Ingester, UploadError

log = logging.getLogger("armsgraph.web")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class WebContext:
    """What the routes share: the store, the write token, the ingester."""

    def __init__(self, store: Store, token: str | None, pipeline: Pipeline | None = None) -> None:
        self.store = store
        self.token = token
        self.ingester = Ingester(store, pipeline)


class SecurityHeaders:
    """Adds the security headers to every response (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in self.headers if k not in have)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """HEAD answers where GET does (RFC 9110, 9.3.2): the GET route runs and its body is dropped,
    its headers (Content-Length among them) kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None,
                   detail: Any = None) -> Response:
    """A short message, JSON for the API and HTML for pages; never a traceback."""
    headers = {**SECURITY_HEADERS, **(headers or {})}
    if _wants_json(request):
        body: dict[str, Any] = {"error": message, "status": status}
        if detail is not None:
            body["detail"] = detail
        return JSONResponse(body, status_code=status, headers=headers)
    page = templates.get_template("error.html").render(status=status, message=message, request=request)
    return HTMLResponse(page, status_code=status, headers=headers)


_TITLES = {400: "bad request", 401: "authentication required", 403: "forbidden", 404: "not found",
           405: "method not allowed", 413: "too large", 415: "unsupported media type", 422: "invalid request",
           500: "internal error"}


def create_app(db: str, token: str | None = None, *, pipeline: Pipeline | None = None) -> FastAPI:
    """The web app over the store at `db` (a path or SQLAlchemy URL); writes need `token`.

    `pipeline` (optional) is a loaded `Pipeline` to ingest posted articles with; by default
    one is loaded on the first upload. Without a token, `db` must exist (a read-only server
    over an empty store is a mistake); raises `StoreError` otherwise.
    """
    if token is None and "://" not in db and db != ":memory:" and not Path(db).exists():
        # a read-only server over a database that does not exist would only ever show an empty one
        raise StoreError(f"no database at {db!r}; ingest articles into it first (armsgraph ingest ... --db {db})")
    store = Store(db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(title="armsgraph", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  summary="A source-cited knowledge graph of defence cooperation, read from the news.",
                  openapi_tags=[{"name": "search"}, {"name": "entities"}, {"name": "facts"},
                                {"name": "documents"}, {"name": "export"}, {"name": "ingest"}])
    app.state.web = WebContext(store, token or None, pipeline)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "error")
        return error_response(request, exc.status_code, message, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": str(e.get("msg", ""))}
                    for e in exc.errors()]
        text = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        return error_response(request, 422, f"invalid request: {text}", detail=problems)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return error_response(request, 404, str(exc))

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(UploadError)
    async def bad_upload(request: Request, exc: UploadError) -> Response:
        return error_response(request, exc.status, str(exc))

    @app.exception_handler(ArmsgraphError)
    async def armsgraph_error(request: Request, exc: ArmsgraphError) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
        return error_response(request, 500, "internal error; the server log has the details")

    return app


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None) -> None:
    """Run the app with uvicorn until interrupted (what `armsgraph serve` calls)."""
    import uvicorn

    uvicorn.run(create_app(db, token), host=host, port=port, proxy_headers=False, server_header=False,
                log_level="info")
