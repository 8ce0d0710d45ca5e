"""Fixtures for the pipeline tests: a copy of the tiny fixture project, and releases built once per session.

The fixture project (tests/fixtures/pipeline/project) keeps these tests independent of the real data;
the real project's release (``real_release``, tests/conftest.py) is shared with the other test packages.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conflictkg.pipeline.build import build
from conflictkg.pipeline.release import Release

FIXTURE_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "pipeline" / "project"
FIXED_TIME = datetime(2026, 1, 16, 12, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds the real project (seconds, once per session)")


@pytest.fixture(scope="session")
def fixture_project() -> Path:
    """The pristine fixture project (read-only: copy it with the ``project`` fixture to change it)."""
    return FIXTURE_PROJECT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, writable copy of the fixture project (tests break it on purpose)."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECT, root)
    return root


@pytest.fixture(scope="session")
def fixture_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The fixture project's release, built once; tests must not modify it."""
    root = tmp_path_factory.mktemp("fixture-build")
    return build(FIXTURE_PROJECT, root / "dist", created=FIXED_TIME)


@pytest.fixture(params=["fixture", pytest.param("real", marks=pytest.mark.slow)])
def any_release(request: pytest.FixtureRequest) -> Release:
    """Each release the dump tests run on: the fixture project's and the real project's."""
    return request.getfixturevalue(f"{request.param}_release")
