"""The "who says what" section's arithmetic and links, without a server."""

from __future__ import annotations

from conflictkg.web.article_view import document_page
from conflictkg.web.terms import Term
from conflictkg.web.who_says_what import FigureRow, _summary


def _term(value: str) -> Term:
    return Term(kind="iri", value=value, label=value.rsplit("/", 1)[-1], href=None, internal=True)


def _figure(claimant: str, low: str | None, best: str | None, high: str | None, conservative: str | None,
            group: str = "civilians") -> FigureRow:
    return FigureRow(figure=_term(f"urn:x:{claimant}"), claimant=_term(f"urn:x:{claimant}"), document=None,
                     quantifier=_term("urn:q"), count=best, group=group, low=low, best=best, high=high,
                     conservative=conservative, exact=None, page=None)


def test_summary_takes_the_lowest_low_median_best_and_an_open_high_when_any_is_open() -> None:
    [summary] = _summary((_figure("a", "130", "130", "130", "130"), _figure("b", "85", "85", "85", "85"),
                          _figure("c", "151", "151", None, "151")))
    assert (summary.low, summary.best, summary.high, summary.conservative, summary.claimants) == (85, 130, None, 85, 3)


def test_summary_is_per_victim_group() -> None:
    groups = _summary((_figure("a", "40", "40", "40", "40", "troops"), _figure("a", "12", "24", None, "12")))
    assert [(g.group, g.low, g.high) for g in groups] == [("civilians", 12, None), ("troops", 40, 40)]


def test_span_links_go_to_the_spans_document() -> None:
    assert document_page("https://w3id.org/conflictkg/id/report/wire-ayyash") == "/reports/wire-ayyash"
    assert document_page("https://w3id.org/conflictkg/id/article/x") == "/article"
    assert document_page(None) == "/article"
