"""create_app wires the store, the query threads and the routers, and never answers with a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conflictkg.store import Store, StoreError
from conflictkg.web.app import ROUTERS, create_app
from conflictkg.web.config import ServerConfig


def test_state_holds_config_store_and_evaluator(example_file: Path) -> None:
    config = ServerConfig(files=[example_file], query_threads=1, cors_origins=["https://example.net"])
    app = create_app(config)
    assert app.state.config is config and isinstance(app.state.store, Store)
    assert len(ROUTERS) >= 1
    with TestClient(app) as client:
        assert app.state.evaluator.size == 1
        response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.net"})
        assert response.headers["access-control-allow-origin"] == "https://example.net"
        other = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    assert app.state.evaluator is None


def test_sparql_is_answered_inside_every_middleware(example_file: Path) -> None:
    """The raw ASGI endpoint is the innermost middleware: one added later (as harden's are) wraps it."""
    from conflictkg.sparql.endpoint import SparqlFastPath

    app = create_app(ServerConfig(files=[example_file]))
    assert app.user_middleware[-1].cls is SparqlFastPath
    seen: list[str] = []

    class Tagging:
        def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
            self.inner = inner

        async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
            async def tagged(message):  # type: ignore[no-untyped-def]
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"x-tagged", b"yes")]
                    seen.append(scope["path"])
                await send(message)

            await self.inner(scope, receive, tagged)

    app.add_middleware(Tagging)
    with TestClient(app) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).headers["x-tagged"] == "yes"
        assert client.get("/sparql", params={"query": "SELECT"}).headers["x-tagged"] == "yes"
    assert seen == ["/sparql", "/sparql"]


def test_unexpected_errors_are_plain_500_without_traceback(example_file: Path) -> None:
    app = create_app(ServerConfig(files=[example_file], query_workers=1))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_unknown_path_is_a_plain_404(example_file: Path) -> None:
    with TestClient(create_app(ServerConfig(files=[example_file], query_workers=1))) as client:
        response = client.get("/no/such/thing")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/plain")


def test_query_without_lifespan_is_503_not_500(example_file: Path) -> None:
    response = TestClient(create_app(ServerConfig(files=[example_file]))).get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 503


def test_bad_data_is_reported_before_serving(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("<urn:a> <urn:b> .\n")
    with pytest.raises(StoreError, match=r"broken\.ttl:1:17: \. is not a valid RDF object$"):
        create_app(ServerConfig(files=[bad]))
    with pytest.raises(StoreError, match="no release"):
        create_app(ServerConfig(release_dir=tmp_path))


def test_server_config_travels_as_json(tmp_path: Path) -> None:
    """`conflictkg serve` hands its configuration to the server processes as JSON."""
    config = ServerConfig(release_dir=tmp_path, files=[tmp_path / "a.ttl"], store_cache=tmp_path / "cache",
                          store_path=tmp_path / "store", query_threads=3, in_memory=True)
    assert ServerConfig.from_json(config.to_json()) == config
    assert ServerConfig.from_json('{"query_workers": 4}') == ServerConfig(query_workers=4)
