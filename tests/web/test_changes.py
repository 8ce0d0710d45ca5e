"""``/changes`` lists the kept releases and their diffs; ``/release/<version>/sparql`` queries an older one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conflictkg.pipeline.build import build
from conflictkg.pipeline.release import Release
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

FIXTURE_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "pipeline" / "project"
LABEL = "renamed for the changes test"


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Release, Release]:
    root = tmp_path_factory.mktemp("changes") / "project"
    shutil.copytree(FIXTURE_PROJECT, root)
    first = build(root, created=datetime(2026, 1, 16, tzinfo=UTC), reason="first")
    events = root / "data/events.ttl"
    events.write_text(events.read_text().replace("rdfs:label", f'rdfs:label "{LABEL}"@en ; rdfs:comment', 1))
    second = build(root, created=datetime(2026, 1, 17, tzinfo=UTC), reason="a label corrected")
    return first, second


@pytest.fixture(scope="module")
def client(two_releases: tuple[Release, Release]) -> Iterator[TestClient]:
    _, second = two_releases
    with TestClient(create_app(ServerConfig(release_dir=second.root, query_workers=1, query_timeout=20))) as c:
        yield c


def test_changes_lists_releases_newest_first(client: TestClient, two_releases: tuple[Release, Release]) -> None:
    first, second = two_releases
    page = client.get("/changes")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.text.index(second.version) < page.text.index(f'id="{first.version}"')
    assert "a label corrected" in page.text
    listing = client.get("/changes", headers={"Accept": "application/json"}).json()
    assert [r["version"] for r in listing["releases"]] == [second.version, first.version]
    assert listing["releases"][0]["previous"] == first.version and listing["current"] == second.version


def test_change_files_are_served(client: TestClient, two_releases: tuple[Release, Release]) -> None:
    _, second = two_releases
    diff = client.get(f"/changes/{second.version}/diff.rdfp.gz")
    assert diff.status_code == 200 and diff.headers["content-type"] == "application/gzip"
    changelog = client.get(f"/changes/{second.version}/changelog.ttl")
    assert changelog.status_code == 200 and "changeNote" in changelog.text
    assert client.get(f"/changes/{second.version}/manifest.json").status_code == 404
    assert client.get("/changes/0.0.0+unknown/summary.json").status_code == 404
    assert client.get("/changes/..%2F..%2Fetc/summary.json").status_code == 404


def test_an_older_release_stays_queryable(client: TestClient, two_releases: tuple[Release, Release]) -> None:
    first, second = two_releases
    ask = f'ASK {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> "{LABEL}"@en }}'
    accept = {"Accept": "application/sparql-results+json"}
    assert client.get("/sparql", params={"query": ask}, headers=accept).json()["boolean"] is True
    old = client.get(f"/release/{first.version}/sparql", params={"query": ask}, headers=accept)
    assert old.status_code == 200 and old.json()["boolean"] is False
    current = client.post(f"/release/{second.version}/sparql", data={"query": ask}, headers=accept)
    assert current.json()["boolean"] is True
    assert client.get(f"/release/{first.version}/sparql", params={"query": "SELEC nonsense"}).status_code == 400
    assert client.get(f"/release/{first.version}/sparql").status_code == 400
    assert client.get("/release/nope/sparql", params={"query": ask}).status_code == 404
