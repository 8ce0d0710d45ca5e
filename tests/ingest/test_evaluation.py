"""The drafting figures the README quotes: scored on the invented test reports against their gold."""

from __future__ import annotations

import pytest

from conflictkg.gazetteer.sources import load_gazetteer
from conflictkg.ingest.draft import lexicon_of, project_graph
from conflictkg.ingest.evaluation import combine, load_gold, score

from .conftest import REPORTS, ROOT


@pytest.fixture(scope="module")
def totals() -> dict:
    lexicon = lexicon_of(project_graph(ROOT), load_gazetteer([], with_default=True))
    per_report = []
    for gold_file in sorted(REPORTS.glob("**/gold/*.json")):
        text = (gold_file.parents[1] / f"{gold_file.stem}.txt").read_text(encoding="utf-8")
        published, gold = load_gold(text, gold_file)
        per_report.append(score(text, published, gold, lexicon))
    return combine(per_report)


def test_figures_and_quotations_meet_their_targets(totals: dict) -> None:
    for kind in ("figure", "quotation"):
        assert totals[kind].precision >= 0.95 and totals[kind].recall >= 0.9, (kind, totals[kind])


def test_places_recall_and_identifier_precision(totals: dict) -> None:
    assert totals["place"].recall >= 0.9
    assert totals["place-id"].precision >= 0.95
