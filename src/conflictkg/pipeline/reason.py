"""OWL 2 RL closure of ontology + data + links, kept apart in the inferred graph.

owlrl expands a graph in place; we expand a copy and keep only the triples that were not asserted, so
the asserted graphs stay exactly what their authors wrote and the inferred graph can be left out of a
query (docs/architecture.md). Of what owlrl derives we drop what is true of every RDF graph and says
nothing about the conflict data, because it would swamp the inferred graph (239 of 244 derived triples
on the test fixture) and some of it breaks the dumps:

- triples with a literal subject (``"23"^^xsd:nonNegativeInteger a xsd:integer``): not valid RDF, so
  N-Triples/Turtle parsers other than rdflib reject the dump;
- triples about the W3C vocabularies themselves (subject in ``rdf:``, ``rdfs:``, ``owl:``, ``xsd:``):
  ``xsd:string a rdfs:Datatype``, ``owl:Nothing rdfs:subClassOf ckg:Event``, …;
- reflexive ``owl:sameAs``, ``owl:equivalentClass``, ``owl:equivalentProperty``, ``rdfs:subClassOf``
  and ``rdfs:subPropertyOf`` (every node is the same as itself, every class its own subclass);
- tautologies about ``owl:Thing``: ``x a owl:Thing``, ``C rdfs:subClassOf owl:Thing``, ``p rdfs:domain
  owl:Thing`` and ``p rdfs:range owl:Thing``.

Everything else is kept: inferred types (a recapture is a capture and an event; alignments such as
``sem:Event``), transitive ``ckg:locatedIn``, inverse and super-property triples.
"""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
from rdflib import Graph, Literal, URIRef
from rdflib.graph import _TripleType
from rdflib.namespace import OWL, RDF, RDFS, XSD

from conflictkg.pipeline.sources import union

REFLEXIVE_NOISE = frozenset(
    {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
)
THING_TAUTOLOGIES = frozenset({RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range})
W3C_VOCABULARIES = (str(RDF), str(RDFS), str(OWL), str(XSD))


def is_noise(triple: _TripleType) -> bool:
    """True for a derived triple that holds in every graph (see the module docstring)."""
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return True
    if isinstance(subject, URIRef) and str(subject).startswith(W3C_VOCABULARIES):
        return True
    if predicate in REFLEXIVE_NOISE and subject == obj:
        return True
    return predicate in THING_TAUTOLOGIES and obj == OWL.Thing


def infer(asserted: Iterable[Graph]) -> Graph:
    """The OWL RL consequences of the union of ``asserted`` that are neither asserted nor noise."""
    closure = union(asserted)
    before = set(closure)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    inferred = Graph()
    for triple in closure:
        if triple not in before and not is_noise(triple):
            inferred.add(triple)
    return inferred
