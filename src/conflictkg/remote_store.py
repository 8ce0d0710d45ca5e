"""A store reached over the SPARQL 1.1 Protocol: what `conflictkg serve --store URL` queries.

``RemoteStore`` has the query interface of ``store.Store``, so the SPARQL endpoint, the pages and the
reconciliation service run unchanged on an external store (Oxigraph's server, Virtuoso, GraphDB,
Neptune, QLever …) filled by `conflictkg publish --to`. Results come back as pyoxigraph objects
(solutions and booleans parsed from SPARQL JSON/XML, triples from N-Triples/Turtle), so the result
writers and the pages see what the embedded engine gives them.

Which graphs make the dataset is read from the store: the publication record (vocab.PUBLICATION_GRAPH)
names the live release's graphs and version. Every query is sent with that dataset as protocol
parameters: one ``default-graph-uri`` per asserted graph (plus the inferred graph with
``inference=true``) and one ``named-graph-uri`` per graph of the release, so ``GRAPH ?g`` ranges over
the release's graphs only (never the store's own system graphs), as with the embedded store. An empty
list is sent as a graph no store holds, since an absent parameter would mean "the store's default".

Each text is parsed locally by pyoxigraph before it is sent (an empty in-memory store plans it without
evaluating): the store never sees a text the embedded endpoint would refuse, an update included (some
stores run an update sent to their query endpoint), and the query's form tells how to read the answer.

Every failure to get an answer is a StoreUnavailable with the status a front-end answers with: 502
(unreachable, or the store failed), 503 (the store says it is busy), 504 (no answer within the
timeout); a query the store refuses as malformed is a SyntaxError, as from the embedded engine.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

import httpx
import pyoxigraph as ox

from conflictkg.query_rewrite import ELEMENT_KEYWORDS, hoist_required_patterns
from conflictkg.query_tokens import Token, tokenize
from conflictkg.store import StoreUnavailable
from conflictkg.vocab import DATASET_IRI, INFERRED_GRAPH, OWL, PUBLICATION_GRAPH, VOID, asserted_graphs

EMPTY_GRAPH = "urn:conflictkg:no-graph"
"""Sent as the only default or named graph when a dataset has none (no store holds it)."""

DATASET, VOID_SUBSET, VERSION_INFO = str(DATASET_IRI), str(VOID.subset), str(OWL.versionInfo)
"""The publication record's terms (publish.load writes them)."""

SOLUTIONS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
TRIPLES_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}

_PREFIXED_NAME = re.compile(r"(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:[\w.\-:%\u00b7\u00c0-\uffff]*")
_STAR = re.compile(r"(\*|(?<=\*)\.|\.(?=\*))")
_FROM_NAMED = re.compile(r"\bFROM\s+NAMED\s*<([^<>\"{}|^`\\\x00-\x20]*)>", re.IGNORECASE)
_PLANNER = ox.Store()
"""Empty: queries are parsed and planned against it, never evaluated (results are lazy)."""
_TRUE = ox.parse_query_results(b'{"head":{},"boolean":true}', format=ox.QueryResultsFormat.JSON)
_FALSE = ox.parse_query_results(b'{"head":{},"boolean":false}', format=ox.QueryResultsFormat.JSON)
_CHUNK = 64 * 1024


def remote_timeout(query_timeout: float) -> float:
    """How long a front-end waits for the store: a little less than a query may take, so that a slow
    store is reported as such (504) before the query's own deadline (503) passes."""
    return max(0.1, query_timeout * 0.9)


@dataclass(frozen=True)
class Publication:
    """The live release as the store's publication record names it."""

    version: str
    graphs: tuple[str, ...]

    @property
    def default_graphs(self) -> list[str]:
        """The asserted graphs: their union is the SPARQL default graph (vocab.is_asserted)."""
        return [str(g) for g in asserted_graphs(self.graphs)]


class RemoteStore:
    """A read-only dataset held by the store whose SPARQL 1.1 query endpoint is ``url``.

    ``timeout`` bounds each request (connecting, and the wait for each part of the answer); the client
    keeps up to ``connections`` idle connections open for reuse. The publication record is read on
    first use and kept (``live_version`` reads it afresh: the app restarts a process serving an older one).
    """

    local = False
    summary = None
    location = None

    def __init__(self, url: str, *, timeout: float = 30.0, connections: int = 16,
                 headers: dict[str, str] | None = None, max_rows: int | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.max_rows = max_rows
        """The front-end's own result cap: a store's cut at or below it is refused, never passed on silently."""
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            # No cap on open connections: a page may hold one result while it asks for the next, and
            # several pages at once waiting for a capped pool would wait for each other (measured: 8
            # concurrent pages, 4 connections, every one a 504). ``connections`` are kept alive for reuse.
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=connections),
            headers={"User-Agent": "conflictkg", **(headers or {})},
            follow_redirects=False,
            trust_env=False,
        )
        self._publication: Publication | None = None
        self._sizes: dict[str, int] | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    # -- the dataset -------------------------------------------------------------------------------

    @property
    def publication(self) -> Publication:
        """The live release's version and graphs (read once; StoreUnavailable if there is none)."""
        with self._lock:
            if self._publication is None:
                self._publication = self._read_publication()
            return self._publication

    def live_version(self) -> str:
        """The version the publication record names now (read afresh: a new release may have been published)."""
        return self._read_publication().version

    def _read_publication(self) -> Publication:
        rows = self._select(
            f"SELECT ?g ?v WHERE {{ GRAPH <{PUBLICATION_GRAPH}> {{ "
            f"{{ <{DATASET}> <{VOID_SUBSET}> ?g }} UNION {{ <{DATASET}> <{VERSION_INFO}> ?v }} }} }}",
            None, None,
        )
        graphs, versions = set(), set()
        for row in rows:
            if isinstance(row["g"], ox.NamedNode):
                graphs.add(row["g"].value)
            if isinstance(row["v"], ox.Literal):
                versions.add(row["v"].value)
        if not graphs or len(versions) != 1:
            raise StoreUnavailable(
                503, f"the store at {self.url} holds no conflictkg release (its graph <{PUBLICATION_GRAPH}> "
                "does not name one): load one with `conflictkg publish --to`")
        return Publication(versions.pop(), tuple(sorted(graphs)))

    @property
    def version(self) -> str:
        """The live release's version (the pages' ETag basis)."""
        return self.publication.version

    @property
    def default_graphs(self) -> list[str]:
        """Graph IRIs whose union is the default graph: the live release's asserted graphs."""
        return self.publication.default_graphs

    def graph_names(self) -> list[str]:
        """IRIs of the live release's graphs."""
        return list(self.publication.graphs)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per graph of the live release (counted by the store once)."""
        if self._sizes is None:
            rows = self._select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                                [EMPTY_GRAPH], self.graph_names())
            sizes = {g: 0 for g in self.graph_names()}
            sizes.update({row["g"].value: int(row["n"].value) for row in rows})  # type: ignore[union-attr]
            self._sizes = sizes
        return dict(self._sizes)

    def default_graph_size(self) -> int:
        """Triples in the default graph as queries see it (distinct across the merged graphs)."""
        rows = list(self.query("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT * { ?s ?p ?o } }"))  # type: ignore[call-overload]
        return int(rows[0]["n"].value)

    def triples(self, graph: str) -> Iterator[ox.Triple]:
        """The triples of one named graph of the release."""
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                            default_graph=[], named_graphs=[graph])
        return iter(result)  # type: ignore[arg-type]

    def graph_dump(self, graph: str, batch: int = 10_000) -> Iterator[bytes]:
        """One graph of the release as N-Triples, streamed from the store as it answers (parsed and written
        again, so what is sent is N-Triples whatever the store answers with). The request is made before
        the first chunk is asked for: a store that cannot answer raises StoreUnavailable here, before any
        byte is sent; one that breaks off later ends the stream early."""
        query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
        response = self._send(query, [EMPTY_GRAPH], [graph], TRIPLES_ACCEPT)
        fmt = RDF_FORMATS.get(_media_type(response))
        if fmt is None:
            response.close()
            raise StoreUnavailable(502, f"the store at {self.url} answered a CONSTRUCT query with "
                                        f"{_media_type(response) or 'no media type'}, not RDF")
        return self._dump(response, fmt, batch)

    def _dump(self, response: httpx.Response, fmt: ox.RdfFormat, batch: int) -> Iterator[bytes]:
        reader = _Reader(response, self)
        try:
            triples = (quad.triple for quad in ox.parse(reader, format=fmt))
            while chunk := list(islice(triples, batch)):
                yield ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
        except (SyntaxError, ValueError, OSError) as exc:
            raise reader.failure or StoreUnavailable(
                502, f"the store at {self.url} sent RDF that does not parse: {exc}") from None
        finally:
            response.close()

    # -- queries -----------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        include_inferred: bool = False,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | RemoteTriples:
        """Evaluate a query on the store, with ``Store.query``'s dataset rules: explicit
        ``default_graph``/``named_graphs`` (the protocol's dataset) win; else the default graph is the
        asserted graphs (plus the inferred one with ``include_inferred``) and the named graphs are the
        query's FROM NAMED, else every graph of the release.

        Raises SyntaxError for a text that is not a SPARQL query, StoreUnavailable when the store
        cannot answer."""
        form = _PLANNER.query(sparql, base_iri=base_iri)  # SyntaxError as the embedded engine says it
        graph, boolean = isinstance(form, ox.QueryTriples), isinstance(form, ox.QueryBoolean)
        del form  # pyoxigraph's results must be dropped on the thread that made them, not by a traceback
        if default_graph is None:
            default_graph = self.default_graphs + ([str(INFERRED_GRAPH)] if include_inferred else [])
        if named_graphs is None:
            named_graphs = _from_named(sparql) or self.graph_names()
        text = spell_out_closures(_hoisted(sparql, base_iri))
        text = f"BASE <{base_iri}>\n{text}" if base_iri else text
        if graph:
            return self._construct(text, default_graph, named_graphs)
        answer = self._solutions(text, default_graph, named_graphs)
        if boolean and not isinstance(answer, ox.QueryBoolean):
            return _as_boolean(answer)
        return answer

    def _select(self, text: str, default_graph: Sequence[str] | None,
                named_graphs: Sequence[str] | None) -> list[ox.QuerySolution]:
        """A SELECT read whole (the store's own bookkeeping queries: small)."""
        answer = self._solutions(text, default_graph, named_graphs)
        if not isinstance(answer, ox.QuerySolutions):
            raise StoreUnavailable(502, f"the store at {self.url} answered a SELECT query with a boolean")
        return list(answer)

    def _solutions(self, text: str, default_graph: Sequence[str] | None,
                   named_graphs: Sequence[str] | None) -> ox.QuerySolutions | ox.QueryBoolean:
        """SELECT or ASK: the answer parsed as it streams in."""
        response = self._send(text, default_graph, named_graphs, SOLUTIONS_ACCEPT)
        media = _media_type(response)
        fmt = RESULT_FORMATS.get(media)
        if fmt is None:
            response.close()
            raise StoreUnavailable(502, f"the store at {self.url} answered with {media or 'no media type'}, "
                                        "not SPARQL results (is the URL its query endpoint?)")
        reader = _Reader(response, self)
        try:
            return ox.parse_query_results(reader, format=fmt)
        except (SyntaxError, ValueError, OSError) as exc:
            response.close()
            raise reader.failure or StoreUnavailable(
                502, f"the store at {self.url} sent results that do not parse: {exc}") from None

    def _construct(self, text: str, default_graph: Sequence[str],
                   named_graphs: Sequence[str]) -> RemoteTriples:
        """CONSTRUCT or DESCRIBE: the triples, read whole."""
        response = self._send(text, default_graph, named_graphs, TRIPLES_ACCEPT)
        media = _media_type(response)
        fmt = RDF_FORMATS.get(media)
        if fmt is None:
            response.close()
            raise StoreUnavailable(502, f"the store at {self.url} answered a CONSTRUCT query with "
                                        f"{media or 'no media type'}, not RDF")
        reader = _Reader(response, self)
        try:
            return RemoteTriples([quad.triple for quad in ox.parse(reader, format=fmt)])
        except (SyntaxError, ValueError, OSError) as exc:
            raise reader.failure or StoreUnavailable(
                502, f"the store at {self.url} sent RDF that does not parse: {exc}") from None
        finally:
            response.close()

    def _send(self, text: str, default_graph: Sequence[str] | None, named_graphs: Sequence[str] | None,
              accept: str) -> httpx.Response:
        """POST the query (form-encoded, so long datasets fit) and return the streaming response once its
        status is 200; every other outcome is a StoreUnavailable or, for a refused text, a SyntaxError."""
        form: list[tuple[str, str]] = [("query", text)]
        if default_graph is not None or named_graphs is not None:
            form += [("default-graph-uri", g) for g in list(default_graph or []) or [EMPTY_GRAPH]]
            form += [("named-graph-uri", g) for g in list(named_graphs or []) or [EMPTY_GRAPH]]
        request = self._client.build_request("POST", self.url, data=dict(_grouped(form)),
                                             headers={"Accept": accept})
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise StoreUnavailable(504, f"the store at {self.url} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreUnavailable(502, f"the store at {self.url} cannot be reached: {_reason(exc)}") from None
        if response.status_code == 200:
            self._check_complete(response)
            return response
        try:
            detail = " ".join(response.read()[:400].decode("utf-8", "replace").split())
        except httpx.HTTPError:
            detail = ""
        finally:
            response.close()
        status = response.status_code
        if status == 400:
            raise SyntaxError(f"the store refused the query: {detail or 'HTTP 400'}")
        said = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status in (503, 429):
            raise StoreUnavailable(503, f"the store at {self.url} is busy ({said}); try again")
        if status == 504:
            raise StoreUnavailable(504, f"the store at {self.url} did not answer in time ({said})")
        if status in (401, 403):
            raise StoreUnavailable(502, f"the store at {self.url} refused access ({said}): check its "
                                        "permissions or the credentials given to serve --store")
        raise StoreUnavailable(502, f"the store at {self.url} failed to answer ({said})")

    def _check_complete(self, response: httpx.Response) -> None:
        """Virtuoso cuts a result at its ResultSetMaxRows without a word in the body, and says so in the
        header X-SPARQL-MaxRows; an "anytime" query past its MaxQueryExecutionTime answers what it has,
        with X-SQL-State: S1TAT. Passed on, either would be a silent cut: refused, unless the front-end's
        own cap is below the store's (then the cut the client sees is ours, and marked)."""
        if response.headers.get("x-sql-state", "").strip().upper() == "S1TAT":  # an "anytime" query's partial result
            response.close()
            raise StoreUnavailable(504, f"the store at {self.url} stopped the query at its own time limit and "
                                        "offered a partial result, which is not passed on; simplify the query")
        declared = response.headers.get("x-sparql-maxrows", "").strip()
        if not declared.isdigit() or (self.max_rows is not None and self.max_rows < int(declared)):
            return
        response.close()
        raise StoreUnavailable(502, f"the store at {self.url} cut the result at its own limit of {declared} rows "
                                    "(Virtuoso: ResultSetMaxRows); add a LIMIT below it, or raise the store's limit")

    def read_failed(self, exc: Exception) -> StoreUnavailable:
        """What a failure while reading an answer means for the client."""
        if isinstance(exc, httpx.TimeoutException):
            return StoreUnavailable(504, f"the store at {self.url} stopped sending its answer for {self.timeout:g} s")
        return StoreUnavailable(502, f"the store at {self.url} broke off its answer: {_reason(exc)}")


class RemoteTriples:
    """A CONSTRUCT or DESCRIBE answer from the store: its triples, in the store's order (what
    ``ox.QueryTriples`` is for the embedded engine; plain Python data, so any thread may drop it)."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)


class _Reader:
    """A streaming response as the binary reader pyoxigraph's parsers pull from; the connection goes
    back to the pool at the end of the answer, or when the parsed result is dropped unfinished."""

    def __init__(self, response: httpx.Response, store: RemoteStore) -> None:
        self._chunks = response.iter_raw(_CHUNK) if _identity(response) else response.iter_bytes(_CHUNK)
        self._buffer = b""
        self._store = store
        self._response = response
        self.failure: StoreUnavailable | None = None
        weakref.finalize(self, response.close)

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                self._response.close()
                return b""
            except httpx.HTTPError as exc:
                self._response.close()
                self.failure = self._store.read_failed(exc)
                raise self.failure from None
        if size is None or size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def _identity(response: httpx.Response) -> bool:
    return response.headers.get("content-encoding", "identity").strip().lower() in ("", "identity")


def _grouped(form: list[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """Repeated form fields as httpx wants them (one key, a list of values), in first-seen order."""
    values: dict[str, list[str]] = {}
    for key, value in form:
        values.setdefault(key, []).append(value)
    yield from values.items()


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _from_named(sparql: str) -> list[str]:
    """The query's own FROM NAMED graphs (written as full IRIs), which the embedded engine keeps."""
    return _FROM_NAMED.findall(sparql)


def _hoisted(sparql: str, base_iri: str | None) -> str:
    """The text with required patterns hoisted above OPTIONALs (query_rewrite: standard SPARQL, same
    answers), unless the rewritten form does not parse, when the text goes as written."""
    planned = hoist_required_patterns(sparql)
    if planned is sparql:
        return sparql
    try:
        _PLANNER.query(planned, base_iri=base_iri)
    except SyntaxError:
        return sparql
    return planned


def spell_out_closures(sparql: str) -> str:
    """``sparql`` with each statement ``?v p* C`` (or ``C p* ?v``; ``p`` one IRI, ``C`` an IRI) written
    ``{ ?v p+ C } UNION { BIND(C AS ?v) }``: the same answers by the definition of ``*``, but Virtuoso 7
    loses rows on the first form when other patterns also bind ``?v`` and ``?v`` is projected
    (openlink/virtuoso-opensource #704, #127; two competency queries came back empty)."""
    if "*" not in sparql:
        return sparql
    tokens = _closure_tokens(sparql)
    out: list[str] = []
    cursor = 0
    for i in range(1, len(tokens) - 4):
        subject, path, star, obj, after = (t.text for t in tokens[i:i + 5])
        if star != "*" or tokens[i - 1].text not in ("{", ".") or not _is_iri(path) or tokens[i].start < cursor:
            continue
        if after not in (".", "}") and after.upper() not in ELEMENT_KEYWORDS:
            continue
        if subject[:1] in "?$" and _is_iri(obj):
            variable, constant = subject, obj
        elif obj[:1] in "?$" and _is_iri(subject):
            variable, constant = obj, subject
        else:
            continue
        out.append(sparql[cursor:tokens[i].start])
        out.append(f"{{ {subject} {path}+ {obj} }} UNION {{ BIND({constant} AS {variable}) }}")
        cursor = tokens[i + 3].end
    return "".join(out) + sparql[cursor:] if out else sparql


def _closure_tokens(sparql: str) -> list[Token]:
    """The query's tokens with every ``*`` outside strings and IRIs a token of its own (and a ``.`` next
    to it), so that a path ``p*`` reads as ``p``, ``*`` however it is spaced."""
    tokens: list[Token] = []
    for token in tokenize(sparql):
        if "*" not in token.text or token.text[0] in "<\"'":
            tokens.append(token)
            continue
        start = token.start
        for piece in _STAR.split(token.text):
            if piece:
                tokens.append(Token(piece, start, start + len(piece)))
            start += len(piece)
    return tokens


def _is_iri(token: str) -> bool:
    """An IRI or a prefixed name (not a variable, literal, blank node or keyword)."""
    if token.startswith("<"):
        return token.endswith(">") and len(token) > 2
    return _PREFIXED_NAME.fullmatch(token) is not None


def _as_boolean(answer: ox.QuerySolutions | ox.QueryBoolean) -> ox.QueryBoolean:
    """An ASK answered as a one-row table (Virtuoso's ``__ASK_RETVAL``): true if its value is."""
    row = next(islice(iter(answer), 1), None)  # type: ignore[call-overload]
    if row is None:
        return _FALSE  # type: ignore[return-value]
    value = next((term for term in row if term is not None), None)
    truthy = isinstance(value, ox.Literal) and value.value.strip().lower() in ("1", "true")
    return (_TRUE if truthy else _FALSE)  # type: ignore[return-value]
