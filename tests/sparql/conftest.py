"""Shared fixtures: the example file (tests/example_graph.py), an in-process app over it, and a real
server over the real release. ``live_server``, the real server over the example file, is in
tests/conftest.py (the serving tests share it)."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def example_file(example_with_filler: Path) -> Path:
    return example_with_filler


@pytest.fixture(scope="module")
def client(example_file: Path) -> Iterator[TestClient]:
    """The app in-process (lifespan running, so the worker pool is up)."""
    app = create_app(ServerConfig(files=[example_file], query_timeout=20.0))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def real_live_server(
    real_release: Release, tmp_path_factory: pytest.TempPathFactory, serve_subprocess: ServeSubprocess
) -> Iterator[str]:
    """`conflictkg serve --release` over the real release (one worker); yields the base URL."""
    log = tmp_path_factory.mktemp("real-server") / "server.log"
    with serve_subprocess(["--release", str(real_release.root), "--workers", "1"], log) as base:
        yield base
