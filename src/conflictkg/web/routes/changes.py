"""``/changes``: the kept releases and what changed in each; ``/release/<version>/sparql``: query an older one.

Releases are kept beside the served one as ``releases/<version>/`` (datasets.changes). A version is
looked up among those directories only, so a path never leaves them. An older release is queried by its
own pool of one query worker (the same isolation and timeout as ``/sparql``), started on first use; at
most ``MAX_OLD_RELEASES`` such pools run, the least recently used is stopped first.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse

from conflictkg.datasets.changes import CHANGES_DIR, RELEASES_DIR, list_releases
from conflictkg.sparql.execute import Evaluator, QueryJob
from conflictkg.sparql.protocol import MAX_BODY_BYTES, ProtocolError, parse_request
from conflictkg.store import Store, StoreError
from conflictkg.web.site import site_of

router = APIRouter()

MAX_OLD_RELEASES = 2
CHANGE_FILES = {"diff.rdfp.gz": "application/gzip", "changelog.ttl": "text/turtle", "summary.json": "application/json"}
_LOCK = asyncio.Lock()


def releases_dir(request: Request) -> Path | None:
    """Where the served release's siblings are kept (None when serving plain files)."""
    release_dir = getattr(request.app.state.config, "release_dir", None)
    if release_dir is None or request.app.state.config.files:
        return None
    return Path(release_dir).resolve().parent / RELEASES_DIR


def _release(request: Request, version: str) -> Path:
    kept = releases_dir(request)
    for release in list_releases(kept) if kept is not None else []:
        if release.version == version:
            return kept / version  # type: ignore[operator]
    raise HTTPException(404, f"no kept release {version!r}; /changes lists them")


@router.api_route("/changes", methods=["GET", "HEAD"], include_in_schema=False)
def changes(request: Request) -> Response:
    """The kept releases, newest first, with their changes (HTML, or JSON for ``Accept: application/json``)."""
    kept = releases_dir(request)
    releases = list_releases(kept) if kept is not None else []
    site = site_of(request)
    if "application/json" in request.headers.get("accept", "") or request.query_params.get("format") == "json":
        return JSONResponse({"current": site.version, "releases": [r.to_json() for r in releases]})
    return site.templates.TemplateResponse(
        request, "changes.html",
        {"releases": releases, "current": site.version, "serving_files": bool(request.app.state.config.files)},
    )


@router.api_route("/changes/{version}/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def change_file(request: Request, version: str, name: str) -> Response:
    """One file of a kept release's changes: the RDF Patch diff, the changelog or the summary."""
    if name not in CHANGE_FILES:
        raise HTTPException(404, f"no change file {name!r}; there are {', '.join(CHANGE_FILES)}")
    path = _release(request, version) / CHANGES_DIR / name
    if not path.is_file():
        raise HTTPException(404, f"release {version} records no changes (built before they were kept)")
    return FileResponse(path, media_type=CHANGE_FILES[name])


def _evaluator(request: Request, version: str) -> Evaluator:
    """The query threads of an older release, started on first use (least recently used stopped)."""
    path = _release(request, version)
    state = request.app.state
    pools: OrderedDict[str, Evaluator] = getattr(state, "release_evaluators", None) or OrderedDict()
    state.release_evaluators = pools
    if version in pools:
        pools.move_to_end(version)
        return pools[version]
    while len(pools) >= MAX_OLD_RELEASES:
        _, oldest = pools.popitem(last=False)
        oldest.close()
    try:
        store = Store.open(path, (), state.config.store_cache)
    except StoreError as exc:
        raise HTTPException(503, f"release {version} cannot be opened: {exc}") from None
    evaluator = Evaluator(store, threads=1, timeout=state.config.query_timeout,
                          max_result_rows=state.config.max_result_rows)
    evaluator.start()
    pools[version] = evaluator
    return evaluator


@router.api_route("/release/{version}/sparql", methods=["GET", "HEAD", "POST"], include_in_schema=False)
async def release_sparql(request: Request, version: str) -> Response:
    """SPARQL 1.1 Protocol query operation on a kept release (its default graph: its asserted graphs)."""
    body = b""
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise ProtocolError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    operation = parse_request(request.method, request.query_params.multi_items(), request.headers.get("content-type"),
                              body, max_query_length=request.app.state.config.max_query_length)
    if operation.query is None:
        raise HTTPException(400, f"missing query parameter: ask /release/{version}/sparql?query=…")
    async with _LOCK:
        evaluator = _evaluator(request, version)
    answer = await evaluator.evaluate(QueryJob(
        operation.query, operation.default_graph, operation.named_graphs, operation.inference,
        base_iri=str(request.url).split("?")[0], accept=request.headers.get("accept"),
        formats=tuple(operation.formats), head=request.method == "HEAD"))
    if request.method == "HEAD":
        return Response(media_type=answer.fmt.content_type)
    if answer.rest is None:
        return Response(answer.body, media_type=answer.fmt.content_type)
    rest = answer.rest

    async def stream() -> AsyncIterator[bytes]:
        yield answer.body
        async for chunk in rest:
            yield chunk

    return StreamingResponse(stream(), media_type=answer.fmt.content_type)


def close_release_evaluators(state: object) -> None:
    """Stop the older releases' query threads (the app's lifespan calls this on shutdown)."""
    for evaluator in list((getattr(state, "release_evaluators", None) or {}).values()):
        evaluator.close()
