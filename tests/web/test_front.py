"""/sparql answered as the outermost layer (web.front): the same limits, CORS and security headers as
through the app's middleware stack, byte for byte, and a plain 500 for anything unexpected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conflictkg.web.app import ConflictKG, create_app
from conflictkg.web.config import ServerConfig

SELECT = "SELECT ?s ?o { ?s <http://example.org/p> ?o }"

REQUESTS: list[tuple[str, str, dict[str, str], bytes | None]] = [
    ("GET", "/sparql", {"query": "ASK {}"}, None),
    ("GET", "/sparql/", {"query": SELECT, "format": "csv"}, None),
    ("HEAD", "/sparql", {"query": SELECT}, None),
    ("GET", "/sparql", {"query": "SELECT"}, None),
    ("GET", "/sparql", {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, None),
    ("GET", "/sparql", {}, None),
    ("DELETE", "/sparql", {"query": "ASK {}"}, None),
    ("POST", "/sparql", {}, b"ASK {}"),
    ("POST", "/sparql", {}, b""),
]
ACCEPTS = [None, "text/html", "application/sparql-results+xml", "image/png", "text/turtle"]
ORIGINS = [None, "https://ok.example", "https://evil.example"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("front") / "data.ttl"
    path.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(30)),
                    encoding="utf-8")
    return path


def _apps(data: Path) -> Iterator[tuple[str, ConflictKG]]:
    for origins in (["*"], ["https://ok.example"]):
        yield f"cors {origins}", create_app(ServerConfig(files=[data], cors_origins=origins, max_result_rows=10))


def _answer(client: TestClient, method: str, path: str, params: dict[str, str], body: bytes | None,
            accept: str | None, origin: str | None) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = {}
    if accept is not None:
        headers["Accept"] = accept
    if origin is not None:
        headers["Origin"] = origin
    if body is not None:
        headers["Content-Type"] = "application/sparql-query"
    response = client.request(method, path, params=params, content=body, headers=headers, follow_redirects=False)
    return response.status_code, sorted(response.headers.multi_items()), response.content


def test_sparql_is_answered_before_the_middleware_stack(data: Path) -> None:
    app = create_app(ServerConfig(files=[data]))
    entered: list[str] = []
    with TestClient(app) as client:
        stack = app.middleware_stack

        async def recording(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
            entered.append(scope["path"])
            await stack(scope, receive, send)

        app.middleware_stack = recording
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        assert client.post("/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"}).status_code == 200
        assert client.get("/no/such/page").status_code == 404
    assert entered == ["/no/such/page"], "a query never enters Starlette's middleware stack"


def test_the_front_answers_as_the_middleware_stack_does(data: Path) -> None:
    """Every kind of answer /sparql gives (results, the truncation header, refusals, the service
    description, a redirect), for every origin case: status, headers and body are the same whether the
    front answers or the app's middleware stack does."""
    for name, app in _apps(data):
        front = app.sparql_front
        with TestClient(app) as client:
            for method, path, params, body in REQUESTS:
                for accept in ACCEPTS:
                    for origin in ORIGINS:
                        app.sparql_front = front
                        fast = _answer(client, method, path, params, body, accept, origin)
                        app.sparql_front = None
                        slow = _answer(client, method, path, params, body, accept, origin)
                        assert fast == slow, f"{name}: {method} {path} {params} accept={accept} origin={origin}"
                        assert fast[0] < 500
        app.sparql_front = front


def test_front_answers_carry_the_policy(data: Path) -> None:
    app = create_app(ServerConfig(files=[data], cors_origins=["https://ok.example"], max_result_rows=10))
    with TestClient(app) as client:
        ok = client.get("/sparql", params={"query": SELECT}, headers={"Origin": "https://ok.example"})
        assert ok.headers["access-control-allow-origin"] == "https://ok.example"
        assert ok.headers["vary"] == "Accept, Origin" and ok.headers["x-sparql-maxrows"] == "10"
        assert "X-SPARQL-MaxRows" in ok.headers["access-control-expose-headers"]
        assert ok.headers["x-content-type-options"] == "nosniff"
        assert ok.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        other = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        preflight = client.options("/sparql", headers={"Origin": "https://ok.example", "Access-Control-Request-Method": "POST",
                                                       "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "https://ok.example"
        assert preflight.headers["x-content-type-options"] == "nosniff"
        refused = client.options("/sparql", headers={"Origin": "https://ok.example", "Access-Control-Request-Method": "PUT",
                                                     "Access-Control-Request-Private-Network": "true"})
        assert refused.status_code == 400 and refused.text == "Disallowed CORS method, private-network"
        assert client.options("/sparql").status_code == 405, "OPTIONS without a preflight is not a query method"


def test_the_front_keeps_the_limits(data: Path) -> None:
    app = create_app(ServerConfig(files=[data], max_concurrent_queries=2, rate_limit=0.01, rate_burst=3))
    limiter = app.sparql_front.limiter
    with TestClient(app) as client:
        limiter.in_flight = 2  # every slot taken
        full = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://a.example"})
        assert full.status_code == 503 and full.headers["retry-after"] == "1" and "answering 2 queries" in full.text
        assert full.headers["access-control-allow-origin"] == "*" and full.headers["x-content-type-options"] == "nosniff"
        limiter.in_flight = 0
        assert [client.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(3)] == [200, 200, 429]
        assert limiter.in_flight == 0, "every slot is given back"
        assert client.get("/no/such/page").status_code == 429, "one bucket per client for queries and pages"


def test_an_unexpected_failure_is_a_plain_500(data: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(ServerConfig(files=[data]))

    async def broken(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    app.sparql_front.endpoint = broken
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 500 and response.text == "internal error; the server log has the details\n"
    assert "secret internals" not in response.text and response.headers["x-content-type-options"] == "nosniff"
    assert "secret internals" in caplog.text
    assert app.sparql_front.limiter.in_flight == 0


def test_a_middleware_added_later_wraps_sparql(data: Path) -> None:
    app = create_app(ServerConfig(files=[data]))
    assert app.sparql_front is not None
    app.add_middleware(type("Nothing", (), {"__init__": lambda self, app: setattr(self, "app", app),
                                            "__call__": lambda self, *a: self.app(*a)}))
    assert app.sparql_front is None, "/sparql goes through the stack, so the new middleware wraps it"
    with TestClient(app) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
