"""Limits on SPARQL work as ASGI middleware, so they wrap whatever evaluates /sparql.

``QueryLimits`` counts /sparql requests in flight (from arrival until their response has been sent in
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

from starlette.types import ASGIApp, Receive, Scope, Send

QUERY_PATHS = ("/sparql", "/sparql/")
UNLIMITED_PREFIXES = ("/static/",)
MAX_TRACKED_CLIENTS = 10_000
"""Client buckets kept at most (least recently seen dropped first): memory stays bounded under any spread of addresses."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class QueryLimits:
    """ASGI middleware: concurrent /sparql requests (503) and an optional per-client rate (429)."""

    def __init__(self, app: ASGIApp, max_concurrent: int = 16, rate: float | None = None, burst: int = 20) -> None:
        self.app = app
        self.max_concurrent = max(1, max_concurrent)
        self.rate = rate if rate and rate > 0 else None
        self.burst = max(1, burst)
        self.in_flight = 0
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if self.rate is not None and not path.startswith(UNLIMITED_PREFIXES):
            wait = self._take(_client(scope))
            if wait is not None:
                await _refuse(send, 429, f"too many requests from your address: at most {self.rate:g} per second "
                              f"(bursts of {self.burst}); retry in {wait} s", wait)
                return
        if path not in QUERY_PATHS or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_concurrent:
            await _refuse(send, 503, f"the endpoint is answering {self.in_flight} queries, its limit; retry in a moment", 1)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
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


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _refuse(send: Send, status: int, message: str, retry_after: int) -> None:
    body = (message + "\n").encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ],
    })
    await send({"type": "http.response.body", "body": body})
