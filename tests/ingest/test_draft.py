"""`conflictkg draft`: every proposed statement is unreviewed, names its rule and rests on an exact span."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF
from typer.testing import CliRunner

from conflictkg.cli import app
from conflictkg.ingest.draft import DraftError, draft_report
from conflictkg.ingest.register import ReportMetadata, register
from conflictkg.pipeline.evidence import find_mismatches
from conflictkg.vocab import CKG, ID

from .conftest import REPORTS


@pytest.fixture
def drafted(real_project: Path) -> tuple[Path, Graph]:
    meta = ReportMetadata.parse("Army retakes Ayyash", "Northwind Wire", "2016-01-18", url="http://example.org/nw/1")
    register(real_project, REPORTS / "wire-ayyash.txt", meta, slug="wire-ayyash")
    path, graph = draft_report(real_project, "wire-ayyash", None)
    return path, graph


def test_every_statement_is_unreviewed_with_a_rule(drafted: tuple[Path, Graph]) -> None:
    _, graph = drafted
    statements = set(graph.subjects(CKG.reviewStatus, None))
    assert statements and set(graph.objects(None, CKG.reviewStatus)) == {CKG.Unreviewed}
    assert all(graph.value(s, CKG.draftRule) is not None for s in statements)
    for kind in (CKG.Claim, CKG.CasualtyReport, CKG.Mention, CKG.Recapture, CKG.Bombing):
        assert any(s in statements for s in graph.subjects(RDF.type, kind)), kind


def test_every_span_quotes_the_raw_report(drafted: tuple[Path, Graph]) -> None:
    _, graph = drafted
    text = (REPORTS / "wire-ayyash.txt").read_text(encoding="utf-8")
    assert find_mismatches(graph, "", {ID["report/wire-ayyash"]: text}) == []


def test_the_draft_proposes_the_figures_quote_and_dated_recapture(drafted: tuple[Path, Graph]) -> None:
    _, graph = drafted
    figures = {(str(graph.value(c, CKG["count"])), str(graph.value(c, CKG.quantifier)).split("#")[1])
               for c in graph.subjects(RDF.type, CKG.CasualtyReport)}
    assert figures == {("40", "AtLeast"), ("130", "Approximately"), ("150", "MoreThan")}
    [quote] = [c for c in graph.subjects(CKG.quotation, None)]
    assert graph.value(quote, CKG.claimedBy) == ID["actor/samir-haddad"]
    assert graph.value(quote, CKG.reportedTo) == ID["actor/northwind-wire"]
    recaptures = [e for e in graph.subjects(RDF.type, CKG.Recapture) if graph.value(e, CKG.date) is not None]
    assert [(str(graph.value(e, CKG.date)), graph.value(e, CKG.place)) for e in recaptures] == [
        ("2016-01-17", ID["place/ayyash"])]
    assert graph.value(recaptures[0], CKG.dateResolvedFrom) == ID["report/wire-ayyash"]


def test_the_build_refuses_the_draft_until_reviewed(drafted: tuple[Path, Graph], real_project: Path) -> None:
    result = CliRunner().invoke(app, ["build", "--root", str(real_project), "--no-default"])
    assert result.exit_code == 1
    assert "drafted statement(s) are unreviewed" in result.output
    assert "wire-ayyash: https://w3id.org/conflictkg/id/" in result.output


def test_drafting_an_unknown_report_is_a_clear_error(real_project: Path) -> None:
    with pytest.raises(DraftError, match="no registered report 'nope'"):
        draft_report(real_project, "nope", None)
    result = CliRunner().invoke(app, ["draft", "nope", "--root", str(real_project), "--no-default"])
    assert result.exit_code == 2 and "no registered report" in result.output


def test_same_input_same_draft(drafted: tuple[Path, Graph], real_project: Path) -> None:
    path, _ = drafted
    first = path.read_bytes()
    draft_report(real_project, "wire-ayyash", None)
    assert path.read_bytes() == first
