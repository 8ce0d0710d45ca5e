"""The version of served plain files: the ETag basis changes exactly when their bytes change."""

from pathlib import Path

from conflictkg import __version__
from conflictkg.web.site import files_version


def test_files_version_depends_on_bytes_not_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_text("<urn:a> <urn:p> 1 .\n")
    second.write_text("<urn:b> <urn:p> 2 .\n")
    version = files_version([first, second])
    assert version.startswith(f"{__version__}+files-")
    assert files_version([second, first]) == version
    second.write_text("<urn:b> <urn:p> 3 .\n")
    assert files_version([first, second]) != version


def test_files_version_of_an_unreadable_file_is_still_a_version(tmp_path: Path) -> None:
    missing = tmp_path / "gone.ttl"
    assert files_version([missing]) == files_version([missing])
