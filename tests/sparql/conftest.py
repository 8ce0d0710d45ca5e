"""Shared fixtures: a small RDF file, an in-process app over it, and a real server on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from conflictkg.pipeline.release import Release
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

SRC = Path(__file__).resolve().parents[2] / "src"
FILLER = 600
"""Filler triples: enough that a four-way cross join runs far longer than any test timeout."""

EXAMPLE = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:attack a ex:Attack ; rdfs:label "Attack on Ayyash"@en , "هجوم"@ar ; ex:killed 150 ; ex:place ex:ayyash .
ex:ayyash a ex:Village ; rdfs:label "Ayyash" .
"""


@pytest.fixture(scope="session")
def example_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "example.ttl"
    filler = "".join(f"<urn:filler:{i}> <urn:filler:p> {i} .\n" for i in range(FILLER))
    path.write_text(EXAMPLE + filler, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client(example_file: Path) -> Iterator[TestClient]:
    """The app in-process (lifespan running, so the worker pool is up)."""
    app = create_app(ServerConfig(files=[example_file], query_timeout=20.0))
    with TestClient(app) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(arguments: list[str], log: Path) -> Iterator[str]:
    """`conflictkg serve ARGUMENTS` in a subprocess on a free port of 127.0.0.1; yields the base URL."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "conflictkg", "serve", *arguments, "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail(f"server exited: {log.read_text()}")
            try:
                if httpx.get(base + "sparql", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start within 30 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(example_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`conflictkg serve` over the example file with a 2 s query timeout; yields the base URL."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with serving([str(example_file), "--timeout", "2", "--workers", "2"], log) as base:
        yield base


@pytest.fixture(scope="session")
def real_live_server(real_release: Release, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`conflictkg serve --release` over the real release (one worker); yields the base URL."""
    log = tmp_path_factory.mktemp("real-server") / "server.log"
    with serving(["--release", str(real_release.root), "--workers", "1"], log) as base:
        yield base
