"""The benchmark command runs end to end on tiny data (no timings are asserted: see bench/)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conflictkg.gazetteer.sources import Gazetteer
from conflictkg.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]


def test_bench_run_measures_conflictkg_and_the_installed_peers_on_a_tiny_project(tmp_path: Path, gazetteer: Gazetteer) -> None:
    project = generate(tmp_path / "tiny", 20, seed=3, root=ROOT, gazetteer=gazetteer).out
    peers = ["oxigraph"] if (Path(sys.executable).parent / "oxigraph").exists() or shutil.which("oxigraph") else []
    output = tmp_path / "table.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--project", str(project),
         "--servers", ",".join(["conflictkg", *peers]), "--sections", "startup,queries,light,mix,last-controller",
         "--runs", "1", "--light-seconds", "1", "--mix-seconds", "1", "--query-timeout", "20",
         "--start-timeout", "120", "--workdir", str(tmp_path / "work"), "--output", str(output)],
        capture_output=True, text=True, timeout=420,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    table = output.read_text(encoding="utf-8")
    assert "| time to first answer (s), incl. data load | Python client |" in table
    assert "| last-controller |" in table and "| query mix, C=8 (req/s) | Python client |" in table
    for name in ["conflictkg", *peers]:
        assert f"- {name}: " in table and "failed" not in table
    if shutil.which("wrk"):
        assert "| one-IRI lookup, C=8 (req/s) | wrk |" in table


def test_bench_run_refuses_a_project_without_events_nt(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--project", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "events.nt" in result.stderr


def test_bench_run_alternates_conflictkg_and_oxigraph_round_by_round(tmp_path: Path, gazetteer: Gazetteer) -> None:
    if not ((Path(sys.executable).parent / "oxigraph").exists() or shutil.which("oxigraph")):
        pytest.skip("Oxigraph's server is not installed (the oxigraph package of the test and bench extras)")
    project = generate(tmp_path / "tiny", 20, seed=3, root=ROOT,
                       gazetteer=gazetteer).out
    output = tmp_path / "table.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--project", str(project), "--servers", "conflictkg,oxigraph",
         "--sections", "alternating", "--rounds", "2", "--slice-seconds", "1", "--mix-seconds", "2", "--query-timeout", "20",
         "--start-timeout", "120", "--workdir", str(tmp_path / "work"), "--output", str(output)],
        capture_output=True, text=True, timeout=420,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    table = output.read_text(encoding="utf-8")
    assert "### Alternating rounds (conflictkg and oxigraph both running, 2 rounds" in table
    assert "| query mix, C=8 | Python client |" in table and "failed" not in table
    if shutil.which("wrk"):
        assert "| one-IRI lookup, C=8 | wrk |" in table
