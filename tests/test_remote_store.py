"""RemoteStore: a release published into an external store (Oxigraph's server, Virtuoso 7, both started
on 127.0.0.1 by the tests) queried over the SPARQL 1.1 Protocol answers as the embedded store does.

The dataset comes from the store's publication record (default graph: the asserted graphs; named graphs:
the release's graphs, never the store's own); texts are checked locally before the store sees them
(an update is refused, not run); a store that is down, slow, failing or empty is a StoreUnavailable
with the status a front-end answers and a message naming the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest

from conflictkg.pipeline.release import Release
from conflictkg.publish.graph_store import GraphStore
from conflictkg.publish.load import publish_release
from conflictkg.remote_store import EMPTY_GRAPH, RemoteStore, RemoteTriples, spell_out_closures
from conflictkg.store import Store, StoreUnavailable
from conflictkg.vocab import INFERRED_GRAPH, PUBLICATION_GRAPH

if TYPE_CHECKING:
    from conftest import ExternalStore, StoreStarter


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              start_external_store: StoreStarter, two_releases: tuple[Release, Release]) -> Iterator[tuple[ExternalStore, Release]]:
    """A store holding the second fixture release, published with `publish --to`."""
    with start_external_store(request.param, tmp_path_factory.mktemp(request.param)) as running:
        publish_release(two_releases[1].root, GraphStore(running.graph_store, running.update))
        yield running, two_releases[1]


@pytest.fixture
def remote(published: tuple[ExternalStore, Release]) -> Iterator[RemoteStore]:
    store = RemoteStore(published[0].query, timeout=20)
    yield store
    store.close()


XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_DERIVED = {XSD + name for name in ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                           "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
                                           "unsignedByte")}


def _as_embedded(term: object) -> object:
    """The embedded engine stores integer-derived literals as xsd:integer (store.py's known deviation,
    oxigraph #526); Virtuoso keeps the datatype the data gives. Compared as the embedded engine has them."""
    if isinstance(term, ox.Literal) and term.datatype.value in INTEGER_DERIVED:
        return ox.Literal(str(int(term.value)), datatype=ox.NamedNode(XSD + "integer"))
    return term


def _canonical(triples: object) -> list[str]:
    """Triples as sorted N-Triples lines, blank nodes relabelled canonically (stores label them their own way)."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, _as_embedded(t.object)) for t in triples)  # type: ignore[attr-defined]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(q.triple) for q in dataset)


def _rows(result: object) -> list[tuple[str, ...]]:
    return sorted(tuple(str(term) for term in row) for row in result)  # type: ignore[attr-defined]


def test_the_dataset_is_read_from_the_publication_record(remote: RemoteStore, published: tuple[ExternalStore, Release]) -> None:
    release = published[1]
    embedded = Store.from_release(release.root)
    assert remote.version == release.version
    assert remote.graph_names() == sorted(release.graphs)
    assert PUBLICATION_GRAPH not in remote.graph_names()
    assert remote.default_graphs == embedded.default_graphs
    assert remote.graph_sizes() == embedded.graph_sizes() == release.graphs
    assert remote.default_graph_size() == embedded.default_graph_size()


@pytest.mark.parametrize("query", [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",  # the release's graphs, not the store's
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",  # the asserted graphs
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label",
    "SELECT (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/conflictkg/graph/links> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?o WHERE { <https://w3id.org/conflictkg/id/nothing> ?p ?o }",
])
def test_select_answers_as_the_embedded_store(remote: RemoteStore, published: tuple[ExternalStore, Release], query: str) -> None:
    embedded = Store.from_release(published[1].root)
    assert _rows(remote.query(query)) == _rows(embedded.query(query))


def test_inference_and_explicit_datasets(remote: RemoteStore, published: tuple[ExternalStore, Release]) -> None:
    embedded = Store.from_release(published[1].root)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert _rows(remote.query(count, include_inferred=True)) == _rows(embedded.query(count, include_inferred=True))
    assert _rows(remote.query(count, include_inferred=True)) != _rows(remote.query(count))
    only = [str(INFERRED_GRAPH)]
    assert _rows(remote.query(count, default_graph=only, named_graphs=[])) == _rows(embedded.query(count, default_graph=only, named_graphs=[]))
    graphs = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert _rows(remote.query(graphs, default_graph=[], named_graphs=[])) == []
    nothing = [EMPTY_GRAPH]
    assert _rows(remote.query(count, default_graph=nothing)) == _rows(embedded.query(count, default_graph=nothing))


def test_ask_construct_and_a_graph(remote: RemoteStore, published: tuple[ExternalStore, Release]) -> None:
    embedded = Store.from_release(published[1].root)
    assert isinstance(remote.query("ASK { ?s ?p ?o }"), ox.QueryBoolean)
    assert bool(remote.query("ASK { ?s ?p ?o }")) is True
    assert bool(remote.query("ASK { <urn:test:nothing> ?p ?o }")) is False
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    triples = remote.query(construct)
    assert isinstance(triples, RemoteTriples)
    assert _canonical(triples) == _canonical(embedded.query(construct))
    for graph in ("https://w3id.org/conflictkg/graph/ontology", "https://w3id.org/conflictkg/graph/shapes"):
        assert _canonical(remote.triples(graph)) == _canonical(embedded.triples(graph))


def test_results_not_read_to_the_end_never_starve_later_queries(remote: RemoteStore) -> None:
    """A page may hold a result while it asks for the next (and threads do so at once): more open
    results than pooled connections must not make anyone wait for a connection."""
    held = [remote.query("SELECT * WHERE { ?s ?p ?o }") for _ in range(40)]
    started = time.monotonic()
    assert bool(remote.query("ASK { ?s ?p ?o }")) is True
    assert time.monotonic() - started < 5
    assert len(held) == 40


def test_base_iri_resolves_relative_iris_as_the_embedded_store(remote: RemoteStore) -> None:
    rows = _rows(remote.query("SELECT ?x WHERE { BIND(<thing> AS ?x) }", base_iri="http://example.org/sparql"))
    assert rows == [("<http://example.org/thing>",)]


@pytest.mark.parametrize("text", [
    "INSERT DATA { GRAPH <urn:test:g> { <urn:test:a> <urn:test:b> <urn:test:c> } }",
    "SELECT * WHERE { ?s ?p }",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
])
def test_a_text_that_is_not_a_query_never_reaches_the_store(remote: RemoteStore, published: tuple[ExternalStore, Release], text: str) -> None:
    with pytest.raises(SyntaxError):
        remote.query(text)
    assert remote.graph_names() == sorted(published[1].graphs)
    assert bool(remote.query("ASK { GRAPH ?g { <urn:test:a> ?p ?o } }", default_graph=[], named_graphs=["urn:test:g"])) is False


# -- failures --------------------------------------------------------------------------------------


class _Sleepy(BaseHTTPRequestHandler):
    """A store that takes ``delay`` seconds before answering anything (then answers 500)."""

    delay = 5.0

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        time.sleep(self.delay)
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[Callable[[type[BaseHTTPRequestHandler]], str]]:
    """Start a tiny HTTP server on 127.0.0.1 with a handler class; yields a function giving its URL. The
    server looks for its shutdown every 50 ms (serve_forever's default, 0.5 s, was half a second per test)."""
    servers: list[ThreadingHTTPServer] = []

    def start(handler: type[BaseHTTPRequestHandler]) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_an_unreachable_store_is_a_502_that_names_it(free_port: Callable[[], int]) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreUnavailable) as caught:
        RemoteStore(url, timeout=2).query("ASK {}")
    assert caught.value.status == 502 and url in caught.value.message and "cannot be reached" in caught.value.message


def test_a_slow_store_is_a_504_within_the_timeout(local_server: Callable[[type[BaseHTTPRequestHandler]], str]) -> None:
    store = RemoteStore(local_server(_Sleepy), timeout=0.5)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        store.query("SELECT * WHERE { ?s ?p ?o }", default_graph=[], named_graphs=[])
    assert time.monotonic() - started < 3
    assert caught.value.status == 504 and "did not answer within 0.5 s" in caught.value.message


class _Failing(BaseHTTPRequestHandler):
    status = 500
    body = b"java.lang.NullPointerException at Something.java:42"

    def do_POST(self) -> None:  # noqa: N802
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


class _Busy(_Failing):
    status = 503
    body = b"too many queries"


class _NotSparql(_Failing):
    status = 200
    body = b"<html>a login page</html>"

    def do_POST(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.mark.parametrize(("handler", "status", "says"), [
    (_Failing, 502, "failed to answer (HTTP 500"),
    (_Busy, 503, "is busy"),
    (_NotSparql, 502, "not SPARQL results"),
])
def test_a_failing_store_says_what_it_answered(local_server: Callable[[type[BaseHTTPRequestHandler]], str],
                                               handler: type[BaseHTTPRequestHandler], status: int, says: str) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        RemoteStore(local_server(handler), timeout=5).query("SELECT * WHERE { ?s ?p ?o }", default_graph=[], named_graphs=[])
    assert caught.value.status == status and says in caught.value.message


def test_a_store_without_a_release_says_how_to_publish_one(start_external_store: StoreStarter, tmp_path_factory: pytest.TempPathFactory) -> None:
    with start_external_store("oxigraph", tmp_path_factory.mktemp("empty-oxigraph")) as empty:
        with pytest.raises(StoreUnavailable) as caught:
            RemoteStore(empty.query, timeout=10).version
    assert caught.value.status == 503 and "publish --to" in caught.value.message


# -- query texts sent to a store ---------------------------------------------------------------------


QUERIES = sorted((Path(__file__).resolve().parents[1] / "data" / "queries").glob("*.rq"))


def test_closures_are_spelled_out_with_the_same_answers(two_releases: tuple[Release, Release]) -> None:
    """``?v p* C`` becomes ``{ ?v p+ C } UNION { BIND(C AS ?v) }`` (Virtuoso loses rows on the first
    form): on the embedded engine both forms answer alike, for every competency query and a few more."""
    embedded = Store.from_release(two_releases[1].root)
    assert spell_out_closures("SELECT * WHERE { ?t rdfs:subClassOf* ckg:Capture . ?x a ?t }") == \
        "SELECT * WHERE { { ?t rdfs:subClassOf+ ckg:Capture } UNION { BIND(ckg:Capture AS ?t) } . ?x a ?t }"
    assert spell_out_closures("SELECT * { <urn:a> <urn:p>* ?v OPTIONAL { ?v ?p ?o } }") == \
        "SELECT * { { <urn:a> <urn:p>+ ?v } UNION { BIND(<urn:a> AS ?v) } OPTIONAL { ?v ?p ?o } }"
    for spacing in ("rdfs:subClassOf*ckg:Capture", "rdfs:subClassOf * ckg:Capture"):  # a path token is split at its star
        assert spell_out_closures(f"SELECT * {{ ?t {spacing}.}}") == \
            "SELECT * { { ?t rdfs:subClassOf+ ckg:Capture } UNION { BIND(ckg:Capture AS ?t) }.}"
    unchanged = ['SELECT * { ?s ?p "?v <urn:p>* <urn:c> ." }', "SELECT * { ?a <urn:p>* ?b }",
                 "SELECT * { ?a <urn:q> ?x ; <urn:p>* <urn:c> }", "SELECT (2*3 AS ?x) { ?s ?p ?o }", "SELECT * { ?x a/rdfs:subClassOf* ckg:Claim }",
                 "SELECT * { ?x (ckg:a|ckg:b)* ckg:C }", "SELECT * { ?x ^ckg:a* ckg:C }",
                 "SELECT * { # ?v <urn:p>* <urn:c> .\n ?s ?p ?o }"]
    for text in unchanged:
        assert spell_out_closures(text) == text
    rewritten = 0
    for path in QUERIES:
        text = path.read_text("utf-8")
        spelled = spell_out_closures(text)
        rewritten += spelled != text
        assert _rows(embedded.query(spelled)) == _rows(embedded.query(text)), path.name
    assert rewritten >= 2


class _Guarded(_Failing):
    """A store that wants credentials: 401 without them."""

    seen: list[str | None] = []

    def do_POST(self) -> None:  # noqa: N802
        _Guarded.seen.append(self.headers.get("Authorization"))
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_credentials_go_with_every_request_and_a_refusal_says_so(local_server: Callable[[type[BaseHTTPRequestHandler]], str]) -> None:
    store = RemoteStore(local_server(_Guarded), timeout=5, headers={"Authorization": "Basic dGVzdDp0ZXN0"})
    with pytest.raises(StoreUnavailable) as caught:
        store.query("ASK {}", default_graph=[], named_graphs=[])
    assert caught.value.status == 502 and "refused access (HTTP 401)" in caught.value.message
    assert _Guarded.seen == ["Basic dGVzdDp0ZXN0"]


class _Partial(_Failing):
    """Virtuoso's "anytime" answer: a well-formed result, cut at its time limit, said so in a header only."""

    def do_POST(self) -> None:  # noqa: N802
        body = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("X-SQL-State", "S1TAT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_partial_answer_is_refused(local_server: Callable[[type[BaseHTTPRequestHandler]], str]) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        RemoteStore(local_server(_Partial), timeout=5).query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[], named_graphs=[])
    assert caught.value.status == 504 and "partial result" in caught.value.message


class _Recording(_Failing):
    """Answers every query with no rows, keeping the texts it was sent."""

    texts: list[str] = []

    def do_POST(self) -> None:  # noqa: N802
        from urllib.parse import parse_qs

        length = int(self.headers.get("Content-Length", "0"))
        _Recording.texts.append(parse_qs(self.rfile.read(length).decode())["query"][0])
        body = b'{"head":{"vars":["c"]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_an_external_store_is_sent_standard_sparql_with_required_patterns_hoisted(
    local_server: Callable[[type[BaseHTTPRequestHandler]], str]
) -> None:
    """The embedded store's LATERAL (Oxigraph's extension) never goes to another engine; the standard
    hoisting does (query_rewrite)."""
    from conflictkg.query_rewrite import hoist_required_patterns, plan_for_oxigraph

    query = ("PREFIX ex: <http://example.org/> SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:subEventOf* ?top } "
             "?c ex:date ?d }")
    assert "LATERAL" in plan_for_oxigraph(query) and hoist_required_patterns(query) != query
    _Recording.texts = []
    list(RemoteStore(local_server(_Recording), timeout=5).query(query, default_graph=[], named_graphs=[]))
    assert _Recording.texts == [hoist_required_patterns(query)]
