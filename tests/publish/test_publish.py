"""`conflictkg publish --to URL` against Oxigraph's own server (PyPI `oxigraph`), started by the test on a
free port of 127.0.0.1 with its own temporary database.

A release is loaded graph by graph under release-specific names, switched to, and verified; a second
release replaces the first (its graphs gone, no staged copy left); a graph the new release no longer has
is dropped; the competency queries answer the same through the store as through the embedded engine; a
store that cannot be reached, or that answers with an error, is a message and exit 1.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from conflictkg.pipeline.build import build
from conflictkg.pipeline.release import Release
from conflictkg.publish.graph_store import GraphStore, PublishError
from conflictkg.publish.load import PUBLICATION_GRAPH, publish_release, staging_name
from conflictkg.store import Store

FIXTURE_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "pipeline" / "project"
PROJECT_SRC = Path(__file__).resolve().parents[2] / "src"


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.skip("Oxigraph's server is not installed (pip install oxigraph; it is a test extra)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ExternalStore:
    """A store under test: its Graph Store, Update and Query endpoints."""

    name: str
    graph_store: str
    update: str
    query: str


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the store did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)


@contextmanager
def _oxigraph_store(directory: Path) -> Iterator[ExternalStore]:
    """`oxigraph serve` on 127.0.0.1 with a fresh database."""
    port = _free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([_oxigraph(), "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
                                   stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/query?query=ASK%7B%7D", process, log)
        yield ExternalStore("oxigraph", base + "/store", base + "/update", base + "/query")
    finally:
        process.terminate()
        process.wait(timeout=30)


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
"""
VIRTUOSO_GRANTS = ('GRANT SPARQL_UPDATE TO "SPARQL"; GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL"; '
                   "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")


@contextmanager
def _virtuoso_store(directory: Path) -> Iterator[ExternalStore]:
    """Virtuoso 7 (Debian virtuoso-opensource-7) on non-default ports of 127.0.0.1 with its own temporary
    database; the anonymous SPARQL user may write (this database is the test's own)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        pytest.skip("Virtuoso 7 is not installed (apt-get install virtuoso-opensource-7; .ci/run does it as root)")
    db = directory / "virtuoso"
    db.mkdir()
    sql, http = _free_port(), _free_port()
    (db / "virtuoso.ini").write_text(VIRTUOSO_INI.format(db=db, sql=sql, http=http), encoding="utf-8")
    log = db / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([server, "+foreground", "+configfile", str(db / "virtuoso.ini")], cwd=db,
                                   stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http}"
    try:
        _wait(base + "/sparql?query=ASK%7B%7D", process, log)
        subprocess.run([isql, str(sql), "dba", "dba", f"exec={VIRTUOSO_GRANTS}"], check=True, capture_output=True, timeout=120)
        yield ExternalStore("virtuoso", base + "/sparql-graph-crud", base + "/sparql", base + "/sparql")
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalStore]:
    starter = _oxigraph_store if request.param == "oxigraph" else _virtuoso_store
    with starter(tmp_path_factory.mktemp(request.param)) as running:
        yield running


def _select(store: ExternalStore, query: str) -> list[dict[str, object]]:
    url = store.query + "?" + urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())["results"]["bindings"]  # type: ignore[no-any-return]


def _graphs(store: ExternalStore) -> dict[str, int]:
    """Triples per graph of ours (a store may hold its own system graphs besides)."""
    rows = _select(store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows if r["g"]["value"].startswith("https://w3id.org/conflictkg/")}  # type: ignore[index]


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Release, Release]:
    """Two releases of the fixture project, the second with one more triple (built once per module)."""
    tmp_path = tmp_path_factory.mktemp("releases")
    project = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECT, project)
    first = build(project, tmp_path / "first")
    events = project / "data" / "events.ttl"
    events.write_text(events.read_text("utf-8") + "\n<https://w3id.org/conflictkg/id/place/test-extra> "
                      "<http://www.w3.org/2000/01/rdf-schema#label> \"Test extra (test material)\"@en .\n", encoding="utf-8")
    second = build(project, tmp_path / "second")
    return first, second


def test_publish_switch_and_republish(store: ExternalStore, two_releases: tuple[Release, Release]) -> None:
    first, second = two_releases
    client = GraphStore(store.graph_store, store.update)
    said: list[str] = []
    published = publish_release(first.root, client, progress=said.append)
    assert published.graphs == first.graphs
    live = _graphs(store)
    assert {g: n for g, n in live.items() if g != PUBLICATION_GRAPH} == first.graphs
    assert any(line.startswith("loaded") for line in said) and said[-1].startswith("verified")

    # a graph of the live release that the next release no longer has is dropped at the switch
    stale = "https://w3id.org/conflictkg/graph/report/test-stale"
    client.update(f"INSERT DATA {{ GRAPH <{stale}> {{ <urn:test:a> <urn:test:p> 1 }} }} ;"
                 f"INSERT DATA {{ GRAPH <{PUBLICATION_GRAPH}> {{ <https://w3id.org/conflictkg/dataset> <http://rdfs.org/ns/void#subset> <{stale}> }} }}")
    again = publish_release(second.root, client)
    assert again.dropped == (stale,)
    live = _graphs(store)
    assert {g: n for g, n in live.items() if g != PUBLICATION_GRAPH} == second.graphs, "only the new release's graphs"
    assert not [g for g in live if "/release/" in g], "no staged copy is left"
    version = _select(store, f"SELECT ?v {{ GRAPH <{PUBLICATION_GRAPH}> {{ ?d <http://www.w3.org/2002/07/owl#versionInfo> ?v }} }}")
    assert [r["v"]["value"] for r in version] == [second.version]  # type: ignore[index]


def test_competency_queries_answer_the_same_through_the_store(store: ExternalStore, two_releases: tuple[Release, Release]) -> None:
    release = two_releases[1]
    publish_release(release.root, GraphStore(store.graph_store, store.update))
    embedded = Store.from_release(release.root)
    asserted = " ".join(f"FROM <{g}>" for g in embedded.default_graphs or [])
    assert release.queries(), "the fixture project has example queries"
    for query_file in release.queries():
        text = query_file.read_text("utf-8")
        ours = sorted(json.dumps({k: str(v) for k, v in zip([v.value for v in result.variables], row)}, sort_keys=True)
                      for result in [embedded.query(text)] for row in result)  # type: ignore[union-attr]
        via_store = _select(store, text.replace("WHERE", asserted + " WHERE", 1))
        theirs = sorted(json.dumps({k: str(_term(v)) for k, v in row.items()}, sort_keys=True) for row in via_store)
        assert len(ours) == len(theirs) and ours == [o for o in theirs], query_file.name


def _term(binding: dict[str, str]) -> object:
    if binding["type"] == "uri":
        return ox.NamedNode(binding["value"])
    if binding["type"] == "bnode":
        return ox.BlankNode(binding["value"])
    if "xml:lang" in binding:
        return ox.Literal(binding["value"], language=binding["xml:lang"])
    return ox.Literal(binding["value"], datatype=ox.NamedNode(binding.get("datatype", "http://www.w3.org/2001/XMLSchema#string")))


def test_without_an_update_endpoint_graphs_are_replaced_one_by_one(store: ExternalStore, two_releases: tuple[Release, Release]) -> None:
    first = two_releases[0]
    published = publish_release(first.root, GraphStore(store.graph_store))
    assert published.graphs == first.graphs
    assert not [g for g in _graphs(store) if "/release/" in g]


def test_a_failed_load_leaves_the_live_release_and_no_staged_graph(store: ExternalStore, two_releases: tuple[Release, Release]) -> None:
    first, second = two_releases
    client = GraphStore(store.graph_store, store.update)
    publish_release(first.root, client)
    broken = GraphStore(store.graph_store, store.update.rsplit("/", 1)[0] + "/no-such-update-endpoint")
    with pytest.raises(PublishError, match="SPARQL Update"):
        publish_release(second.root, broken)
    live = _graphs(store)
    assert {g: n for g, n in live.items() if g != PUBLICATION_GRAPH} == first.graphs
    assert staging_name("https://w3id.org/conflictkg/graph/data", second.version) not in live


def test_cli_publish_and_unreachable_store(store: ExternalStore, two_releases: tuple[Release, Release]) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_SRC)}
    release = two_releases[0]
    ok = subprocess.run([sys.executable, "-m", "conflictkg", "publish", "--to", store.graph_store, "--update", store.update,
                         "--release", str(release.root)],
                        capture_output=True, text=True, timeout=300, env=env)
    assert ok.returncode == 0, ok.stderr
    assert "switched to release" in ok.stdout and "verified" in ok.stdout
    down = subprocess.run([sys.executable, "-m", "conflictkg", "publish", "--to", f"http://127.0.0.1:{_free_port()}/store",
                           "--release", str(release.root)], capture_output=True, text=True, timeout=300, env=env)
    assert down.returncode == 1 and "cannot reach" in down.stderr and "Traceback" not in down.stderr
