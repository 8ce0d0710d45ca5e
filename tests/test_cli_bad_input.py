"""The CLI refuses bad input with one line naming the file (and line/column where the parser has them).

`serve FILE` with a broken file of every supported format, compressed or not, and with things that are
not RDF files at all; `build --root` with a broken file of each kind a project has; `reconcile` with odd
names and options. Exit codes are non-zero and no traceback reaches the output. `serve` never starts
a server here: ``web.serving.run`` is replaced, and the load failure happens before it would be called.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictkg.cli import app

runner = CliRunner()
PROJECT = Path(__file__).resolve().parent / "fixtures" / "pipeline" / "project"
GAZETTEER = Path(__file__).resolve().parent / "fixtures" / "gazetteer"

RDF_XML_HEAD = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
BOMB = (
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    + RDF_XML_HEAD + '<rdf:Description rdf:about="urn:a"><e:p>&c;</e:p></rdf:Description></rdf:RDF>'
)
GOOD_TTL = b"<urn:a> <urn:b> <urn:c> .\n"


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Replace the server's start; the list records each configuration it would have served."""
    from conflictkg.web import serving

    started: list[object] = []
    monkeypatch.setattr(serving, "run", lambda config, *_: started.append(config))
    return started


def _one_clear_line(output: str, *needles: str) -> None:
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, output
    assert lines[0].isprintable(), f"control characters reach the terminal: {lines[0]!r}"
    for needle in needles:
        assert needle in lines[0], lines[0]


BROKEN_FILES: list[tuple[str, bytes, tuple[str, ...]]] = [
    ("bad.ttl", b"<urn:a> <urn:b> .\n", ("bad.ttl:1:17: ", "not a valid RDF object")),
    ("bad.trig", b"<urn:g> { <urn:a> <urn:b> }\n", ("bad.trig:1:27: ",)),
    ("bad.nt", b'<urn:a> <urn:b> "open\n', ("bad.nt:1:17: ", "end of file")),
    ("bad.nq", b"<urn:a> <urn:b> <urn:c> <urn:g> <urn:h> .\n", ("bad.nq:1:",)),
    ("bad.jsonld", b'{"@id": "urn:a", "urn:b": [', ("bad.jsonld:1:28: ",)),
    ("remote-context.jsonld", b'{"@context": "http://127.0.0.1:9/context", "@id": "urn:a"}', ("remote context",)),
    ("bad.rdf", (RDF_XML_HEAD + '<rdf:Description rdf:about="urn:a"><x').encode(), ("not closed",)),
    ("bomb.rdf", BOMB.encode(), ("refers to another entity",)),
    ("garbage.ttl", bytes(range(256)) * 2, ("garbage.ttl:1:1: ", "\\x00")),
    ("escape.nt", b'<urn:a> <urn:b> \x1b[2J\x1b]0;pwned\x07 .\n', ("escape.nt:1:", "\\x1b")),
    ("latin1.nt", '<urn:a> <urn:b> "caf\xe9" .\n'.encode("latin-1"), ("UTF-8",)),
    ("truncated.ttl.gz", gzip.compress(GOOD_TTL * 50)[:30], ("ended before",)),
    ("corrupt.ttl.gz", gzip.compress(GOOD_TTL)[:12] + b"\x00garbage\xff" * 4 + gzip.compress(GOOD_TTL)[-8:], ("decompress",)),
    ("not-gzip.nq.gz", b"plain text", ("gzip",)),
    ("notes.txt", b"hello", ("unknown RDF file type",)),
]


@pytest.mark.parametrize(("name", "content", "needles"), BROKEN_FILES, ids=[case[0] for case in BROKEN_FILES])
def test_serve_refuses_a_broken_file_before_starting(
    tmp_path: Path, no_server: list[object], name: str, content: bytes, needles: tuple[str, ...]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["serve", str(path)])
    assert result.exit_code == 1 and not no_server
    _one_clear_line(result.output, name, *needles)


def test_serve_refuses_a_directory_and_a_missing_file(tmp_path: Path, no_server: list[object]) -> None:
    (tmp_path / "folder.ttl").mkdir()
    for path, needle in ((tmp_path / "folder.ttl", "Is a directory"), (tmp_path / "missing.ttl", "No such file")):
        result = runner.invoke(app, ["serve", str(path)])
        assert result.exit_code == 1 and not no_server
        _one_clear_line(result.output, path.name, needle)


def test_serve_accepts_an_empty_file_and_a_good_gzip(tmp_path: Path, no_server: list[object]) -> None:
    """Not everything odd is wrong: an empty Turtle file is an empty graph."""
    (tmp_path / "empty.ttl").write_bytes(b"")
    (tmp_path / "good.ttl.gz").write_bytes(gzip.compress(GOOD_TTL))
    result = runner.invoke(app, ["serve", str(tmp_path / "empty.ttl"), str(tmp_path / "good.ttl.gz")])
    assert result.exit_code == 0, result.output
    assert len(no_server) == 1


BROKEN_PROJECT_FILES: list[tuple[str, bytes | None, tuple[str, ...]]] = [
    ("ontology/conflictkg.ttl", b"@prefix : <urn:x#> .\n:a :b .\n", (":2:7", "bad syntax")),
    ("shapes/shapes.ttl", b"@prefix sh: <http://www.w3.org/ns/shacl#> .\n[ a sh:NodeShape ; sh:path ( ] .\n", (":2:",)),
    ("data/events.ttl", b'<urn:a> <urn:b> "unterminated .\n', (":2:1",)),
    ("data/events.ttl", "<urn:a> <urn:b> \"caf\xe9\" .\n".encode("latin-1"), ("UTF-8",)),
    ("data/events.ttl", b"<urn:a b> <urn:b> <urn:c> .\n", (":1:1", "IRI")),
    ("data/events.ttl", b'<urn:a> <urn:b> "x"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', (":1:17", "ill-typed")),
    ("data/events.ttl", b"<urn:a> <urn:b> " + b"(" * 5000 + b")" * 5000 + b" .\n", ("recursion",)),
    ("data/links.ttl", b"<urn:a> <http://www.w3.org/2004/02/skos/core#exactMatch> .\n", (":1:",)),
    ("data/article.txt", "caf\xe9".encode("latin-1"), ("UTF-8",)),
    ("data/article.txt", None, ("missing input file",)),
    ("data/queries/recaptured-places.rq", b"# Which places?\nSELECT * {", (":2:11", "not a SPARQL query")),
    ("data/queries/recaptured-places.rq", "# caf\xe9?\nASK {}".encode("latin-1"), ("UTF-8",)),
    ("data/queries/recaptured-places.rq", b"  \n", ("empty",)),
    ("data/extra.ttl/", b"", ("Is a directory",)),
]


@pytest.mark.parametrize(
    ("relative", "content", "needles"),
    BROKEN_PROJECT_FILES,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(BROKEN_PROJECT_FILES)],
)
def test_build_refuses_a_project_with_a_broken_file(
    tmp_path: Path, relative: str, content: bytes | None, needles: tuple[str, ...]
) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    target = root / relative
    if relative.endswith("/"):
        target.mkdir()
    elif content is None:
        target.unlink()
    else:
        target.write_bytes(content)
    result = runner.invoke(app, ["build", "--root", str(root), "--no-default"])
    assert result.exit_code == 1
    _one_clear_line(result.output, target.name, *needles)
    assert not (root / "dist").exists(), "nothing may be published from a broken project"


@pytest.mark.parametrize("command", [["build"], ["link"], ["serve"]])
def test_a_malformed_source_date_epoch_is_one_error_line(
    tmp_path: Path, no_server: list[object], command: list[str]
) -> None:
    """Every command that stamps a build refuses it before loading anything, without a traceback."""
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    result = runner.invoke(app, [*command, "--root", str(root)], env={"SOURCE_DATE_EPOCH": "last tuesday"})
    assert result.exit_code == 1 and not no_server
    _one_clear_line(result.output, "SOURCE_DATE_EPOCH='last tuesday'")
    assert not (root / "dist").exists()


@pytest.mark.parametrize(
    ("arguments", "needle"),
    [
        (["", "--no-default"], "non-empty string 'query'"),
        (["   ", "--no-default"], "non-empty string 'query'"),
        (["Ayash", "--type", "Colour", "--no-default"], "unknown type"),
        (["Ayash", "--within", " ", "--no-default"], "needs a string value"),
        (["Ayash", "--limit", "0"], "Invalid value"),
        (["Ayash", "--data", "{missing}"], "missing.ttl: no such file"),
        (["Ayash", "--data", "{broken}"], "broken.ttl"),
        (["Ayash", "--data", "{empty_dir}"], "no Turtle files"),
        (["Ayash", "--no-default", "-g", "{bad_gazetteer}"], "bad.zip"),
    ],
)
def test_reconcile_refuses_odd_input_with_a_message(tmp_path: Path, arguments: list[str], needle: str) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_bytes(b"<urn:a> <urn:b> .\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    places = {"missing": str(tmp_path / "missing.ttl"), "broken": str(broken), "empty_dir": str(tmp_path / "empty"),
              "bad_gazetteer": str(tmp_path / "bad.zip")}
    result = runner.invoke(app, ["reconcile", *[a.format(**places) for a in arguments]])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert needle in result.output


@pytest.mark.parametrize("name", ["²", "9" * 5000, "https://sws.geonames.org/" + "9" * 5000 + "/", "\x00", "‮Ayash", "<script>"])
def test_reconcile_odd_names_and_areas_answer(name: str) -> None:
    """Unicode digits, huge numbers and control characters are names like any other, never a crash."""
    for arguments in (["reconcile", name], ["reconcile", "Ayash", "--within", name]):
        result = runner.invoke(
            app, [*arguments, "--no-default", "-g", str(GAZETTEER / "SY.txt"), "--data", str(GAZETTEER / "places.ttl")]
        )
        assert result.exit_code == 0, result.output
        assert result.exception is None and "Traceback" not in result.output
