"""`conflictkg add`: a report is kept byte-exact with its SHA-256 and metadata, or nothing is written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from typer.testing import CliRunner

from conflictkg.cli import app
from conflictkg.ingest.register import RegistrationError, ReportMetadata, register, slugify
from conflictkg.vocab import CKG, ID, SCHEMA

TEXT = "TEST MATERIAL\nTroops retook\u00a0Ayyash on Sunday, a test outlet said.\n".encode()


def _meta(**overrides: str | None) -> ReportMetadata:
    fields = {"title": "Troops retake Ayyash", "outlet": "Test Wire", "published": "2016-01-18",
              "author": "Jane Tester", "url": "http://example.org/test-wire/1", "language": "en"}
    fields.update(overrides)
    return ReportMetadata.parse(**fields)  # type: ignore[arg-type]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "report.txt"
    path.parent.mkdir()
    path.write_bytes(TEXT)
    return path


def test_registers_bytes_checksum_and_metadata(tmp_path: Path, report: Path) -> None:
    done = register(tmp_path / "project", report, _meta())
    assert done.slug == "test-wire-2016-01-18-troops-retake-ayyash"
    assert (done.directory / "report.txt").read_bytes() == TEXT
    graph = Graph().parse(done.directory / "meta.ttl")
    iri = ID[f"report/{done.slug}"]
    assert graph.value(iri, CKG.sha256) == Literal(hashlib.sha256(TEXT).hexdigest())
    assert graph.value(iri, SCHEMA.datePublished) == Literal("2016-01-18", datatype=XSD.date)
    assert graph.value(iri, SCHEMA.publisher) == ID["actor/test-wire"]
    assert graph.value(iri, SCHEMA.author) == ID["actor/jane-tester"]
    assert graph.value(iri, SCHEMA.url) == URIRef("http://example.org/test-wire/1")
    assert str(graph.value(iri, SCHEMA.inLanguage)) == "en"


def test_duplicate_text_is_refused_whatever_the_slug(tmp_path: Path, report: Path) -> None:
    register(tmp_path, report, _meta())
    with pytest.raises(RegistrationError, match="same text .* already registered as data/reports/"):
        register(tmp_path, report, _meta(title="Another title"), slug="other")


def test_duplicate_slug_is_refused(tmp_path: Path, report: Path) -> None:
    register(tmp_path, report, _meta(), slug="wire")
    other = report.with_name("other.txt")
    other.write_bytes(TEXT + b"more\n")
    with pytest.raises(RegistrationError, match="slug 'wire' already exists"):
        register(tmp_path, other, _meta(), slug="wire")


def test_the_article_itself_counts_as_registered(tmp_path: Path, report: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "article.txt").write_bytes(TEXT)
    with pytest.raises(RegistrationError, match="data/article.txt"):
        register(tmp_path, report, _meta())


def test_not_utf8_names_the_byte_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "cp1256.txt"
    bad.write_bytes("قوات".encode("cp1256"))
    with pytest.raises(RegistrationError, match="not UTF-8 text \\(byte 0 is 0x"):
        register(tmp_path / "project", bad, _meta())
    assert not (tmp_path / "project" / "data" / "reports").exists() or not any(
        (tmp_path / "project" / "data" / "reports").iterdir())


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", None, "missing required field\\(s\\): --title"),
    ("outlet", " ", "--outlet"),
    ("published", "18/01/2016", "not a date as YYYY-MM-DD"),
    ("url", "javascript:alert(1)", "not an http\\(s\\) URL"),
    ("language", "English!", "not a language tag"),
])
def test_bad_metadata_is_refused(field: str, value: str | None, message: str) -> None:
    with pytest.raises(RegistrationError, match=message):
        _meta(**{field: value})


def test_a_failed_write_leaves_no_directory(tmp_path: Path, report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(Graph, "serialize", broken)
    with pytest.raises(OSError, match="disk full"):
        register(tmp_path, report, _meta())
    assert list((tmp_path / "data" / "reports").iterdir()) == []


def test_slugify_transliterates() -> None:
    assert slugify("Al-Masdar News") == "al-masdar-news"
    assert slugify("Deir ez-Zor 24: ‘Ayyāsh") == "deir-ez-zor-24-ayyash"


def test_cli_add_and_its_errors(tmp_path: Path, report: Path) -> None:
    runner = CliRunner()
    args = ["add", str(report), "--root", str(tmp_path), "--title", "T", "--outlet", "Test Wire"]
    missing = runner.invoke(app, args)
    assert missing.exit_code == 2 and "--published" in missing.output
    done = runner.invoke(app, [*args, "--published", "2016-01-18"])
    assert done.exit_code == 0, done.output
    assert "registered https://w3id.org/conflictkg/id/report/test-wire-2016-01-18-t" in done.output
    again = runner.invoke(app, [*args, "--published", "2016-01-18", "--slug", "x"])
    assert again.exit_code == 2 and "already registered" in again.output
