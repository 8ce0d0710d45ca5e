"""A release is opened through its manifest; anything else is refused with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conflictkg.pipeline.release import Release, ReleaseError


def _write_manifest(root: Path, manifest: object) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_open_reads_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("x")
    _write_manifest(
        tmp_path,
        {
            "version": "0.1.0+abcdefabcdef",
            "created": "2026-11-01T00:00:00Z",
            "files": [{"path": "article.txt", "bytes": 1, "sha256": "00", "media_type": "text/plain"}],
            "graphs": {"https://w3id.org/conflictkg/graph/data": 3},
        },
    )
    release = Release.open(tmp_path)
    assert release.version == "0.1.0+abcdefabcdef"
    assert release.created == "2026-11-01T00:00:00Z"
    assert release.path("article.txt") == tmp_path / "article.txt"
    assert release.graphs == {"https://w3id.org/conflictkg/graph/data": 3}
    assert release.entry("article.txt").media_type == "text/plain"


def test_a_file_not_in_the_manifest_is_refused(tmp_path: Path) -> None:
    _write_manifest(tmp_path, {"version": "v", "created": "c", "files": [], "graphs": {}})
    with pytest.raises(ReleaseError, match="no file '../etc/passwd'"):
        Release.open(tmp_path).path("../etc/passwd")


def test_missing_directory_is_not_a_release(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="does not exist"):
        Release.open(tmp_path / "dist")


def test_directory_without_manifest_is_not_a_release(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="no manifest.json"):
        Release.open(tmp_path)


def test_malformed_manifest_is_refused(tmp_path: Path) -> None:
    _write_manifest(tmp_path, {"version": "v"})
    with pytest.raises(ReleaseError, match="not a valid release manifest"):
        Release.open(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ReleaseError, match="not a valid release manifest"):
        Release.open(tmp_path)
