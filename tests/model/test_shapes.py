"""The SHACL shapes: each one fires on its broken fixture, and correct data conforms.

Every broken fixture ``tests/fixtures/shapes/<Shape>.ttl`` is validated together with
``valid.ttl`` (a minimal graph using every class that conforms); the pair holds exactly one fault.
The table below is the specification: which shape reports it, on which ``sh:resultPath``, and
which other shapes necessarily report the same fault (a blank node where an IRI belongs is also
a wrong value for the property pointing to it). The ontology is passed as pyshacl's ``ont_graph``:
that is what makes ``sh:targetClass ckg:Event`` reach a ``ckg:Recapture`` without any inference.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import owlrl
import pyshacl
import pytest
import rdflib_turbo
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from conflictkg.pipeline import validate
from conflictkg.pipeline.validate import Validation, validate_native
from conflictkg.vocab import bind_prefixes

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "conflictkg.ttl"
SHAPES = ROOT / "shapes" / "conflictkg-shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
DATA = ROOT / "data"
CKGSH = "https://w3id.org/conflictkg/shapes#"

# fixture / shape -> (expected sh:resultPath, shapes that necessarily fire as well)
EXPECTED: dict[str, tuple[str | None, frozenset[str]]] = {
    "ReportShape": (None, frozenset()),
    "Report-label": ("rdfs:label", frozenset()),
    "Report-sha256": ("ckg:sha256", frozenset()),
    "Report-publisher": ("schema:publisher", frozenset()),
    "Report-datePublished": ("schema:datePublished", frozenset()),
    "Mention-mentions": ("ckg:mentions", frozenset()),
    "Mention-evidence": ("ckg:evidence", frozenset()),
    "Reviewed-status": ("ckg:reviewStatus", frozenset()),
    "SameEventLink-events": ("ckg:linkedEvent", frozenset()),
    "SameEventLink-score": ("ckg:score", frozenset()),
    "SameEventLink-method": ("ckg:method", frozenset()),
    "SameEventLink-status": ("ckg:reviewStatus", frozenset()),
    "SourceGradeShape": (None, frozenset()),
    "SourceGrade-value": ("ckg:sourceGrade", frozenset()),
    "EventShape": (None, frozenset({"Claim-about"})),
    "Event-label": ("rdfs:label", frozenset()),
    "Event-evidence": ("ckg:evidence|ckg:record", frozenset()),
    "Event-claimedIn": ("^ckg:about", frozenset()),
    "Event-agent": ("ckg:agent", frozenset()),
    "Event-target": ("ckg:target", frozenset()),
    "Event-place": ("ckg:place", frozenset()),
    "Event-subEventOf": ("ckg:subEventOf", frozenset()),
    "Event-date": ("ckg:date", frozenset()),
    "Event-timeExpression": ("ckg:timeExpression", frozenset()),
    "Event-dateResolvedFrom": ("ckg:dateResolvedFrom", frozenset()),
    "Event-casualtyReport": ("ckg:casualtyReport", frozenset()),
    "Event-startDate": ("ckg:startDate", frozenset()),
    "Event-endDate": ("ckg:endDate", frozenset()),
    "DatedEvent-timeExpression": ("ckg:timeExpression", frozenset()),
    "DatedEvent-dateResolvedFrom": ("ckg:dateResolvedFrom", frozenset()),
    "MilitaryOperation-agent": ("ckg:agent", frozenset()),
    "Attack-agent": ("ckg:agent", frozenset()),
    "ArmedClash-agent": ("ckg:agent", frozenset()),
    "Bombing-place": ("ckg:place", frozenset()),
    "Capture-agent": ("ckg:agent", frozenset()),
    "Capture-place": ("ckg:place", frozenset()),
    "Recapture-reverses": ("ckg:reverses", frozenset()),
    "Recapture-samePlace": ("ckg:reverses", frozenset()),
    "Recapture-otherAgent": ("ckg:reverses", frozenset()),
    "Recapture-notBefore": ("ckg:reverses", frozenset()),
    "ContestedControl-place": ("ckg:place", frozenset()),
    "ContestedControl-agent": ("ckg:agent", frozenset()),
    "Killing-target": ("ckg:target", frozenset()),
    "ActorShape": (None, frozenset()),
    "Actor-label": ("rdfs:label", frozenset()),
    "Actor-memberOf": ("ckg:memberOf", frozenset()),
    "StateForceShape": (None, frozenset()),
    "ArmedGroupShape": (None, frozenset()),
    "MilitaryUnit-unitOf": ("ckg:unitOf", frozenset()),
    "PersonShape": (None, frozenset()),
    "PopulationGroup-unitOf": ("ckg:unitOf", frozenset()),
    "NewsOrganizationShape": (None, frozenset()),
    "PlaceShape": (None, frozenset()),
    "Place-label": ("rdfs:label", frozenset()),
    "Place-altLabel": ("skos:altLabel", frozenset()),
    "Place-locatedIn": ("ckg:locatedIn", frozenset()),
    "Place-geometry": ("geo:hasGeometry", frozenset()),
    "Place-exactMatch": ("skos:exactMatch", frozenset()),
    "Place-closeMatch": ("skos:closeMatch", frozenset()),
    "Place-unlinkedReason": ("ckg:unlinkedReason", frozenset()),
    "Place-linkedOrUnlinked": ("ckg:unlinkedReason", frozenset()),
    "Place-notInItself": ("ckg:locatedIn", frozenset()),
    "GeometryShape": (None, frozenset({"Place-geometry"})),
    "Geometry-asWKT": ("geo:asWKT", frozenset()),
    "AdministrativeArea-locatedIn": ("ckg:locatedIn", frozenset()),
    "Settlement-locatedIn": ("ckg:locatedIn", frozenset()),
    "Neighbourhood-locatedIn": ("ckg:locatedIn", frozenset()),
    "MilitaryFacility-locatedIn": ("ckg:locatedIn", frozenset()),
    "Landmark-locatedIn": ("ckg:locatedIn", frozenset()),
    "River-locatedIn": ("ckg:locatedIn", frozenset()),
    "ArticleShape": (None, frozenset()),
    "Article-label": ("rdfs:label", frozenset()),
    "Article-derivedFrom": ("prov:wasDerivedFrom", frozenset()),
    "UpstreamReportShape": (None, frozenset({"Event-dateResolvedFrom"})),
    "UpstreamReport-url": ("schema:url", frozenset()),
    "UpstreamReport-datePublished": ("schema:datePublished", frozenset()),
    "ClaimShape": (None, frozenset()),
    "Claim-claimedBy": ("ckg:claimedBy", frozenset()),
    "Claim-reportedIn": ("ckg:reportedIn|ckg:record", frozenset()),
    "Claim-reportedTo": ("ckg:reportedTo", frozenset()),
    "Claim-quotation": ("ckg:quotation", frozenset()),
    "Claim-about": ("ckg:about", frozenset()),
    "Claim-evidence": ("ckg:evidence|ckg:record", frozenset()),
    "CasualtyReportShape": (None, frozenset({"Claim-about"})),
    "CasualtyReport-count": ("ckg:count", frozenset()),
    "CasualtyReport-quantifier": ("ckg:quantifier", frozenset()),
    "CasualtyReport-victimGroup": ("ckg:victimGroup", frozenset()),
    "CasualtyReport-claimedBy": ("ckg:claimedBy", frozenset()),
    "CasualtyReport-evidence": ("ckg:evidence|ckg:record", frozenset()),
    "CasualtyReport-claimedIn": ("^ckg:about", frozenset()),
    "CasualtyReport-countGiven": ("ckg:count", frozenset()),
    "CasualtyReport-noCountForVague": ("ckg:count", frozenset()),
    "CasualtyReport-estimates": ("ckg:count", frozenset()),
    "DatasetRecordShape": (None, frozenset()),
    "DatasetRecord-partOf": ("dcterms:isPartOf", frozenset()),
    "SameEventProposalShape": (None, frozenset()),
    "SameEventProposal-candidates": ("ckg:sameEventCandidate", frozenset()),
    "SameEventProposal-score": ("ckg:proposalScore", frozenset()),
    "SameEventProposal-status": ("ckg:reviewStatus", frozenset()),
    "QuantifierShape": (None, frozenset()),
    "SpanShape": (None, frozenset({"Event-evidence"})),
    "Span-source": ("oa:hasSource", frozenset()),
    "Span-quoteSelector": ("oa:hasSelector", frozenset()),
    "Span-positionSelector": ("oa:hasSelector", frozenset()),
    "TextQuoteSelectorShape": (None, frozenset()),
    "TextQuote-exact": ("oa:exact", frozenset()),
    "TextQuote-prefix": ("oa:prefix", frozenset()),
    "TextQuote-suffix": ("oa:suffix", frozenset()),
    "TextPositionSelectorShape": (None, frozenset()),
    "TextPosition-start": ("oa:start", frozenset()),
    "TextPosition-end": ("oa:end", frozenset()),
    "GazetteerLinkShape": (None, frozenset()),
    "GazetteerLink-subject": ("ckg:linkSubject", frozenset()),
    "GazetteerLink-target": ("ckg:linkTarget", frozenset()),
    "GazetteerLink-relation": ("ckg:linkRelation", frozenset()),
    "GazetteerLink-score": ("ckg:score", frozenset()),
    "GazetteerLink-method": ("ckg:method", frozenset()),
    "GazetteerLink-source": ("dcterms:source", frozenset()),
    "GazetteerLink-generatedAt": ("prov:generatedAtTime", frozenset()),
    "GazetteerLink-asserted": ("ckg:linkTarget", frozenset()),
}

pytestmark = pytest.mark.usefixtures("sparql_texts_parsed_once")  # pyshacl's constraints, parsed once a session

REFERENCED_ONLY = frozenset({"GazetteerIRIShape"})
"""Shapes without a target of their own: they fire through the shape that references them."""


def _parse(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse(ONTOLOGY)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return bind_prefixes(_parse(SHAPES))


def _validate(data: Graph, shapes: Graph, ontology: Graph | None) -> tuple[bool, Graph]:
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    return bool(conforms), report


def _local(node: Node | None) -> str:
    text = str(node)
    assert text.startswith(CKGSH), f"result from a shape outside {CKGSH}: {text}"
    return text[len(CKGSH):]


def _path(report: Graph, path: Node | None, shapes: Graph) -> str | None:
    """A result path as written in the table: ``ckg:evidence``, ``^ckg:about``, ``ckg:evidence|ckg:record``
    or None."""
    if path is None:
        return None
    alternatives = report.value(path, SH.alternativePath) if isinstance(path, BNode) else None
    if alternatives is not None:
        return "|".join(_path(report, step, shapes) or "" for step in Collection(report, alternatives))
    if isinstance(path, BNode):
        return "^" + _path(report, report.value(path, SH.inversePath), shapes)  # type: ignore[operator]
    return path.n3(shapes.namespace_manager)


def _source(report: Graph, result: Node) -> Node | None:
    """The shape a result comes from; for a SPARQL constraint the constraint itself."""
    if report.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent:
        return report.value(result, SH.sourceConstraint)
    return report.value(result, SH.sourceShape)


def _top_level_results(report: Graph) -> list[Node]:
    """Results of the report itself, not the nested sh:detail results of sh:node."""
    return list(report.objects(None, SH.result))


def _sources(report: Graph) -> set[str]:
    """The shapes (or SPARQL constraints) that reported a top-level result."""
    return {_local(_source(report, r)) for r in _top_level_results(report)}


def _shape_iris(shapes: Graph) -> set[str]:
    kinds = (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint)
    return {_local(s) for kind in kinds for s in shapes.subjects(RDF.type, kind) if isinstance(s, URIRef)}


GROUPING = frozenset({RDF.type, RDFS.label, SH.name, SH.message, SH.path, SH.property, SH.sparql,
                      SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode})
"""Predicates that target, name or group constraints without constraining anything themselves."""


def _constraining_shapes(shapes: Graph) -> set[str]:
    """Shapes that can report a fault of their own (not only through their property shapes)."""
    return {
        name
        for name in _shape_iris(shapes)
        if set(shapes.predicates(URIRef(CKGSH + name))) - GROUPING
        or (URIRef(CKGSH + name), RDF.type, SH.SPARQLConstraint) in shapes
    }


def _with_owl_rl(*graphs: Graph) -> Graph:
    closure = Graph()
    for graph in graphs:
        for triple in graph:
            closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    return closure


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_fires_its_shape(name: str, shapes: Graph, ontology: Graph) -> None:
    expected_path, also = EXPECTED[name]
    conforms, report = _validate(_parse(FIXTURES / "valid.ttl", FIXTURES / f"{name}.ttl"), shapes, ontology)
    assert not conforms
    results = _top_level_results(report)
    assert _sources(report) == {name, *also}
    own = [r for r in results if _local(_source(report, r)) == name]
    message = shapes.value(URIRef(CKGSH + name), SH.message)
    for result in own:
        assert report.value(result, SH.resultSeverity) == SH.Violation
        assert _path(report, report.value(result, SH.resultPath), shapes) == expected_path
        assert str(report.value(result, SH.resultMessage)) == str(message)


def test_every_shape_has_a_broken_fixture(shapes: Graph) -> None:
    fixtures = {p.stem for p in FIXTURES.glob("*.ttl")} - {"valid"}
    assert fixtures == set(EXPECTED)
    assert _constraining_shapes(shapes) - REFERENCED_ONLY == set(EXPECTED)


def test_every_shape_is_named_and_explains_itself(shapes: Graph) -> None:
    for name in _shape_iris(shapes):
        shape = URIRef(CKGSH + name)
        assert (shapes.value(shape, RDFS.label) or shapes.value(shape, SH.name)) is not None, name
        message = shapes.value(shape, SH.message)
        assert isinstance(message, Literal) and len(str(message)) > 20, name


def test_no_closed_shapes(shapes: Graph) -> None:
    """sh:closed would reject every triple OWL RL adds (owl:sameAs, inferred types)."""
    assert not list(shapes.subjects(SH.closed, None))


def test_valid_fixture_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, report = _validate(_parse(FIXTURES / "valid.ttl"), shapes, ontology)
    assert conforms, report.serialize(format="turtle")


def test_valid_fixture_conforms_after_owl_rl(shapes: Graph, ontology: Graph) -> None:
    closure = _with_owl_rl(ontology, _parse(FIXTURES / "valid.ttl"))
    conforms, report = _validate(closure, shapes, ontology)
    assert conforms, report.serialize(format="turtle")


def test_subclass_targets_need_the_ontology(shapes: Graph, ontology: Graph) -> None:
    """Without ont_graph, a ckg:ArmedClash is no ckg:Event to SHACL and its missing evidence goes
    unseen: validation must always mix the ontology in (then inference='rdfs' is not needed)."""
    data = _parse(FIXTURES / "valid.ttl", FIXTURES / "Event-evidence.ttl")
    assert "Event-evidence" not in _sources(_validate(data, shapes, None)[1])
    assert _sources(_validate(data, shapes, ontology)[1]) == {"Event-evidence"}


def _article_data() -> Graph:
    files = sorted(DATA.glob("*.ttl"))
    assert files, f"{DATA} holds no article data"
    return _parse(*files)


def test_article_data_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, report = _validate(_article_data(), shapes, ontology)
    assert conforms, report.serialize(format="turtle")


def test_article_data_conforms_after_owl_rl(shapes: Graph, ontology: Graph) -> None:
    closure = _with_owl_rl(ontology, _article_data())
    conforms, report = _validate(closure, shapes, ontology)
    assert conforms, report.serialize(format="turtle")


STAR_PATH_SAME_PLACE = """
        SELECT $this ?value ?path WHERE {
            $this ckg:reverses ?value .
            BIND (ckg:reverses AS ?path)
            FILTER NOT EXISTS {
                $this ckg:place ?recaptured .
                ?value ckg:place ?captured .
                ?recaptured ckg:locatedIn* ?captured .
            }
        }"""
"""The first wording of Recapture-samePlace; Oxigraph-based engines evaluated its ``locatedIn*`` over
every node (47 ms per focus node at 30 k triples), the ``= || EXISTS { locatedIn+ }`` form is 150× faster."""


@pytest.mark.parametrize("place", ["city", "town", "tower", "province", "base", "river", None])
def test_recapture_same_place_rewrite_gives_the_star_path_results(place: str | None, shapes: Graph,
                                                                  ontology: Graph) -> None:
    """The capture is of the city; the recapture's place is the city itself, a place one or two
    containments down (valid), a containing, unrelated or uncontained place, or none (faults)."""
    data = _parse(FIXTURES / "valid.ttl")
    recapture, ckg_place = URIRef("https://w3id.org/conflictkg/id/event/recapture"), URIRef(
        "https://w3id.org/conflictkg/ontology#place")
    data.remove((recapture, ckg_place, None))
    if place is not None:
        data.add((recapture, ckg_place, URIRef(f"https://w3id.org/conflictkg/id/place/{place}")))
    star = Graph()
    for triple in shapes:
        star.add(triple)
    constraint = URIRef(CKGSH + "Recapture-samePlace")
    star.set((constraint, SH.select, Literal(STAR_PATH_SAME_PLACE)))
    rewritten = _sources(_validate(data, shapes, ontology)[1])
    assert rewritten == _sources(_validate(data, star, ontology)[1])
    assert ("Recapture-samePlace" in rewritten) == (place not in ("city", "town", "tower"))


# --- The build's engine (pyshacl-turbo on a native dataset) gives the same fixture results ---------------


def _dataset(*paths: Path) -> rdflib_turbo.Dataset:
    """The files with the ontology mixed in, as the build validates them."""
    dataset = rdflib_turbo.Dataset()
    for path in (ONTOLOGY, *paths):
        dataset.parse(str(path), format="turtle")
    return dataset


def _native(*paths: Path) -> Graph:
    """pyshacl-turbo's report for the files, as the build validates."""
    return validate_native(_dataset(*paths), bind_prefixes(_parse(SHAPES))).report


@pytest.fixture(scope="module")
def build_engine(shapes: Graph) -> Iterator[Callable[[str], Validation]]:
    """The build's validation (shape group by shape group) of valid.ttl with a broken fixture, made once
    per fixture: two tests below read it.

    The shapes graph is the same for every fixture, so its groups and their split into engine calls and
    SPARQL checks (functions of the shapes alone) are made once for this module instead of once per
    fixture, where they took two thirds of each validation; the engine and the checks run on each
    fixture as in the build. test_shape_by_shape_finds_what_one_pass_finds compares these results with
    one pass over all the shapes, which uses no groups."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate, "shape_groups", functools.cache(validate.shape_groups))
        patch.setattr(validate, "split_group", functools.cache(validate.split_group))
        yield functools.cache(lambda name: validate_native(_dataset(FIXTURES / "valid.ttl", FIXTURES / f"{name}.ttl"), shapes))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_fires_its_shape_in_the_build_engine(name: str, shapes: Graph,
                                                            build_engine: Callable[[str], Validation]) -> None:
    expected_path, also = EXPECTED[name]
    report = build_engine(name).report
    assert _sources(report) == {name, *also}
    message = shapes.value(URIRef(CKGSH + name), SH.message)
    for result in _top_level_results(report):
        if _local(_source(report, result)) == name:
            assert report.value(result, SH.resultSeverity) == SH.Violation
            assert _path(report, report.value(result, SH.resultPath), shapes) == expected_path
            messages = {str(m) for m in report.objects(result, SH.resultMessage)}
            assert str(message) in messages and messages <= {str(m) for m in shapes.objects(None, SH.message)}


def test_valid_fixture_and_article_conform_in_the_build_engine() -> None:
    assert not _top_level_results(_native(FIXTURES / "valid.ttl"))
    assert not _top_level_results(_native(*sorted(DATA.glob("*.ttl"))))


# --- Shape by shape: the build validates one shape group at a time; the results are those of one pass ---


def _signature(report: Graph) -> list[tuple[str, ...]]:
    """Each top-level result as the fields a reader and the tests see: focus, path, value, source shape or
    constraint, component, severity and messages (blank nodes by what they say, not by their label)."""
    names = bind_prefixes(Graph())
    rows = []
    for result in _top_level_results(report):
        def show(predicate: URIRef) -> str:
            value = report.value(result, predicate)
            return "[]" if isinstance(value, BNode) else ("" if value is None else value.n3(names.namespace_manager))
        rows.append((show(SH.focusNode), _path(report, report.value(result, SH.resultPath), names) or "",
                     show(SH.value), show(SH.sourceShape), show(SH.sourceConstraint),
                     show(SH.sourceConstraintComponent), show(SH.resultSeverity),
                     " | ".join(sorted(str(m) for m in report.objects(result, SH.resultMessage)))))
    return sorted(rows)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shape_by_shape_finds_what_one_pass_finds(name: str, shapes: Graph, build_engine: Callable[[str], Validation]) -> None:
    """Each broken fixture (a recapture whose reversed capture is another node's, a containment cycle
    through other places, …): the same results, one group per targeted shape or all shapes at once."""
    grouped = build_engine(name)
    whole = validate_native(_dataset(FIXTURES / "valid.ttl", FIXTURES / f"{name}.ttl"), shapes, by_shape=False)
    assert not grouped.conforms and not whole.conforms
    assert grouped.results == whole.results
    assert _signature(grouped.report) == _signature(whole.report)


def test_shape_groups_cover_every_targeted_shape_once(shapes: Graph) -> None:
    """Every target of the shapes graph is in exactly one group (a shape referenced by another, such as
    GazetteerIRIShape, comes along without targets), so no focus node is validated twice or never."""
    from conflictkg.pipeline.validate import TARGETS, shape_groups

    def targets(graph: Graph) -> list[tuple[Node, Node, Node]]:
        return sorted(((s, p, o) for p in TARGETS for s, o in graph.subject_objects(p)), key=str)

    groups = shape_groups(shapes)
    assert sorted((t for g in groups for t in targets(g)), key=str) == targets(shapes)
    assert len(groups) == len({s for s, _, _ in targets(shapes)})
