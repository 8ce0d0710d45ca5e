"""SPARQL 1.1 Protocol request parsing: which query, against which dataset, in which format.

The three query operations (GET ``?query=``, POST form, POST ``application/sparql-query``) become one
``ProtocolRequest``; everything the protocol forbids becomes a ``ProtocolError`` with a 4xx status and a
message a person can act on. The endpoint is read-only: every form of update (``update=``,
``application/sparql-update``, ``using-graph-uri``, an update sent as a query) is refused before any
evaluation, and so are texts the engine cannot safely be given (query_text: nesting, SERVICE).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox

from conflictkg.sparql.query_text import calls_service, is_update, too_deep

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted (a query text, form-encoded or direct)."""
MAX_QUERY_LENGTH = 256 * 1024
"""Longest query text accepted, in characters, unless the server is configured otherwise (413 beyond)."""

FORM = "application/x-www-form-urlencoded"
DIRECT_QUERY = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"

UPDATE_PARAMETERS = ("update", "using-graph-uri", "using-named-graph-uri")
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
NO_SERVICE = "federated queries (SERVICE) are not supported: this endpoint does not call other endpoints"
_UTF8_NAMES = {"utf-8", "utf8"}
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


class ProtocolError(Exception):
    """A request the protocol does not allow; ``status`` is the 4xx to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ProtocolRequest:
    """A query operation as the protocol defines it.

    ``query`` is None for a GET without a query (the service description). ``default_graph`` and
    ``named_graphs`` are None when the protocol names no dataset; when it names either, both are lists
    (possibly empty) and they replace any FROM / FROM NAMED in the query. ``inference`` adds the
    inferred graph to the endpoint's default graph. ``formats`` are the ``format`` parameter's values
    (the first usable one overrides Accept).
    """

    query: str | None
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    inference: bool = False
    formats: tuple[str, ...] = ()


def media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type header into its lower-cased media type and parameters."""
    if not content_type:
        return "", {}
    media, *raw_params = content_type.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        key, _, value = raw.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), params


def _require_utf8(params: Mapping[str, str], what: str) -> None:
    charset = params.get("charset")
    if charset is not None and charset.lower() not in _UTF8_NAMES:
        raise ProtocolError(415, f"{what} must be UTF-8 (got charset={charset[:40]!r})")


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 (byte {exc.start})") from None


def _single(values: Sequence[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"give at most one {name!r} parameter (got {len(values)})")
    return values[0] if values else None


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ProtocolError(400, f"{name} must be true or false (got {value[:40]!r})")


def _check_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise ProtocolError(400, f"graph name {iri[:200]!r} is not an IRI: {exc}") from None


def _screen(query: str, max_length: int) -> None:
    """Refuse an empty query, an update, a query too long or nested too deeply to parse safely, and SERVICE."""
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    if is_update(query):
        raise ProtocolError(403, READ_ONLY)
    if len(query) > max_length:
        raise ProtocolError(413, f"the query is {len(query)} characters long; this endpoint accepts at most {max_length}")
    reason = too_deep(query)
    if reason is not None:
        raise ProtocolError(400, reason)
    if calls_service(query):
        raise ProtocolError(400, NO_SERVICE)


def parse_request(
    method: str,
    url_params: Sequence[tuple[str, str]],
    content_type: str | None,
    body: bytes,
    max_query_length: int = MAX_QUERY_LENGTH,
) -> ProtocolRequest:
    """Turn an HTTP request to the endpoint into a query operation, or raise ProtocolError.

    A POST must carry a query (a GET without one asks for the service description); a query longer
    than ``max_query_length`` characters is refused before it is parsed."""
    params = list(url_params)
    if method in ("GET", "HEAD"):
        pass
    elif method == "POST":
        if len(body) > MAX_BODY_BYTES:
            raise ProtocolError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        kind, ct_params = media_type(content_type)
        if kind == FORM:
            _require_utf8(ct_params, "a form body")
            try:
                form = parse_qsl(_decode(body, "the form body"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the form body's percent-encoding is not valid UTF-8") from None
            params.extend(form)
        elif kind == DIRECT_QUERY:
            _require_utf8(ct_params, "a query body")
            params.append(("query", _decode(body, "the query body")))
        elif kind == DIRECT_UPDATE:
            raise ProtocolError(403, READ_ONLY)
        elif not kind:
            raise ProtocolError(
                415, f"a POST needs a Content-Type: {FORM} or {DIRECT_QUERY} (none was given)"
            )
        else:
            raise ProtocolError(415, f"unsupported Content-Type {kind[:80]!r}; use {FORM} or {DIRECT_QUERY}")
    else:
        raise ProtocolError(405, f"method {method} is not allowed; use GET or POST")

    values: dict[str, list[str]] = {}
    for key, value in params:
        values.setdefault(key, []).append(value)
    if any(name in values for name in UPDATE_PARAMETERS):
        raise ProtocolError(403, READ_ONLY)
    query = _single(values.get("query", []), "query")
    if query is None and method == "POST":
        raise ProtocolError(
            400, f"a POST to the endpoint needs a query: a form field 'query' ({FORM}) or a {DIRECT_QUERY} body"
        )
    if query is not None:
        _screen(query, max_query_length)
    default_graph = values.get("default-graph-uri")
    named_graphs = values.get("named-graph-uri")
    if default_graph is not None or named_graphs is not None:
        default_graph, named_graphs = default_graph or [], named_graphs or []
        for iri in (*default_graph, *named_graphs):
            _check_iri(iri)
    return ProtocolRequest(
        query=query,
        default_graph=default_graph,
        named_graphs=named_graphs,
        inference=_flag(_single(values.get("inference", []), "inference"), "inference"),
        formats=tuple(values.get("format", [])),
    )
