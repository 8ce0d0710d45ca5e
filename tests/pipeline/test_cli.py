"""`conflictkg build` and `conflictkg validate`: exit codes and messages for people, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conflictkg.cli import app
from conflictkg.pipeline.release import Release

runner = CliRunner()


def _run(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _break(project: Path, old: str, new: str) -> None:
    events = project / "data" / "events.ttl"
    text = events.read_text("utf-8")
    assert old in text
    events.write_text(text.replace(old, new), "utf-8")


def test_build_writes_the_release(project: Path) -> None:
    result = _run("build", "--root", str(project))
    assert result.exit_code == 0, result.output
    assert "wrote release" in result.output
    assert Release.open(project / "dist").graphs


def test_build_to_another_directory(project: Path, tmp_path: Path) -> None:
    result = _run("build", "--root", str(project), "--out", str(tmp_path / "elsewhere"))
    assert result.exit_code == 0, result.output
    assert Release.open(tmp_path / "elsewhere").version


def test_broken_turtle_gives_file_line_column_and_exit_1(project: Path) -> None:
    _break(project, 'ckg:agent id:actor\\/is ;', 'ckg:agent ;')
    for command in ("build", "validate"):
        result = _run(command, "--root", str(project))
        assert result.exit_code == 1
        assert f"error: {project / 'data' / 'events.ttl'}:18:15: bad syntax" in result.output
    assert not (project / "dist").exists()


def test_shacl_failure_prints_the_report_and_publishes_nothing(project: Path) -> None:
    _break(project, 'rdfs:label "The army recaptures Ayash" ;', "")
    result = _run("build", "--root", str(project))
    assert result.exit_code == 1
    for part in ("<https://w3id.org/conflictkg/id/event/recapture-ayyash>", "path: rdfs:label",
                 "message: An event needs a label.", "file: data/events.ttl"):
        assert part in result.output
    assert not (project / "dist").exists()


def test_evidence_mismatch_exits_1(project: Path) -> None:
    _break(project, 'oa:start "23"', 'oa:start "22"')
    result = _run("build", "--root", str(project))
    assert result.exit_code == 1
    assert "https://w3id.org/conflictkg/id/span/23-49: text at 22..49" in result.output


def test_validate_exit_codes(project: Path) -> None:
    ok = _run("validate", "--root", str(project))
    assert (ok.exit_code, ok.output.strip()) == (0, "SHACL: conforms (no results)")
    _break(project, 'ckg:date "2016-01-16"^^xsd:date', 'ckg:date "Saturday"')
    failed = _run("validate", "--root", str(project))
    assert failed.exit_code == 1
    assert "path: ckg:date" in failed.output
    assert not (project / "dist").exists()


def test_missing_project_is_a_clear_error(tmp_path: Path) -> None:
    result = _run("build", "--root", str(tmp_path))
    assert result.exit_code == 1
    assert "ontology/conflictkg.ttl: missing input file" in result.output
