"""A small generated project shared by the synthetic-data tests (generation is cheap; SHACL is not), made
with the session's default gazetteer (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.gazetteer.sources import Gazetteer
from conflictkg.synthetic import Generated, generate

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def small_project(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Generated:
    """The article plus 60 synthetic events (seed 7); tests must not modify it."""
    return generate(tmp_path_factory.mktemp("synthetic") / "p60", 60, seed=7, root=PROJECT_ROOT, gazetteer=gazetteer)
