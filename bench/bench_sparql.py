"""Benchmark: pyoxigraph vs rdflib's engine, and our HTTP endpoint vs Oxigraph's own server.

Datasets: the article (data/*.ttl + ontology) and a synthetic one made by replicating the article's
resources ``--scale`` times (every IRI under .../id/ gets a copy suffix; the ontology is shared).
Queries: the competency queries (data/queries/*.rq) plus a few heavier ones. Each measurement is the
median of ``--runs`` runs; results are fully consumed. Peers that are absent are skipped: rdflib is a
dependency; Oxigraph's server comes from ``pip install oxigraph`` (not a project dependency).

    PYTHONPATH=src python bench/bench_sparql.py [--scale 100] [--runs 5] [--no-http]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
from rdflib import Graph

from conflictkg.store import Store
from conflictkg.vocab import ID, sparql_prologue

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "data").glob("*.ttl")) + sorted((ROOT / "ontology").glob("*.ttl"))
PROLOGUE = sparql_prologue()
HEAVY = {
    "heavy-events-per-type": "SELECT ?type (COUNT(?e) AS ?n) { ?e a ?type . ?type rdfs:subClassOf* ckg:Event } "
    "GROUP BY ?type ORDER BY DESC(?n)",
    "heavy-events-in-containing-places": "SELECT ?e ?place ?area { ?e ckg:place ?place . ?place ckg:locatedIn+ ?area }",
    "heavy-claims-optional-quote": "SELECT ?c ?who ?label ?q { ?c a ckg:Claim ; ckg:claimedBy ?who . "
    "?who rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), \"a\")) OPTIONAL { ?c ckg:quotation ?q } }",
    "heavy-evidence-offsets": "SELECT (COUNT(*) AS ?n) (MAX(?end) AS ?last) { ?x ckg:evidence ?span . "
    "?span oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }",
}


def queries() -> dict[str, str]:
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "queries").glob("*.rq"))}
    found.update({name: PROLOGUE + text for name, text in HEAVY.items()})
    return found


def article_quads() -> list[ox.Quad]:
    store = ox.Store()
    for path in INPUTS:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.resolve().as_uri()))
    return list(store)


def replicate(quads: list[ox.Quad], scale: int) -> list[ox.Quad]:
    """``scale`` copies of every quad about the article's resources; other quads (ontology) once."""
    base = str(ID)

    def copy(term, k: int):
        if isinstance(term, ox.NamedNode) and term.value.startswith(base) and k:
            return ox.NamedNode(f"{term.value}-copy{k}")
        return term

    out: list[ox.Quad] = []
    for quad in quads:
        local = any(isinstance(t, ox.NamedNode) and t.value.startswith(base) for t in (quad.subject, quad.object))
        for k in range(scale if local else 1):
            out.append(ox.Quad(copy(quad.subject, k), quad.predicate, copy(quad.object, k), quad.graph_name))
    return out


BUDGET_SECONDS = 20.0
"""Stop repeating a measurement once it has used this long (at least one run): rdflib is slow at scale."""


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times: list[float] = []
    while len(times) < runs and sum(times) < BUDGET_SECONDS:
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def engines(nq: Path, runs: int) -> dict[str, dict[str, float]]:
    store = ox.Store()
    store.load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    triples = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in store), format=ox.RdfFormat.N_TRIPLES)
    union = Graph().parse(data=triples, format="nt")  # rdflib: the union default graph as one graph
    table: dict[str, dict[str, float]] = {}
    for name, text in queries().items():
        table[name] = {
            "pyoxigraph": median_seconds(lambda: list(store.query(text, use_default_graph_as_union=True)), runs),
            "rdflib": median_seconds(lambda: list(union.query(text)), runs),
        }
    return table


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited")
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url}: server did not start")


def http(nq: Path, runs: int, workdir: Path) -> dict[str, dict[str, float]]:
    servers: dict[str, tuple[str, subprocess.Popen]] = {}
    port = _port()
    ours = subprocess.Popen(
        [sys.executable, "-m", "conflictkg", "serve", str(nq), "--port", str(port), "--timeout", "120"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    servers["conflictkg"] = (f"http://127.0.0.1:{port}/sparql", ours)
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if Path(oxigraph).exists():
        location = workdir / "oxigraph-db"
        workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(nq)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = _port()
        peer = subprocess.Popen(
            [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        servers["oxigraph-server"] = (f"http://127.0.0.1:{port}/query", peer)
    else:
        print("oxigraph server not installed: HTTP peer skipped (pip install oxigraph)")
    table: dict[str, dict[str, float]] = {}
    try:
        for url, process in servers.values():
            _wait(url, process)
        with httpx.Client(timeout=300) as client:
            for name, text in queries().items():
                row = {}
                for label, (url, _) in servers.items():
                    def fetch(url: str = url) -> None:
                        response = client.get(url, params={"query": text},
                                              headers={"Accept": "application/sparql-results+json"})
                        response.raise_for_status()
                    fetch()
                    row[label] = median_seconds(fetch, runs)
                table[name] = row
    finally:
        for _, process in servers.values():
            process.terminate()
            process.wait(timeout=30)
    return table


def store_start_up(nq: Path) -> list[float]:
    """Seconds to build the on-disk store of ``nq`` (first serve) and to open it read-only (every later one)."""
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        Store.from_files([nq], cache_dir=Path(cache))
        built = time.perf_counter() - started
        started = time.perf_counter()
        Store.from_files([nq], cache_dir=Path(cache))
        return [built, time.perf_counter() - started]


def print_table(title: str, table: dict[str, dict[str, float]], reference: str) -> None:
    peers = list(next(iter(table.values())))
    print(f"\n{title} (median ms; ratio = peer / {reference})")
    print(f"{'query':40}" + "".join(f"{p:>18}" for p in peers) + "".join(f"{'x ' + p:>20}" for p in peers if p != reference))
    ratios: dict[str, list[float]] = {p: [] for p in peers if p != reference}
    for name, row in table.items():
        cells = "".join(f"{row[p] * 1000:18.2f}" for p in peers)
        for p in ratios:
            ratios[p].append(row[p] / row[reference])
        print(f"{name:40}{cells}" + "".join(f"{row[p] / row[reference]:20.1f}" for p in ratios))
    for p, values in ratios.items():
        print(f"median ratio {p} / {reference}: {statistics.median(values):.1f}x "
              f"(range {min(values):.1f}x - {max(values):.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100, help="copies of the article in the synthetic dataset")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP comparison")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # tables appear as measured
    base = article_quads()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for label, quads in (("article", base), (f"article x{args.scale}", replicate(base, args.scale))):
            nq = workdir / f"{label.replace(' ', '-')}.nq"
            nq.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
            print(f"\n=== {label}: {len(quads)} quads; store build, open {[round(s, 2) for s in store_start_up(nq)]} s")
            print_table(f"engines, {label}", engines(nq, args.runs), "pyoxigraph")
            if not args.no_http:
                print_table(f"HTTP, {label}", http(nq, args.runs, workdir / label.replace(" ", "-")), "conflictkg")


if __name__ == "__main__":
    main()
