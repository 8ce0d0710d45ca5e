"""The /sparql endpoint as a raw ASGI application: protocol parsing → evaluation → streamed answer.

``SparqlEndpoint`` is called by the web layer's /sparql front, before any middleware (web.front), or by
``SparqlFastPath``, the app's innermost middleware; either way a query skips FastAPI's routing,
parameter validation and dependency machinery, which cost about 40 % of a small query's time
(shared/facts). A GET's parsed request is remembered by its query string (the screening of a query
text is the costliest step of parsing), and its QueryJob by what it is made of. It reads what it needs from ``app.state``: ``evaluator``
(the query threads) and ``dataset_summary`` (for the service description). Every refusal is a plain-text
answer with its status (4xx, or 503 with Retry-After); a streaming answer that must be cut off ends
the connection (QueryAborted), so the client never takes a truncated body for a whole one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from conflictkg.sparql.execute import Evaluator, QueryFailed, QueryJob
from conflictkg.sparql.negotiate import Format, NotAcceptable, choose
from conflictkg.sparql.protocol import MAX_BODY_BYTES, ProtocolError, ProtocolRequest, parse_request
from conflictkg.sparql.results import RDF_FORMATS, TRUNCATION_HEADER, serialize_rdf
from conflictkg.sparql.service import DatasetSummary, describe

K = TypeVar("K")
V = TypeVar("V")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

HTML = Format("html", "text/html", aliases=("application/xhtml+xml",))
SERVICE_FORMATS: tuple[Format, ...] = (*RDF_FORMATS, HTML)
"""The service description in RDF; a browser that prefers HTML is sent to the query UI."""

QUERY_UI = "/query"
PATHS = ("/sparql", "/sparql/")
ALLOWED = "GET, HEAD, POST"
METHODS = frozenset(ALLOWED.split(", "))
_VARY = (b"vary", b"Accept")
_TRUNCATION = TRUNCATION_HEADER.lower().encode()
_TEXT = b"text/plain; charset=utf-8"


PARSED_MEMORY = 1024
"""GET requests whose parsed form is remembered (query strings up to PARSED_MAX_BYTES)."""
PARSED_MAX_BYTES = 8192


class SparqlFastPath:
    """ASGI middleware answering ``/sparql`` and ``/sparql/`` with SparqlEndpoint; the rest goes on."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]],
                 endpoint: SparqlEndpoint | None = None) -> None:
        self.app = app
        self.endpoint = endpoint if endpoint is not None else SparqlEndpoint()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in PATHS:
            await self.endpoint(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class SparqlEndpoint:
    """SPARQL 1.1 Protocol query operation (GET, POST form, POST direct); read-only."""

    def __init__(self) -> None:
        self._bases: dict[tuple[str, bytes, str], str] = {}
        self._parsed: OrderedDict[tuple[str, bytes], ProtocolRequest | ProtocolError] = OrderedDict()
        self._jobs: OrderedDict[tuple[object, ...], tuple[ProtocolRequest, QueryJob]] = OrderedDict()
        self._max_query_length: int | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = _headers(scope)
        try:
            await self._answer(scope, receive, send, headers)
        except ProtocolError as exc:
            extra = [(b"allow", ALLOWED.encode())] if exc.status == 405 else []
            await send_plain(send, exc.status, exc.message, extra)
        except QueryFailed as exc:
            await send_plain(send, exc.status, exc.message, [(b"retry-after", b"5")] if exc.status == 503 else [])
        except NotAcceptable as exc:
            listing = "\n".join(f"  {media}" for media in exc.supported)
            await send_plain(send, 406, f"none of the requested formats can be produced; supported media types:\n{listing}")

    async def _answer(self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]) -> None:
        method = scope["method"]
        if method not in METHODS:
            raise ProtocolError(405, f"method {method} is not allowed; use GET or POST")
        if method == "POST":
            body = await _read_body(receive, headers)
            operation = _parse(method, scope.get("query_string", b""), _text(headers.get(b"content-type")), body,
                               self._max_length(scope))
            job = None
        else:
            operation, job = self._parse_get(scope, headers)
        if operation.query is None:
            await self._service_description(scope, send, headers, operation)
            return
        evaluator: Evaluator | None = getattr(scope["app"].state, "evaluator", None)
        if evaluator is None:
            raise QueryFailed(503, "the query service is not running (the app's lifespan has not started)")
        answer = await evaluator.evaluate(job if job is not None else self._job(scope, headers, operation))
        response_headers = [(b"content-type", answer.fmt.content_type.encode()), _VARY]
        if answer.truncated_after is not None:
            response_headers.append((_TRUNCATION, str(answer.truncated_after).encode()))
        if answer.rest is None:
            length = None if method == "HEAD" else len(answer.body)
            await _respond(send, 200, answer.body, response_headers, length)
            return
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        await send({"type": "http.response.body", "body": answer.body, "more_body": True})
        async for chunk in answer.rest:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def _service_description(
        self, scope: Scope, send: Send, headers: dict[bytes, bytes], operation: ProtocolRequest
    ) -> None:
        """GET /sparql without a query: the Service Description in RDF, or the query UI for a browser."""
        fmt = choose(_text(headers.get(b"accept")), operation.formats, SERVICE_FORMATS)
        if fmt is HTML:
            await _respond(send, 303, b"", [(b"location", QUERY_UI.encode()), _VARY])
            return
        body = b""
        if scope["method"] != "HEAD":
            summary: DatasetSummary = scope["app"].state.dataset_summary
            base = self._base(scope, headers)
            body = serialize_rdf(describe(f"{base}sparql", f"{base}void", summary), fmt.name)
        await _respond(send, 200, body, [(b"content-type", fmt.content_type.encode()), _VARY],
                       None if scope["method"] == "HEAD" else len(body))

    def _parse_get(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[ProtocolRequest, QueryJob | None]:
        """``parse_request`` for a GET or HEAD, and its QueryJob (None for the service description),
        both remembered: the parse by query string (refusals included), the job by what it is made of."""
        method, query_string = scope["method"], scope.get("query_string", b"")
        key = (method, query_string)
        if len(query_string) <= PARSED_MAX_BYTES:
            job_key = (method, query_string, headers.get(b"accept"), headers.get(b"host"), scope.get("scheme"),
                       scope.get("root_path"))
            prepared = self._jobs.get(job_key)
            if prepared is not None:
                return prepared
        known = self._parsed.get(key)
        if known is None:
            try:
                known = _parse(method, query_string, None, b"", self._max_length(scope))
            except ProtocolError as exc:
                known = exc
            if len(query_string) <= PARSED_MAX_BYTES:
                _remember(self._parsed, key, known)
        if isinstance(known, ProtocolError):
            raise ProtocolError(known.status, known.message)  # a fresh one: a raised exception keeps its traceback
        if known.query is None:
            return known, None
        job = self._job(scope, headers, known)
        if len(query_string) <= PARSED_MAX_BYTES:
            _remember(self._jobs, job_key, (known, job))
        return known, job

    def _job(self, scope: Scope, headers: dict[bytes, bytes], operation: ProtocolRequest) -> QueryJob:
        """What the evaluator runs for ``operation`` (a query), as this request asks for it."""
        return QueryJob(
            operation.query,  # type: ignore[arg-type]
            operation.default_graph,
            operation.named_graphs,
            operation.inference,
            base_iri=self._base(scope, headers) + "sparql",
            accept=_text(headers.get(b"accept")),
            formats=operation.formats,
            head=scope["method"] == "HEAD",
        )

    def _max_length(self, scope: Scope) -> int:
        """The longest query text the app's configuration accepts (413 beyond)."""
        if self._max_query_length is None:
            self._max_query_length = int(scope["app"].state.config.max_query_length)
        return self._max_query_length

    def _base(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        """The server's base URL as the client addressed it (as Starlette's ``request.base_url``)."""
        key = (scope.get("scheme", "http"), headers.get(b"host", b""), scope.get("root_path", ""))
        base = self._bases.get(key)
        if base is None:
            scheme, host, root = key
            if not host:
                server = scope.get("server")
                host = (f"{server[0]}:{server[1]}" if server else "localhost").encode()
            base = f"{scheme}://{host.decode('latin-1')}{root.rstrip('/')}/"
            if len(self._bases) < 1024:  # Host is client input: bound the memo
                self._bases[key] = base
        return base


def _parse(method: str, query_string: bytes, content_type: str | None, body: bytes,
           max_query_length: int) -> ProtocolRequest:
    """The protocol request (URL parameters decoded as Starlette decodes them)."""
    params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return parse_request(method, params, content_type, body, max_query_length=max_query_length)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    """The request headers this endpoint reads (first occurrence wins, as Starlette's ``headers.get``)."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in (b"accept", b"content-type", b"content-length", b"host") and name not in found:
            found[name] = value
    return found


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None


async def _read_body(receive: Receive, headers: dict[bytes, bytes]) -> bytes:
    """The request body, refusing more than MAX_BODY_BYTES without reading it all into memory."""
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ProtocolError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise QueryFailed(400, "the client disconnected before the request body was complete")
        body += message.get("body", b"")
        if len(body) > MAX_BODY_BYTES:
            raise ProtocolError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        if not message.get("more_body", False):
            return bytes(body)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]], length: int | None = 0
) -> None:
    """A whole answer; ``length`` is its Content-Length (None for a HEAD, which sends no body)."""
    if length is not None:
        headers = [*headers, (b"content-length", str(length).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def send_plain(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A plain-text refusal: the message on one or more lines, ending with a newline."""
    body = (message.rstrip() + "\n").encode("utf-8")
    await _respond(send, status, body, [(b"content-type", _TEXT), *(headers or [])], len(body))


def _remember(memo: OrderedDict[K, V], key: K, value: V) -> None:
    """Keep ``value`` under ``key``, forgetting the oldest entry beyond PARSED_MEMORY (a request line
    seen once in a while must not grow a process without bound)."""
    memo[key] = value
    if len(memo) > PARSED_MEMORY:
        memo.popitem(last=False)
