"""Result writing: every format is produced by the engine, in bounded chunks."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from conflictkg.sparql.results import (
    BOOLEAN,
    GRAPH,
    RDF_FORMATS,
    RESULTS_FORMAT_IRIS,
    SOLUTIONS,
    TABULAR_FORMATS,
    ChunkWriter,
    formats_for,
    result_bytes,
    result_kind,
    serialize_rdf,
    write_result,
)

RDFLIB_PARSER = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig", "nquads": "nquads"}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    engine = ox.Store()
    p = ox.NamedNode("urn:p")
    engine.extend(ox.Quad(ox.NamedNode(f"urn:s{i}"), p, ox.Literal(f"value {i}"), ox.DefaultGraph()) for i in range(5000))
    return engine


def _write(result: object, name: str, size: int = 64 * 1024) -> list[bytes]:
    chunks: list[bytes] = []
    write_result(result, name, ChunkWriter(chunks.append, size))
    return chunks


def test_kinds(store: ox.Store) -> None:
    assert result_kind(store.query("SELECT * {}")) == SOLUTIONS
    assert result_kind(store.query("ASK {}")) == BOOLEAN
    assert result_kind(store.query("CONSTRUCT WHERE { ?s ?p ?o }")) == GRAPH
    assert formats_for(GRAPH) is RDF_FORMATS and formats_for(BOOLEAN) is TABULAR_FORMATS


def test_large_select_is_written_in_bounded_chunks(store: ox.Store) -> None:
    chunks = _write(store.query("SELECT ?s ?o { ?s ?p ?o }"), "json", size=16 * 1024)
    assert len(chunks) > 10
    assert all(len(c) < 16 * 1024 + 8 * 1024 for c in chunks)
    assert len(json.loads(b"".join(chunks))["results"]["bindings"]) == 5000


@pytest.mark.parametrize("query", ["SELECT ?s ?o { ?s ?p ?o } LIMIT 50", "ASK { ?s ?p ?o }",
                                   "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 50"])
@pytest.mark.parametrize("max_rows", [None, 10])
def test_a_small_result_in_one_piece_is_what_the_chunked_writer_writes(store: ox.Store, query: str,
                                                                       max_rows: int | None) -> None:
    for fmt in formats_for(result_kind(store.query(query))):
        if max_rows and fmt.name in ("csv", "tsv", "jsonld") and not query.startswith("ASK"):
            continue  # refused when cut (ResultTooLarge): test_result_cap
        writer = ChunkWriter((chunks := []).append)
        write_result(store.query(query), fmt.name, writer, max_rows)
        body, truncated_after = result_bytes(store.query(query), fmt.name, max_rows)
        assert (body, truncated_after) == (b"".join(chunks), writer.truncated_after), fmt.name


def test_tabular_formats(store: ox.Store) -> None:
    query = "SELECT ?o { <urn:s1> ?p ?o }"
    assert json.loads(b"".join(_write(store.query(query), "json")))["results"]["bindings"][0]["o"]["value"] == "value 1"
    root = ET.fromstring(b"".join(_write(store.query(query), "xml")))
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    assert list(csv.reader(io.StringIO(b"".join(_write(store.query(query), "csv")).decode()))) == [["o"], ["value 1"]]
    assert b"".join(_write(store.query(query), "tsv")).decode().splitlines() == ["?o", '"value 1"']


def test_boolean_formats(store: ox.Store) -> None:
    assert json.loads(b"".join(_write(store.query("ASK { <urn:s1> ?p ?o }"), "json")))["boolean"] is True
    assert b"<boolean>false</boolean>" in b"".join(_write(store.query("ASK { <urn:nope> ?p ?o }"), "xml"))


def test_boolean_csv_and_tsv_carry_jenas_ask_header(store: ox.Store) -> None:
    """A bare `true` would read as a one-variable table with no rows; Jena reads booleans in this form only."""
    assert b"".join(_write(store.query("ASK { <urn:s1> ?p ?o }"), "csv")) == b"_askResult\r\ntrue\r\n"
    assert b"".join(_write(store.query("ASK { <urn:nope> ?p ?o }"), "tsv")) == b"?_askResult\nfalse\n"


@pytest.mark.parametrize("name", [f.name for f in RDF_FORMATS])
def test_every_graph_format_parses_back(store: ox.Store, name: str) -> None:
    data = b"".join(_write(store.query("CONSTRUCT WHERE { <urn:s1> ?p ?o }"), name))
    graph = Graph().parse(data=data, format=RDFLIB_PARSER[name])
    assert (URIRef("urn:s1"), URIRef("urn:p"), None) in graph


def test_turtle_uses_the_contract_prefixes() -> None:
    triple = ox.Triple(ox.NamedNode("https://w3id.org/conflictkg/id/place/ayyash"), ox.NamedNode("urn:p"), ox.Literal("x"))
    data = serialize_rdf([triple], "turtle")
    assert b"@prefix place: <https://w3id.org/conflictkg/id/place/> ." in data
    assert b"place:ayyash <urn:p>" in data
    assert len(Graph().parse(data=data, format="turtle")) == 1


def test_every_format_has_a_w3c_format_iri() -> None:
    assert {f.name for f in (*TABULAR_FORMATS, *RDF_FORMATS)} == set(RESULTS_FORMAT_IRIS)
