"""Same-event proposals and the derived graph at scale, on the shared synthetic data (/work/scale).

    python bench/bench_corpus.py [10k|100k]

The synthetic events sit in one document; the bench splits them round-robin into two documents so that
every event has cross-document candidates, then times the same-event step (indexed candidate pairs,
not all pairs) and the derivation of bounds and grades. Medians of 3 runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from conflictkg.ingest.sameevent import propose
from conflictkg.pipeline.derive import derive
from conflictkg.vocab import CKG, ID

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    size = sys.argv[1] if len(sys.argv) > 1 else "10k"
    scale = Path("/work/scale") / size
    if not (scale / "READY").exists():
        print(f"{scale} is not ready (helper gen writes it); nothing measured")
        return
    started = time.perf_counter()
    graph = Graph()
    for path in sorted((scale / "data").glob("*.ttl")):
        graph.parse(path, format="turtle")
    graph.parse(ROOT / "ontology" / "conflictkg.ttl", format="turtle")
    print(f"{size}: {len(graph)} triples parsed in {time.perf_counter() - started:.1f} s")
    events = sorted({e for e in graph.subjects(RDF.type, None) if str(e).startswith(str(ID["event/"]))}, key=str)
    halves = (Graph(), Graph())
    for index, event in enumerate(events):
        for triple in graph.triples((event, None, None)):
            halves[index % 2].add(triple)
    documents = {"first": halves[0], "second": halves[1]}
    timings = {"same-event proposals": [], "derived graph": []}
    found = derived = 0
    for _ in range(3):
        start = time.perf_counter()
        found = len(propose(documents, graph))
        timings["same-event proposals"].append(time.perf_counter() - start)
        start = time.perf_counter()
        derived = len(derive(graph))
        timings["derived graph"].append(time.perf_counter() - start)
    print(f"{len(events)} events in 2 documents; {found} proposals; {derived} derived triples")
    print("| step | median seconds |\n|---|---|")
    for step, values in timings.items():
        print(f"| {step} | {statistics.median(values):.2f} |")
    print(f"(graph has {len(set(graph.subjects(RDF.type, CKG.CasualtyReport)))} casualty reports)")


if __name__ == "__main__":
    main()
