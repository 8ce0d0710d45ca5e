"""/sparql answered as the server's outermost ASGI layer, under the same limits and headers as every page.

A one-IRI lookup spent about a third of its server time in Starlette's middleware stack: error
handling, telemetry, the body limit, the security headers, CORS and the query limits each wrapped the
request and its ``send``. ``SparqlFront`` answers /sparql before that stack (web.app.ConflictKG
dispatches to it) and applies the same process-wide objects itself: the QueryLimiter (web.limits: the
rate per client, the concurrent-query slots) and the ResponsePolicy (web.security: CORS, nosniff,
Referrer-Policy) on the response's first message. CORS preflight requests (OPTIONS) still go through
the stack, whose ResponseHeaders answers them from the same policy.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conflictkg.sparql.endpoint import send_plain
from conflictkg.web.limits import QueryLimiter
from conflictkg.web.security import ResponsePolicy, request_headers

log = logging.getLogger(__name__)

_ORIGIN = (b"origin",)
_INTERNAL_ERROR = "internal error; the server log has the details"


class SparqlFront:
    """``endpoint`` (sparql.endpoint.SparqlEndpoint) within ``limiter``'s limits, its answers carrying
    ``policy``'s headers; an unexpected failure is a plain 500 (logged), never a traceback."""

    def __init__(self, endpoint: ASGIApp, limiter: QueryLimiter, policy: ResponsePolicy) -> None:
        self.endpoint = endpoint
        self.limiter = limiter
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter
        path = scope["path"]
        origin = request_headers(scope, _ORIGIN).get(b"origin")
        policy = self.policy
        started = False

        async def send_with_policy(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = policy.headers(path, origin, message["headers"])
            await send(message)

        refusal = limiter.check_rate(scope) or limiter.enter()
        if refusal is not None:
            await refusal.send(send_with_policy)
            return
        try:
            await self.endpoint(scope, receive, send_with_policy)
        except Exception as exc:
            if started:
                raise  # the server cuts the connection: a started answer never looks complete
            log.error("unexpected error: %r", exc, exc_info=exc)
            await send_plain(send_with_policy, 500, _INTERNAL_ERROR)
        finally:
            limiter.leave()
