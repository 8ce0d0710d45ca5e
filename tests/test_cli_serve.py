"""`conflictkg serve` refuses what it cannot serve with one clear line and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conflictkg.cli import app

runner = CliRunner()


def test_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n")
    result = runner.invoke(app, ["serve", str(bad)])
    assert result.exit_code == 1
    assert "bad.ttl:1:17: " in result.output and "Traceback" not in result.output


def test_unknown_file_type_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    assert "unknown RDF file type" in runner.invoke(app, ["serve", str(tmp_path / "notes.txt")]).output
    missing = runner.invoke(app, ["serve", str(tmp_path / "missing.nt")])
    assert missing.exit_code == 1 and "missing.nt" in missing.output


def test_missing_release_is_built_and_a_failed_build_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "building it" in result.output and "error:" in result.output and "Traceback" not in result.output


def test_an_explicit_release_is_served_as_it_is(tmp_path: Path, monkeypatch) -> None:
    """`--release DIR` is not rebuilt from the project in the working directory, even when it differs."""
    from conflictkg.web import serving
    from tests.web.conftest import write_release

    release = write_release(tmp_path / "dist")
    before = (release / "manifest.json").read_bytes()
    monkeypatch.setattr(serving, "run", lambda *args, **kwargs: None)
    result = runner.invoke(app, ["serve", "--release", str(release), "--workers", "1",
                                 "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert "building" not in result.output
    assert (release / "manifest.json").read_bytes() == before
