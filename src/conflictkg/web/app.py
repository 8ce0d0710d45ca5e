"""The FastAPI application: loads the store, starts the query workers, mounts the routers.

Every part of the server is a router listed in ``ROUTERS``; a new part adds its router there. The app
exposes ``app.state.config`` (ServerConfig), ``app.state.store`` (the read-only Store, for pages that
look resources up in-process), ``app.state.dataset_summary`` and, while the app runs,
``app.state.executor`` (the SPARQL worker pool). Exception handlers turn every refusal into a plain-text
answer with the right status, so no request ends in a traceback. Middleware wraps every route, /sparql
included: the query limits (web.limits), CORS and the security headers (web.security). There is no
/docs or /redoc (they load Swagger UI from a CDN, which an offline server must not and its CSP does not
allow); /openapi.json describes every route.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from conflictkg import __version__
from conflictkg.pipeline.release import MANIFEST, Release
from conflictkg.sparql.endpoint import router as sparql_router
from conflictkg.sparql.execute import QueryExecutor, QueryFailed
from conflictkg.sparql.negotiate import NotAcceptable
from conflictkg.sparql.protocol import ProtocolError
from conflictkg.sparql.service import DatasetSummary
from conflictkg.store import Store
from conflictkg.web.config import ServerConfig
from conflictkg.web.limits import QueryLimits
from conflictkg.web.openapi import install_openapi
from conflictkg.web.reconcile import router as reconcile_router
from conflictkg.web.routes.changes import close_release_executors
from conflictkg.web.security import install_security
from conflictkg.web.site import install_site

log = logging.getLogger(__name__)

ROUTERS: list[APIRouter] = [sparql_router, reconcile_router]
"""The routers mounted on the app, in order."""

ALLOWED = "GET, HEAD, POST"


def create_app(config: ServerConfig) -> FastAPI:
    """Build the app for ``config``; raises StoreError (with file and position) on unreadable data and
    ReleaseError on a release whose files differ from its manifest."""
    if config.release_dir is not None and not config.files and (Path(config.release_dir) / MANIFEST).is_file():
        Release.open(config.release_dir).verify()
    store = Store.open(config.release_dir, config.files)
    app = FastAPI(
        title="conflictkg",
        version=__version__,
        description="Armed-conflict events reported in the news, as linked data with a SPARQL endpoint.",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.config = config
    app.state.store = store
    app.state.dataset_summary = DatasetSummary.of(store)
    app.add_middleware(
        QueryLimits,
        max_concurrent=config.max_concurrent_queries,
        rate=config.rate_limit,
        burst=config.rate_burst,
    )
    install_security(app, config.cors_origins)
    _install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_site(app)
    install_openapi(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the SPARQL worker pool for as long as the app serves."""
    config: ServerConfig = app.state.config
    executor = QueryExecutor(
        config.release_dir,
        [p.resolve() for p in config.files],
        size=config.query_workers,
        timeout=config.query_timeout,
        max_result_rows=config.max_result_rows,
    )
    await executor.start()
    log.info("%d query workers ready (start-up %s s)", executor.size, [round(s, 2) for s in executor.startup_seconds])
    app.state.executor = executor
    try:
        yield
    finally:
        app.state.executor = None
        await executor.close()
        await close_release_executors(app.state)


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProtocolError)
    async def protocol_error(_: Request, exc: ProtocolError) -> PlainTextResponse:
        return _plain(exc.status, exc.message, {"Allow": ALLOWED} if exc.status == 405 else None)

    @app.exception_handler(QueryFailed)
    async def query_failed(_: Request, exc: QueryFailed) -> PlainTextResponse:
        return _plain(exc.status, exc.message, {"Retry-After": "5"} if exc.status == 503 else None)

    @app.exception_handler(NotAcceptable)
    async def not_acceptable(_: Request, exc: NotAcceptable) -> PlainTextResponse:
        listing = "\n".join(f"  {media}" for media in exc.supported)
        return _plain(406, f"none of the requested formats can be produced; supported media types:\n{listing}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> PlainTextResponse:
        return _plain(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> PlainTextResponse:
        return _plain(400, f"invalid request: {exc.errors()}")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> PlainTextResponse:
        log.error("unexpected error: %r", exc, exc_info=exc)
        return _plain(500, "internal error; the server log has the details")
