"""Result formats of the endpoint and how results are written, in bounded chunks.

SELECT/ASK answer as SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE (and RDF documents such as the
service description) as Turtle, N-Triples, JSON-LD, RDF/XML, TriG or N-Quads. pyoxigraph serialises
straight into a writer 8 KB at a time, so a large result never exists as one body in memory: the
``ChunkWriter`` regroups those writes into chunks of ``CHUNK_SIZE`` and hands each to a sink (the
worker's pipe), which is what lets the HTTP response stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

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
    """Name the kind of a pyoxigraph query result."""
    if isinstance(result, ox.QueryBoolean):
        return BOOLEAN
    if isinstance(result, ox.QueryTriples):
        return GRAPH
    return SOLUTIONS


class ChunkWriter:
    """A binary writer that passes its input on to ``sink`` in chunks of at least ``size`` bytes."""

    def __init__(self, sink: Callable[[bytes], None], size: int = CHUNK_SIZE) -> None:
        self._sink = sink
        self._size = size
        self._buffer = bytearray()

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


def write_result(result: object, format_name: str, output: ChunkWriter) -> None:
    """Serialise a pyoxigraph result (solutions, boolean or triples) into ``output``."""
    if isinstance(result, ox.QueryTriples):
        write_rdf(result, format_name, output)
    elif isinstance(result, ox.QueryBoolean) and format_name in BOOLEAN_TABLES:
        header, end = BOOLEAN_TABLES[format_name]
        output.write(f"{header}{end}{str(bool(result)).lower()}{end}".encode())
    else:
        result.serialize(output, format=_RESULTS_ENGINE[format_name])  # type: ignore[attr-defined]
    output.close()


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
