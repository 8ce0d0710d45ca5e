"""Fixtures of the dataset tests: a writable project made of the real ontology, shapes and data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def copy_project(target: Path) -> Path:
    """The real project's inputs (not its dist/ or imports) copied to ``target``."""
    for part in ("ontology", "shapes"):
        shutil.copytree(ROOT / part, target / part)
    shutil.copytree(ROOT / "data", target / "data", ignore=shutil.ignore_patterns("imports"))
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, writable copy of the real project's inputs."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def imported_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project with two invented GED events imported as ``test`` (read-only for tests)."""
    from conflictkg.datasets.ged import import_ged

    from .ged_files import ONE_SIDED, ged_row, write_ged

    base = tmp_path_factory.mktemp("imported")
    root = copy_project(base / "project")
    import_ged(write_ged(base / "ged.csv", [ged_row(), ged_row(**ONE_SIDED)]), root, "test")
    return root


@pytest.fixture(scope="session")
def imported_release(imported_project: Path):  # noqa: ANN201 - a Release
    """The release built from ``imported_project`` (no gazetteer linker: the links are the curated ones)."""
    from datetime import UTC, datetime

    from conflictkg.pipeline.build import build

    return build(imported_project, imported_project / "dist", created=datetime(2026, 1, 16, 12, 0, tzinfo=UTC))
