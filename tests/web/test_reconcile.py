"""/reconcile over HTTP: manifest, GET and form-POST batches, JSONP, preview, suggest, 400s."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conflictkg.gazetteer.sources import load_dump_files
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer"


@pytest.fixture(scope="module")
def client() -> TestClient:
    """The real app (without its SPARQL worker pool: the lifespan is not entered) on fixture data."""
    app = create_app(ServerConfig(files=[FIXTURES / "places.ttl", FIXTURES / "links.ttl"]))
    app.state.gazetteer = load_dump_files([FIXTURES / "SY.txt", FIXTURES / "alternateNamesV2.txt"])
    return TestClient(app)


def test_manifest_on_get(client: TestClient) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200
    manifest = response.json()
    assert manifest["versions"] == ["0.2"]
    assert manifest["preview"]["url"] == "http://testserver/reconcile/preview?id={{id}}"


def test_batch_by_get_and_by_form_post(client: TestClient) -> None:
    queries = json.dumps({"q0": {"query": "Ayash", "limit": 2}, "q1": {"query": "Deir Ezzor", "type": "Place"}})
    by_get = client.get("/reconcile", params={"queries": queries}).json()
    by_post = client.post("/reconcile", data={"queries": queries}).json()
    assert by_get == by_post
    assert len(by_get["q0"]["result"]) == 2
    assert by_get["q1"]["result"][0]["name"] == "Deir Ezzor"


def test_geonames_type_over_http(client: TestClient) -> None:
    """A client reconciling a column against GeoNames asks for the type from the manifest and gets GeoNames ids."""
    manifest = client.get("/reconcile").json()
    geonames = next(t["id"] for t in manifest["defaultTypes"] if t["name"] == "GeoNames place")
    queries = json.dumps({"q0": {"query": "Begayliya", "type": geonames, "properties": [{"pid": "within", "v": "Deir Ezzor"}]}})
    answer = client.post("/reconcile", data={"queries": queries}).json()["q0"]["result"]
    assert answer[0]["id"] == "https://sws.geonames.org/171236/" and answer[0]["match"] is True
    types = client.get("/reconcile/suggest/type", params={"prefix": "geonames"}).json()["result"]
    assert types[0]["id"] == geonames


def test_jsonp(client: TestClient) -> None:
    response = client.get("/reconcile", params={"callback": "jQuery123_456"})
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.text.startswith("/**/jQuery123_456({")
    assert client.get("/reconcile", params={"callback": "<script>"}).status_code == 400


def test_bad_requests_are_400_with_a_message(client: TestClient) -> None:
    response = client.get("/reconcile", params={"queries": "{not json"})
    assert response.status_code == 400 and "not valid JSON" in response.text
    assert client.post("/reconcile", content=b"queries=x", headers={"content-type": "text/plain"}).status_code == 400
    assert client.get("/reconcile/suggest/colour", params={"prefix": "a"}).status_code == 400
    assert client.get("/reconcile/preview", params={"id": "nothing"}).status_code == 404


def test_preview_and_suggest(client: TestClient) -> None:
    page = client.get("/reconcile/preview", params={"id": "https://sws.geonames.org/7632486/"})
    assert page.status_code == 200 and "Ayy" in page.text
    assert client.get("/reconcile/suggest/property", params={"prefix": "w"}).json()["result"][0]["id"] == "within"
    assert client.get("/reconcile/suggest/entity", params={"prefix": "beg"}).json()["result"][0]["name"] == "Begayliya"


def test_a_batch_is_capped_at_max_batch_queries(client: TestClient) -> None:
    """A form can carry tens of thousands of queries; past the cap the whole batch is a 400, none is run."""
    from conflictkg.gazetteer.reconcile import MAX_BATCH_QUERIES

    def batch(size: int) -> str:
        return json.dumps({f"q{i}": {"query": "Ayash", "limit": 1} for i in range(size)})

    full = client.post("/reconcile", data={"queries": batch(MAX_BATCH_QUERIES)})
    assert full.status_code == 200 and len(full.json()) == MAX_BATCH_QUERIES
    over = client.post("/reconcile", data={"queries": batch(MAX_BATCH_QUERIES + 1)})
    assert over.status_code == 400
    assert over.text.strip() == (
        f"a batch holds at most {MAX_BATCH_QUERIES} queries; this one has {MAX_BATCH_QUERIES + 1}: send it in smaller batches"
    )
