"""The benchmark command runs end to end on tiny data (no timings are asserted: see bench/).

One run of bench/run.py on a tiny generated project measures every server section (conflictkg and the
installed peers, one after the other) and then the alternating rounds (conflictkg and Oxigraph's server
together); the tests below read its table. One run instead of one per section: each run generates the
project and starts every server, and what each test checks is its own part of the same table.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conflictkg.gazetteer.sources import Gazetteer
from conflictkg.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
HAS_OXIGRAPH = (Path(sys.executable).parent / "oxigraph").exists() or shutil.which("oxigraph") is not None


@dataclass(frozen=True)
class BenchRun:
    servers: list[str]
    table: str


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> BenchRun:
    """bench/run.py with the sequential sections (one run per query, 1 s loads) and, when Oxigraph's
    server is installed, the alternating section (2 rounds, 1 s per lookup and mix run)."""
    tmp_path = tmp_path_factory.mktemp("bench")
    project = generate(tmp_path / "tiny", 20, seed=3, root=ROOT, gazetteer=gazetteer).out
    servers = ["conflictkg", *(["oxigraph"] if HAS_OXIGRAPH else [])]
    sections = ["startup", "queries", "light", "mix", "last-controller", *(["alternating"] if HAS_OXIGRAPH else [])]
    output = tmp_path / "table.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--project", str(project),
         "--servers", ",".join(servers), "--sections", ",".join(sections),
         "--runs", "1", "--light-seconds", "1", "--mix-seconds", "1", "--rounds", "2", "--slice-seconds", "1",
         "--query-timeout", "20", "--start-timeout", "120", "--workdir", str(tmp_path / "work"), "--output", str(output)],
        capture_output=True, text=True, timeout=420,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return BenchRun(servers, output.read_text(encoding="utf-8"))


def test_bench_run_measures_conflictkg_and_the_installed_peers_on_a_tiny_project(bench_run: BenchRun) -> None:
    table = bench_run.table
    assert "| time to first answer (s), incl. data load | Python client |" in table
    assert "| last-controller |" in table and "| query mix, C=8 (req/s) | Python client |" in table
    for name in bench_run.servers:
        assert f"- {name}: " in table and "failed" not in table
    if shutil.which("wrk"):
        assert "| one-IRI lookup, C=8 (req/s) | wrk |" in table


def test_bench_run_refuses_a_project_without_events_nt(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--project", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "events.nt" in result.stderr


def test_bench_run_alternates_conflictkg_and_oxigraph_round_by_round(bench_run: BenchRun) -> None:
    if not HAS_OXIGRAPH:
        pytest.skip("Oxigraph's server is not installed (the oxigraph package of the test and bench extras)")
    table = bench_run.table
    assert "### Alternating rounds (conflictkg and oxigraph both running, 2 rounds" in table
    assert "| query mix, C=8 | Python client |" in table and "failed" not in table
    if shutil.which("wrk"):
        assert "| one-IRI lookup, C=8 | wrk |" in table
