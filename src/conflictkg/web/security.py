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


ALLOWED_METHODS = ("GET", "HEAD", "POST")
ALLOWED_HEADERS = ("Accept", "Content-Type", "If-None-Match", "Range")
SAFELISTED_HEADERS = ("Accept", "Accept-Language", "Content-Language", "Content-Type")
"""Request headers a browser may send cross-origin without asking (the Fetch standard's CORS-safelisted ones)."""
PREFLIGHT_MAX_AGE = 600

_TEXT = b"text/plain; charset=utf-8"
_REFERRER = REFERRER_POLICY.encode()
_PAGE = PAGE_POLICY.encode()
_FRAMED = FRAMED_POLICY.encode()


class ResponsePolicy:
    """The headers above and CORS, decided in one place for every response of the server.

    ``ResponseHeaders`` applies it around the app's routes, and the /sparql front (web.app) applies the
    same object to the answers it gives outside Starlette's middleware stack, so a query and a page
    always carry the same policy. CORS answers as Starlette's CORSMiddleware did (same headers, same
    preflight refusals): ``*`` or the listed origins, never credentials.
    """

    def __init__(self, cors_origins: Sequence[str]) -> None:
        origins = check_cors_origins(cors_origins)
        self.allow_all = "*" in origins
        self.origins = frozenset(origins)
        self._simple: list[tuple[bytes, bytes]] = [(b"access-control-allow-origin", b"*")] if self.allow_all else []
        self._simple.append((b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode()))
        self._simple_names = {name for name, _ in self._simple}
        allowed_headers = sorted(set(SAFELISTED_HEADERS) | set(ALLOWED_HEADERS))
        self._allowed_headers = {h.lower() for h in allowed_headers}
        self._preflight: list[tuple[bytes, bytes]] = [
            (b"vary", (b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
                       b"Access-Control-Request-Private-Network")),
            *([(b"access-control-allow-origin", b"*")] if self.allow_all else []),
            (b"access-control-allow-methods", ", ".join(ALLOWED_METHODS).encode()),
            (b"access-control-max-age", str(PREFLIGHT_MAX_AGE).encode()),
            (b"access-control-allow-headers", ", ".join(allowed_headers).encode()),
        ]

    def allows(self, origin: str) -> bool:
        return self.allow_all or origin in self.origins

    def headers(self, path: str, origin: bytes | None, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        """``headers`` (a response's, as ASGI raw pairs) with CORS for a request from ``origin`` (None: no
        Origin header) and the security headers the response does not set itself."""
        result: list[tuple[bytes, bytes]] = []
        vary: list[bytes] = []
        vary_at = -1
        names: set[bytes] = set()
        html = False
        for name, value in headers:
            if origin is not None and name in self._simple_names:
                continue  # replaced below, as CORSMiddleware's ``headers.update``
            if name == b"vary":
                if vary_at < 0:
                    vary_at = len(result)
                    result.append((name, value))
                vary.append(value)
                continue
            if name == b"content-type" and b"content-type" not in names:
                html = value.startswith(b"text/html")
            names.add(name)
            result.append((name, value))
        if origin is not None:
            result.extend(self._simple)
            if not self.allow_all and origin.decode("latin-1") in self.origins:
                _set(result, b"access-control-allow-origin", origin)
        vary.append(b"Origin")
        joined = (b"vary", b", ".join(vary))
        if vary_at < 0:
            result.append(joined)
        else:
            result[vary_at] = joined
        return self._secured(path, result, names, html)

    def _secured(self, path: str, headers: list[tuple[bytes, bytes]], names: set[bytes],
                 html: bool) -> list[tuple[bytes, bytes]]:
        """``headers`` (whose names are ``names``) with the security headers they do not set themselves."""
        if b"x-content-type-options" not in names:
            headers.append((b"x-content-type-options", b"nosniff"))
        if b"referrer-policy" not in names:
            headers.append((b"referrer-policy", _REFERRER))
        if html:
            framed = path in FRAMED_PATHS
            if b"content-security-policy" not in names:
                headers.append((b"content-security-policy", _FRAMED if framed else _PAGE))
            if not framed and b"x-frame-options" not in names:
                headers.append((b"x-frame-options", b"DENY"))
        return headers

    def preflight(self, scope: Scope) -> tuple[int, bytes, list[tuple[bytes, bytes]]] | None:
        """The answer to a CORS preflight request (OPTIONS with Origin and Access-Control-Request-Method),
        security headers included; None for any other request."""
        if scope["method"] != "OPTIONS":
            return None
        found = request_headers(scope, (b"origin", b"access-control-request-method",
                                        b"access-control-request-headers", b"access-control-request-private-network"))
        origin, method = found.get(b"origin"), found.get(b"access-control-request-method")
        if origin is None or method is None:
            return None
        headers = list(self._preflight)
        failures: list[str] = []
        if not self.allows(origin.decode("latin-1")):
            failures.append("origin")
        elif not self.allow_all:
            headers.append((b"access-control-allow-origin", origin))
        if method.decode("latin-1") not in ALLOWED_METHODS:
            failures.append("method")
        requested = found.get(b"access-control-request-headers")
        if requested is not None and any(h.strip() not in self._allowed_headers
                                         for h in requested.decode("latin-1").lower().split(",")):
            failures.append("headers")
        if b"access-control-request-private-network" in found:
            failures.append("private-network")
        body = ("Disallowed CORS " + ", ".join(failures) if failures else "OK").encode()
        headers += [(b"content-length", str(len(body)).encode()), (b"content-type", _TEXT)]
        return (400 if failures else 200), body, self._secured(scope["path"], headers, {n for n, _ in headers}, False)


def request_headers(scope: Scope, names: tuple[bytes, ...]) -> dict[bytes, bytes]:
    """The first value of each of ``names`` the request carries (as Starlette's ``Headers.get``)."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in names and name not in found:
            found[name] = value
    return found


def _set(headers: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """Replace the first ``name`` header (dropping later ones) or append it, as MutableHeaders does."""
    at = [i for i, (n, _) in enumerate(headers) if n == name]
    if not at:
        headers.append((name, value))
        return
    headers[at[0]] = (name, value)
    for i in reversed(at[1:]):
        del headers[i]


class ResponseHeaders:
    """ASGI middleware applying the ResponsePolicy to every HTTP response of the app it wraps (and
    answering CORS preflight requests)."""

    def __init__(self, app: ASGIApp, policy: ResponsePolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        preflight = self.policy.preflight(scope)
        if preflight is not None:
            status, body, headers = preflight
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        path = scope.get("path", "")
        origin = request_headers(scope, (b"origin",)).get(b"origin")
        policy = self.policy

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = policy.headers(path, origin, list(message.get("headers", ())))
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


def install_security(app: FastAPI, policy: ResponsePolicy) -> None:
    """The response policy (CORS by allow-list, never with credentials; the security headers) around
    every route, outermost of the app's own middleware."""
    app.add_middleware(ResponseHeaders, policy=policy)
