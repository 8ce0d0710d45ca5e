"""/dumps/ lists and serves the release files (media types, lengths, ETags, ranges); VoID and the report."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
from fastapi.testclient import TestClient


def _manifest(release_dir: Path) -> dict:
    return json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))


def test_listing_shows_every_file_with_size_and_sha256(client: TestClient, release_dir: Path) -> None:
    html = client.get("/dumps/").text
    for entry in _manifest(release_dir)["files"]:
        assert f'href="/dumps/{entry["path"]}"' in html
        assert entry["sha256"] in html and f'>{entry["bytes"]}<' in html and entry["media_type"] in html
    assert client.get("/dumps", follow_redirects=False).status_code == 308


def test_file_downloads_with_media_type_length_and_sha256_etag(client: TestClient, release_dir: Path) -> None:
    response = client.get("/dumps/conflictkg.nq.gz")
    body = (release_dir / "conflictkg.nq.gz").read_bytes()
    assert response.status_code == 200 and response.content == body
    assert response.headers["content-type"] == "application/n-quads"
    assert response.headers["content-length"] == str(len(body))
    assert response.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert client.get("/dumps/conflictkg.nq.gz", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_range_requests_give_206_and_unsatisfiable_ones_416(client: TestClient, release_dir: Path) -> None:
    body = (release_dir / "article.txt").read_bytes()
    part = client.get("/dumps/article.txt", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == body[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(body)}"
    assert client.get("/dumps/article.txt", headers={"Range": f"bytes={len(body) + 10}-"}).status_code == 416


def test_unlisted_or_escaping_names_are_404(client: TestClient) -> None:
    for name in ("nothing.ttl", "../manifest.json", "..%2F..%2Fetc%2Fpasswd", "manifest.json"):
        assert client.get(f"/dumps/{name}").status_code == 404


def test_void_is_served_in_turtle_jsonld_and_ntriples_at_both_addresses(client: TestClient) -> None:
    for path in ("/void", "/.well-known/void"):
        for media_type, fmt in (
            ("text/turtle", ox.RdfFormat.TURTLE),
            ("application/ld+json", ox.RdfFormat.JSON_LD),
            ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ):
            response = client.get(path, headers={"Accept": media_type})
            assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
            objects = {str(q.object) for q in ox.parse(response.content, format=fmt)}
            assert "<http://rdfs.org/ns/void#Dataset>" in objects
    assert client.get("/void").headers["content-type"].startswith("text/turtle"), "RDF is the default"
    assert "void:Dataset" in client.get("/void", headers={"Accept": "text/html"}).text


def test_validation_report_is_served(client: TestClient) -> None:
    response = client.get("/validation", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and "ValidationReport" in response.text
