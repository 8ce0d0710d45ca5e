"""Real clients against `conflictkg serve` on 127.0.0.1: SPARQLWrapper, rdflib's SPARQLStore, curl, Jena's
request shape, and a slow query that must not hold up anyone else."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import threading
import time
from urllib.parse import quote, urlsplit

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from tests.http_raw import exchange

LABELS = "SELECT ?label { <http://example.org/attack> <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <http://example.org/attack>) }"
SLOW = "SELECT (COUNT(*) AS ?n) { ?a <urn:filler:p> ?b . ?c <urn:filler:p> ?d . ?e <urn:filler:p> ?f . ?g <urn:filler:p> ?h }"
ATTACK = URIRef("http://example.org/attack")


def _wrapper(base: str, fmt: str, query: str = LABELS) -> SPARQLWrapper:
    client = SPARQLWrapper(base + "sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_json(live_server: str) -> None:
    bindings = _wrapper(live_server, JSON).queryAndConvert()["results"]["bindings"]
    assert {b["label"]["value"] for b in bindings} == {"Attack on Ayyash", "هجوم"}


def test_sparqlwrapper_xml(live_server: str) -> None:
    document = _wrapper(live_server, XML).queryAndConvert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert sorted(literals) == ["Attack on Ayyash", "هجوم"]


def test_sparqlwrapper_csv(live_server: str) -> None:
    rows = list(csv.reader(io.StringIO(_wrapper(live_server, CSV).queryAndConvert().decode())))
    assert rows[0] == ["label"] and sorted(r[0] for r in rows[1:]) == ["Attack on Ayyash", "هجوم"]


def test_sparqlwrapper_tsv(live_server: str) -> None:
    lines = _wrapper(live_server, TSV).queryAndConvert().decode().splitlines()
    assert lines[0] == "?label" and sorted(lines[1:]) == ['"Attack on Ayyash"@en', '"هجوم"@ar']


def test_sparqlwrapper_turtle_construct(live_server: str) -> None:
    data = _wrapper(live_server, TURTLE, CONSTRUCT).queryAndConvert()
    graph = Graph().parse(data=data, format="turtle")
    assert (ATTACK, URIRef("http://example.org/killed"), Literal(150)) in graph


def test_sparqlwrapper_post(live_server: str) -> None:
    client = _wrapper(live_server, JSON)
    client.setMethod("POST")
    assert len(client.queryAndConvert()["results"]["bindings"]) == 2


def test_rdflib_sparqlstore(live_server: str) -> None:
    store = SPARQLStore(live_server + "sparql")
    graph = Graph(store=store)
    labels = {row.label for row in graph.query(LABELS)}
    assert labels == {Literal("Attack on Ayyash", lang="en"), Literal("هجوم", lang="ar")}
    assert graph.query("ASK { <http://example.org/ayyash> a <http://example.org/Village> }").askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert (ATTACK, URIRef("http://example.org/place"), URIRef("http://example.org/ayyash")) in constructed


curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@curl
def test_curl_csv_form_post(live_server: str) -> None:
    out = subprocess.run(
        ["curl", "-sS", "-H", "Accept: text/csv", "--data-urlencode", f"query={LABELS}", live_server + "sparql"],
        capture_output=True, check=True, timeout=30,
    ).stdout.decode()
    assert out.splitlines()[0] == "label"


@curl
def test_curl_head(live_server: str) -> None:
    url = f"{live_server}sparql?query={quote(LABELS)}"
    out = subprocess.run(["curl", "-sS", "-I", url], capture_output=True, check=True, timeout=30).stdout.decode()
    assert out.startswith("HTTP/1.1 200")
    assert "content-type: application/sparql-results+json" in out.lower()


def test_jena_get_with_h2c_upgrade_headers(live_server: str) -> None:
    """Jena's client sends GET with Upgrade: h2c and Content-Length: 0; the answer is plain HTTP/1.1."""
    parts = urlsplit(live_server)
    accept = (
        "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
        "text/tab-separated-values;q=0.7, text/csv;q=0.5, application/json;q=0.2, "
        "application/xml;q=0.2, */*;q=0.1"
    )
    request = (
        f"GET /sparql?query={quote(LABELS)} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Connection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
        f"Upgrade: h2c\r\nContent-Length: 0\r\nAccept: {accept}\r\nUser-Agent: Apache-Jena-ARQ/4.5.0\r\n\r\n"
    )
    response = exchange(live_server, request.encode(), half_close=True)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"content-type: application/sparql-results+json" in head.lower()
    assert b"Attack on Ayyash" in body


def test_runaway_query_is_stopped_while_fast_queries_keep_answering(live_server: str) -> None:
    """A cross join that would run for ever: its client gets a 503 naming the time limit soon after the
    2 s limit; ASKs sent meanwhile on fresh connections all answer, p99 < 50 ms (bounded: 400 of them
    or 8 s); the server then answers as before (the retired process was replaced)."""
    outcome: dict[str, object] = {}
    started = threading.Event()

    def slow() -> None:
        started.set()
        began = time.monotonic()
        response = httpx.get(live_server + "sparql", params={"query": SLOW}, timeout=60)
        outcome.update(status=response.status_code, text=response.text, seconds=time.monotonic() - began)

    runaway = threading.Thread(target=slow)
    runaway.start()
    started.wait()
    latencies: list[float] = []
    statuses: set[int] = set()
    deadline = time.monotonic() + 8
    fresh_connections = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=30)
    while (runaway.is_alive() or len(latencies) < 100) and len(latencies) < 400 and time.monotonic() < deadline:
        began = time.monotonic()
        response = fresh_connections.get(live_server + "sparql", params={"query": "ASK { ?s a <http://example.org/Village> }"})
        latencies.append(time.monotonic() - began)
        statuses.add(response.status_code)
        assert json.loads(response.content)["boolean"] is True
    runaway.join(timeout=60)
    assert outcome["status"] == 503 and "time limit" in str(outcome["text"])
    assert float(outcome["seconds"]) < 4.0  # type: ignore[arg-type]
    assert statuses == {200}
    latencies.sort()
    assert latencies[int(len(latencies) * 0.99) - 1] < 0.05, f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.3f} s"
    for _ in range(100):  # the supervisor has started a fresh process: queries keep answering
        assert httpx.get(live_server + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code == 200


def test_a_result_cut_off_mid_stream_is_visibly_incomplete(live_server: str) -> None:
    """A client that stalls past the time limit while a large result streams gets a broken chunked
    body, never a complete-looking 200."""
    huge = "SELECT * { ?a <urn:filler:p> ?b . ?c <urn:filler:p> ?d }"
    with httpx.stream("GET", live_server + "sparql", params={"query": huge}, timeout=60) as response:
        assert response.status_code == 200 and "content-length" not in response.headers
        chunks = response.iter_raw()
        next(chunks)
        time.sleep(3.0)
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete"):
            for _ in chunks:
                pass
    assert httpx.get(live_server + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code == 200
