"""The conflict ontology: the public contract of terms, documented, aligned, and safe to reason with.

Safe to reason with means OWL RL can never merge two sources' claims: no owl:sameAs towards external
data, no functional properties, and no domain/range that types a node as something it is not (the
article that narrates a claim is not an actor; a targeted place is not an actor).
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from conflictkg.vocab import CKG, GEO, ID, LODE, ONTOLOGY_IRI, SCHEMA, SEM

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "conflictkg.ttl"

EVENT_CLASSES = ("Event", "MilitaryOperation", "Attack", "ArmedClash", "Bombing", "Capture", "Recapture",
                 "ContestedControl", "Killing")
ACTOR_CLASSES = ("Actor", "StateForce", "ArmedGroup", "MilitaryUnit", "Person", "PopulationGroup",
                 "NewsOrganization")
PLACE_CLASSES = ("Place", "AdministrativeArea", "Settlement", "Neighbourhood", "MilitaryFacility", "Landmark",
                 "River")
SOURCE_CLASSES = ("Article", "Claim", "CasualtyReport", "Quantifier", "GazetteerLink")
OBJECT_PROPERTIES = ("agent", "target", "place", "locatedIn", "unitOf", "memberOf", "subEventOf",
                     "casualtyReport", "victimGroup", "quantifier", "claimedBy", "reportedTo", "reportedIn",
                     "about", "evidence", "dateResolvedFrom", "reverses", "linkSubject", "linkTarget",
                     "linkRelation")
DATATYPE_PROPERTIES = ("date", "timeExpression", "count", "quotation", "score", "method", "unlinkedReason")
QUANTIFIERS = ("Exactly", "AtLeast", "MoreThan", "Approximately", "Dozens", "Several")

CONTRACT_CLASSES = EVENT_CLASSES + ACTOR_CLASSES + PLACE_CLASSES + SOURCE_CLASSES
"""Classes named in issue 2 §1 and docs/architecture.md: queries in the wild use these IRIs."""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def _ckg_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(CKG))}


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator):
        assert ontology.value(ONTOLOGY_IRI, predicate) is not None, predicate


@pytest.mark.parametrize("name", CONTRACT_CLASSES)
def test_contract_class_exists(ontology: Graph, name: str) -> None:
    assert (CKG[name], RDF.type, OWL.Class) in ontology


@pytest.mark.parametrize("name", OBJECT_PROPERTIES)
def test_contract_object_property_exists(ontology: Graph, name: str) -> None:
    assert (CKG[name], RDF.type, OWL.ObjectProperty) in ontology


@pytest.mark.parametrize("name", DATATYPE_PROPERTIES)
def test_contract_datatype_property_exists(ontology: Graph, name: str) -> None:
    assert (CKG[name], RDF.type, OWL.DatatypeProperty) in ontology


def test_quantifiers_are_individuals(ontology: Graph) -> None:
    members = set(ontology.items(ontology.value(CKG.Quantifier, OWL.oneOf)))
    assert members == {CKG[q] for q in QUANTIFIERS}
    for name in QUANTIFIERS:
        assert (CKG[name], RDF.type, CKG.Quantifier) in ontology


def test_every_term_has_label_and_comment(ontology: Graph) -> None:
    for term in _ckg_terms(ontology):
        assert isinstance(ontology.value(term, RDFS.label), Literal), term
        comment = ontology.value(term, RDFS.comment)
        assert isinstance(comment, Literal) and len(comment) > 20, term


def test_no_sameas_to_external_data(ontology: Graph) -> None:
    assert not list(ontology.triples((None, OWL.sameAs, None)))


def test_no_property_merges_claims(ontology: Graph) -> None:
    """Functional or inverse-functional properties would make OWL RL merge conflicting claims."""
    for kind in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
        assert not [s for s in ontology.subjects(RDF.type, kind) if s in _ckg_terms(ontology)]
    assert not list(ontology.triples((None, OWL.hasKey, None)))
    assert not list(ontology.triples((None, OWL.maxCardinality, None)))


def test_located_in_is_transitive(ontology: Graph) -> None:
    assert (CKG.locatedIn, RDF.type, OWL.TransitiveProperty) in ontology


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (CKG.Event, SEM.Event),
        (CKG.Actor, SEM.Actor),
        (CKG.Place, SEM.Place),
        (CKG.Place, GEO.Feature),
        (CKG.Place, SCHEMA.Place),
        (CKG.Person, SCHEMA.Person),
        (CKG.StateForce, SCHEMA.Organization),
        (CKG.Article, SCHEMA.NewsArticle),
        (CKG.Recapture, CKG.Capture),
    ],
)
def test_class_alignment(ontology: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in ontology


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (CKG.agent, SEM.hasActor),
        (CKG.place, SEM.hasPlace),
        (CKG.dateResolvedFrom, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")),
        (CKG.claimedBy, URIRef("http://www.w3.org/ns/prov#wasAttributedTo")),
    ],
)
def test_property_alignment(ontology: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in ontology


def test_lode_functional_terms_mapped_by_skos_only(ontology: Graph) -> None:
    lode = str(LODE)
    assert (CKG.date, SKOS.closeMatch, LODE.atTime) in ontology
    for predicate in (RDFS.subPropertyOf, OWL.equivalentProperty, RDFS.subClassOf, OWL.equivalentClass):
        assert not [o for o in ontology.objects(None, predicate) if str(o).startswith(lode)]


def test_every_event_class_has_a_concept_with_acled_and_cameo(ontology: Graph) -> None:
    schemes = {"ACLED": CKG.ACLEDSubEventTypeScheme, "CAMEO": CKG.CAMEOScheme}
    mappings = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
    for name in EVENT_CLASSES:
        concepts = list(ontology.subjects(CKG.eventClass, CKG[name]))
        assert len(concepts) == 1, name
        (concept,) = concepts
        assert (concept, SKOS.inScheme, CKG.EventTypeScheme) in ontology
        targets = {t for m in mappings for t in ontology.objects(concept, m)}
        for label, scheme in schemes.items():
            mapped = [t for t in targets if (t, SKOS.inScheme, scheme) in ontology]
            assert mapped, f"{name} has no {label} mapping"
            assert all(ontology.value(t, SKOS.notation) for t in mapped)


def test_cameo_codes_and_acled_types_are_those_of_the_facts(ontology: Graph) -> None:
    """Exactly the codes and sub-event types listed in shared/facts/event.md, none invented."""
    def notations(scheme: URIRef) -> set[str]:
        return {str(ontology.value(c, SKOS.notation)) for c in ontology.subjects(SKOS.inScheme, scheme)}

    assert notations(CKG.CAMEOScheme) == {"190", "192", "1832", "1823", "202", "010"}
    assert notations(CKG.ACLEDSubEventTypeScheme) == {
        "Armed clash", "Government regains territory", "Non-state actor overtakes territory", "Attack",
        "Remote explosive/landmine/IED", "Suicide bomb",
    }
    assert notations(CKG.ACLEDEventTypeScheme) == {"Battles", "Violence against civilians", "Explosions/Remote violence"}
    for sub_event in ontology.subjects(SKOS.inScheme, CKG.ACLEDSubEventTypeScheme):
        assert (ontology.value(sub_event, SKOS.broader), SKOS.inScheme, CKG.ACLEDEventTypeScheme) in ontology


def test_owl_rl_does_not_mistype_sources_or_targets(ontology: Graph) -> None:
    """The article narrating a claim stays no actor; a targeted place stays no actor; a recapture
    becomes a capture and an event; containment closes transitively."""
    data = Graph().parse(
        data=f"""
        @prefix ckg: <{CKG}> .
        <{ID}article/a> a ckg:Article .
        <{ID}claim/c> a ckg:Claim ; ckg:claimedBy <{ID}article/a> ; ckg:about <{ID}event/r> .
        <{ID}event/r> a ckg:Recapture ; ckg:target <{ID}place/town> ; ckg:place <{ID}place/town> .
        <{ID}place/town> a ckg:Settlement ; ckg:locatedIn <{ID}place/province> .
        <{ID}place/province> a ckg:AdministrativeArea ; ckg:locatedIn <{ID}place/country> .
        """,
        format="turtle",
    )
    closure = Graph()
    for triple in (*ontology, *data):
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    assert (ID["article/a"], RDF.type, CKG.Actor) not in closure
    assert (ID["place/town"], RDF.type, CKG.Actor) not in closure
    assert (ID["event/r"], RDF.type, CKG.Capture) in closure
    assert (ID["event/r"], RDF.type, SEM.Event) in closure
    assert (ID["place/town"], CKG.locatedIn, ID["place/country"]) in closure
    assert not [o for s, o in closure.subject_objects(OWL.sameAs) if s != o]
