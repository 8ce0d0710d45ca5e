"""Where things live: canonical IRIs on w3id.org and the paths that serve them on this server.

The data speaks in canonical IRIs (``https://w3id.org/conflictkg/id/...``) whatever host serves it, so
the server maps its own paths onto the canonical base and back. Forwarded headers from a proxy only ever
shape absolute links shown to the client; they are validated and never used to pick what is served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.requests import Request

_SAFE_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$")


@dataclass(frozen=True)
class Addresses:
    """Maps canonical IRIs to local paths for one canonical base (``https://w3id.org/conflictkg/``)."""

    canonical_base: str

    @property
    def id_base(self) -> str:
        """The namespace of dereferenceable resources."""
        return self.canonical_base + "id/"

    def iri_for_path(self, path: str) -> str:
        """The canonical IRI a local path (``/id/place/x``) stands for."""
        return self.canonical_base + path.lstrip("/")

    def local_path(self, iri: str) -> str | None:
        """The local path (with fragment) that serves ``iri``, or None if this server does not serve it."""
        if not iri.startswith(self.canonical_base):
            return None
        rest = iri[len(self.canonical_base) :]
        if rest.startswith("id/") and len(rest) > 3:
            return "/" + rest
        for document in ("ontology", "shapes"):
            if rest == document or rest.startswith(document + "#"):
                return "/" + rest
        return None

    def is_served(self, iri: str) -> bool:
        """True if this server dereferences ``iri``."""
        return self.local_path(iri) is not None


def public_origin(request: Request) -> str:
    """``scheme://host[:port]`` as the client sees this server, honouring well-formed X-Forwarded-*."""
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    host = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
    scheme = proto if proto in ("http", "https") else request.url.scheme
    if not _SAFE_HOST.match(host):
        host = request.url.netloc
    if not _SAFE_HOST.match(host):
        host = "localhost"
    return f"{scheme}://{host}"
