"""OWL RL adds what the ontology entails about the data, and nothing that holds of every graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib.namespace
from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from conflictkg.pipeline.build import build
from conflictkg.pipeline.progress import Meter
from conflictkg.pipeline.reason import Rules, Unsupported, infer, is_noise
from conflictkg.pipeline.sources import Sources, load
from conflictkg.pipeline.terms import to_ox
from conflictkg.vocab import CKG, DATA_GRAPH, ID, INFERRED_GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH


@pytest.fixture
def inferred(project: Path) -> tuple[Graph, set]:  # type: ignore[type-arg]
    sources = load(project)
    asserted = [sources.graph(g) for g in (ONTOLOGY_GRAPH, DATA_GRAPH, LINKS_GRAPH)]
    return infer(asserted), {t for g in asserted for t in g}


def test_entailments_about_the_data(inferred: tuple[Graph, set]) -> None:  # type: ignore[type-arg]
    graph, _ = inferred
    assert set(graph) == {
        (ID["event/capture-ayyash"], RDF.type, CKG.Event),
        (ID["event/recapture-ayyash"], RDF.type, CKG.Capture),
        (ID["event/recapture-ayyash"], RDF.type, CKG.Event),
        (ID["place/ayyash"], CKG.locatedIn, ID["place/syria"]),
        (CKG.Recapture, RDFS.subClassOf, CKG.Event),
    }


def test_nothing_asserted_is_repeated(inferred: tuple[Graph, set]) -> None:  # type: ignore[type-arg]
    graph, asserted = inferred
    assert not set(graph) & asserted


A = ID["place/a"]
XSD_STRING = rdflib.namespace.XSD.string
XSD_INTEGER = rdflib.namespace.XSD.integer


@pytest.mark.parametrize(
    "triple",
    [
        (Literal(23), RDF.type, XSD_INTEGER),
        (XSD_STRING, RDF.type, RDFS.Datatype),
        (OWL.Nothing, RDFS.subClassOf, CKG.Event),
        (A, OWL.sameAs, A),
        (CKG.Event, OWL.equivalentClass, CKG.Event),
        (CKG.Event, RDFS.subClassOf, CKG.Event),
        (CKG.agent, RDFS.subPropertyOf, CKG.agent),
        (CKG.agent, OWL.equivalentProperty, CKG.agent),
        (A, RDF.type, OWL.Thing),
        (CKG.Event, RDFS.subClassOf, OWL.Thing),
        (CKG.agent, RDFS.domain, OWL.Thing),
        (CKG.agent, RDFS.range, OWL.Thing),
    ],
)
def test_noise_is_dropped(triple: tuple) -> None:  # type: ignore[type-arg]
    assert is_noise(triple)


@pytest.mark.parametrize(
    "triple",
    [
        (A, RDF.type, CKG.Place),
        (A, CKG.locatedIn, ID["place/b"]),
        (A, OWL.sameAs, ID["place/b"]),
        (CKG.Recapture, RDFS.subClassOf, CKG.Event),
        (BNode(), RDF.type, CKG.Event),
    ],
)
def test_real_entailments_are_kept(triple: tuple) -> None:  # type: ignore[type-arg]
    assert not is_noise(triple)


# --- The rule reasoner the build uses is owlrl on what our ontology needs -----------------------------

REAL_PROJECT = Path(__file__).resolve().parents[2]
SHAPE_FIXTURES = REAL_PROJECT / "tests" / "fixtures" / "shapes"


def _rules_and_owlrl(sources: Sources, extra: Graph | None = None) -> tuple[set, set]:  # type: ignore[type-arg]
    """(the rule reasoner's inferences, owlrl's) over ontology + data + links (+ ``extra`` data)."""
    if extra is not None:
        sources.add(DATA_GRAPH, extra, "test")
    asserted = [sources.graph(g) for g in (ONTOLOGY_GRAPH, DATA_GRAPH, LINKS_GRAPH)]
    reference = {ox.Triple(*(to_ox(t) for t in triple)) for triple in infer(asserted)}
    data = (t for g in (DATA_GRAPH, LINKS_GRAPH) for t in sources.ox_triples(g))
    fast = Rules.of(sources.graph(ONTOLOGY_GRAPH)).infer(sources.ox_triples(ONTOLOGY_GRAPH), data)
    return fast, reference


@pytest.mark.slow
def test_rules_infer_exactly_what_owlrl_infers_on_the_article() -> None:
    fast, reference = _rules_and_owlrl(load(REAL_PROJECT))
    assert len(reference) > 600
    assert fast == reference


def test_rules_infer_exactly_what_owlrl_infers_on_the_fixture(project: Path) -> None:
    fast, reference = _rules_and_owlrl(load(project))
    assert fast == reference and len(fast) == 5


@pytest.mark.slow
def test_rules_infer_exactly_what_owlrl_infers_on_the_shape_fixtures() -> None:
    """The valid shape fixture uses every class; a containment chain, a cycle and subproperties too."""
    extra = Graph().parse(SHAPE_FIXTURES / "valid.ttl")
    extra.add((ID["place/town"], CKG.locatedIn, ID["place/town"]))
    fast, reference = _rules_and_owlrl(load(REAL_PROJECT), extra)
    assert fast == reference


def test_an_ontology_beyond_the_rules_is_refused(project: Path) -> None:
    ontology = load(project).graph(ONTOLOGY_GRAPH)
    ontology.add((CKG.agent, OWL.inverseOf, CKG.agentOf))
    with pytest.raises(Unsupported, match="inverseOf"):
        Rules.of(ontology)


@pytest.mark.parametrize("triple", [
    (ID["place/a"], RDFS.subClassOf, CKG.Place),
    (ID["place/a"], OWL.sameAs, ID["place/b"]),
    (CKG.near, RDF.type, OWL.SymmetricProperty),
])
def test_data_that_changes_the_ontology_is_refused(project: Path, triple: tuple) -> None:  # type: ignore[type-arg]
    sources = load(project)
    rules = Rules.of(sources.graph(ONTOLOGY_GRAPH))
    with pytest.raises(Unsupported):
        rules.infer(sources.ox_triples(ONTOLOGY_GRAPH), [ox.Triple(*(to_ox(t) for t in triple))])


def test_each_data_triple_is_checked_though_its_predicate_is_looked_up_once(project: Path) -> None:
    """What a predicate allows is worked out once; a reflexive owl:sameAs passes, the next one between two
    nodes is refused, a class about the ontology is refused after a data class passed; every triple counts."""
    sources = load(project)
    rules = Rules.of(sources.graph(ONTOLOGY_GRAPH))
    a, b = ID["place/a"], ID["place/b"]
    reflexive = [(a, OWL.sameAs, a), (a, RDF.type, CKG.Place), (b, OWL.sameAs, b)]
    said: list[str] = []
    meter = Meter("reason", 3, "triples", said.append, every=0)
    rules.infer(sources.ox_triples(ONTOLOGY_GRAPH), [ox.Triple(*(to_ox(t) for t in triple)) for triple in reflexive],
                meter)
    assert meter.done == 3
    for refused in ((a, OWL.sameAs, b), (b, RDF.type, OWL.SymmetricProperty)):
        with pytest.raises(Unsupported):
            rules.infer(sources.ox_triples(ONTOLOGY_GRAPH),
                        [ox.Triple(*(to_ox(t) for t in triple)) for triple in (*reflexive, refused)])


def test_a_build_falls_back_to_owlrl_when_the_rules_do_not_cover_the_data(project: Path) -> None:
    events = project / "data" / "events.ttl"
    events.write_text(events.read_text("utf-8") + f"\n<{ID['place/ayyash']}> <{OWL.sameAs}> <{ID['place/ayyash-village']}> .\n", "utf-8")
    said: list[str] = []
    release = build(project, progress=said.append)
    assert any("using owlrl" in line for line in said)
    assert release.graphs[str(INFERRED_GRAPH)] > 5
