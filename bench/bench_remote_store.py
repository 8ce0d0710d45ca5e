"""`serve --store` against the embedded engine: what the hop to an external store costs per request.

    python bench/bench_remote_store.py --release DIR [--requests 300]

Starts on 127.0.0.1 (free ports): Oxigraph's own server with a fresh database, into which the release is
published (`publish --to`); `conflictkg serve --release DIR` (embedded); `conflictkg serve --store` over
that Oxigraph server. Then, one client at a time (C=1, httpx, keep-alive), the median latency of: the
one-IRI lookup on /sparql (SPARQL JSON), a resource page (HTML, several queries), and the lookup sent to
Oxigraph's server directly (the floor the front-end adds to). Each phase is bounded in count and time;
the table is printed as Markdown. Medians and ratios only: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECONDS_PER_PHASE = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url}: no answer within {seconds} s")


@contextmanager
def _running(command: list[str], probe: str, log: Path) -> Iterator[None]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        _wait(probe, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _median_ms(client: httpx.Client, method: str, url: str, requests: int, **kwargs: object) -> float:
    """Median milliseconds of ``requests`` requests (after 10 unmeasured), within SECONDS_PER_PHASE."""
    for _ in range(10):
        client.request(method, url, **kwargs).raise_for_status()  # type: ignore[arg-type]
    took: list[float] = []
    deadline = time.monotonic() + SECONDS_PER_PHASE
    while len(took) < requests and time.monotonic() < deadline:
        started = time.perf_counter()
        client.request(method, url, **kwargs).raise_for_status()  # type: ignore[arg-type]
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


def _an_event(release: Path) -> str:
    """The IRI of one event of the release (for the lookup and its page)."""
    import gzip

    with gzip.open(release / "conflictkg.nq.gz", "rt", encoding="utf-8") as dump:
        for line in dump:
            if "/id/event/" in line.split(" ", 1)[0]:
                return line.split(" ", 1)[0].strip("<>")
    raise SystemExit("the release has no event")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    event = _an_event(args.release)
    lookup = {"query": f"SELECT ?p ?o WHERE {{ <{event}> ?p ?o }}"}
    page = "/id/" + event.split("/id/", 1)[1]
    json_accept = {"Accept": "application/sparql-results+json"}
    rows: list[tuple[str, float, float | None]] = []
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as scratch:
        work = Path(scratch)
        store_port, embedded_port, remote_port = _free_port(), _free_port(), _free_port()
        store = f"http://127.0.0.1:{store_port}"
        serve = [sys.executable, "-m", "conflictkg", "serve", "--workers", "1", "--no-access-log"]
        with _running([oxigraph, "serve", "--location", str(work / "db"), "--bind", f"127.0.0.1:{store_port}"],
                      f"{store}/query?query=ASK%7B%7D", work / "oxigraph.log"):
            subprocess.run([sys.executable, "-m", "conflictkg", "publish", "--to", f"{store}/store", "--release",
                            str(args.release)], check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                           capture_output=True, timeout=1800)
            embedded, remote = f"http://127.0.0.1:{embedded_port}", f"http://127.0.0.1:{remote_port}"
            with _running([*serve, "--release", str(args.release), "--port", str(embedded_port)],
                          embedded + "/sparql", work / "embedded.log"), \
                 _running([*serve, "--store", f"{store}/query", "--release", str(args.release), "--port", str(remote_port)],
                          remote + "/sparql", work / "remote.log"), \
                 httpx.Client(timeout=60) as client:
                floor = _median_ms(client, "POST", f"{store}/query", args.requests, data=lookup, headers=json_accept)
                ours = _median_ms(client, "POST", f"{embedded}/sparql", args.requests, data=lookup, headers=json_accept)
                theirs = _median_ms(client, "POST", f"{remote}/sparql", args.requests, data=lookup, headers=json_accept)
                rows.append(("one-IRI lookup, /sparql (JSON)", ours, theirs))
                rows.append(("  the same sent to Oxigraph's server directly", floor, None))
                html = {"Accept": "text/html"}
                ours = _median_ms(client, "GET", embedded + page, args.requests // 3, headers=html)
                theirs = _median_ms(client, "GET", remote + page, args.requests // 3, headers=html)
                rows.append((f"resource page {page} (HTML)", ours, theirs))
    print(f"release {args.release.name}, C=1, medians in ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| request | embedded | --store (Oxigraph server) | ratio |")
    print("|---|---|---|---|")
    for name, ours, theirs in rows:
        ratio = f"{theirs / ours:.2f}" if theirs is not None else ""
        print(f"| {name} | {ours:.2f} | {'' if theirs is None else f'{theirs:.2f}'} | {ratio} |")


if __name__ == "__main__":
    main()
