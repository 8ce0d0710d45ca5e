"""Benchmark: `conflictkg build` per stage (wall and CPU seconds, peak RSS) at several sizes, and the
reference engines (pySHACL + owlrl) at the sizes where they finish, as ratios in the same run.

Data: the generated projects /work/scale/<size>/ (helper `gen`: 1k, 10k, 100k events; a READY marker
says one is complete) when present, else the article's data replicated ×N with renamed IRIs
(``--replicate``). Each run gets a temporary project root whose data/ is the scale data and whose
ontology/ and shapes/ are this repository's (so the shapes measured are the ones in this tree). Each
build runs in its own process (``conflictkg build --timings``), so its peak RSS is its own.

    PYTHONPATH=src python bench/bench_build.py [--sizes 1k,10k,100k] [--reference 1k] [--timeout 1800]
    PYTHONPATH=src python bench/bench_build.py --replicate 10,100 --reference 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["load", "link", "evidence", "validate", "reason", "derive", "re-validate", "write release"]
ID = "https://w3id.org/conflictkg/id/"
SHARED_KINDS = ("article", "report", "place", "link", "linkset")
"""Kinds kept as they are in replicas: one article text, its upstream reports and the places (with
their curated links) are shared; events, claims, actors, casualty reports and spans are copied."""


def _renamed(term: object, copy: int) -> object:
    if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
        kind, _, rest = term.value[len(ID):].partition("/")
        if kind not in SHARED_KINDS:
            return ox.NamedNode(f"{ID}{kind}/r{copy}-{rest}")
    return term


def replicate(root: Path, copies: int) -> Path:
    """A project root with the article's data ×``copies`` (IRIs renamed per copy) in data/replicas.ttl."""
    data = root / "data"
    data.mkdir(parents=True)
    for name in ("article.txt", "article.ttl", "places.ttl", "links.ttl"):
        (data / name).write_bytes((ROOT / "data" / name).read_bytes())
    source = [q.triple for path in sorted((ROOT / "data").glob("*.ttl"))
              if path.name not in ("article.ttl", "places.ttl", "links.ttl")
              for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
    with (data / "replicas.ttl").open("wb") as out:
        for copy in range(copies):
            out.write(ox.serialize((ox.Triple(_renamed(t.subject, copy), t.predicate, _renamed(t.object, copy))
                                    for t in source), format=ox.RdfFormat.N_TRIPLES))
    return root


def project(size: str, scale_root: Path, work: Path) -> Path:
    """A temporary project root for ``size``: scale data (or a replica) with this tree's ontology and shapes."""
    root = work / f"project-{size}"
    if size.startswith("x"):
        replicate(root, int(size[1:]))
    else:
        source = scale_root / size
        if not (source / "READY").exists():
            raise SystemExit(f"{source} is not ready (no READY marker)")
        root.mkdir()
        (root / "data").symlink_to(source / "data")
    (root / "ontology").symlink_to(ROOT / "ontology")
    (root / "shapes").symlink_to(ROOT / "shapes")
    return root


def run(root: Path, engines: str, work: Path, timeout: float, label: str = "") -> dict[str, object]:
    """One build in its own process; its timings, wall time and triple count (or why it did not finish).

    A second run with the same ``engines`` (``label`` "rebuild") writes beside the first, so it finds the
    SHACL outcomes the first kept by checksum (pipeline.shacl_cache): an unchanged rebuild."""
    timings = work / f"{root.name}-{engines}{label}.json"
    command = [sys.executable, "-m", "conflictkg", "build", "--root", str(root),
               "--out", str(work / f"dist-{root.name}-{engines}"), "--engines", engines, "--timings", str(timings)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": "1700000000"}
    started = time.monotonic()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f}s"}
    result: dict[str, object] = json.loads(timings.read_text()) if timings.exists() else {}
    result["wall"] = time.monotonic() - started
    loaded = [line for line in done.stdout.splitlines() if line.startswith("loaded ")]
    result["triples"] = int(loaded[0].split()[1].replace(",", "")) if loaded else 0
    if done.returncode != 0:
        result["error"] = (done.stderr.strip().splitlines() or ["exit " + str(done.returncode)])[-1][:120]
    elif "stages" not in result:
        result["error"] = "no timings written"
    return result


def _row(size: str, engines: str, result: dict[str, object]) -> str:
    if "stages" not in result:
        return f"| {size} | | {engines} | " + " | ".join("" for _ in STAGES) + f" | {result.get('error')} | | |"
    seconds = {s["name"]: (s["seconds"], s["cpu"]) for s in result["stages"]}  # type: ignore[index,union-attr]
    cells = [f"{seconds[name][0]:.1f} ({seconds[name][1]:.1f})" if name in seconds else "" for name in STAGES]
    error = f" ({result['error']})" if "error" in result else ""
    return (f"| {size} | {result['triples']:,} | {engines} | " + " | ".join(cells)
            + f" | {result['seconds']:.1f}{error} | {result['cpu']:.1f} | {int(result['peak_rss']) / 2**20:,.0f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="scale sizes (/work/scale/<size>) or xN replicas")
    parser.add_argument("--replicate", default="", help="replica factors of the article, e.g. 10,100 (adds xN sizes)")
    parser.add_argument("--reference", default="1k", help="sizes also built with the reference engines")
    parser.add_argument("--scale-root", type=Path, default=Path(os.environ.get("CONFLICTKG_SCALE", "/work/scale")))
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per build")
    parser.add_argument("--rebuild", action="store_true", help="also time an unchanged rebuild (SHACL kept by checksum)")
    args = parser.parse_args()
    sizes = [s for s in args.sizes.split(",") if s] + [f"x{n}" for n in args.replicate.split(",") if n]
    reference = {s if s[0].isdigit() and s[-1] == "k" or s.startswith("x") else f"x{s}"
                 for s in args.reference.split(",") if s}
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} at start", flush=True)
    header = ("| size | triples | engines | " + " | ".join(f"{s} s (CPU)" for s in STAGES) + " | total s | CPU s | peak RSS |\n"
              + "|---" * (len(STAGES) + 6) + "|")
    rows, ratios = [], []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        work = Path(tmp)
        for size in sizes:
            root = project(size, args.scale_root, work)
            fast = run(root, "fast", work, args.timeout)
            rows.append(_row(size, "fast", fast))
            print(rows[-1], flush=True)
            if args.rebuild:
                rows.append(_row(size, "fast, unchanged rebuild", run(root, "fast", work, args.timeout, "rebuild")))
                print(rows[-1], flush=True)
            if size in reference:
                slow = run(root, "reference", work, args.timeout)
                rows.append(_row(size, "reference", slow))
                print(rows[-1], flush=True)
                if "seconds" in slow and "seconds" in fast and "error" not in slow:
                    ratios.append(f"| {size} | {slow['seconds'] / fast['seconds']:.1f}× | "  # type: ignore[operator]
                                  f"{slow['cpu'] / fast['cpu']:.1f}× | "  # type: ignore[operator]
                                  f"{int(slow['peak_rss']) / int(fast['peak_rss']):.1f}× |")  # type: ignore[arg-type]
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print("\n" + header + "\n" + "\n".join(rows))
    if ratios:
        print("\n| size | reference / fast, wall | CPU | peak RSS |\n|---|---|---|---|\n" + "\n".join(ratios))


if __name__ == "__main__":
    main()
