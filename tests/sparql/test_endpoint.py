"""The /sparql route in-process: negotiation, headers, refusals, service description, inference."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from conflictkg.vocab import DATA_GRAPH, INFERRED_GRAPH, SD
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

ASK = "ASK { <http://example.org/ayyash> a <http://example.org/Village> }"
SELECT = "SELECT ?s { ?s a <http://example.org/Village> }"
CONSTRUCT = "CONSTRUCT WHERE { <http://example.org/ayyash> ?p ?o }"
JENA_SELECT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.7, "
    "text/csv;q=0.5, application/json;q=0.2, application/xml;q=0.2, */*;q=0.1"
)


def _get(client: TestClient, query: str | None = None, accept: str | None = None, **params: str):
    if query is not None:
        params["query"] = query
    return client.get("/sparql", params=params, headers={"Accept": accept} if accept else {})


def _type(response) -> str:
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        (JENA_SELECT, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_negotiation(client: TestClient, accept: str | None, expected: str) -> None:
    response = _get(client, SELECT, accept)
    assert response.status_code == 200 and _type(response) == expected
    assert response.headers["vary"].startswith("Accept")
    assert "example.org/ayyash" in response.text


@pytest.mark.parametrize(
    ("accept", "expected", "parser"),
    [
        (None, "text/turtle", "turtle"),
        ("text/turtle, application/n-triples;q=0.9, */*;q=0.3", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/trig", "application/trig", "trig"),
        ("application/n-quads", "application/n-quads", "nquads"),
    ],
)
def test_graph_negotiation(client: TestClient, accept: str | None, expected: str, parser: str) -> None:
    response = _get(client, CONSTRUCT, accept)
    assert response.status_code == 200 and _type(response) == expected
    graph = Graph().parse(data=response.content, format=parser)
    assert (URIRef("http://example.org/ayyash"), RDF.type, URIRef("http://example.org/Village")) in graph


def test_describe(client: TestClient) -> None:
    response = _get(client, "DESCRIBE <http://example.org/ayyash>")
    assert response.status_code == 200 and "Village" in response.text


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = _get(client, SELECT, "application/sparql-results+json", format="csv")
    assert _type(response) == "text/csv"
    assert _type(_get(client, CONSTRUCT, "text/turtle", format="nt")) == "application/n-triples"


def test_406_lists_the_supported_types(client: TestClient) -> None:
    response = _get(client, SELECT, "image/png")
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text and "text/csv" in response.text
    assert _get(client, CONSTRUCT, format="csv").status_code == 406


def test_head_has_the_headers_and_no_body(client: TestClient) -> None:
    response = client.head("/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and _type(response) == "text/csv" and response.content == b""


def test_cors(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://example.net"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.net", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


def test_trailing_slash_is_the_same_endpoint(client: TestClient) -> None:
    assert json.loads(client.get("/sparql/", params={"query": ASK}).content)["boolean"] is True


def test_update_sent_as_query_is_refused_and_nothing_changes(client: TestClient) -> None:
    update = "INSERT DATA { <http://example.org/ayyash> a <http://example.org/City> }"
    for response in (
        _get(client, update),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
    ):
        assert response.status_code == 403 and "read-only" in response.text
    assert json.loads(_get(client, "ASK { ?s a <http://example.org/City> }").content)["boolean"] is False


def test_syntax_error_carries_the_parser_message(client: TestClient) -> None:
    response = _get(client, "SELECT * WHERE { ?s ?p }")
    assert response.status_code == 400 and "error at 1:" in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": "x" * 100_000},
        {"Accept": ",".join(["a/b;q=2"] * 5000)},
        {"Accept": b"\xc3\xa9/\xff"},
        {"Accept": ";;;===,,,"},
    ],
)
def test_hostile_accept_headers_get_a_sane_default(client: TestClient, headers: dict[str, str | bytes]) -> None:
    response = client.get("/sparql", params={"query": ASK}, headers=headers)
    assert response.status_code in (200, 406)


@pytest.mark.parametrize(
    "content_type",
    ["application/sparql-query; charset=\x7fgarbage", "application/sparql-query; charset=", "application/sparql-query;;;"],
)
def test_hostile_content_types_are_4xx(client: TestClient, content_type: str) -> None:
    response = client.post("/sparql", content=ASK, headers={"Content-Type": content_type})
    assert response.status_code < 500


def test_large_select_streams(client: TestClient) -> None:
    with client.stream("GET", "/sparql", params={"query": "SELECT * { ?s ?p ?o }"}) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        body = b"".join(response.iter_bytes())
    assert len(json.loads(body)["results"]["bindings"]) >= 600


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client: TestClient, method: str) -> None:
    response = client.request(method, "/sparql", params={"query": ASK})
    assert response.status_code == 405 and "GET" in response.headers["allow"]


def test_service_description(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200 and _type(response) == "text/turtle"
    graph = Graph().parse(data=response.content, format="turtle")
    service = URIRef("http://testserver/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV")) in graph
    assert (None, SD.name, URIRef(client.app.state.config.files[0].resolve().as_uri())) in graph
    assert (service, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef("http://testserver/void")) in graph


def test_service_description_negotiates(client: TestClient) -> None:
    assert _type(client.get("/sparql", headers={"Accept": "application/ld+json"})) == "application/ld+json"
    assert _type(client.get("/sparql", params={"format": "rdfxml"})) == "application/rdf+xml"
    browser = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/query"


@pytest.fixture(scope="module")
def release_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    release = tmp_path_factory.mktemp("release")
    quads = (
        f"<http://example.org/a> <{RDF.type}> <http://example.org/Attack> <{DATA_GRAPH}> .\n"
        f"<http://example.org/a> <{RDF.type}> <http://example.org/Event> <{INFERRED_GRAPH}> .\n"
    )
    (release / "conflictkg.nq.gz").write_bytes(gzip.compress(quads.encode()))
    with TestClient(create_app(ServerConfig(release_dir=release))) as test_client:
        yield test_client


def test_inferred_graph_is_apart_unless_asked(release_client: TestClient) -> None:
    event = "ASK { <http://example.org/a> a <http://example.org/Event> }"
    assert json.loads(_get(release_client, event).content)["boolean"] is False
    assert json.loads(_get(release_client, event, inference="true").content)["boolean"] is True
    in_graph = f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <http://example.org/a> a <http://example.org/Event> }} }}"
    assert json.loads(_get(release_client, in_graph).content)["boolean"] is True
    assert json.loads(_get(release_client, event, **{"default-graph-uri": str(INFERRED_GRAPH)}).content)["boolean"]


def test_the_memory_of_request_lines_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parses and prepared jobs are remembered per request line, the oldest forgotten beyond the limit:
    a client sending ever new query strings cannot grow a process."""
    from types import SimpleNamespace
    from urllib.parse import urlencode

    from conflictkg.sparql import endpoint as module

    monkeypatch.setattr(module, "PARSED_MEMORY", 8)
    endpoint = module.SparqlEndpoint()
    app = SimpleNamespace(state=SimpleNamespace(config=ServerConfig()))
    for n in range(30):
        query_string = urlencode({"query": f"SELECT * {{ ?s ?p {n} }}"}).encode()
        scope = {"type": "http", "method": "GET", "query_string": query_string, "app": app, "scheme": "http",
                 "root_path": ""}
        operation, job = endpoint._parse_get(scope, {b"host": b"127.0.0.1"})
        assert job is not None and job.query == f"SELECT * {{ ?s ?p {n} }}"
    assert len(endpoint._parsed) == 8 and len(endpoint._jobs) == 8
    assert endpoint._parse_get(scope, {b"host": b"127.0.0.1"})[1] is job  # the newest is still remembered
