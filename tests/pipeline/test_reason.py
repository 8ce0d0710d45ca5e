"""OWL RL adds what the ontology entails about the data, and nothing that holds of every graph."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib.namespace
from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from conflictkg.pipeline.reason import infer, is_noise
from conflictkg.pipeline.sources import load
from conflictkg.vocab import CKG, DATA_GRAPH, ID, LINKS_GRAPH, ONTOLOGY_GRAPH


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
