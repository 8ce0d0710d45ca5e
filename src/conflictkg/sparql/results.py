"""Result formats of the endpoint and how results are written, in bounded chunks.

SELECT/ASK answer as SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE (and RDF documents such as the
service description) as Turtle, N-Triples, JSON-LD, RDF/XML, TriG or N-Quads. pyoxigraph serialises
straight into a writer 8 KB at a time, so a large result never exists as one body in memory: the
``ChunkWriter`` regroups those writes into chunks of ``CHUNK_SIZE`` and hands each to a sink (the
worker's pipe), which is what lets the HTTP response stream.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from conflictkg.remote_store import RemoteTriples
from conflictkg.sparql.negotiate import Format
from conflictkg.vocab import prefix_map

SOLUTIONS = "solutions"
BOOLEAN = "boolean"
GRAPH = "graph"
"""The three kinds of query result; the kind decides which formats apply."""

TABULAR_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        aliases=("application/json", "text/javascript", "application/javascript"),
        short_names=("srj",),
    ),
    Format("xml", "application/sparql-results+xml", aliases=("application/xml", "text/xml"), short_names=("srx",)),
    Format("csv", "text/csv", charset=True),
    Format("tsv", "text/tab-separated-values", charset=True),
)
"""Formats for SELECT and ASK, in the server's order of preference (JSON when the client has none)."""

RDF_FORMATS: tuple[Format, ...] = (
    Format(
        "turtle",
        "text/turtle",
        aliases=("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"),
        short_names=("ttl", "n3"),
        charset=True,
    ),
    Format("ntriples", "application/n-triples", aliases=("text/plain",), short_names=("nt", "n-triples")),
    Format(
        "jsonld",
        "application/ld+json",
        aliases=("application/x-json+ld", "application/json"),
        short_names=("json-ld", "json"),
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        aliases=("application/xml", "text/xml"),
        short_names=("rdf", "xml", "rdf+xml", "owl"),
    ),
    Format("trig", "application/trig", aliases=("application/x-trig",)),
    Format("nquads", "application/n-quads", aliases=("text/x-nquads",), short_names=("nq", "n-quads")),
)
"""Formats for CONSTRUCT, DESCRIBE and RDF documents, Turtle first."""

_RESULTS_ENGINE: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF_ENGINE: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
_WITH_PREFIXES = {"turtle", "trig", "rdfxml"}

BOOLEAN_TABLES: dict[str, tuple[str, str]] = {
    "csv": ("_askResult", "\r\n"),
    "tsv": ("?_askResult", "\n"),
}
"""Header and line end of an ASK answer in CSV and TSV, which SPARQL 1.1 defines for SELECT only.

A bare ``true`` (pyoxigraph's form) reads as a table with one variable named ``true`` and no rows;
this is the form Apache Jena and Fuseki write and the only one Jena's CSV/TSV readers take as a boolean.
"""

CHUNK_SIZE = 64 * 1024
"""Bytes per streamed chunk: large enough to keep per-chunk overhead small, small enough to stream."""

RESULTS_FORMAT_IRIS: dict[str, str] = {
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "trig": "http://www.w3.org/ns/formats/TriG",
    "nquads": "http://www.w3.org/ns/formats/N-Quads",
}
"""W3C format IRIs (http://www.w3.org/ns/formats/) for the service description."""


def formats_for(kind: str) -> tuple[Format, ...]:
    """The formats that can carry a result of ``kind``."""
    return RDF_FORMATS if kind == GRAPH else TABULAR_FORMATS


def result_kind(result: object) -> str:
    """Name the kind of a query result (pyoxigraph's, or an external store's triples)."""
    if isinstance(result, ox.QueryBoolean):
        return BOOLEAN
    if isinstance(result, (ox.QueryTriples, RemoteTriples)):
        return GRAPH
    return SOLUTIONS


class ChunkWriter:
    """A binary writer that passes its input on to ``sink`` in chunks of at least ``size`` bytes."""

    def __init__(self, sink: Callable[[bytes], None], size: int = CHUNK_SIZE) -> None:
        self._sink = sink
        self._size = size
        self._buffer = bytearray()
        self.truncated_after: int | None = None
        """Set by write_result before the first byte when the result is cut at that many rows or triples,
        so that the HTTP layer can say so in a header (TRUNCATION_HEADER) as well as in the body."""

    def write(self, data: bytes) -> int:
        """Buffer ``data``, emitting a chunk whenever the buffer is full."""
        self._buffer += data
        if len(self._buffer) >= self._size:
            self._sink(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Keep buffering: pyoxigraph flushes often, and chunks should stay large."""

    def close(self) -> None:
        """Emit what is left."""
        if self._buffer:
            self._sink(bytes(self._buffer))
            self._buffer.clear()


TRUNCATED = "truncated"
"""The member a capped SELECT result in SPARQL JSON carries at its top level, ``"truncated": true``, when
rows were left out (``"truncated_after"`` says after how many). Turtle, TriG, N-Triples and N-Quads end
with the comment line ``# truncated after N triples``, SPARQL XML and RDF/XML with the comment
``<!-- truncated after N ... -->``. CSV, TSV and JSON-LD have no place for a marker: a result that
would exceed the cap in those formats is refused instead (ResultTooLarge), never cut silently."""
UNMARKABLE = frozenset({"csv", "tsv", "jsonld"})
TRUNCATION_HEADER = "X-SPARQL-MaxRows"
"""The response header that carries the cap when a result was cut (its value: the rows or triples kept).
Virtuoso's name for the same signal, so clients written for Virtuoso's endpoint recognise it; it is
exposed to cross-origin scripts (web.security)."""


class ResultTooLarge(Exception):
    """A capped result exceeds the cap in a format that cannot say it was cut."""


class _Capped:
    """Up to ``limit`` items of ``items``, read ahead so that ``cut`` (whether any were left out) is known
    before the first byte is written: the cap holds at most ``limit`` items in memory."""

    def __init__(self, items: Iterable[object], limit: int, format_name: str) -> None:
        rest = iter(items)
        self._kept = list(islice(rest, limit))
        self.cut = next(rest, None) is not None
        if self.cut and format_name in UNMARKABLE:
            raise ResultTooLarge(
                f"the result has more than {limit} rows, this endpoint's limit, and {format_name} "
                "cannot mark a cut: add a LIMIT, or ask for SPARQL JSON or XML (which mark it)"
            )

    def __iter__(self) -> Iterator[object]:
        return iter(self._kept)


def write_result(result: object, format_name: str, output: ChunkWriter, max_rows: int | None = None) -> None:
    """Serialise a pyoxigraph result (solutions, boolean or triples) into ``output``.

    With ``max_rows``, at most that many solutions or triples are written and a cut is marked in the
    result itself (TRUNCATED); without, pyoxigraph's own serialisers write everything."""
    if max_rows is not None and isinstance(result, ox.QuerySolutions):
        _write_capped_solutions(result, format_name, output, max_rows)
    elif isinstance(result, (ox.QueryTriples, RemoteTriples)):
        capped = _Capped(result, max_rows, format_name) if max_rows is not None else None
        if capped is not None and capped.cut:
            output.truncated_after = max_rows
        write_rdf(capped if capped is not None else result, format_name, output)  # type: ignore[arg-type]
        if capped is not None and capped.cut:
            what = f"truncated after {max_rows} triples (the endpoint's limit)"
            output.write((f"<!-- {what} -->\n" if format_name == "rdfxml" else f"# {what}\n").encode())
    elif isinstance(result, ox.QueryBoolean) and format_name in BOOLEAN_TABLES:
        header, end = BOOLEAN_TABLES[format_name]
        output.write(f"{header}{end}{str(bool(result)).lower()}{end}".encode())
    else:
        result.serialize(output, format=_RESULTS_ENGINE[format_name])  # type: ignore[attr-defined]
    output.close()


def result_bytes(result: object, format_name: str, max_rows: int | None = None) -> tuple[bytes, int | None]:
    """A small result serialised whole, and the row count it was cut at (None: it is whole).

    Solutions and booleans in a results format go straight into bytes (pyoxigraph writes them without
    calling back into Python: about a quarter of a one-IRI lookup's serialising); the rest as write_result."""
    if max_rows is None and (isinstance(result, ox.QuerySolutions)
                             or (isinstance(result, ox.QueryBoolean) and format_name not in BOOLEAN_TABLES)):
        return result.serialize(format=_RESULTS_ENGINE[format_name]), None
    parts: list[bytes] = []
    writer = ChunkWriter(parts.append)
    write_result(result, format_name, writer, max_rows)
    return b"".join(parts), writer.truncated_after


def _write_capped_solutions(result: ox.QuerySolutions, format_name: str, output: ChunkWriter, limit: int) -> None:
    """SELECT results in any tabular format, at most ``limit`` rows, the cut marked (see TRUNCATED)."""
    names = [v.value for v in result.variables]
    rows = _Capped(result, limit, format_name)
    if rows.cut:
        output.truncated_after = limit
    if format_name == "json":
        output.write(b'{"head":{"vars":' + json.dumps(names).encode() + b'},"results":{"bindings":[')
        for i, row in enumerate(rows):
            binding = {n: _json_term(t) for n, t in zip(names, row) if t is not None}  # type: ignore[call-overload]
            output.write((b"," if i else b"") + json.dumps(binding, ensure_ascii=False).encode())
        output.write(b"]}" + (f',"{TRUNCATED}":true,"truncated_after":{limit}'.encode() if rows.cut else b"") + b"}")
    elif format_name == "xml":
        variables = "".join(f"<variable name={quoteattr(n)}/>" for n in names)
        output.write(f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{variables}</head><results>'.encode())
        for row in rows:
            cells = "".join(f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>" for n, t in zip(names, row) if t is not None)  # type: ignore[call-overload]
            output.write(f"<result>{cells}</result>".encode())
        output.write(b"</results></sparql>")
        if rows.cut:
            output.write(f"<!-- truncated after {limit} rows (the endpoint's limit) -->".encode())
    else:
        separator, end = ("\t", "\n") if format_name == "tsv" else (",", "\r\n")
        cell = _tsv_term if format_name == "tsv" else _csv_term
        header = ["?" + n for n in names] if format_name == "tsv" else [_csv_quote(n) for n in names]
        output.write((separator.join(header) + end).encode())
        for row in rows:
            output.write((separator.join("" if t is None else cell(t) for t in row) + end).encode())  # type: ignore[attr-defined]


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    if term.datatype.value.endswith("#string"):
        return {"type": "literal", "value": term.value}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def _xml_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value.endswith("#string"):
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"


def _csv_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def _csv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return _csv_quote("_:" + term.value if isinstance(term, ox.BlankNode) else term.value)


def _tsv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return str(term)


def write_rdf(triples: Iterable[ox.Triple] | Iterable[ox.Quad], format_name: str, output: ChunkWriter) -> None:
    """Serialise triples or quads, with the contract prefixes where the syntax has prefixes."""
    prefixes = prefix_map() if format_name in _WITH_PREFIXES else None
    ox.serialize(triples, output, format=_RDF_ENGINE[format_name], prefixes=prefixes)


def serialize_rdf(triples: Iterable[ox.Triple] | Iterable[ox.Quad], format_name: str) -> bytes:
    """Serialise a small RDF document (e.g. the service description) into bytes."""
    parts: list[bytes] = []
    writer = ChunkWriter(parts.append)
    write_rdf(triples, format_name, writer)
    writer.close()
    return b"".join(parts)
