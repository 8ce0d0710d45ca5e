"""Validation outcomes kept by checksum, so that a rebuild of unchanged inputs is not validated again.

At 10⁵ events the two SHACL passes are minutes of CPU. What they validate is a function of the inputs:
the project's files (their fingerprint, pipeline.sources), what the linkers and the review of drafts
added in memory, and the code that reasons, derives and validates (the conflictkg package's sources and
the engines' versions). A pass whose key is unchanged since it last conformed is skipped and its report
(with any warnings) reused; a pass that did not conform is never kept, so a failing build always
reports afresh. Any change to any input validates everything again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

from rdflib import Graph

import conflictkg
from conflictkg.pipeline.sources import FilePart, Sources
from conflictkg.pipeline.validate import Origins, Validation, _results
from conflictkg.vocab import bind_prefixes

CACHE_DIR = ".conflictkg-cache/shacl"
"""Beside the release directory: ``<out>/../.conflictkg-cache/shacl/<key>.nt``."""


def _code_digest() -> bytes:
    """SHA-256 over the conflictkg package's Python sources and the engines' versions."""
    digest = hashlib.sha256()
    package = Path(conflictkg.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for engine in ("pyshacl-turbo", "rdflib-turbo", "pyoxigraph", "rdflib"):
        digest.update(f"{engine}={version(engine)}\0".encode())
    return digest.digest()


def input_key(sources: Sources, graphs: tuple[object, ...]) -> str:
    """The checksum of what a build validates: input files, the in-memory additions to ``graphs``
    (sorted N-Triples, so their order does not matter) and the code."""
    digest = hashlib.sha256(_code_digest())
    digest.update(sources.files.fingerprint().encode())
    for iri in graphs:
        digest.update(b"\0graph " + str(iri).encode())
        for part in sources.content(iri):  # type: ignore[arg-type]
            if isinstance(part, FilePart):
                digest.update(b"\0file " + str(part.path).encode())  # its bytes are in the fingerprint
            else:
                digest.update(b"\0lines\0" + b"\n".join(sorted(part.ntriples().splitlines())))
    return digest.hexdigest()


class ValidationCache:
    """Conforming validation reports by key, in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str, name: str) -> Path:
        return self.directory / f"{key}-{name}.nt"

    def get(self, key: str, name: str, origins: Origins = lambda nodes: {}) -> Validation | None:
        """The conforming validation kept as pass ``name`` under ``key``, or None."""
        path = self._path(key, name)
        if not path.is_file():
            return None
        try:
            report = Graph().parse(path, format="nt")
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, validated again
            return None
        return Validation(conforms=True, results=_results(bind_prefixes(report), origins), report=report)

    def put(self, key: str, name: str, validation: Validation) -> None:
        """Keep ``validation`` if it conforms (written atomically; a cache that cannot be written is skipped)."""
        if not validation.conforms:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".entry-")
            with os.fdopen(handle, "wb") as out:
                out.write(validation.report.serialize(format="nt", encoding="utf-8"))
            os.replace(temporary, self._path(key, name))
        except OSError:
            return
