"""SHA-256 of files, as the release manifest, the VoID checksums and the gazetteer's provenance give it.

One function, so that a file's checksum in ``manifest.json``, in ``void.ttl`` and in a gazetteer
source's version string is computed the same way (streamed: GeoNames dumps reach 1.5 GB).
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The lower-case hex SHA-256 of the file's bytes, read in blocks rather than all at once."""
    with Path(path).open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
