"""Every span's selectors must quote the raw article exactly, counted in Unicode code points."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib.namespace
from rdflib import Graph, Literal

from conflictkg.pipeline.evidence import EvidenceError, check_evidence, find_mismatches
from conflictkg.pipeline.sources import load
from conflictkg.vocab import DATA_GRAPH, ID, OA

CAPTURE_SPAN = ID["span/23-49"]
NON_NEGATIVE = rdflib.namespace.XSD.nonNegativeInteger


def _data(project: Path) -> tuple[Graph, str]:
    sources = load(project)
    return sources.graph(DATA_GRAPH), sources.article


def _replace(graph: Graph, subject, predicate, value) -> None:  # type: ignore[no-untyped-def]
    graph.remove((subject, predicate, None))
    graph.add((subject, predicate, value))


def test_fixture_spans_match(project: Path) -> None:
    graph, article = _data(project)
    assert check_evidence(graph, article) == 2


def test_offsets_are_code_points_not_bytes(project: Path) -> None:
    graph, article = _data(project)
    start = article.index("IS fighters")
    # Arabic letters, an em dash and a no-break space precede the span: bytes and code points differ.
    assert len(article[:start].encode("utf-8")) != start == 23
    assert "\u00a0" in article[:start]
    assert find_mismatches(graph, article) == []


def test_wrong_exact_reports_expected_and_found(project: Path) -> None:
    graph, article = _data(project)
    _replace(graph, ID["span/23-49/quote"], OA.exact, Literal("IS fighters took Ayash"))
    with pytest.raises(EvidenceError) as raised:
        check_evidence(graph, article)
    [mismatch] = raised.value.mismatches
    assert mismatch.span == CAPTURE_SPAN
    assert (mismatch.expected, mismatch.found) == ("IS fighters took Ayash", "IS fighters captured Ayash")
    assert str(CAPTURE_SPAN) in str(raised.value)


def test_shifted_offsets_are_caught(project: Path) -> None:
    graph, article = _data(project)
    _replace(graph, ID["span/23-49/position"], OA.start, Literal(24, datatype=NON_NEGATIVE))
    _replace(graph, ID["span/23-49/position"], OA.end, Literal(50, datatype=NON_NEGATIVE))
    found = {m.what for m in find_mismatches(graph, article)}
    assert found == {"text at 24..50", "oa:prefix", "oa:suffix"}


def test_prefix_and_suffix_are_checked(project: Path) -> None:
    graph, article = _data(project)
    _replace(graph, ID["span/51-76/quote"], OA.prefix, Literal("ed Ayash."))  # missing trailing space
    _replace(graph, ID["span/51-76/quote"], OA.suffix, Literal(" the next"))
    problems = {(m.what, m.expected, m.found) for m in find_mismatches(graph, article)}
    assert problems == {("oa:prefix", "ed Ayash.", "d Ayash. "), ("oa:suffix", " the next", " the foll")}


def test_nbsp_in_prefix_must_not_be_normalised(project: Path) -> None:
    graph, article = _data(project)
    _replace(graph, ID["span/23-49/quote"], OA.prefix, Literal("Saturday, "))  # plain space
    [mismatch] = find_mismatches(graph, article)
    assert (mismatch.what, mismatch.found) == ("oa:prefix", "Saturday,\u00a0")


def test_out_of_range_offsets(project: Path) -> None:
    graph, article = _data(project)
    _replace(graph, ID["span/51-76/position"], OA.end, Literal(10_000, datatype=NON_NEGATIVE))
    [mismatch] = find_mismatches(graph, article)
    assert mismatch.what == "position" and "end=10000" in mismatch.found


def test_span_without_position_selector(project: Path) -> None:
    graph, article = _data(project)
    graph.remove((ID["span/51-76"], OA.hasSelector, ID["span/51-76/position"]))
    [mismatch] = find_mismatches(graph, article)
    assert mismatch.what == "selectors" and "0 position" in mismatch.found


def test_every_mismatch_is_reported(project: Path) -> None:
    graph, article = _data(project)
    _replace(graph, ID["span/23-49/quote"], OA.exact, Literal("nope"))
    _replace(graph, ID["span/51-76/quote"], OA.exact, Literal("nope either"))
    with pytest.raises(EvidenceError) as raised:
        check_evidence(graph, article)
    assert [m.span for m in raised.value.mismatches] == [CAPTURE_SPAN, ID["span/51-76"]]
