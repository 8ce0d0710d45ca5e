"""The result-size cap: at most N rows or triples, and a cut always says so (never a silent cut).

Below the cap the capped writers give the same results as pyoxigraph's own serialisers (compared after
parsing, in every tabular format); above it SPARQL JSON carries ``"truncated": true``, SPARQL XML and
the RDF syntaxes end with a comment, and CSV, TSV and JSON-LD, which have no place for a marker, are
refused with a message.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conflictkg.sparql.results import TRUNCATED, TRUNCATION_HEADER, ChunkWriter, ResultTooLarge, write_result
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

DATA = """
@prefix ex: <http://example.org/> .
ex:a ex:p "plain", "with, comma and \\"quotes\\"", "ligne\\nbreak"@fr, 42, "tab\\there" .
ex:b ex:p _:blank, <http://example.org/c?x=1&y=<2>> .
"""
SELECT = "SELECT ?s ?o ?missing WHERE { ?s ?p ?o } ORDER BY STR(?o)"
FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV,
           "tsv": ox.QueryResultsFormat.TSV}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.replace("<2>", "2").encode(), format=ox.RdfFormat.TURTLE)
    return store


def written(result: object, fmt: str, max_rows: int | None) -> bytes:
    parts: list[bytes] = []
    write_result(result, fmt, ChunkWriter(parts.append, size=16), max_rows)
    return b"".join(parts)


def rows(data: bytes, fmt: str) -> list[list[str | None]]:
    if fmt == "csv":  # pyoxigraph does not read CSV results (lossy): compare the cells
        return [list(row) for row in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))][1:]
    parsed = ox.parse_query_results(data, format=FORMATS[fmt])
    return [[None if t is None else str(t) for t in row] for row in parsed]  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_below_the_cap_the_result_is_what_pyoxigraph_writes(store: ox.Store, fmt: str) -> None:
    ours = written(store.query(SELECT), fmt, max_rows=100)
    reference = written(store.query(SELECT), fmt, max_rows=None)
    assert rows(ours, fmt) == rows(reference, fmt) and len(rows(ours, fmt)) == 7


def test_json_over_the_cap_says_truncated(store: ox.Store) -> None:
    document = json.loads(written(store.query(SELECT), "json", max_rows=3))
    assert document[TRUNCATED] is True and document["truncated_after"] == 3
    assert len(document["results"]["bindings"]) == 3 and document["head"]["vars"] == ["s", "o", "missing"]
    exactly = json.loads(written(store.query(SELECT), "json", max_rows=7))
    assert TRUNCATED not in exactly and len(exactly["results"]["bindings"]) == 7


def test_xml_over_the_cap_ends_with_a_comment(store: ox.Store) -> None:
    data = written(store.query(SELECT), "xml", max_rows=2)
    assert data.endswith(b"<!-- truncated after 2 rows (the endpoint's limit) -->") and len(rows(data, "xml")) == 2


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_over_the_cap_are_refused(store: ox.Store, fmt: str) -> None:
    with pytest.raises(ResultTooLarge, match="more than 2 rows"):
        written(store.query(SELECT), fmt, max_rows=2)


@pytest.mark.parametrize(("fmt", "parser"), [("turtle", ox.RdfFormat.TURTLE), ("ntriples", ox.RdfFormat.N_TRIPLES),
                                             ("rdfxml", ox.RdfFormat.RDF_XML)])
def test_construct_over_the_cap_ends_with_a_comment(store: ox.Store, fmt: str, parser: ox.RdfFormat) -> None:
    data = written(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), fmt, max_rows=4)
    assert b"truncated after 4 triples" in data.splitlines()[-1]
    assert len(list(ox.parse(data, format=parser))) == 4
    whole = written(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), fmt, max_rows=7)
    assert b"truncated" not in whole and len(list(ox.parse(whole, format=parser))) == 7
    with pytest.raises(ResultTooLarge):
        written(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "jsonld", max_rows=4)


@pytest.fixture(scope="module")
def capped_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("cap") / "data.ttl"
    path.write_text(DATA.replace("<2>", "2"), encoding="utf-8")
    with TestClient(create_app(ServerConfig(files=[Path(path)], query_workers=1, max_result_rows=3))) as client:
        yield client


def test_endpoint_applies_the_configured_cap(capped_client: TestClient) -> None:
    answer = capped_client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200 and answer.json()[TRUNCATED] is True
    assert len(answer.json()["results"]["bindings"]) == 3
    small = capped_client.get("/sparql", params={"query": SELECT + " LIMIT 3"}, headers={"Accept": "text/csv"})
    assert small.status_code == 200 and small.text.count("\r\n") == 4
    refused = capped_client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    assert refused.status_code == 400 and "more than 3 rows" in refused.text and "LIMIT" in refused.text


def test_a_cut_result_says_so_in_a_header_too(capped_client: TestClient) -> None:
    """Clients that only look at headers (or read a CSV that cannot carry a marker) learn of the cut too;
    the second request is answered on the event loop (sparql.execute's fast path) and says the same."""
    for _ in range(2):
        cut = capped_client.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
        assert cut.status_code == 200 and cut.headers[TRUNCATION_HEADER] == "3"
    graph = capped_client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
    assert graph.headers[TRUNCATION_HEADER] == "3" and "truncated after 3 triples" in graph.text
    whole = capped_client.get("/sparql", params={"query": SELECT + " LIMIT 3"}, headers={"Accept": "application/sparql-results+json"})
    assert whole.status_code == 200 and TRUNCATION_HEADER not in whole.headers and TRUNCATED not in whole.json()


def test_the_header_is_exposed_to_cross_origin_scripts(capped_client: TestClient) -> None:
    answer = capped_client.get("/sparql", params={"query": SELECT}, headers={"Origin": "https://example.org"})
    exposed = {name.strip().lower() for name in answer.headers["access-control-expose-headers"].split(",")}
    assert TRUNCATION_HEADER.lower() in exposed


@pytest.fixture(scope="module")
def large_capped_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A cap far above the first chunk (64 KB), so the cut result streams."""
    path = tmp_path_factory.mktemp("large-cap") / "data.nt"
    path.write_text("".join(f"<http://example.org/s{i}> <http://example.org/p> \"{'x' * 40} {i}\" .\n"
                            for i in range(6000)), encoding="utf-8")
    with TestClient(create_app(ServerConfig(files=[Path(path)], query_workers=1, max_result_rows=5000))) as client:
        yield client


def test_a_streamed_cut_result_has_the_header_before_its_body(large_capped_client: TestClient) -> None:
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    with large_capped_client.stream("GET", "/sparql", params={"query": query},
                                    headers={"Accept": "application/sparql-results+xml"}) as answer:
        assert answer.status_code == 200 and answer.headers[TRUNCATION_HEADER] == "5000"
        body = b"".join(answer.iter_bytes())
    assert len(body) > 128 * 1024 and body.endswith(b"<!-- truncated after 5000 rows (the endpoint's limit) -->")
    refused = large_capped_client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert refused.status_code == 400 and "more than 5000 rows" in refused.text
