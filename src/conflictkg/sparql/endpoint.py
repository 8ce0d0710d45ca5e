"""The /sparql route: protocol parsing → evaluation in a worker → negotiated, streamed response.

The route reads what it needs from ``app.state``: ``executor`` (the worker pool) and
``dataset_summary`` (for the service description). Errors are raised as ``ProtocolError``,
``QueryFailed`` or ``NotAcceptable``; the app's exception handlers turn them into plain-text 4xx/503
answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from conflictkg.sparql.execute import QueryExecutor, QueryFailed, QueryJob
from conflictkg.sparql.negotiate import Format, NotAcceptable, choose
from conflictkg.sparql.protocol import MAX_BODY_BYTES, ProtocolError, ProtocolRequest, parse_request
from conflictkg.sparql.results import RDF_FORMATS, formats_for, serialize_rdf
from conflictkg.sparql.service import DatasetSummary, describe

router = APIRouter()

HTML = Format("html", "text/html", aliases=("application/xhtml+xml",))
SERVICE_FORMATS: tuple[Format, ...] = (*RDF_FORMATS, HTML)
"""The service description in RDF; a browser that prefers HTML is sent to the query UI."""

QUERY_UI = "/query"
VARY = {"Vary": "Accept"}
METHODS = ["GET", "HEAD", "POST"]


async def _read_body(request: Request) -> bytes:
    """The request body, refusing more than MAX_BODY_BYTES without reading it all into memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ProtocolError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > MAX_BODY_BYTES:
            raise ProtocolError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    return bytes(body)


@router.api_route("/sparql", methods=METHODS, name="sparql")
@router.api_route("/sparql/", methods=METHODS, include_in_schema=False)
async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol query operation (GET, POST form, POST direct); read-only."""
    body = await _read_body(request) if request.method == "POST" else b""
    operation = parse_request(
        request.method,
        request.query_params.multi_items(),
        request.headers.get("content-type"),
        body,
        max_query_length=request.app.state.config.max_query_length,
    )
    if operation.query is None:
        return _service_description(request, operation)
    return await _answer(request, operation)


async def _answer(request: Request, operation: ProtocolRequest) -> Response:
    """Evaluate on a worker, negotiate the format for the result's kind, and stream it.

    The first chunk is awaited before the response starts, so an evaluation error is still a 4xx/503.
    """
    executor: QueryExecutor | None = getattr(request.app.state, "executor", None)
    if executor is None:
        raise QueryFailed(503, "the query service is not running (the app's lifespan has not started)")
    assert operation.query is not None
    evaluation = await executor.evaluate(
        QueryJob(
            operation.query,
            operation.default_graph,
            operation.named_graphs,
            operation.inference,
            base_iri=f"{request.base_url}sparql",
        )
    )
    try:
        fmt = choose(request.headers.get("accept"), operation.formats, formats_for(evaluation.kind))
    except NotAcceptable:
        await evaluation.abandon()
        raise
    if request.method == "HEAD":
        await evaluation.abandon()
        return Response(media_type=fmt.content_type, headers=VARY)
    chunks = evaluation.stream(fmt.name)
    first = await anext(chunks, b"")
    return StreamingResponse(_prepend(first, chunks), media_type=fmt.content_type, headers=VARY)


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The first chunk (read before answering, so errors can still change the status), then the rest."""
    if first:
        yield first
    async for chunk in rest:
        yield chunk


def _service_description(request: Request, operation: ProtocolRequest) -> Response:
    """GET /sparql without a query: the Service Description in RDF, or the query UI for a browser."""
    fmt = choose(request.headers.get("accept"), operation.formats, SERVICE_FORMATS)
    if fmt is HTML:
        return RedirectResponse(QUERY_UI, status_code=303, headers=VARY)
    if request.method == "HEAD":
        return Response(media_type=fmt.content_type, headers=VARY)
    summary: DatasetSummary = request.app.state.dataset_summary
    base = str(request.base_url)
    body = serialize_rdf(describe(f"{base}sparql", f"{base}void", summary), fmt.name)
    return Response(body, media_type=fmt.content_type, headers=VARY)
