"""The one benchmark command: conflictkg against Oxigraph's own server and rdflib-endpoint, same data.

    python bench/run.py --size 10k            # data from /work/scale/10k (or --project DIR)
    python bench/run.py --size 100k --sections startup,last-controller,build

For one generated project (``conflictkg generate``) it starts each server in turn on 127.0.0.1 (free
ports), alone on the machine's cores:

- conflictkg: ``python -m conflictkg serve`` of the checked-out code, serving the release built from the
  project (``--ours release``, built by the ``build`` section) or the project's ``events.nt``
  (``--ours file``, the default);
- Oxigraph's own server (PyPI ``oxigraph``): ``oxigraph serve`` in memory, ``events.nt`` loaded through
  its HTTP API (``POST /store?default``);
- rdflib-endpoint (PyPI): ``rdflib-endpoint serve events.nt``, only up to ``--rdflib-max-events`` (its
  rdflib parse takes minutes and gigabytes beyond).

and measures, per server: the time from spawning it to its first answer (including the data load), the
median latency of every query at C=1 (Python client, httpx), the one-IRI lookup at C=1 and C=8 with wrk
(light requests; a Python client saturates near 1,000 req/s on 2 cores), the heavy query mix at C=1 and
C=8 with a Python client (req/s, p50/p95/p99, errors), and the peak memory of the server's whole process
tree (RSS summed, and PSS, which counts pages shared between processes once). The ``build`` section
times ``conflictkg build --root PROJECT`` and its peak RSS. The ``alternating`` section starts conflictkg
and Oxigraph's server together and measures the lookup (C=1, C=8) and the mix (C=8) on each in turn for
``--rounds`` rounds, reporting the median of the per-round ratios: on a shared machine the load others
add drifts over minutes, which the sequential sections cannot separate from the servers' own speed.
Every phase is bounded in time; the report
is a Markdown table printed and written to ``bench/results/<size>-<UTC time>.md``. Ratios are
conflictkg ÷ peer. Machines are shared and noisy: read medians and ratios, not single figures.

Needs the ``bench`` extra (``pip install -e '.[bench]'``) and wrk (Debian package ``wrk``); a missing peer
or tool is skipped and said so in the report.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SCALE_DIR = Path(os.environ.get("CONFLICTKG_SCALE_DIR", "/work/scale"))
RESULTS = ROOT / "bench" / "results"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SECTIONS = ("startup", "queries", "light", "mix", "last-controller", "build", "alternating")
JSON = "application/sparql-results+json"

PROLOGUE = """PREFIX ckg: <https://w3id.org/conflictkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
LOOKUP_IRI = "https://w3id.org/conflictkg/id/event/syn-000042"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{LOOKUP_IRI}> ?p ?o }}"
"""The light request: every triple of one event (a describe-like lookup of one IRI)."""

LAST_CONTROLLER = PROLOGUE + """# For each place, the last actor who captured it (the OPTIONAL sits in the middle of the pattern).
SELECT ?place ?placeLabel ?controller ?date WHERE {
  ?capture a ?type ; ckg:place ?place ; ckg:agent ?controller ; ckg:date ?date .
  ?type rdfs:subClassOf* ckg:Capture .
  OPTIONAL {
    ?later a ?laterType ; ckg:place ?place ; ckg:date ?laterDate .
    ?laterType rdfs:subClassOf* ckg:Capture .
    FILTER (?laterDate > ?date)
  }
  ?place rdfs:label ?placeLabel .
  FILTER (!BOUND(?later))
}
ORDER BY ?placeLabel ?controller"""
"""The control-history query of issue 7; measured on its own, not in the mix (one slow planner case
would otherwise dominate the mix)."""

SCALE_QUERIES = {
    "events-per-type": PROLOGUE + """SELECT ?type (COUNT(?e) AS ?n) WHERE {
  ?e a ?type . ?type rdfs:subClassOf* ckg:Event } GROUP BY ?type ORDER BY DESC(?n)""",
    "events-per-area": PROLOGUE + """SELECT ?area (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e ckg:place ?place . ?place ckg:locatedIn+ ?area . ?area a ckg:AdministrativeArea } GROUP BY ?area""",
    "deaths-by-quantifier": PROLOGUE + """SELECT ?quantifier (COUNT(?r) AS ?reports) (SUM(?n) AS ?deaths) WHERE {
  ?r a ckg:CasualtyReport ; ckg:quantifier ?quantifier . OPTIONAL { ?r ckg:count ?n } } GROUP BY ?quantifier""",
    "claims-per-outlet": PROLOGUE + """SELECT ?outlet (COUNT(?c) AS ?n) WHERE {
  ?c a ckg:Claim ; ckg:reportedTo ?outlet } GROUP BY ?outlet ORDER BY DESC(?n)""",
    "events-in-2020": PROLOGUE + """SELECT ?e ?label ?date WHERE {
  ?e ckg:date ?date ; rdfs:label ?label .
  FILTER (?date >= "2020-01-01"^^xsd:date && ?date < "2020-02-01"^^xsd:date) } ORDER BY ?date LIMIT 100""",
}


NOT_IN_MIX = {
    "events-only-anonymously-sourced": "its nested FILTER NOT EXISTS grows with events × claims: about 1 s at "
    "1k events, beyond the 30 s timeout at 10k in every engine tried; timed on its own instead",
}
"""Queries timed on their own but left out of the mix, with the reason (printed with the table)."""


def all_queries(project: Path) -> dict[str, str]:
    """The project's competency queries and the queries that matter at scale."""
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted((project / "data" / "queries").glob("*.rq"))}
    return {**found, **SCALE_QUERIES}


def mix_queries(queries: dict[str, str]) -> dict[str, str]:
    """The heavy mix: every query but those of NOT_IN_MIX."""
    return {name: text for name, text in queries.items() if name not in NOT_IN_MIX}


# --- processes and memory ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    tree, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, ()))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; (0, 0) once it is gone. Reading PSS walks the process's page
    tables: ~50 ms of kernel CPU for a 2.5 GB process (measured), so it is read less often than RSS."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _rss_kb(pid: int) -> int:
    """RSS of one process in kB from /proc/PID/statm (no page-table walk); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


class MemorySampler:
    """Samples the summed RSS of a process tree in a thread every ``interval`` seconds and its summed PSS
    every ``pss_every`` (PSS is costly to read: sampled as often as RSS, it took a third of a core from a
    100k build); keeps the peaks, and the largest RSS of one process."""

    def __init__(self, pid: int, interval: float = 0.25, pss_every: float = 2.0) -> None:
        self.pid, self.interval, self.pss_every = pid, interval, pss_every
        self.peak_rss = self.peak_pss = self.largest_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        next_pss = 0.0
        while not self._stop.is_set():
            tree = process_tree(self.pid)
            sizes = [_rss_kb(pid) for pid in tree]
            self.peak_rss = max(self.peak_rss, sum(sizes))
            self.largest_rss = max(self.largest_rss, *sizes, 0)
            if time.monotonic() >= next_pss:
                next_pss = time.monotonic() + self.pss_every
                self.peak_pss = max(self.peak_pss, sum(_memory_kb(pid)[1] for pid in tree))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def stop_tree(process: subprocess.Popen[bytes]) -> None:
    """End a server we started and every process it started (it runs in its own process group)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=20)


# --- servers -----------------------------------------------------------------------------------------


@dataclass
class Server:
    """A server under test: how to start it, where it answers, how to load its data."""

    name: str
    argv: list[str]
    url: str
    load: Callable[[], None] | None = None
    note: str = ""
    loading: str = ""
    """A line its log shows while it answers at less than full speed (conflictkg: loading the data into
    memory while the on-disk store answers), and ``ready`` the line that ends that phase."""
    ready: str = ""


def conflictkg_server(args: argparse.Namespace, nt: Path, release: Path | None) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "conflictkg", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--timeout", str(args.query_timeout)]
    if release is not None:
        argv += ["--release", str(release), "--root", str(args.project)]
        note = f"serve --release (built from {args.project})"
    else:
        argv += [str(nt)]
        note = f"serve {nt.name}"
    return Server("conflictkg", argv, f"http://127.0.0.1:{port}/sparql", note=note,
                  loading="loading the data into memory", ready="switched the server processes")


def oxigraph_server(nt: Path) -> Server | None:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        return None
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def load() -> None:
        with nt.open("rb") as body:
            response = httpx.post(f"{base}/store?default", content=body,
                                  headers={"Content-Type": "application/n-triples"}, timeout=3600)
        response.raise_for_status()

    return Server("oxigraph", [binary, "serve", "--bind", f"127.0.0.1:{port}"], f"{base}/query", load,
                  "oxigraph serve (in memory), data POSTed to /store")


def rdflib_server(nt: Path) -> Server | None:
    binary = shutil.which("rdflib-endpoint") or str(Path(sys.executable).parent / "rdflib-endpoint")
    if not Path(binary).exists():
        return None
    port = free_port()
    return Server("rdflib-endpoint", [binary, "serve", str(nt), "--host", "127.0.0.1", "--port", str(port)],
                  f"http://127.0.0.1:{port}/", note="rdflib-endpoint serve events.nt")


def ask(client: httpx.Client, url: str, query: str, timeout: float) -> tuple[bool, float, int]:
    """One GET query; (ok, seconds, bytes). A transport error or a non-200 is not ok."""
    started = time.perf_counter()
    try:
        response = client.get(url, params={"query": query}, headers={"Accept": JSON}, timeout=timeout)
        ok = response.status_code == 200
        size = len(response.content)
    except httpx.HTTPError:
        ok, size = False, 0
    return ok, time.perf_counter() - started, size


@contextmanager
def running(server: Server, log: Path, start_timeout: float
            ) -> Iterator[tuple[subprocess.Popen[bytes], float, float | None, MemorySampler]]:
    """Start ``server``, load its data, wait for its first answer and then for its full speed; yield
    (process, seconds to the first answer, seconds to full speed when that came later, the sampler of
    its process tree's memory, running from the start so that loading the data counts)."""
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(server.argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        sampler = MemorySampler(process.pid).__enter__()
        try:
            deadline = started + start_timeout
            with httpx.Client() as client:
                if server.load is not None:
                    while time.perf_counter() < deadline:  # the port answers before data is loaded
                        try:
                            client.get(server.url.rsplit("/", 1)[0] + "/", timeout=2)
                            break
                        except httpx.TransportError:
                            if process.poll() is not None:
                                raise RuntimeError(f"{server.name} exited (see {log})") from None
                            time.sleep(0.05)
                    server.load()
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"{server.name} exited with {process.returncode} (see {log})")
                    if time.perf_counter() > deadline:
                        raise RuntimeError(f"{server.name} gave no answer within {start_timeout:.0f} s")
                    ok, _, _ = ask(client, server.url, LOOKUP, timeout=60)
                    if ok:
                        break
                    time.sleep(0.1)
            first = time.perf_counter() - started
            full = None
            if server.ready:
                while server.loading in log.read_text(errors="replace") and time.perf_counter() < deadline:
                    if server.ready in log.read_text(errors="replace"):
                        full = time.perf_counter() - started
                        break
                    time.sleep(0.1)
            yield process, first, full, sampler
        finally:
            sampler.__exit__()
            stop_tree(process)


# --- measurements -------------------------------------------------------------------------------------


@dataclass
class Mix:
    """A load run: requests, errors, req/s and latency percentiles (ms), and which tool measured it."""

    tool: str
    concurrency: int
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")

    @property
    def rate(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def python_mix(url: str, queries: list[str], concurrency: int, seconds: float, timeout: float) -> Mix:
    """Each of ``concurrency`` threads sends the next query of the cycle until the time is up."""
    cycle, lock = itertools.cycle(queries), threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        with httpx.Client() as client:
            while time.perf_counter() < deadline:
                with lock:
                    query = next(cycle)
                ok, elapsed, _ = ask(client, url, query, timeout)
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ms = [v * 1000 for v in latencies]
    return Mix("Python client (httpx)", concurrency, len(latencies), errors[0], time.perf_counter() - started,
               _percentile(ms, 50), _percentile(ms, 95), _percentile(ms, 99))


WRK_SCRIPT = """wrk.method = "GET"
wrk.headers["Accept"] = "%s"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50\\": %%d, \\"p95\\": %%d, " ..
    "\\"p99\\": %%d, \\"socket_errors\\": %%d, \\"status_errors\\": %%d}\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
""" % JSON


def wrk_mix(url: str, query: str, concurrency: int, seconds: float, workdir: Path) -> Mix | None:
    """wrk on one GET request; None when wrk is not installed."""
    binary = shutil.which("wrk")
    if binary is None:
        return None
    script = workdir / "sparql.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    target = f"{url}?{urllib.parse.urlencode({'query': query})}"
    threads = min(concurrency, os.cpu_count() or 1)
    result = subprocess.run(
        [binary, "-t", str(threads), "-c", str(concurrency), "-d", f"{max(1, int(seconds))}s", "--timeout", "10s",
         "-s", str(script), target], capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {result.stdout[-500:]} {result.stderr[-500:]}")
    data = json.loads(line.removeprefix("WRKJSON "))
    errors = data["socket_errors"] + data["status_errors"]
    return Mix("wrk", concurrency, data["requests"], errors, data["duration_us"] / 1e6,
               data["p50"] / 1000, data["p95"] / 1000, data["p99"] / 1000)


@dataclass
class QueryTiming:
    median_ms: float | None = None
    runs: int = 0
    rows_bytes: int = 0
    failed: str = ""


@dataclass
class ServerResult:
    name: str
    note: str = ""
    startup_s: float | None = None
    full_speed_s: float | None = None
    peak_rss_kb: int = 0
    peak_pss_kb: int = 0
    queries: dict[str, QueryTiming] = field(default_factory=dict)
    light: dict[int, Mix] = field(default_factory=dict)
    mix: dict[int, Mix] = field(default_factory=dict)
    skipped: str = ""


def time_queries(url: str, queries: dict[str, str], runs: int, budget: float, timeout: float,
                 restart: Callable[[], str], total_budget: float) -> dict[str, QueryTiming]:
    """Median latency of each query at C=1; a query that times out is marked and the server restarted
    (a server that cannot cancel would stay busy with it and slow every later measurement). Once
    ``total_budget`` seconds are spent, the remaining queries are marked "not run"."""
    timings: dict[str, QueryTiming] = {}
    client = httpx.Client()
    deadline = time.perf_counter() + total_budget
    for name, query in queries.items():
        timing, times = QueryTiming(), []
        if time.perf_counter() > deadline:
            timings[name] = QueryTiming(failed="not run")
            continue
        spent = 0.0
        while len(times) < runs and spent < budget:
            ok, elapsed, size = ask(client, url, query, timeout)
            spent += elapsed
            if not ok:
                timing.failed = "timeout" if elapsed >= timeout else "error"
                break
            times.append(elapsed)
            timing.rows_bytes = size
        if times:
            timing.median_ms, timing.runs = statistics.median(times) * 1000, len(times)
        timings[name] = timing
        if timing.failed == "timeout":
            client.close()
            url = restart()
            client = httpx.Client()
    client.close()
    return timings


def measure_server(server_factory: Callable[[], Server], args: argparse.Namespace, sections: set[str],
                   queries: dict[str, str], workdir: Path) -> ServerResult:
    server = server_factory()
    result = ServerResult(server.name, server.note)
    log = workdir / f"{server.name}.log"
    print(f"[{server.name}] starting: {' '.join(server.argv)}", flush=True)
    stack: list[object] = []
    try:
        context = running(server, log, args.start_timeout)
        process, startup, full, sampler = context.__enter__()
        stack.append(context)
        result.startup_s, result.full_speed_s = startup, full
        print(f"[{server.name}] first answer after {startup:.1f} s"
              + (f", full speed (data in memory) after {full:.1f} s" if full is not None else ""), flush=True)

        def restart() -> str:
            nonlocal server, sampler, process
            sampler.__exit__()
            result.peak_rss_kb = max(result.peak_rss_kb, sampler.peak_rss)
            result.peak_pss_kb = max(result.peak_pss_kb, sampler.peak_pss)
            stack.pop().__exit__(None, None, None)  # type: ignore[attr-defined]
            server = server_factory()
            print(f"[{server.name}] restarting after a query timeout", flush=True)
            new = running(server, log, args.start_timeout)
            process, _, _, sampler = new.__enter__()
            stack.append(new)
            return server.url

        chosen = {}  # the control-history query first: a summary row, kept within the server budget
        if "last-controller" in sections:
            chosen["last-controller"] = LAST_CONTROLLER
        if "queries" in sections:
            chosen.update(queries)
        if chosen:
            result.queries = time_queries(server.url, chosen, args.runs, args.query_budget, args.query_timeout,
                                          restart, args.server_budget)
            print(f"[{server.name}] queries: " + ", ".join(
                f"{k} {v.median_ms:.1f} ms" if v.median_ms is not None else f"{k} {v.failed}"
                for k, v in result.queries.items()), flush=True)
        if "light" in sections:
            for c in (1, 8):
                mix = wrk_mix(server.url, LOOKUP, c, args.light_seconds, workdir)
                if mix is not None:
                    result.light[c] = mix
                    print(f"[{server.name}] lookup C={c}: {mix.rate:.0f} req/s, {mix.errors} errors", flush=True)
        if "mix" in sections:
            for c in (1, 8):
                mix = python_mix(server.url, list(mix_queries(queries).values()), c, args.mix_seconds,
                                 args.query_timeout)
                result.mix[c] = mix
                print(f"[{server.name}] mix C={c}: {mix.rate:.1f} req/s, {mix.errors} errors", flush=True)
                if c == 1 and mix.errors and mix.p99 >= args.query_timeout * 1000 * 0.9:
                    restart()  # a timed-out query may still occupy a server that cannot cancel it
        sampler.__exit__()
        result.peak_rss_kb = max(result.peak_rss_kb, sampler.peak_rss)
        result.peak_pss_kb = max(result.peak_pss_kb, sampler.peak_pss)
    except (RuntimeError, httpx.HTTPError, subprocess.SubprocessError, OSError) as exc:
        result.skipped = f"failed: {exc}"
        print(f"[{server.name}] {result.skipped}", flush=True)
    finally:
        while stack:
            stack.pop().__exit__(None, None, None)  # type: ignore[attr-defined]
    return result


ALTERNATING_LOADS = ("one-IRI lookup, C=1", "one-IRI lookup, C=8", "query mix, C=8")


@dataclass
class Alternating:
    """Req/s of each server per round and load, measured while both servers run, one after the other."""

    rounds: list[dict[str, dict[str, float]]] = field(default_factory=list)
    """Per round: load → server → req/s."""
    skipped: str = ""

    def rates(self, load: str, server: str) -> list[float]:
        return [r[load][server] for r in self.rounds if server in r.get(load, {})]

    def ratios(self, load: str, ours: str, peer: str) -> list[float]:
        return [r[load][ours] / r[load][peer] for r in self.rounds
                if r.get(load, {}).get(peer) and ours in r[load]]


def measure_alternating(factories: dict[str, Callable[[], Server | None]], names: list[str],
                        args: argparse.Namespace, queries: dict[str, str], workdir: Path) -> Alternating:
    """Start the servers together, then in each of ``args.rounds`` rounds run every load on each of them
    in turn (the order reversed every other round), ``args.slice_seconds`` per lookup run and
    ``args.mix_seconds`` per mix run (a short mix run would weigh the servers' slowest answers, which
    end after the deadline, more than the sequential section does): the load the other users of a
    shared machine add changes over minutes, so the ratio of two servers measured in the same round is
    steadier than that of runs a few minutes apart."""
    result = Alternating()
    servers: dict[str, str] = {}
    try:
        with ExitStack() as stack:
            for name in names:
                server = factories[name]()
                if server is None:
                    result.skipped = f"{name} is not installed"
                    return result
                stack.enter_context(running(server, workdir / f"{name}-alternating.log", args.start_timeout))
                servers[name] = server.url
                print(f"[alternating] {name} is up", flush=True)
            mix = list(mix_queries(queries).values())
            for number in range(args.rounds):
                order = list(servers.items()) if number % 2 == 0 else list(reversed(servers.items()))
                rates: dict[str, dict[str, float]] = {load: {} for load in ALTERNATING_LOADS}
                for name, url in order:
                    for c in (1, 8):
                        run = wrk_mix(url, LOOKUP, c, args.slice_seconds, workdir)
                        if run is not None:
                            rates[f"one-IRI lookup, C={c}"][name] = run.rate
                    rates["query mix, C=8"][name] = python_mix(url, mix, 8, args.mix_seconds, args.query_timeout).rate
                result.rounds.append(rates)
                print(f"[alternating] round {number + 1}: " + "; ".join(
                    f"{load}: " + ", ".join(f"{n} {v:,.1f}" for n, v in by.items()) for load, by in rates.items()),
                    flush=True)
    except (RuntimeError, httpx.HTTPError, subprocess.SubprocessError, OSError) as exc:
        result.skipped = f"failed: {exc}"
        print(f"[alternating] {result.skipped}", flush=True)
    return result


@dataclass
class BuildResult:
    seconds: float | None = None
    peak_rss_kb: int = 0
    peak_pss_kb: int = 0
    largest_rss_kb: int = 0
    outcome: str = ""
    release: Path | None = None


def measure_build(project: Path, out: Path, timeout: float, log: Path) -> BuildResult:
    """Time `conflictkg build --root PROJECT --out OUT` and sample its process tree's peak RSS and PSS
    (PSS counts the pages forked stages share once: what the build holds at once) and its largest
    process's RSS; stop it at ``timeout``."""
    if out.exists():
        shutil.rmtree(out)
    argv = [sys.executable, "-m", "conflictkg", "build", "--root", str(project), "--out", str(out)]
    print(f"[build] {' '.join(argv)}", flush=True)
    result = BuildResult()
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        with MemorySampler(process.pid, interval=0.5, pss_every=5.0) as sampler:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                stop_tree(process)
                result.outcome = f"stopped after {timeout:.0f} s"
        result.seconds = time.perf_counter() - started
    result.peak_rss_kb, result.peak_pss_kb, result.largest_rss_kb = sampler.peak_rss, sampler.peak_pss, sampler.largest_rss
    if not result.outcome:
        result.outcome = "ok" if process.returncode == 0 else f"exit {process.returncode} (see {log})"
    if process.returncode == 0:
        result.release = out
    print(f"[build] {result.outcome} in {result.seconds:.0f} s, peak PSS {result.peak_pss_kb / 1024:.0f} MB, "
          f"largest process {result.largest_rss_kb / 1024:.0f} MB", flush=True)
    return result


# --- report ---------------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    load = os.getloadavg()
    return (f"{model}, {os.cpu_count()} cores, {mem_kb / 1024 / 1024:.0f} GB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}; load average at start "
            f"{load[0]:.1f} (shared machine)")


def _ms(value: float | None) -> str:
    return "–" if value is None or value != value else (f"{value:.2f}" if value < 10 else f"{value:.0f}")


def _ratio(ours: float | None, peer: float | None) -> str:
    if not ours or not peer or ours != ours or peer != peer:
        return "–"
    return f"{ours / peer:.2f}×"


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB" if kb else "–"


def _git_revision() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                             text=True, timeout=10)
        branch = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True,
                                text=True, timeout=10)
        return f"{branch.stdout.strip()} @ {out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def report(args: argparse.Namespace, results: list[ServerResult], build: BuildResult | None,
           triples: int, started: str, machine_text: str, alternating: Alternating | None = None) -> str:
    by = {r.name: r for r in results}
    ours = by.get("conflictkg")
    peers = [r for r in results if r.name != "conflictkg"]
    lines = [
        f"## conflictkg benchmark: {args.size_label} ({triples:,} triples in events.nt)",
        "",
        f"- run {started}, code {_git_revision()}, data {args.project}",
        f"- machine: {machine_text}; at the end {', '.join(f'{v:.1f}' for v in os.getloadavg())} (1, 5, 15 min)",
        "- ratios are conflictkg ÷ peer: above 1× is better for req/s, below 1× is better for ms, s and MB",
        "- tools: per-query medians and the heavy mix with a Python client (httpx, one connection per thread); "
        "the one-IRI lookup with wrk; memory = peak over the server's whole process tree, sampled from "
        "/proc: RSS summed every 0.25 s (the build: 0.5 s), PSS (shared pages counted once; costly to read) "
        "every 2 s (the build: 5 s)",
        "- the query mix cycles through every query of the per-query table except "
        + "; ".join(f"`{name}` ({why})" for name, why in NOT_IN_MIX.items()) + " and `last-controller`",
    ]
    for r in results:
        lines.append(f"- {r.name}: {r.note}" + (f" — **{r.skipped}**" if r.skipped else ""))
    lines += ["", "### Summary (the rows of issue 7)", ""]
    header = "| measured | tool | conflictkg | " + " | ".join(p.name for p in peers) + " | " + \
        " | ".join(f"× {p.name}" for p in peers) + " |"
    lines += [header, "|" + "---|" * (3 + 2 * len(peers))]

    def row(label: str, tool: str, value: Callable[[ServerResult], float | None], fmt: Callable[[float | None], str],
            ratio: bool = True) -> None:
        if ours is None:
            return
        mine = value(ours)
        if mine is None and all(value(p) is None for p in peers):
            return  # a section that was not run
        cells = [fmt(value(p)) if not p.skipped else "–" for p in peers]
        ratios = [_ratio(mine, value(p)) if ratio and not p.skipped else "–" for p in peers]
        lines.append(f"| {label} | {tool} | {fmt(mine)} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")

    row("time to first answer (s), incl. data load", "Python client",
        lambda r: r.startup_s, lambda v: "–" if v is None else f"{v:.1f}")
    row("time to full speed (s): data loaded into memory", "server log",
        lambda r: r.full_speed_s, lambda v: "–" if v is None else f"{v:.1f}", ratio=False)
    row("peak RSS, all server processes", "/proc", lambda r: r.peak_rss_kb or None, lambda v: _mb(int(v or 0)))
    row("peak PSS, all server processes", "/proc", lambda r: r.peak_pss_kb or None, lambda v: _mb(int(v or 0)))
    for c in (1, 8):
        row(f"one-IRI lookup, C={c} (req/s)", "wrk", lambda r, c=c: r.light[c].rate if c in r.light else None,
            lambda v: "–" if v is None else f"{v:,.0f}")
    row("one-IRI lookup, C=8, p99 (ms)", "wrk", lambda r: r.light[8].p99 if 8 in r.light else None, _ms)
    for c in (1, 8):
        row(f"query mix, C={c} (req/s)", "Python client",
            lambda r, c=c: r.mix[c].rate if c in r.mix else None,
            lambda v: "–" if v is None else (f"{v:,.1f}" if v >= 10 else f"{v:.2f}"))
    row("last controller (OPTIONAL mid-pattern), median ms", "Python client",
        lambda r: r.queries["last-controller"].median_ms if "last-controller" in r.queries else None, _ms)
    if build is not None:
        lines.append(f"| `conflictkg build --root` {args.size_label}: time | /usr/bin/time-like | "
                     f"{'–' if build.seconds is None else f'{build.seconds:.0f} s'} ({build.outcome}) |"
                     + " – |" * (2 * len(peers)))
        lines.append(f"| `conflictkg build --root` {args.size_label}: peak PSS, all its processes | /proc | "
                     f"{_mb(build.peak_pss_kb)} |" + " – |" * (2 * len(peers)))
        lines.append(f"| `conflictkg build --root` {args.size_label}: largest process, peak RSS | /proc | "
                     f"{_mb(build.largest_rss_kb)} |" + " – |" * (2 * len(peers)))

    if any(r.queries for r in results):
        names = list(next(r.queries for r in results if r.queries))
        lines += ["", "### Median latency per query, C=1 (ms; Python client)", "",
                  "| query | conflictkg | " + " | ".join(p.name for p in peers) + " | "
                  + " | ".join(f"× {p.name}" for p in peers) + " |",
                  "|" + "---|" * (2 + 2 * len(peers))]
        for name in names:
            def cell(r: ServerResult) -> str:
                t = r.queries.get(name)
                if t is None:
                    return "–"
                return t.failed or _ms(t.median_ms)
            mine = ours.queries.get(name) if ours else None
            ratios = [_ratio(mine.median_ms if mine else None,
                             p.queries[name].median_ms if name in p.queries else None) for p in peers]
            lines.append(f"| {name} | {cell(ours) if ours else '–'} | " + " | ".join(cell(p) for p in peers)
                         + " | " + " | ".join(ratios) + " |")
    if any(r.mix or r.light for r in results):
        lines += ["", "### Load runs", "",
                  "| server | load | tool | C | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in results:
            for label, runs in (("one-IRI lookup", r.light), ("query mix", r.mix)):
                for c, m in sorted(runs.items()):
                    lines.append(f"| {r.name} | {label} | {m.tool} | {c} | {m.requests} | {m.errors} | "
                                 f"{m.rate:,.2f} | {_ms(m.p50)} | {_ms(m.p95)} | {_ms(m.p99)} |")
    if alternating is not None:
        lines += _alternating_lines(alternating, args)
    return "\n".join(lines) + "\n"


def _alternating_lines(alternating: Alternating, args: argparse.Namespace) -> list[str]:
    lines = ["", f"### Alternating rounds (conflictkg and oxigraph both running, {len(alternating.rounds)} rounds, "
             f"{args.slice_seconds:g} s per lookup run, {args.mix_seconds:g} s per mix run)", ""]
    if alternating.skipped:
        return lines + [f"not measured: {alternating.skipped}"]
    lines += ["| load | tool | conflictkg median req/s | oxigraph median req/s | × oxigraph, median of rounds | "
              "× oxigraph, lowest–highest round |", "|---|---|---|---|---|---|"]
    for load in ALTERNATING_LOADS:
        ours, peer = alternating.rates(load, "conflictkg"), alternating.rates(load, "oxigraph")
        ratios = alternating.ratios(load, "conflictkg", "oxigraph")
        if not ours or not peer or not ratios:
            continue
        tool = "Python client" if "mix" in load else "wrk"
        lines.append(f"| {load} | {tool} | {statistics.median(ours):,.1f} | {statistics.median(peer):,.1f} | "
                     f"{statistics.median(ratios):.2f}× | {min(ratios):.2f}–{max(ratios):.2f}× |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="10k", help="1k, 10k, 100k (data in $CONFLICTKG_SCALE_DIR/<size>)")
    parser.add_argument("--project", type=Path, help="a generated project root instead of --size")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--servers", default="conflictkg,oxigraph,rdflib-endpoint")
    parser.add_argument("--ours", choices=("file", "release"), default="file",
                        help="conflictkg serves events.nt (file) or the release the build section built (release)")
    parser.add_argument("--runs", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--query-budget", type=float, default=10.0, help="seconds of repeated runs per query")
    parser.add_argument("--query-timeout", type=float, default=30.0, help="client timeout per request (s)")
    parser.add_argument("--server-budget", type=float, default=300.0,
                        help="seconds per server for the per-query table (later queries are marked 'not run')")
    parser.add_argument("--light-seconds", type=float, default=10.0)
    parser.add_argument("--mix-seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the alternating section")
    parser.add_argument("--slice-seconds", type=float, default=4.0,
                        help="seconds per lookup run in the alternating section (a mix run: --mix-seconds)")
    parser.add_argument("--start-timeout", type=float, default=900.0)
    parser.add_argument("--build-timeout", type=float, default=1800.0)
    parser.add_argument("--rdflib-max-events", type=int, default=10_000,
                        help="skip rdflib-endpoint above this many events (its parse takes minutes)")
    parser.add_argument("--workdir", type=Path, help="where logs and the built release go (default: a temp dir)")
    parser.add_argument("--output", type=Path, help="Markdown file to write (default bench/results/<size>-<time>.md)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so every server started is stopped
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    if args.project is None:
        args.project = SCALE_DIR / args.size
    args.size_label = args.size if args.project == SCALE_DIR / args.size else args.project.name
    nt = args.project / "events.nt"
    if not nt.is_file():
        print(f"error: {nt} not found: generate it with `conflictkg generate --events N --out {args.project}`",
              file=sys.stderr)
        return 2
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    unknown = sections - set(SECTIONS)
    if unknown:
        print(f"error: unknown sections {sorted(unknown)}; choose from {SECTIONS}", file=sys.stderr)
        return 2
    events = SIZES.get(args.size_label.lower(), 0) or _count_events(args.project)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine_text = machine()
    with open(nt, "rb") as fh:
        triples = sum(1 for _ in fh)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="conflictkg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    build = None
    if "build" in sections:
        build = measure_build(args.project, workdir / "dist", args.build_timeout, workdir / "build.log")
    release = build.release if build is not None and args.ours == "release" else None
    if args.ours == "release" and release is None:
        print("no release was built (add the build section): conflictkg serves events.nt", flush=True)
    queries = all_queries(args.project)
    factories: dict[str, Callable[[], Server | None]] = {
        "conflictkg": lambda: conflictkg_server(args, nt, release),
        "oxigraph": lambda: oxigraph_server(nt),
        "rdflib-endpoint": lambda: rdflib_server(nt),
    }
    results = []
    server_sections = sections - {"build", "alternating"}
    for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
        if not server_sections:
            break
        if name not in factories:
            print(f"error: unknown server {name}", file=sys.stderr)
            return 2
        if name == "rdflib-endpoint" and events > args.rdflib_max_events:
            results.append(ServerResult(name, skipped=f"not run above {args.rdflib_max_events:,} events "
                                        "(--rdflib-max-events): its parse alone takes minutes and gigabytes"))
            continue
        if factories[name]() is None:
            results.append(ServerResult(name, skipped="not installed (pip install -e '.[bench]')"))
            continue
        results.append(measure_server(lambda name=name: factories[name](), args, server_sections, queries, workdir))
    alternating = None
    if "alternating" in sections:
        chosen = [s.strip() for s in args.servers.split(",")]
        if "conflictkg" in chosen and "oxigraph" in chosen:
            alternating = measure_alternating(factories, ["conflictkg", "oxigraph"], args, queries, workdir)
        else:
            alternating = Alternating(skipped="needs --servers with conflictkg and oxigraph")
    text = report(args, results, build, triples, started, machine_text, alternating)
    print("\n" + text)
    output = args.output or RESULTS / f"{args.size_label}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"written to {output}; logs in {workdir}")
    return 0


def _count_events(project: Path) -> int:
    """Synthetic events in a project whose size is not in its name (counted from its events file)."""
    path = project / "data" / "syn-events.ttl"
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.startswith("event:syn-"))


if __name__ == "__main__":
    sys.exit(main())
