"""Limits on SPARQL work: one ``QueryLimiter`` per app, applied by the ``QueryLimits`` middleware around
the routes and by the /sparql front (web.front), so they hold whichever way /sparql is answered.

The limiter counts /sparql requests in flight (from arrival until their response has been sent in
full, so a slow streaming client keeps its slot) and answers 503 with Retry-After when all
``max_concurrent`` slots are taken, instead of queueing without bound. With ``rate`` set it also keeps a
token bucket per client address (``rate`` requests per second, bursts of ``burst``) over every request
except static assets, and answers 429 with Retry-After when a client's bucket is empty. Both refusals are
plain text that says what happened and when to come back.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

from starlette.types import ASGIApp, Receive, Scope, Send

QUERY_PATHS = ("/sparql", "/sparql/")
UNLIMITED_PREFIXES = ("/static/",)
MAX_TRACKED_CLIENTS = 10_000
"""Client buckets kept at most (least recently seen dropped first): memory stays bounded under any spread of addresses."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class Refusal(NamedTuple):
    """A request the limits turn away: its status (429 or 503), what to tell the client, and when to retry."""

    status: int
    message: str
    retry_after: int

    async def send(self, send: Send) -> None:
        body = (self.message + "\n").encode()
        await send({
            "type": "http.response.start",
            "status": self.status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(self.retry_after).encode()),
            ],
        })
        await send({"type": "http.response.body", "body": body})


class QueryLimiter:
    """The limits' state and rules, shared by every path a request can take in one server process
    (the QueryLimits middleware around the app's routes, and the /sparql front of web.app)."""

    def __init__(self, max_concurrent: int = 16, rate: float | None = None, burst: int = 20) -> None:
        self.max_concurrent = max(1, max_concurrent)
        self.rate = rate if rate and rate > 0 else None
        self.burst = max(1, burst)
        self.in_flight = 0
        """/sparql requests between arrival and the end of their response."""
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check_rate(self, scope: Scope) -> Refusal | None:
        """Spend one of the client's tokens; a 429 when it has none left (never for static assets)."""
        if self.rate is None or scope.get("path", "").startswith(UNLIMITED_PREFIXES):
            return None
        wait = self._take(_client(scope))
        if wait is None:
            return None
        return Refusal(429, f"too many requests from your address: at most {self.rate:g} per second "
                       f"(bursts of {self.burst}); retry in {wait} s", wait)

    def enter(self) -> Refusal | None:
        """Take a query slot (give it back with ``leave``); a 503 when every slot is taken."""
        if self.in_flight >= self.max_concurrent:
            return Refusal(503, f"the endpoint is answering {self.in_flight} queries, its limit; retry in a moment", 1)
        self.in_flight += 1
        return None

    def leave(self) -> None:
        self.in_flight -= 1

    def _take(self, client: str) -> int | None:
        """Spend a token of ``client``'s bucket; None if there was one, else whole seconds until there is."""
        now = time.monotonic()
        bucket = self._buckets.pop(client, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)  # type: ignore[operator]
        bucket.updated = now
        self._buckets[client] = bucket
        while len(self._buckets) > MAX_TRACKED_CLIENTS:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))  # type: ignore[operator]


class QueryLimits:
    """ASGI middleware applying a QueryLimiter: concurrent /sparql requests (503) and an optional
    per-client rate (429). Give it the process's ``limiter``, or the limits to build one with."""

    def __init__(self, app: ASGIApp, max_concurrent: int = 16, rate: float | None = None, burst: int = 20,
                 limiter: QueryLimiter | None = None) -> None:
        self.app = app
        self.limiter = limiter if limiter is not None else QueryLimiter(max_concurrent, rate, burst)

    @property
    def in_flight(self) -> int:
        return self.limiter.in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limiter = self.limiter
        refusal = limiter.check_rate(scope)
        if refusal is not None:
            await refusal.send(send)
            return
        if scope.get("path", "") not in QUERY_PATHS or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        refusal = limiter.enter()
        if refusal is not None:
            await refusal.send(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            limiter.leave()


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
