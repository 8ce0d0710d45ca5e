"""Fixtures for the web tests: a small release built from tests/fixtures/web, and clients that refuse 5xx.

The release is shaped like the one `conflictkg build` writes (docs/architecture.md): the fixture TriG as
N-Quads, the raw article, VoID, the validation report, the example queries and a manifest with sizes
and SHA-256.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "web"
RELEASE_VERSION = "0.1.0+fixture000001"

_MEDIA_TYPES = {
    "conflictkg.nq.gz": "application/n-quads",
    "conflictkg.trig": "application/trig",
    "article.txt": "text/plain; charset=utf-8",
    "void.ttl": "text/turtle",
    "validation.ttl": "text/turtle",
}


@pytest.fixture(scope="session")
def example_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "example.ttl"
    path.write_text('<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n', encoding="utf-8")
    return path


def write_release(target: Path, extra_nquads: str = "") -> Path:
    """Write a release directory from the fixture dataset (plus ``extra_nquads``) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    quads = ox.serialize(ox.parse(path=str(FIXTURES / "dataset.trig"), format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS)
    (target / "conflictkg.nq.gz").write_bytes(gzip.compress(quads + extra_nquads.encode("utf-8"), mtime=0))
    shutil.copy(FIXTURES / "dataset.trig", target / "conflictkg.trig")
    shutil.copy(ROOT / "data" / "article.txt", target / "article.txt")
    shutil.copy(FIXTURES / "void.ttl", target / "void.ttl")
    shutil.copy(FIXTURES / "validation.ttl", target / "validation.ttl")
    (target / "queries").mkdir(exist_ok=True)
    media_types = dict(_MEDIA_TYPES)
    for query in sorted((FIXTURES / "queries").glob("*.rq")):
        shutil.copy(query, target / "queries" / query.name)
        media_types[f"queries/{query.name}"] = "application/sparql-query"
    files = [
        {
            "path": name,
            "bytes": (target / name).stat().st_size,
            "sha256": hashlib.sha256((target / name).read_bytes()).hexdigest(),
            "media_type": media_type,
        }
        for name, media_type in media_types.items()
    ]
    manifest = {"version": RELEASE_VERSION, "created": "2026-11-01T00:00:00Z", "files": files, "graphs": {}}
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


class NoServerErrors(TestClient):
    """A TestClient that fails the test on any 5xx answer."""

    def request(self, *args: object, **kwargs: object):  # type: ignore[override]
        response = super().request(*args, **kwargs)  # type: ignore[arg-type]
        assert response.status_code < 500, f"{response.status_code} for {args}: {response.text[:500]}"
        return response


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_release(tmp_path_factory.mktemp("project") / "dist")


@pytest.fixture(scope="session")
def client(release_dir: Path) -> Iterator[TestClient]:
    """A client of the app serving the fixture release (one query worker, for /sparql)."""
    app = create_app(ServerConfig(release_dir=release_dir, query_workers=1))
    with NoServerErrors(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def fixture_release_server(tmp_path_factory: pytest.TempPathFactory,
                           serve_subprocess: Callable[[list[str], Path], AbstractContextManager[str]]) -> Iterator[str]:
    """`conflictkg serve --release` over the fixture release (one process, 10 s query limit), shared by the
    browser and schemathesis tests; yields the base URL. Tests that stop or retire it start their own."""
    directory = tmp_path_factory.mktemp("fixture-release-server")
    release = write_release(directory / "dist")
    with serve_subprocess(["--release", str(release), "--workers", "1", "--timeout", "10"], directory / "server.log") as base:
        yield base
