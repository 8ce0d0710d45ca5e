"""Shared fixtures: a small RDF file, an in-process app over it, and a real server on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

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


@pytest.fixture(scope="session")
def live_server(example_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`conflictkg serve` in a subprocess on a free port with a 2 s query timeout; yields the base URL."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "conflictkg", "serve", str(example_file), "--port", str(port)]
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--timeout", "2", "--workers", "2"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
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
