"""A file's SHA-256 is that of its bytes, whatever its size."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conflictkg.checksums import file_sha256


def test_file_sha256_is_the_digest_of_the_bytes(tmp_path: Path) -> None:
    content = bytes(range(256)) * 5000  # larger than one read block
    path = tmp_path / "blob.bin"
    path.write_bytes(content)
    assert file_sha256(path) == hashlib.sha256(content).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert file_sha256(tmp_path / "empty") == hashlib.sha256(b"").hexdigest()
