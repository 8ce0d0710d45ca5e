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
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from conflictkg.pipeline.release import Release
from conflictkg.publish.graph_store import GraphStore, PublishError
from conflictkg.publish.load import PUBLICATION_GRAPH, publish_release, staging_name
from conflictkg.store import Store

if TYPE_CHECKING:
    from conftest import ExternalStore, StoreStarter

PROJECT_SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          start_external_store: StoreStarter) -> Iterator[ExternalStore]:
    with start_external_store(request.param, tmp_path_factory.mktemp(request.param)) as running:
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


def test_cli_publish_and_unreachable_store(store: ExternalStore, two_releases: tuple[Release, Release],
                                           free_port: Callable[[], int]) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_SRC)}
    release = two_releases[0]
    ok = subprocess.run([sys.executable, "-m", "conflictkg", "publish", "--to", store.graph_store, "--update", store.update,
                         "--release", str(release.root)],
                        capture_output=True, text=True, timeout=300, env=env)
    assert ok.returncode == 0, ok.stderr
    assert "switched to release" in ok.stdout and "verified" in ok.stdout
    down = subprocess.run([sys.executable, "-m", "conflictkg", "publish", "--to", f"http://127.0.0.1:{free_port()}/store",
                           "--release", str(release.root)], capture_output=True, text=True, timeout=300, env=env)
    assert down.returncode == 1 and "cannot reach" in down.stderr and "Traceback" not in down.stderr
