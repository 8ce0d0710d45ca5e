"""Shared fixtures: the GeoNames-format files and fixture places of tests/fixtures/gazetteer."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from conflictkg.gazetteer.sources import Gazetteer, load_dump_files

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def dump_gazetteer() -> Gazetteer:
    """SY rows (article places, their traps), alternate names and admin codes, from the fixtures."""
    return load_dump_files(
        [FIXTURES / "SY.txt", FIXTURES / "alternateNamesV2.txt", FIXTURES / "admin1CodesASCII.txt",
         FIXTURES / "admin2Codes.txt"]
    )


@pytest.fixture()
def places_graph() -> Graph:
    """Fixture places without any curated link."""
    graph = Graph()
    graph.parse(FIXTURES / "places.ttl")
    return graph


@pytest.fixture()
def curated_graph(places_graph: Graph) -> Graph:
    """Fixture places plus curated links as places.md gives them."""
    places_graph.parse(FIXTURES / "links.ttl")
    return places_graph


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the gazetteer disk cache of the commands under test out of the user's home."""
    monkeypatch.setenv("CONFLICTKG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
