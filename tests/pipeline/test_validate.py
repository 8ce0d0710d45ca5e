"""SHACL runs over data + links with the ontology; a failure reads as focus node, path, message, file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH
from rdflib.term import Node

from conflictkg.pipeline.build import statement_graphs, validate_asserted
from conflictkg.pipeline.sources import Sources, load
from conflictkg.pipeline.validate import (
    ValidationFailed,
    native_dataset,
    require_conformance,
    shape_groups,
    split_group,
    validate_native,
)
from conflictkg.vocab import CKG, DATA_GRAPH, ID, LINKS_GRAPH, OA, ONTOLOGY_GRAPH, SCHEMA, SHAPES_GRAPH

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


# --- Simple property shapes checked by SPARQL (validate.PropertyCheck) ------------------------------------

FIXTURE_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "pipeline" / "project"
"""Its property shapes are blank nodes, which stay with the engine (PropertyCheck takes named shapes only)."""

CKGSH = "https://w3id.org/conflictkg/shapes#"


def _rows(report: Graph) -> list[tuple[str, ...]]:
    """Every result of a report as the fields a reader sees (blank nodes as [])."""
    def show(result: Node, predicate: URIRef) -> str:
        value = report.value(result, predicate)
        return "[]" if isinstance(value, BNode) else ("" if value is None else value.n3())
    return sorted((*(show(r, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape,
                                          SH.sourceConstraintComponent, SH.resultSeverity)),
                   " | ".join(sorted(str(m) for m in report.objects(r, SH.resultMessage))))
                  for r in report.objects(None, SH.result))


def test_simple_property_shapes_leave_the_engine() -> None:
    """Count, node-kind and class constraints on a predicate path are checked by SPARQL; a shape with
    anything else (sh:or, a datatype, an inverse path) stays with the engine, and so does a blank one."""
    groups = shape_groups(load(REAL_PROJECT).graph(SHAPES_GRAPH))
    moved = {str(c.shape).removeprefix(CKGSH) for g in groups for c in split_group(g)[1]}
    assert {"Article-derivedFrom", "Event-place", "Recapture-reverses", "Article-label"} <= moved
    assert not {"Span-source", "Claim-about", "Event-claimedIn", "TextQuote-exact"} & moved
    for group in groups:
        calls, checks = split_group(group)
        for check in checks:
            assert all((None, None, check.shape) not in c and (check.shape, None, None) not in c for c in calls)
    assert not [c for g in shape_groups(load(FIXTURE_PROJECT).graph(SHAPES_GRAPH)) for c in split_group(g)[1]]


def test_qualified_value_shapes_get_an_engine_call_of_their_own() -> None:
    """The evidence-span shape: its two qualified selector shapes (siblings) together in one call, its
    source and node-level constraint in another; every constraint of the group in exactly one call."""
    groups = shape_groups(load(REAL_PROJECT).graph(SHAPES_GRAPH))
    span = URIRef(CKGSH + "SpanShape")
    [group] = [g for g in groups if (span, SH.targetClass, None) in g]
    calls, checks = split_group(group)
    assert [sorted(str(p).removeprefix(CKGSH) for p in c.objects(span, SH.property)) for c in calls] == [
        ["Span-source"], ["Span-positionSelector", "Span-quoteSelector"]]
    assert [(span, SH.nodeKind, SH.IRI) in c for c in calls] == [True, False]
    assert all(set(c.objects(span, SH.targetClass)) == {OA.SpecificResource} for c in calls)
    assert not checks


def test_sparql_checks_report_what_the_engine_reports_on_a_wide_node() -> None:
    """An article derived from hundreds of reports (the engine's cost grows with the square of them),
    two of them wrong, and a warning-level count shape: the same results as the engine's one pass."""
    sources = load(REAL_PROJECT)
    data, shapes = sources.graph(DATA_GRAPH), sources.graph(SHAPES_GRAPH)
    [article] = data.subjects(RDF.type, CKG.Article)
    for index in range(300):
        report = ID[f"report/test-upstream-{index}"]
        data.add((article, PROV.wasDerivedFrom, report))
        data.add((report, RDF.type, SCHEMA.NewsArticle))
    data.add((article, PROV.wasDerivedFrom, ID["report/test-untyped"]))
    data.add((article, PROV.wasDerivedFrom, Literal("a literal source")))
    warning = URIRef(CKGSH + "TestArticleWarning")
    shapes.add((URIRef(CKGSH + "ArticleShape"), SH.property, warning))
    shapes.add((warning, RDF.type, SH.PropertyShape))
    shapes.add((warning, SH.path, PROV.wasDerivedFrom))
    shapes.add((warning, SH.maxCount, Literal(2)))
    shapes.add((warning, SH.severity, SH.Warning))
    shapes.add((warning, SH.message, Literal("Test: an article from more than two reports.", lang="en")))
    dataset = native_dataset(sources, (ONTOLOGY_GRAPH, *statement_graphs(sources)))
    grouped = validate_native(dataset, shapes)
    whole = validate_native(dataset, shapes, by_shape=False)
    assert warning in {c.shape for g in shape_groups(shapes) for c in split_group(g)[1]}
    assert not grouped.conforms and not whole.conforms
    assert grouped.results == whole.results
    assert _rows(grouped.report) == _rows(whole.report)
    components = sorted(str(r[4]).rsplit("#", 1)[-1].removesuffix(">") for r in _rows(grouped.report))
    assert components == ["ClassConstraintComponent", "ClassConstraintComponent", "MaxCountConstraintComponent",
                          "NodeKindConstraintComponent"]
