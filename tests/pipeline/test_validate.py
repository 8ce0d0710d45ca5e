"""SHACL runs over data + links with the ontology; a failure reads as focus node, path, message, file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from conflictkg.pipeline.build import validate_asserted
from conflictkg.pipeline.sources import Sources, load
from conflictkg.pipeline.validate import ValidationFailed, require_conformance
from conflictkg.vocab import CKG, DATA_GRAPH, ID, LINKS_GRAPH, OA, SHAPES_GRAPH

RECAPTURE = ID["event/recapture-ayyash"]


def test_fixture_conforms_and_the_report_says_so(project: Path) -> None:
    validation = validate_asserted(load(project))
    assert validation.conforms and validation.results == ()
    [report] = validation.report.subjects(RDF.type, SH.ValidationReport)
    assert validation.report.value(report, SH.conforms) == Literal(True)


def test_violation_names_focus_path_message_and_file(project: Path) -> None:
    sources = load(project)
    sources.graph(DATA_GRAPH).remove((RECAPTURE, RDFS.label, None))
    validation = validate_asserted(sources)
    assert not validation.conforms
    [result] = validation.results
    assert result.focus == "event:recapture-ayyash"
    assert result.path == "rdfs:label"
    assert result.message == "An event needs a label."
    assert result.severity == "Violation"
    assert result.files == ("data/events.ttl",)
    with pytest.raises(ValidationFailed) as raised:
        require_conformance(validation)
    for part in ("event:recapture-ayyash", "path: rdfs:label", "An event needs a label.", "file: data/events.ttl"):
        assert part in str(raised.value)


def test_subclass_instances_are_targeted_through_the_ontology(project: Path) -> None:
    sources = load(project)
    # The recapture is typed only ckg:Recapture; the shape targets ckg:Event.
    assert (RECAPTURE, RDF.type, CKG.Event) not in sources.graph(DATA_GRAPH)
    sources.graph(DATA_GRAPH).set((RECAPTURE, CKG.date, Literal("17 January")))
    [result] = validate_asserted(sources).results
    assert (result.focus, result.path) == ("event:recapture-ayyash", "ckg:date")


def test_links_graph_is_validated_and_sparql_constraints_run(project: Path) -> None:
    sources = load(project)
    place = ID["place/ayyash"]
    sources.graph(LINKS_GRAPH).add((place, CKG.locatedIn, place))
    [result] = validate_asserted(sources).results
    assert result.message == "A place must not lie in itself."
    assert result.files == ("data/events.ttl", "data/links.ttl")


def test_warnings_are_reported_but_do_not_fail(project: Path) -> None:
    sources = load(project)
    shapes = sources.graph(SHAPES_GRAPH)
    shape = URIRef("https://w3id.org/conflictkg/shapes#DateWarning")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetNode, RECAPTURE))
    shapes.add((shape, SH.severity, SH.Warning))
    shapes.add((shape, SH["class"], CKG.Place))
    validation = validate_asserted(sources)
    assert validation.conforms
    [result] = validation.results
    assert result.severity == "Warning"


def test_validation_does_not_change_the_graphs(project: Path) -> None:
    sources = load(project)
    before = {iri: set(sources.graph(iri)) for iri in (SHAPES_GRAPH, DATA_GRAPH, LINKS_GRAPH)}
    validate_asserted(sources)
    assert {iri: set(sources.graph(iri)) for iri in before} == before


# --- The build's engine and the reference report the same results on broken copies of the article ------

REAL_PROJECT = Path(__file__).resolve().parents[2]


def _break_labels_and_counts(sources: Sources) -> None:
    data = sources.graph(DATA_GRAPH)
    for event in sorted(data.subjects(RDF.type, CKG.Capture))[:3]:
        data.remove((event, RDFS.label, None))
    for report in sorted(data.subjects(CKG["count"], None))[:2]:
        data.remove((report, CKG["count"], None))


def _break_places(sources: Sources) -> None:
    data = sources.graph(DATA_GRAPH)
    recapture = sorted(data.subjects(RDF.type, CKG.Recapture))[0]
    data.set((recapture, CKG.place, ID["place/syria"]))
    data.add((ID["place/syria"], CKG.locatedIn, ID["place/ayyash"]))


def _break_datatypes_and_links(sources: Sources) -> None:
    data, links = sources.graph(DATA_GRAPH), sources.graph(LINKS_GRAPH)
    position = sorted(data.subjects(RDF.type, OA.TextPositionSelector))[0]
    data.set((position, OA.start, Literal("12")))
    record = sorted(links.subjects(RDF.type, CKG.GazetteerLink))[0]
    links.remove((links.value(record, CKG.linkSubject), None, links.value(record, CKG.linkTarget)))


@pytest.mark.slow
@pytest.mark.usefixtures("sparql_texts_parsed_once")
@pytest.mark.parametrize("damage", [_break_labels_and_counts, _break_places, _break_datatypes_and_links])
def test_fast_and_reference_engines_report_the_same_results(damage: Callable[[Sources], None]) -> None:
    sources = load(REAL_PROJECT)
    damage(sources)
    fast = validate_asserted(sources, "fast")
    reference = validate_asserted(sources, "reference")
    assert not fast.conforms and not reference.conforms
    assert fast.results == reference.results
