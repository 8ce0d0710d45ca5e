"""Benchmark: UCDP GED import and export at scale (time, peak memory), against pandas reading the same file.

Rows are synthetic and invented (bench material, never UCDP's): random sides, places and figures in the
public 49-column layout, written as a gzipped CSV. Each measurement runs in its own process so that its
peak resident memory (``ru_maxrss``) is its own:

- ``pandas.read_csv``: the peer, only parsing the file into a DataFrame (what an analyst does first);
- ``conflictkg import ucdp-ged``: parse, check, convert and write the import graph (N-Triples, gzipped);
- ``export ucdp-ged``: load the import graph and the ontology into pyoxigraph and write the GED layout.

Medians of ``--runs`` runs (machines are shared: read the ratios).

    PYTHONPATH=src nice -n 10 python bench/bench_ged_import.py [--rows 300000] [--runs 1]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from conflictkg.datasets.ged import COLUMNS  # noqa: E402

COUNTRIES = [("Syria", 652, "Middle East", 35.0, 38.5), ("Iraq", 645, "Middle East", 33.3, 44.4),
             ("Somalia", 520, "Africa", 5.1, 46.2), ("Colombia", 100, "Americas", 4.6, -74.1),
             ("Afghanistan", 700, "Asia", 34.5, 69.2), ("Ukraine", 369, "Europe", 49.0, 32.0)]


def synthetic_rows(count: int, seed: int = 7) -> Iterator[list[str]]:
    """``count`` invented GED rows (consistent: best = sum of deaths, low ≤ best ≤ high), one at a time.

    A generator, so that the benchmark process stays small: a child's ``ru_maxrss`` on Linux includes
    what its parent held when it was forked."""
    rng = random.Random(seed)
    for i in range(count):
        country, gw, region, lat0, lon0 = COUNTRIES[i % len(COUNTRIES)]
        violence = rng.choice((1, 1, 2, 3))
        side_a = rng.randrange(1, 400)
        side_b = 1 if violence == 3 else rng.randrange(400, 900)
        deaths = [rng.randrange(0, 20) for _ in range(4)]
        if violence == 3:
            deaths[1] = 0
        best = sum(deaths)
        start = date(1989, 1, 1) + timedelta(days=rng.randrange(0, 12000))
        end = start + timedelta(days=rng.choice((0, 0, 0, 1, 5, 20)))
        adm1 = f"Bench province {rng.randrange(0, 12)}"
        lat, lon = lat0 + rng.uniform(-2, 2), lon0 + rng.uniform(-2, 2)
        row = {
            "id": 10_000_000 + i, "relid": f"BENCH-{i}", "year": start.year, "active_year": 1,
            "code_status": "Clear", "type_of_violence": violence, "conflict_dset_id": 5000 + side_a % 50,
            "conflict_new_id": 5000 + side_a % 50, "conflict_name": f"Bench conflict {side_a % 50}",
            "dyad_dset_id": 6000 + side_a, "dyad_new_id": 6000 + side_a, "dyad_name": f"Bench dyad {side_a}",
            "side_a_dset_id": side_a, "side_a_new_id": side_a,
            "side_a": f"Government of {country}" if violence == 1 else f"Bench group {side_a}",
            "side_b_dset_id": side_b, "side_b_new_id": side_b,
            "side_b": "Civilians" if violence == 3 else f"Bench group {side_b}",
            "number_of_sources": rng.randrange(1, 5), "source_article": f"Bench Wire (invented) {i}",
            "source_office": "Bench Wire (invented)", "source_date": start.isoformat(), "source_headline": "",
            "source_original": "", "where_prec": rng.choice((1, 1, 2, 3, 4, 6)),
            "where_coordinates": f"Bench place {rng.randrange(0, 20000)}", "where_description": "",
            "adm_1": adm1, "adm_2": f"Bench district {rng.randrange(0, 40)}", "latitude": f"{lat:.4f}",
            "longitude": f"{lon:.4f}", "geom_wkt": f"POINT ({lon:.4f} {lat:.4f})", "priogrid_gid": rng.randrange(1, 259200),
            "country": country, "country_id": gw, "region": region, "event_clarity": 1,
            "date_prec": rng.choice((1, 1, 2, 3, 4, 5)), "date_start": f"{start} 00:00:00.000",
            "date_end": f"{end} 00:00:00.000", "deaths_a": deaths[0], "deaths_b": deaths[1],
            "deaths_civilians": deaths[2], "deaths_unknown": deaths[3], "best": best, "high": best + rng.randrange(0, 10),
            "low": max(0, best - rng.randrange(0, 3)), "gwnoa": gw if violence == 1 else "", "gwnob": "",
        }
        yield [str(row[c]) for c in COLUMNS]


def write_file(path: Path, rows: Iterable[list[str]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=3) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def measure(code: str, *args: str) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of ``python -c code args`` in its own process.

    CPU seconds are reported beside wall time: on a shared machine under load a niced process gets a
    fraction of a core, and its wall time says more about the neighbours than about the import."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {code[:60]}…")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


PANDAS = "import sys, pandas; pandas.read_csv(sys.argv[1], low_memory=False)"
IMPORT = ("import sys; from pathlib import Path; from conflictkg.datasets.ged import import_ged; "
          "import_ged(Path(sys.argv[1]), Path(sys.argv[2]), 'bench')")
EXPORT = ("import sys, io; from pathlib import Path; from conflictkg.store import Store; "
          "from conflictkg.vocab import ONTOLOGY_GRAPH, GRAPH; import pyoxigraph as ox; "
          "from conflictkg.datasets.export import read_snapshot, write_csv; "
          "root = Path(sys.argv[2]); s = Store(default_graphs=[str(ONTOLOGY_GRAPH), str(GRAPH['import/bench'])]); "
          "s.load_file(root / 'ontology/conflictkg.ttl', graph=ox.NamedNode(str(ONTOLOGY_GRAPH))); "
          "s.load_file(root / 'data/imports/bench.nt.gz', graph=ox.NamedNode(str(GRAPH['import/bench']))); "
          "out = open(sys.argv[1], 'w', newline=''); n = write_csv(out, 'ucdp-ged', read_snapshot(s)); print(n)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-export", action="store_true", help="measure the import only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ged-") as tmp:
        work = Path(tmp)
        source = work / "ged.csv.gz"
        started = time.perf_counter()
        write_file(source, synthetic_rows(args.rows))
        print(f"generated {args.rows} invented rows ({source.stat().st_size / 2**20:.1f} MiB gzipped) "
              f"in {time.perf_counter() - started:.1f} s")
        project = work / "project"
        for part in ("ontology", "shapes"):
            shutil.copytree(ROOT / part, project / part)
        shutil.copytree(ROOT / "data", project / "data", ignore=shutil.ignore_patterns("imports"))
        results: dict[str, list[tuple[float, float, float]]] = {"pandas.read_csv (peer)": [], "import ucdp-ged": []}
        if not args.no_export:
            results["export ucdp-ged (pyoxigraph)"] = []
        for _ in range(args.runs):
            results["pandas.read_csv (peer)"].append(measure(PANDAS, str(source)))
            results["import ucdp-ged"].append(measure(IMPORT, str(source), str(project)))
            if not args.no_export:
                results["export ucdp-ged (pyoxigraph)"].append(measure(EXPORT, str(work / "out.csv"), str(project)))
        output = project / "data/imports/bench.nt.gz"
        with gzip.open(output, "rt", encoding="utf-8") as stream:
            triples = sum(1 for _ in stream)
        peer = statistics.median(c for _, c, _ in results["pandas.read_csv (peer)"])
        print(f"\n| step ({args.rows:,} rows) | median wall s | median CPU s | CPU × pandas | peak RSS MiB |")
        print("|---|---|---|---|---|")
        for name, runs in results.items():
            wall = statistics.median(s for s, _, _ in runs)
            cpu = statistics.median(c for _, c, _ in runs)
            memory = max(m for _, _, m in runs)
            print(f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / peer:.1f} | {memory:.0f} |")
        print(f"\nimport graph: {triples:,} triples ({triples / args.rows:.1f} per row), "
              f"{output.stat().st_size / 2**20:.1f} MiB gzipped N-Triples")


if __name__ == "__main__":
    main()
