"""A copy of the real project (ontology, shapes, data) to add test reports to; the test reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "tests" / "fixtures" / "reports"


@pytest.fixture
def real_project(tmp_path: Path) -> Path:
    """The project's inputs (no release), writable."""
    root = tmp_path / "project"
    for part in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / part, root / part)
    return root
