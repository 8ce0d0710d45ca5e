"""A release directory: its manifest, its files, and how to open one.

The server, the store and the tests only ever look at a release through :class:`Release`, so the
layout of ``dist/`` (docs/architecture.md) is read in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"


class ReleaseError(ValueError):
    """A directory is not a readable release; the message says which file is missing or wrong."""


@dataclass(frozen=True)
class FileEntry:
    """One file of a release as listed in the manifest."""

    path: str
    bytes: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class Release:
    """A release directory opened through its manifest."""

    root: Path
    version: str
    created: str
    files: tuple[FileEntry, ...]
    graphs: dict[str, int]

    @classmethod
    def open(cls, path: Path | str) -> Release:
        """Read ``path/manifest.json``; raise ReleaseError if ``path`` is not a release."""
        root = Path(path)
        manifest_path = root / MANIFEST
        if not root.is_dir():
            raise ReleaseError(f"{root}: not a release directory (it does not exist; run `conflictkg build`)")
        if not manifest_path.is_file():
            raise ReleaseError(f"{root}: not a release directory (no {MANIFEST}; run `conflictkg build`)")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            files = tuple(
                FileEntry(
                    path=str(entry["path"]),
                    bytes=int(entry["bytes"]),
                    sha256=str(entry["sha256"]),
                    media_type=str(entry["media_type"]),
                )
                for entry in manifest["files"]
            )
            release = cls(
                root=root,
                version=str(manifest["version"]),
                created=str(manifest["created"]),
                files=files,
                graphs={str(iri): int(n) for iri, n in manifest["graphs"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ReleaseError(f"{manifest_path}: not a valid release manifest ({exc!r})") from None
        return release

    def entry(self, name: str) -> FileEntry:
        """The manifest entry of the file ``name`` (a path relative to the release root)."""
        for entry in self.files:
            if entry.path == name:
                return entry
        raise ReleaseError(f"{self.root}: release has no file {name!r}")

    def path(self, name: str) -> Path:
        """Absolute path of a file the manifest lists; unlisted names raise, so no path escapes the root."""
        return self.root / self.entry(name).path
