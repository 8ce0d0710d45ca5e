"""Same-event proposals: the article's events against invented GED events, scored and explained."""

from __future__ import annotations

from pathlib import Path

import pyshacl
from rdflib import Graph

from conflictkg.datasets.export import read_snapshot
from conflictkg.datasets.same_event import METHOD, proposals_graph, propose
from conflictkg.store import Store
from conflictkg.vocab import CKG

EVENT = "https://w3id.org/conflictkg/id/event/"
ROOT = Path(__file__).resolve().parents[2]


def test_proposals_rank_the_matching_ged_event(imported_release) -> None:  # noqa: ANN001
    proposals = propose(read_snapshot(Store.from_release(imported_release.root)))
    assert proposals, "the article's fighting in Ayash on 16 January should match the invented GED clash"
    by_event = {}
    for p in proposals:
        by_event.setdefault(p.reported, []).append(p)
    best = by_event[f"{EVENT}is-multi-front-attack"][0]
    assert best.imported == f"{EVENT}ucdp-ged-900001" and 0.6 <= best.score <= 1
    assert "dates overlap" in best.evidence
    # a sub-event without its own date takes its parent's, and says so
    beheadings = [p for p in proposals if p.reported == f"{EVENT}is-beheadings"]
    assert all("from the event it is part of" in p.evidence for p in beheadings)
    assert all(p.reported.startswith(EVENT) and "ucdp-ged" not in p.reported for p in proposals)
    assert proposals == sorted(proposals, key=lambda p: (-p.score, p.reported, p.imported))


def test_a_narrow_window_or_high_threshold_proposes_less(imported_release) -> None:  # noqa: ANN001
    snap = read_snapshot(Store.from_release(imported_release.root))
    wide = propose(snap, window=10, threshold=0.3)
    narrow = propose(snap, window=0, threshold=0.95)
    assert len(narrow) < len(wide)
    assert all(p.score >= 0.95 for p in narrow)


def test_proposals_are_unreviewed_data_that_conform(imported_release) -> None:  # noqa: ANN001
    proposals = propose(read_snapshot(Store.from_release(imported_release.root)))
    graph = proposals_graph(proposals)
    assert len(set(graph.subjects(None, CKG.SameEventProposal))) == len(proposals)
    assert set(graph.objects(None, CKG.reviewStatus)) == {CKG.Unreviewed}
    assert {str(m) for m in graph.objects(None, CKG.proposalMethod)} == {METHOD}
    union = Graph()
    for name in ("data", "links", "import/test"):
        union.parse(imported_release.root / f"graphs/{name}.ttl")
    union += graph
    conforms, _, text = pyshacl.validate(union, shacl_graph=str(ROOT / "shapes/conflictkg-shapes.ttl"),
                                         ont_graph=str(ROOT / "ontology/conflictkg.ttl"), advanced=True)
    assert conforms, text
