"""Faults: a build killed at any moment leaves the previous release intact, a server restarted on a
release serves exactly that release, and a release whose files differ from its manifest is refused.

``conflictkg build`` runs as a subprocess and gets SIGKILL at several moments: right after start, after
each stage it reports (loading, evidence, SHACL, OWL RL) and while it writes the new release. After each
kill the previous release must open, verify (every file's size and SHA-256 match manifest.json) and still
be the previous version.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from conflictkg.pipeline.build import build
from conflictkg.pipeline.release import Release, ReleaseError, publish, recover
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

PROJECT_SRC = Path(__file__).resolve().parents[2] / "src"
KILL_MOMENTS = ["start", "loaded", "evidence:", "SHACL:", "OWL", "writing"]
"""Start-up, after each stage line the build prints, and while the new release directory is being written."""


def _build_process(project: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_SRC), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "conflictkg", "build", "--root", str(project), "--no-default"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def _kill_at(process: subprocess.Popen[str], moment: str, project: Path) -> None:
    """SIGKILL ``process`` at ``moment`` (a stage line it prints, "start", or "writing")."""
    assert process.stdout is not None
    if moment == "writing":
        deadline = time.monotonic() + 120
        while not any(project.glob(".dist.new-*")) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
    elif moment != "start":
        for line in process.stdout:
            if line.startswith(moment):
                break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def _change_data(project: Path, n: int) -> None:
    events = project / "data" / "events.ttl"
    events.write_text(events.read_text("utf-8") + f"\n# edit {n}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory, fixture_project: Path) -> Path:
    """The fixture project with its release built (once; each test works on a copy)."""
    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(fixture_project, root)
    build(root)
    return root


@pytest.mark.parametrize("moment", KILL_MOMENTS)
def test_sigkill_of_build_leaves_the_previous_release_intact(built_project: Path, tmp_path: Path, moment: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True)
    previous = Release.open(project / "dist")
    previous.verify()
    _change_data(project, 1)
    process = _build_process(project)
    _kill_at(process, moment, project)
    release = Release.open(project / "dist")
    release.verify()
    if process.returncode == -signal.SIGKILL:
        assert release.version == previous.version, "a killed build changed the release"
    assert json.loads((project / "dist" / "manifest.json").read_text("utf-8"))["version"] == release.version
    finished = build(project)
    finished.verify()
    assert finished.version != previous.version


def test_a_release_left_aside_between_renames_is_put_back(tmp_path: Path) -> None:
    """Where the swap is two renames, a kill between them leaves the old release at .dist.old-*."""
    out = tmp_path / "dist"
    publish(out, lambda d: (d / "manifest.json").write_text("{}", encoding="utf-8"))
    out.rename(tmp_path / ".dist.old-abc")
    assert recover(out) and (out / "manifest.json").is_file()
    assert not recover(out), "nothing to recover when the release is in place"


def _tamper(release: Path, name: str, how: str) -> None:
    path = release / name
    data = bytearray(path.read_bytes())
    if how == "flip":
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    elif how == "truncate":
        path.write_bytes(bytes(data[:-10]))
    else:
        path.unlink()


@pytest.mark.parametrize(("name", "how", "says"), [
    ("conflictkg.nq.gz", "flip", "SHA-256"), ("void.ttl", "truncate", "bytes, the manifest says"),
    ("article.txt", "delete", "cannot be read"),
])
def test_tampered_release_is_refused_with_a_clear_message(fixture_release: Release, tmp_path: Path, name: str, how: str, says: str) -> None:
    copy = tmp_path / "dist"
    shutil.copytree(fixture_release.root, copy)
    _tamper(copy, name, how)
    with pytest.raises(ReleaseError) as refused:
        create_app(ServerConfig(release_dir=copy))
    message = str(refused.value)
    assert name in message and says in message and "conflictkg build" in message and "tampered" in message
    if name != "void.ttl":
        return
    result = subprocess.run([sys.executable, "-m", "conflictkg", "serve", "--release", str(copy), "--port", "0"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(PROJECT_SRC)})
    assert result.returncode == 1 and name in result.stderr and "Traceback" not in result.stderr


def _served_release(base: str) -> tuple[str, dict[str, int]]:
    etag = httpx.get(base + "id/place/ayyash", headers={"Accept": "text/turtle"}, timeout=30).headers["etag"]
    query = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = httpx.get(base + "sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    counts = {r["g"]["value"]: int(r["n"]["value"]) for r in rows.json()["results"]["bindings"]}
    return etag, counts


def test_a_restarted_server_serves_exactly_its_release(
    fixture_release: Release, tmp_path: Path, serve_subprocess: Callable[[list[str], Path], AbstractContextManager[str]]
) -> None:
    release = tmp_path / "dist"
    shutil.copytree(fixture_release.root, release)
    seen = []
    for run in range(2):
        with serve_subprocess(["--release", str(release), "--workers", "1"], tmp_path / f"server-{run}.log") as base:
            seen.append(_served_release(base))
    assert seen[0] == seen[1]
    etag, counts = seen[0]
    assert etag.strip('"').startswith(fixture_release.version)
    assert counts == fixture_release.graphs
