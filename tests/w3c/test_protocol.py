"""The W3C SPARQL 1.1 Protocol test suite, replayed from its manifest against the endpoint.

Every query test must pass as the manifest says. The endpoint is read-only, so every update test must
instead be refused with a 4xx and leave the data unchanged. The suite's dataset tests only ask for
triples that are present, so further tests check that default-graph-uri / named-graph-uri really
restrict the dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "w3c-protocol"
pytestmark = pytest.mark.skipif(
    not (SUITE / "manifest.ttl").is_file(), reason=f"W3C protocol suite not found at {SUITE}"
)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
STATUS_CLASS = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4, HTS.StatusCode5xx: 5}
DATA = "http://kasei.us/2009/09/sparql/data/"


@dataclass(frozen=True)
class Replay:
    """One HTTP request of a test and what the manifest expects back."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]
    format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    requests: list[Replay]

    @property
    def is_update(self) -> bool:
        return "update" in self.name


def _requests(manifest: Graph, test: URIRef) -> Iterator[Replay]:
    action = manifest.value(test, MF.action)
    for request in Collection(manifest, manifest.value(action, HT.requests)):
        headers = {}
        header_list = manifest.value(request, HT.headers)
        if header_list is not None:
            for header in Collection(manifest, header_list):
                headers[str(manifest.value(header, HT.fieldName))] = str(manifest.value(header, HT.fieldValue))
        body = manifest.value(request, HT.body)
        payload = None
        if body is not None:
            encoding = str(manifest.value(body, CNT.characterEncoding) or "UTF-8")
            payload = str(manifest.value(body, CNT.chars)).encode(encoding)
        response = manifest.value(request, HT.resp)
        boolean = manifest.value(response, MF.expectedBoolean)
        fmt = manifest.value(response, MF.expectedFormat)
        path = str(manifest.value(request, HT.absolutePath))
        assert path.startswith("/sparql/")
        yield Replay(
            method=str(manifest.value(request, HT.methodName)),
            path="/sparql" + path[len("/sparql/") :],
            headers=headers,
            body=payload,
            statuses=frozenset(STATUS_CLASS[s] for s in manifest.objects(response, MF.expectedStatus)),
            format=str(fmt) if fmt is not None else None,
            boolean=boolean.toPython() if boolean is not None else None,
        )


def _suite() -> list[ProtocolTest]:
    if not (SUITE / "manifest.ttl").is_file():
        return []
    manifest = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    tests = []
    for test in Collection(manifest, manifest.value(root, MF.entries)):
        name = str(test).rsplit("#", 1)[-1]
        tests.append(ProtocolTest(name, list(_requests(manifest, test))))
    return tests


TESTS = _suite()
QUERY_TESTS = [t for t in TESTS if not t.is_update]
UPDATE_TESTS = [t for t in TESTS if t.is_update]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(ServerConfig(files=[SUITE / "dataset.nq"], query_timeout=20.0))
    with TestClient(app) as test_client:
        yield test_client


def _send(client: TestClient, replay: Replay):
    return client.request(replay.method, replay.path, headers=replay.headers, content=replay.body)


def _check_format(response, expected: str | None, boolean: bool | None) -> None:
    content_type = response.headers["content-type"].split(";")[0]
    if expected in ("boolean", "tabular"):
        assert content_type == "application/sparql-results+json"
        document = json.loads(response.content)
        if expected == "boolean":
            assert isinstance(document["boolean"], bool)
            if boolean is not None:
                assert document["boolean"] is boolean
        else:
            assert "vars" in document["head"] and "bindings" in document["results"]
    elif expected == "RDF":
        assert content_type == "text/turtle"
        Graph().parse(data=response.content, format="turtle")


def _all_quads(client: TestClient) -> set[tuple[str, ...]]:
    response = client.get("/sparql", params={"query": "SELECT * { GRAPH ?g { ?s ?p ?o } }"})
    assert response.status_code == 200
    rows = json.loads(response.content)["results"]["bindings"]
    return {tuple(row[v]["value"] for v in ("s", "p", "o", "g")) for row in rows}


def test_the_whole_manifest_is_read() -> None:
    assert len(TESTS) == 34
    assert len(QUERY_TESTS) == 20 and len(UPDATE_TESTS) == 14


@pytest.mark.parametrize("test", QUERY_TESTS, ids=lambda t: t.name)
def test_query_operation(client: TestClient, test: ProtocolTest) -> None:
    for replay in test.requests:
        response = _send(client, replay)
        assert response.status_code // 100 in replay.statuses, response.text
        if response.status_code < 300:
            _check_format(response, replay.format, replay.boolean)


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=lambda t: t.name)
def test_update_operation_is_refused(client: TestClient, test: ProtocolTest) -> None:
    before = _all_quads(client)
    parent_store = len(client.app.state.store.engine)
    update = test.requests[0]
    response = _send(client, update)
    assert 400 <= response.status_code < 500, response.text
    assert _all_quads(client) == before
    assert len(client.app.state.store.engine) == parent_store


def _ask(client: TestClient, query: str, **dataset: list[str]) -> bool:
    params: list[tuple[str, str]] = [("query", query)]
    for key, graphs in dataset.items():
        params.extend((key.replace("_", "-"), g) for g in graphs)
    response = client.get("/sparql", params=params)
    assert response.status_code == 200, response.text
    return json.loads(response.content)["boolean"]


def test_default_graph_uri_restricts_the_default_graph(client: TestClient) -> None:
    query = f"ASK {{ <{DATA}data2.rdf> a ?type }}"
    assert _ask(client, query) is True
    assert _ask(client, query, default_graph_uri=[f"{DATA}data1.rdf"]) is False
    assert _ask(client, query, default_graph_uri=[f"{DATA}data2.rdf"]) is True


def test_named_graph_uri_restricts_the_named_graphs(client: TestClient) -> None:
    query = f"ASK {{ GRAPH ?g {{ <{DATA}data2.rdf> a ?type }} }}"
    assert _ask(client, query, named_graph_uri=[f"{DATA}data1.rdf"]) is False
    assert _ask(client, query, named_graph_uri=[f"{DATA}data2.rdf"]) is True


def test_naming_only_named_graphs_leaves_the_default_graph_empty(client: TestClient) -> None:
    assert _ask(client, "ASK { ?s ?p ?o }", named_graph_uri=[f"{DATA}data1.rdf"]) is False


def test_unknown_graph_is_empty(client: TestClient) -> None:
    assert _ask(client, "ASK { ?s ?p ?o }", default_graph_uri=[f"{DATA}data0.rdf"]) is False


def test_protocol_dataset_wins_over_from(client: TestClient) -> None:
    query = f"ASK FROM <{DATA}data3.rdf> {{ <{DATA}data3.rdf> a ?type }}"
    assert _ask(client, query) is True
    assert _ask(client, query, default_graph_uri=[f"{DATA}data1.rdf"]) is False
    named = f"ASK FROM NAMED <{DATA}data3.rdf> {{ GRAPH ?g {{ <{DATA}data3.rdf> a ?type }} }}"
    assert _ask(client, named, named_graph_uri=[f"{DATA}data1.rdf"]) is False
