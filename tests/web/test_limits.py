"""Limits as ASGI middleware: concurrent /sparql requests (503 + Retry-After) and a per-client rate (429).

The middleware is exercised over a stand-in app that holds requests open until told (so "full" is
deterministic), then through the real app built by create_app, which must be wrapped by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig
from conflictkg.web.limits import QueryLimits


class Held:
    """An ASGI app that answers 200 only once ``release`` is set; counts the requests it has started."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.started += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok\n"})


async def _concurrent(limits: QueryLimits, held: Held, path: str) -> tuple[list[httpx.Response], httpx.Response]:
    transport = httpx.ASGITransport(app=limits)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        first = [asyncio.create_task(client.get(path, params={"query": "ASK {}"})) for _ in range(2)]
        while held.started < 2:
            await asyncio.sleep(0.01)
        refused = await client.get(path, params={"query": "ASK {}"})
        held.release.set()
        return list(await asyncio.gather(*first)), refused


def test_full_endpoint_answers_503_with_retry_after() -> None:
    held = Held()
    answered, refused = asyncio.run(_concurrent(QueryLimits(held, max_concurrent=2), held, "/sparql"))
    assert [r.status_code for r in answered] == [200, 200]
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert "answering 2 queries" in refused.text and held.started == 2


def test_slots_are_given_back() -> None:
    held = Held()
    limits = QueryLimits(held, max_concurrent=2)
    asyncio.run(_concurrent(limits, held, "/sparql"))
    assert limits.in_flight == 0


def test_pages_do_not_take_query_slots() -> None:
    async def run() -> int:
        held = Held()
        limits = QueryLimits(held, max_concurrent=1)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limits), base_url="http://127.0.0.1") as client:
            query = asyncio.create_task(client.get("/sparql", params={"query": "ASK {}"}))
            pages = [asyncio.create_task(client.get("/id/place/x")) for _ in range(3)]
            while held.started < 4:
                await asyncio.sleep(0.01)
            held.release.set()
            return len([r for r in await asyncio.gather(query, *pages) if r.status_code == 200])

    assert asyncio.run(asyncio.wait_for(run(), 30)) == 4, "only /sparql is counted"


def test_rate_limit_per_client_answers_429_with_retry_after() -> None:
    async def ok(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def run() -> list[httpx.Response]:
        limits = QueryLimits(ok, rate=0.5, burst=3)
        responses = []
        for client_address in ["10.0.0.1"] * 4 + ["10.0.0.2"]:
            transport = httpx.ASGITransport(app=limits, client=(client_address, 1234))
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
                responses.append(await client.get("/sparql"))
        static = httpx.ASGITransport(app=limits, client=("10.0.0.1", 1234))
        async with httpx.AsyncClient(transport=static, base_url="http://127.0.0.1") as client:
            responses.append(await client.get("/static/site.css"))
        return responses

    responses = asyncio.run(run())
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 200, 200]
    limited = responses[3]
    assert limited.headers["retry-after"] == "2" and "too many requests" in limited.text and "0.5 per second" in limited.text


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("limits") / "tiny.ttl"
    path.write_text('<http://example.org/a> <http://example.org/p> "x" .\n', encoding="utf-8")
    return path


def test_the_app_is_wrapped_by_the_configured_limits(tiny: Path) -> None:
    app = create_app(ServerConfig(files=[tiny], query_workers=1, max_concurrent_queries=3, rate_limit=2.0, rate_burst=5))
    limits = [m for m in app.user_middleware if m.cls is QueryLimits]
    assert len(limits) == 1
    limiter = limits[0].kwargs["limiter"]
    assert (limiter.max_concurrent, limiter.rate, limiter.burst) == (3, 2.0, 5)
    assert app.sparql_front.limiter is limiter, "/sparql's front and the routes share one limiter"


@pytest.fixture(scope="module")
def rate_limited(tiny: Path) -> Iterator[TestClient]:
    app = create_app(ServerConfig(files=[tiny], query_workers=1, rate_limit=0.01, rate_burst=2, max_query_length=50))
    with TestClient(app) as client:
        yield client


def test_rate_limit_through_the_real_app(rate_limited: TestClient) -> None:
    statuses = [rate_limited.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_query_length_through_the_real_app(tiny: Path) -> None:
    with TestClient(create_app(ServerConfig(files=[tiny], query_workers=1, max_query_length=50))) as client:
        long = client.post("/sparql", content="ASK {}" + " " * 60, headers={"Content-Type": "application/sparql-query"})
        assert long.status_code == 413 and "at most 50" in long.text
        empty = client.post("/sparql", content=b"format=ttl", headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert empty.status_code == 400 and "needs a query" in empty.text
        assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200, "GET keeps the description"
