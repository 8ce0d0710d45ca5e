"""Response headers that make the pages safe to open even when the data is hostile, and CORS by allow-list.

Every HTML page gets a Content-Security-Policy that allows scripts, styles and requests from this origin
only (``script-src 'self'``: no inline script, no ``eval``, nothing from elsewhere), so markup that slipped
into a page could not run. Every response gets ``X-Content-Type-Options: nosniff`` (a Turtle dump is never
sniffed into HTML) and a Referrer-Policy. The reconciliation preview is the one page meant to be framed
(OpenRefine shows it in an iframe); every other page refuses framing.

CORS: the allow-list is ``*`` (the default: the data is public, and the server sets no cookies and has no
authentication, so a cross-origin read learns nothing a direct request would not) or a list of exact
origins. Credentials are never allowed, so ``*`` never meets ``Access-Control-Allow-Credentials``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conflictkg.sparql.results import TRUNCATION_HEADER

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of every HTML page."""
FRAMED_POLICY = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'"
"""The policy of pages made to be framed by other sites (the reconciliation preview): no script at all."""
FRAMED_PATHS = ("/reconcile/preview",)
REFERRER_POLICY = "strict-origin-when-cross-origin"
EXPOSED_HEADERS = ["Content-Type", "Content-Length", "ETag", "Link", "Vary", "Retry-After", TRUNCATION_HEADER]

_ORIGIN = re.compile(r"https?://(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        framed = scope.get("path", "") in FRAMED_PATHS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", REFERRER_POLICY)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", FRAMED_POLICY if framed else PAGE_POLICY)
                    if not framed:
                        headers.setdefault("X-Frame-Options", "DENY")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def check_cors_origins(origins: Sequence[str]) -> list[str]:
    """The allow-list as given, or ValueError: ``*`` alone, or exact ``http(s)://host[:port]`` origins."""
    listed = list(origins)
    if not listed:
        return []
    if "*" in listed:
        if len(listed) > 1:
            raise ValueError("CORS origin '*' allows every origin: give it alone, not with a list")
        return listed
    for origin in listed:
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(f"CORS origin {origin[:100]!r} is not an origin such as https://example.org or http://localhost:3000")
    return listed


def install_security(app: FastAPI, cors_origins: Sequence[str]) -> None:
    """CORS by allow-list (never with credentials) and the security headers, outermost."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=check_cors_origins(cors_origins),
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "Range"],
        expose_headers=EXPOSED_HEADERS,
    )
    app.add_middleware(SecurityHeaders)
