"""A small RDF file for app tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def example_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "example.ttl"
    path.write_text('<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n', encoding="utf-8")
    return path
