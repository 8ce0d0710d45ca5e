"""Many reports in the build: each in its own named graph, its spans checked against its own text, its
SHA-256 guarding the bytes, and drafted statements never published unreviewed."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS
from typer.testing import CliRunner

from conflictkg.cli import app
from conflictkg.ingest.register import ReportMetadata, register
from conflictkg.ingest.spans import add_span
from conflictkg.pipeline.build import build
from conflictkg.pipeline.evidence import EvidenceError
from conflictkg.pipeline.reports import ReportError, ReviewError
from conflictkg.store import Store
from conflictkg.vocab import CKG, ID, report_graph, unreviewed_graph

from .conftest import FIXED_TIME

TEXT = "TEST MATERIAL. On Sunday the army recaptured\u00a0Ayash, a test wire said.\n"
SLUG = "test-wire"


def _statements(status: object | None = None) -> Graph:
    graph = Graph()
    start = TEXT.index("the army")
    end = TEXT.index(", a test")
    span = add_span(graph, SLUG, TEXT, start, end)
    mention = ID[f"mention/{SLUG}/{start}-{end}"]
    graph.add((mention, RDF.type, CKG.Mention))
    graph.add((mention, CKG.mentions, ID["place/ayyash"]))
    graph.add((mention, CKG.evidence, span))
    graph.add((mention, RDFS.label, Literal("Ayash")))
    if status is not None:
        graph.add((mention, CKG.reviewStatus, status))
    return graph


@pytest.fixture
def with_report(project: Path, tmp_path: Path) -> Path:
    text = tmp_path / "wire.txt"
    text.write_text(TEXT, encoding="utf-8")
    meta = ReportMetadata.parse("Army recaptures Ayash", "Test Wire", "2016-01-18", url="http://example.org/w")
    done = register(project, text, meta, slug=SLUG)
    _statements().serialize(done.directory / "statements.ttl", format="turtle")
    return project


def test_a_report_is_a_graph_of_its_own_in_every_dump(with_report: Path, tmp_path: Path) -> None:
    release = build(with_report, tmp_path / "dist", created=FIXED_TIME)
    graph = str(report_graph(SLUG))
    manifest = json.loads((release.root / "manifest.json").read_text())
    assert manifest["graphs"][graph] > 0
    assert (release.root / "reports" / f"{SLUG}.txt").read_bytes() == TEXT.encode()
    assert (release.root / "graphs" / "report" / f"{SLUG}.ttl").is_file()
    quads = gzip.decompress((release.root / "conflictkg.nq.gz").read_bytes()).decode()
    assert f"<{graph}> ." in quads
    void = Graph().parse(release.root / "void.ttl")
    assert (None, None, report_graph(SLUG)) in void
    store = Store.from_release(release.root)
    assert graph in store.default_graphs
    assert bool(store.query(f"ASK {{ <{ID['mention/' + SLUG]}/{TEXT.index('the army')}-{TEXT.index(', a test')}> ?p ?o }}"))


def test_spans_are_checked_against_their_own_document(with_report: Path, tmp_path: Path) -> None:
    statements = with_report / "data" / "reports" / SLUG / "statements.ttl"
    broken = statements.read_text(encoding="utf-8").replace("recaptured\u00a0Ayash", "recaptured Ayash")
    statements.write_text(broken, encoding="utf-8")
    with pytest.raises(EvidenceError, match=f"span/{SLUG}/"):
        build(with_report, tmp_path / "dist", created=FIXED_TIME)


def test_a_changed_report_text_is_refused(with_report: Path, tmp_path: Path) -> None:
    text = with_report / "data" / "reports" / SLUG / "report.txt"
    text.write_text(TEXT.replace("\u00a0", " "), encoding="utf-8")
    with pytest.raises(ReportError, match="differs from the registered"):
        build(with_report, tmp_path / "dist", created=FIXED_TIME)


def _draft(project: Path, status: object) -> None:
    path = project / "data" / "reports" / SLUG / "statements.ttl"
    _statements(status).serialize(path, format="turtle")


def test_unreviewed_drafts_stop_the_build_with_a_list(with_report: Path, tmp_path: Path) -> None:
    _draft(with_report, CKG.Unreviewed)
    with pytest.raises(ReviewError, match=f"1 drafted statement.*\n  {SLUG}: .*mention/{SLUG}/"):
        build(with_report, tmp_path / "dist", created=FIXED_TIME)
    assert not (tmp_path / "dist").exists()


def test_validate_applies_the_same_review_gate(with_report: Path) -> None:
    """`conflictkg validate` passes only what `build` would accept: unreviewed drafts are refused with
    their list (exit 1, no traceback); once reviewed, the project validates."""
    _draft(with_report, CKG.Unreviewed)
    refused = CliRunner().invoke(app, ["validate", "--root", str(with_report)])
    assert refused.exit_code == 1 and f"mention/{SLUG}/" in refused.output and "Traceback" not in refused.output
    _draft(with_report, CKG.Accepted)
    accepted = CliRunner().invoke(app, ["validate", "--root", str(with_report)])
    assert accepted.exit_code == 0, accepted.output


def test_validate_refuses_a_changed_report_text(with_report: Path) -> None:
    text = with_report / "data" / "reports" / SLUG / "report.txt"
    text.write_text(TEXT.replace("\u00a0", " "), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--root", str(with_report)])
    assert result.exit_code == 1 and "differs from the registered" in result.output


def test_publish_drafts_keeps_them_out_of_the_default_graph(with_report: Path, tmp_path: Path) -> None:
    _draft(with_report, CKG.Unreviewed)
    release = build(with_report, tmp_path / "dist", created=FIXED_TIME, publish_drafts=True)
    store = Store.from_release(release.root)
    unreviewed = str(unreviewed_graph(SLUG))
    assert unreviewed in store.graph_names() and unreviewed not in store.default_graphs
    assert not bool(store.query(f"ASK {{ ?m a <{CKG.Mention}> }}"))
    assert bool(store.query(f"ASK {{ GRAPH <{unreviewed}> {{ ?m <{CKG.reviewStatus}> <{CKG.Unreviewed}> }} }}"))
    void = (release.root / "void.ttl").read_text()
    assert "unreviewed on request" in void


def test_rejected_drafts_are_dropped_and_accepted_kept(with_report: Path, tmp_path: Path) -> None:
    _draft(with_report, CKG.Rejected)
    store = Store.from_release(build(with_report, tmp_path / "a", created=FIXED_TIME).root)
    assert not bool(store.query(f"ASK {{ ?m a <{CKG.Mention}> }}"))
    _draft(with_report, CKG.Accepted)
    store = Store.from_release(build(with_report, tmp_path / "b", created=FIXED_TIME).root)
    assert bool(store.query(f"ASK {{ ?m a <{CKG.Mention}> ; <{CKG.reviewStatus}> <{CKG.Accepted}> }}"))


def test_without_reports_nothing_changes(project: Path, fixture_release: object, tmp_path: Path) -> None:
    shutil.rmtree(project / "data" / "reports", ignore_errors=True)
    release = build(project, tmp_path / "dist", created=FIXED_TIME)
    assert not (release.root / "reports").exists()
    assert json.loads((release.root / "manifest.json").read_text())["graphs"] == fixture_release.graphs  # type: ignore[attr-defined]
