"""What a reviewer does to a draft in the tests: accept it, rejecting what they cannot complete.

A person would add the missing agent; the tests, knowing no more than the draft, reject an event whose
class needs an agent and has none, drop claims' references to rejected events, and reject a claim
left about nothing. Everything else is accepted as drafted.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from conflictkg.vocab import CKG, bind_prefixes

NEEDS_AGENT = {CKG.Capture, CKG.Recapture, CKG.ArmedClash, CKG.Attack, CKG.Bombing, CKG.MilitaryOperation}


def review(path: Path) -> tuple[int, int]:
    """Review the draft at ``path`` in place; return (accepted, rejected)."""
    graph = Graph().parse(path, format="turtle")
    rejected = set()
    for node in set(graph.subjects(CKG.reviewStatus, CKG.Unreviewed)):
        types = set(graph.objects(node, RDF.type))
        incomplete = (types & NEEDS_AGENT and graph.value(node, CKG.agent) is None) or \
            (CKG.Bombing in types and graph.value(node, CKG.place) is None) or \
            (CKG.Killing in types and graph.value(node, CKG.target) is None) or \
            (types & {CKG.Capture, CKG.Recapture} and graph.value(node, CKG.place) is None) or \
            (CKG.Recapture in types and graph.value(node, CKG.reverses) is None)
        if incomplete:
            rejected.add(node)
    for node in rejected:
        for claim in list(graph.subjects(CKG.about, node)):
            graph.remove((claim, CKG.about, node))
    for claim in set(graph.subjects(RDF.type, CKG.Claim)):
        if graph.value(claim, CKG.about) is None:
            rejected.add(claim)
    accepted = 0
    for node in set(graph.subjects(CKG.reviewStatus, CKG.Unreviewed)):
        graph.set((node, CKG.reviewStatus, CKG.Rejected if node in rejected else CKG.Accepted))
        accepted += node not in rejected
    bind_prefixes(graph).serialize(path, format="turtle")
    return accepted, len(rejected)
