"""A client of the SPARQL 1.1 Graph Store HTTP Protocol (and, where the store has one, its Update endpoint).

Only the standard library: the product needs no HTTP client of its own for four verbs. Graph bodies are
streamed from files, never held whole in memory; every failure becomes a PublishError that names the
request and the store's answer.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

TIMEOUT = 600.0
"""Seconds one request may take (a large graph upload)."""


class PublishError(RuntimeError):
    """Publishing failed; ``str()`` says which request and what the store answered."""


class GraphStore:
    """The Graph Store endpoint at ``url`` (graphs named with ``?graph=``) and an optional Update endpoint."""

    def __init__(self, url: str, update_url: str | None = None) -> None:
        self.url = url
        self.update_url = update_url

    def _graph_url(self, graph: str) -> str:
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}{urllib.parse.urlencode({'graph': graph})}"

    def _send(self, request: urllib.request.Request, what: str) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (the user's own store URL)
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace").strip()
            raise PublishError(f"{what}: the store answered {exc.code} {exc.reason}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise PublishError(f"{what}: cannot reach {request.full_url}: {getattr(exc, 'reason', exc)}") from None

    def put(self, graph: str, path: Path, media_type: str = "text/turtle") -> None:
        """Replace ``graph`` with the triples of the file at ``path`` (N-Triples, sent as Turtle, which every
        Graph Store accepts and of which N-Triples is a subset)."""
        with path.open("rb") as body:
            request = urllib.request.Request(
                self._graph_url(graph), data=body, method="PUT",
                headers={"Content-Type": media_type, "Content-Length": str(path.stat().st_size)},
            )
            self._send(request, f"PUT {graph}")

    def get(self, graph: str) -> bytes | None:
        """The graph as N-Triples, or None when the store does not have it."""
        request = urllib.request.Request(self._graph_url(graph), headers={"Accept": "application/n-triples"})
        try:
            return self._send(request, f"GET {graph}")
        except PublishError as exc:
            if " 404 " in str(exc):
                return None
            raise

    def delete(self, graph: str) -> None:
        """Drop ``graph``; a graph the store does not have is no error."""
        try:
            self._send(urllib.request.Request(self._graph_url(graph), method="DELETE"), f"DELETE {graph}")
        except PublishError as exc:
            if " 404 " not in str(exc):
                raise

    def count(self, graph: str) -> int:
        """Triples in ``graph`` as the store returns it (0 for a graph it does not have)."""
        request = urllib.request.Request(self._graph_url(graph), headers={"Accept": "application/n-triples"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                return sum(1 for _ in ox.parse(_Reader(response), format=ox.RdfFormat.N_TRIPLES))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return 0
            raise PublishError(f"GET {graph}: the store answered {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise PublishError(f"GET {graph}: cannot reach {self.url}: {getattr(exc, 'reason', exc)}") from None
        except SyntaxError as exc:
            raise PublishError(f"GET {graph}: the store's N-Triples do not parse: {exc}") from None

    def update(self, text: str) -> None:
        """Run one SPARQL Update request (the store applies it as one transaction where it can)."""
        if self.update_url is None:
            raise PublishError("this store has no SPARQL Update endpoint configured (--update URL)")
        request = urllib.request.Request(
            self.update_url, data=text.encode("utf-8"), method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )
        self._send(request, "SPARQL Update")


class _Reader:
    """A response as the binary reader pyoxigraph's parser wants (``read(n)``)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

