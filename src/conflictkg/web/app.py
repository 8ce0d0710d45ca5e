"""The FastAPI application: opens the store, starts the query threads, mounts the routers.

``/sparql`` is answered by a raw ASGI endpoint (sparql.endpoint) before the middleware stack, through
web.front (``ConflictKG.sparql_front``), and as the stack's innermost middleware when the front is off;
every other part of the server is a router listed in ``ROUTERS``; a new part adds its router there.
The app exposes ``app.state.config`` (ServerConfig), ``app.state.store`` (the read-only
Store, or under `serve --store` a remote_store.RemoteStore with the same query interface, for pages that
look resources up and for the query threads),
``app.state.dataset_summary`` and, while the app runs, ``app.state.evaluator`` (the query threads).
Exception handlers turn every refusal into a plain-text answer with the right status, so no request
ends in a traceback.
The query limits (web.limits) and the response policy (web.security: CORS, security headers) apply to
every route, /sparql included: one QueryLimiter and one ResponsePolicy per app, used by the front and by
the middleware around the routes. There is no /docs or /redoc (they load Swagger UI from a CDN, which an
offline server must not and its CSP does not allow); /openapi.json describes every route.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from conflictkg import __version__
from conflictkg.pipeline.release import MANIFEST, Release
from conflictkg.remote_store import RemoteStore, remote_timeout
from conflictkg.sparql.endpoint import PATHS as SPARQL_PATHS
from conflictkg.sparql.endpoint import SparqlEndpoint, SparqlFastPath
from conflictkg.sparql.execute import Evaluator, QueryFailed
from conflictkg.sparql.negotiate import NotAcceptable
from conflictkg.sparql.protocol import ProtocolError
from conflictkg.sparql.service import DatasetSummary
from conflictkg.store import Store, StoreUnavailable, release_default_graphs
from conflictkg.web.config import ServerConfig
from conflictkg.web.front import SparqlFront
from conflictkg.web.limits import QueryLimiter, QueryLimits
from conflictkg.web.openapi import install_openapi
from conflictkg.web.prepared import Prepared
from conflictkg.web.reconcile import router as reconcile_router
from conflictkg.web.routes import changes, documents, exports, home, release_files, resources
from conflictkg.web.routes.changes import close_release_evaluators
from conflictkg.web.security import ResponsePolicy, install_security
from conflictkg.web.site import STATIC_DIR, Site

log = logging.getLogger(__name__)

ROUTERS: list[APIRouter] = [reconcile_router]
"""The routers mounted on the app, in order."""

ALLOWED = "GET, HEAD, POST"


def create_app(
    config: ServerConfig, on_stuck: Callable[[], None] | None = None, store: Store | None = None,
    prepared: Prepared | None = None,
) -> FastAPI:
    """Build the app for ``config``; raises StoreError (with file and position) on unreadable data and
    ReleaseError on a release whose files differ from its manifest.

    ``on_stuck`` is called when a query thread cannot be stopped (sparql.execute); `conflictkg serve`
    passes the function that retires the process, and ``store``, the data its supervisor already loaded
    into memory, with what it ``prepared`` from it (web.serving); without a store the app opens the one
    ``config`` names.
    """
    if (config.store_path is None and config.store_url is None and config.release_dir is not None and not config.files
            and (Path(config.release_dir) / MANIFEST).is_file()):
        Release.open(config.release_dir).verify()  # `conflictkg serve` verified it once, before its processes
    if store is None:
        store = _open_store(config)
    app = ConflictKG(
        title="conflictkg",
        version=__version__,
        description="Armed-conflict events reported in the news, as linked data with a SPARQL endpoint.",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry={"tracing": False, "metrics": False, "logs": False},  # unused; checking it cost ~25 µs a request
    )
    app.state.config = config
    app.state.store = store
    app.state.on_stuck = on_stuck
    app.state.evaluator = None
    app.state.dataset_summary = DatasetSummary.of(store)
    endpoint = SparqlEndpoint()
    limiter = QueryLimiter(config.max_concurrent_queries, config.rate_limit, config.rate_burst)
    policy = ResponsePolicy(config.cors_origins)
    app.add_middleware(SparqlFastPath, endpoint=endpoint)  # first added, so innermost
    app.add_middleware(QueryLimits, limiter=limiter)
    install_security(app, policy)
    _install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.state.site = Site.from_config(store, config)
    if prepared is not None:
        app.state.site.overview = prepared.overview
        app.state.reconcile_service = prepared.reconciliation
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (home, resources, documents, release_files, exports, changes):
        app.include_router(module.router)
    install_openapi(app)
    app.sparql_front = SparqlFront(endpoint, limiter, policy)
    return app


class ConflictKG(FastAPI):
    """The app, with /sparql answered by ``sparql_front`` (web.front) before Starlette's middleware stack,
    under the same limiter and response policy as the routes; every other request goes through the stack.

    A middleware added after create_app (``add_middleware``) must wrap /sparql too, so adding one turns
    the front off: /sparql is then answered by SparqlFastPath, innermost in the stack, as before."""

    sparql_front: SparqlFront | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.sparql_front
        if front is not None and scope["type"] == "http" and scope["path"] in SPARQL_PATHS and scope["method"] != "OPTIONS":
            scope["app"] = self
            if self.root_path:
                scope["root_path"] = self.root_path
            await front(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def add_middleware(self, middleware_class: Any, *args: Any, **kwargs: Any) -> None:
        super().add_middleware(middleware_class, *args, **kwargs)
        self.sparql_front = None


def _open_store(config: ServerConfig) -> Store | RemoteStore:
    """The store of ``config``: an external one (``store_url``), the on-disk one already found for it,
    else found (or built) now."""
    if config.store_url is not None:
        return RemoteStore(config.store_url, timeout=remote_timeout(config.query_timeout),
                           connections=max(4, config.query_threads * 2), headers=config.store_headers,
                           max_rows=config.max_result_rows)
    if config.store_path is not None and not config.in_memory:
        release = config.release_dir is not None and not config.files
        return Store.reopen(config.store_path, release_default_graphs(config.release_dir) if release else None)
    return Store.open(config.release_dir, config.files, config.store_cache, in_memory=config.in_memory)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the query threads for as long as the app serves."""
    config: ServerConfig = app.state.config
    evaluator = Evaluator(
        app.state.store, threads=config.query_threads, timeout=config.query_timeout, on_stuck=app.state.on_stuck,
        max_result_rows=config.max_result_rows,
    )
    evaluator.start()
    app.state.evaluator = evaluator
    watch = None
    if isinstance(app.state.store, RemoteStore) and config.store_refresh > 0:
        watch = asyncio.create_task(_watch_publication(app, app.state.store, config.store_refresh))
    try:
        yield
    finally:
        if watch is not None:
            watch.cancel()
        app.state.evaluator = None
        evaluator.close()
        close_release_evaluators(app.state)
        if isinstance(app.state.store, RemoteStore):
            app.state.store.close()


async def _watch_publication(app: FastAPI, store: RemoteStore, every: float) -> None:
    """Every ``every`` seconds, read which release the external store holds; when another one has been
    published, this process retires (``on_stuck``: under `conflictkg serve` the supervisor starts a fresh
    one, which reads the new release's graphs and version), so no page is served with a stale ETag."""
    serving = store.version
    while True:
        await asyncio.sleep(every)
        try:
            live = await run_in_threadpool(store.live_version)
        except StoreUnavailable:
            continue  # the queries say so; the release is checked again next time
        if live != serving:
            log.warning("the store now holds release %s (this process serves %s): it restarts to serve it", live, serving)
            if app.state.on_stuck is not None:
                app.state.on_stuck()
            return


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProtocolError)
    async def protocol_error(_: Request, exc: ProtocolError) -> PlainTextResponse:
        return _plain(exc.status, exc.message, {"Allow": ALLOWED} if exc.status == 405 else None)

    @app.exception_handler(QueryFailed)
    async def query_failed(_: Request, exc: QueryFailed) -> PlainTextResponse:
        return _plain(exc.status, exc.message, {"Retry-After": "5"} if exc.status == 503 else None)

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(_: Request, exc: StoreUnavailable) -> PlainTextResponse:
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
