"""Shared fixtures: a small RDF file, an in-process app over it, and a real server on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conflictkg.pipeline.release import Release
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

ServeSubprocess = Callable[[list[str], Path], AbstractContextManager[str]]
"""The ``serve_subprocess`` fixture of tests/conftest.py."""
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


@pytest.fixture(scope="session")
def live_server(
    example_file: Path, tmp_path_factory: pytest.TempPathFactory, serve_subprocess: ServeSubprocess
) -> Iterator[str]:
    """`conflictkg serve --in-memory` over the example file with a 2 s query timeout; yields the base URL.
    (tests/web/test_serving.py runs the runaway-query test of test_clients on the on-disk store.)"""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with serve_subprocess([str(example_file), "--in-memory", "--timeout", "2", "--workers", "2"], log) as base:
        wait_for_in_memory(log)
        yield base


def wait_for_in_memory(log: Path, seconds: float = 60) -> None:
    """Until the server writing ``log`` answers from its in-memory store (its first processes answer from
    the on-disk store meanwhile), at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while "switched the server processes" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture(scope="session")
def real_live_server(
    real_release: Release, tmp_path_factory: pytest.TempPathFactory, serve_subprocess: ServeSubprocess
) -> Iterator[str]:
    """`conflictkg serve --release` over the real release (one worker); yields the base URL."""
    log = tmp_path_factory.mktemp("real-server") / "server.log"
    with serve_subprocess(["--release", str(real_release.root), "--workers", "1"], log) as base:
        yield base
