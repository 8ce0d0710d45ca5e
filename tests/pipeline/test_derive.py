"""Derivation (pipeline.derive): casualty bounds by the rule table, source grades by the rules, and the
build's streaming form (pyoxigraph terms) giving exactly the rdflib form's graph.

Test material: the outlets, people and events below are invented.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from conflictkg.pipeline.derive import bounds, derive, derived_triples
from conflictkg.pipeline.terms import to_ox
from conflictkg.vocab import CKG, ID, SCHEMA

ROOT = Path(__file__).resolve().parents[2]
INPUTS = sorted((ROOT / "data").glob("*.ttl")) + [ROOT / "ontology" / "conflictkg.ttl"]


@pytest.mark.parametrize(("count", "quantifier", "expected"), [
    (7, CKG.Exactly, (7, 7, 7, 7)),
    (7, CKG.AtLeast, (7, 7, None, 7)),
    (150, CKG.MoreThan, (151, 151, None, 151)),
    (40, CKG.Approximately, (40, 40, 40, 40)),
    (None, CKG.Dozens, (12, 24, None, 12)),
    (None, CKG.Several, (3, 3, None, 3)),
    (None, CKG.Exactly, (None, None, None, None)),
])
def test_bounds_follow_the_rule_table(count: int | None, quantifier: URIRef, expected: tuple[object, ...]) -> None:
    assert bounds(count, quantifier) == expected
    assert bounds(count, ox.NamedNode(str(quantifier))) == expected  # the build's terms


def _claim(graph: Graph, name: str, event: URIRef, document: URIRef, claimant: URIRef) -> None:
    claim = ID[f"claim/{name}"]
    graph.add((claim, CKG.about, event))
    graph.add((claim, CKG.reportedIn, document))
    graph.add((claim, CKG.claimedBy, claimant))


def _test_graph() -> Graph:
    """Two events joined by a same-event link, claims from two independent outlets about the pair, one
    event claimed only by an unnamed person who is party to it, and two casualty figures."""
    graph = Graph()
    a, b, lone = ID["event/test-a"], ID["event/test-b"], ID["event/test-lone"]
    for event in (a, b, lone):
        graph.add((event, CKG.evidence, ID[f"span/{event.rsplit('/', 1)[-1]}"]))
    graph.add((a, CKG.sameEventAs, b))
    graph.add((ID["article/test-one"], SCHEMA.publisher, ID["org/test-outlet-one"]))
    graph.add((ID["article/test-two"], SCHEMA.publisher, ID["org/test-outlet-two"]))
    _claim(graph, "one", a, ID["article/test-one"], ID["org/test-outlet-one"])
    _claim(graph, "two", b, ID["article/test-two"], ID["org/test-outlet-two"])
    soldier = ID["actor/test-unnamed-soldier"]
    graph.add((soldier, RDF.type, CKG.Person))
    graph.add((soldier, CKG.memberOf, ID["actor/test-army"]))
    graph.add((lone, CKG.agent, ID["actor/test-army"]))
    _claim(graph, "three", lone, ID["article/test-one"], soldier)
    figure = ID["casualty/test-more-than-150"]
    graph.add((figure, RDF.type, CKG.CasualtyReport))
    graph.add((figure, CKG["count"], Literal("150", datatype=XSD.nonNegativeInteger)))
    graph.add((figure, CKG.quantifier, CKG.MoreThan))
    dozens = ID["casualty/test-dozens"]
    graph.add((dozens, RDF.type, CKG.CasualtyReport))
    graph.add((dozens, CKG.quantifier, CKG.Dozens))
    return graph


def test_grades_and_bounds_of_a_small_graph() -> None:
    derived = derive(_test_graph())
    grades = {(str(s).rsplit("/", 1)[-1], str(o).rsplit("#", 1)[-1]) for s, o in derived.subject_objects(CKG.sourceGrade)}
    assert grades == {("test-a", "Corroborated"), ("test-b", "Corroborated"),
                      ("test-lone", "SingleSource"), ("test-lone", "AnonymousOnly"), ("test-lone", "BelligerentOnly")}
    nonnegative = XSD.nonNegativeInteger
    figure = ID["casualty/test-more-than-150"]
    assert derived.value(figure, CKG.lowEstimate) == Literal("151", datatype=nonnegative)
    assert derived.value(figure, CKG.highEstimate) is None
    assert derived.value(ID["casualty/test-dozens"], CKG.bestEstimate) == Literal("24", datatype=nonnegative)
    assert derived.value(figure, CKG.estimateRule) is not None


def test_a_named_claimant_is_not_anonymous() -> None:
    graph = _test_graph()
    graph.add((ID["actor/test-unnamed-soldier"], SCHEMA.name, Literal("Test Soldier")))
    grades = set(derive(graph).objects(ID["event/test-lone"], CKG.sourceGrade))
    assert CKG.AnonymousOnly not in grades and CKG.BelligerentOnly in grades


def test_the_streaming_form_derives_what_the_rdflib_form_does_on_the_article() -> None:
    graph = Graph()
    for path in INPUTS:
        graph.parse(path, format="turtle")
    expected = {ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in derive(graph)}  # type: ignore[arg-type]
    triples = (q for p in INPUTS for q in ox.parse(path=p, format=ox.RdfFormat.TURTLE, base_iri=p.resolve().as_uri()))
    assert derived_triples(triples) == expected
    assert any(t.predicate.value == str(CKG.sourceGrade) for t in expected)
    assert any(t.predicate.value == str(CKG.lowEstimate) for t in expected)


def test_only_events_with_evidence_under_id_event_are_graded() -> None:
    graph = _test_graph()
    graph.remove((ID["event/test-lone"], CKG.evidence, None))
    graph.add((ID["claim/three"], CKG.evidence, ID["span/x"]))  # evidence of a claim grades nothing
    assert set(derive(graph).objects(ID["event/test-lone"], CKG.sourceGrade)) == set()
