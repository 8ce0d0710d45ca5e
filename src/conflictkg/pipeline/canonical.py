"""Canonical blank-node labels (W3C RDF Dataset Canonicalization, RDFC-1.0) for reproducible small graphs.

The release's graphs are labelled as N-Triples lines (pipeline.dumps.canonical_lines); this module
labels the rdflib graphs written beside them (the SHACL report, VoID).

rdflib gives every blank node it parses a fresh random label, and the ontology and shapes are full of
them (``owl:unionOf``, ``sh:in``, ``sh:or`` lists, property shapes), so two builds of the same inputs
wrote different dumps. Relabelling with RDFC-1.0 (pyoxigraph's implementation) makes the labels a
function of the content alone: ``c14n0``, ``c14n1``, … The dataset is labelled as a whole, so a blank
node used in two graphs (an inferred triple about an ontology list node) keeps one label everywhere.

Only blank nodes change: every IRI and literal is handed back as the very rdflib term it was, so no
lexical form or datatype is normalised on the way through pyoxigraph. The one exception is RDF 1.1's:
``"x"^^xsd:string`` is the literal ``"x"``, which rdflib keeps apart; it comes back as ``"x"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from conflictkg.pipeline.terms import to_ox
from conflictkg.vocab import bind_prefixes

_XSD_STRING = ox.NamedNode(str(XSD.string))

_Quad = tuple[Node, Node, Node, URIRef | None]
"""subject, predicate, object, graph name (None: the default graph)."""


def _to_ox(term: Node, blank: Callable[[BNode], ox.BlankNode]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib one (pipeline.terms); ``blank`` decides what a blank node becomes."""
    return blank(term) if isinstance(term, BNode) else to_ox(term)  # type: ignore[return-value]


class _Terms:
    """rdflib ↔ pyoxigraph terms; remembers each IRI and literal so it comes back unchanged."""

    def __init__(self) -> None:
        self._blank: dict[BNode, ox.BlankNode] = {}
        self._originals: dict[ox.NamedNode | ox.BlankNode | ox.Literal, Node] = {}

    def to_ox(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        converted = _to_ox(term, lambda node: self._blank.setdefault(node, ox.BlankNode()))
        if not isinstance(term, BNode):
            self._originals.setdefault(converted, term)
        return converted

    def from_ox(self, term: object) -> Node:
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal) and term.datatype == _XSD_STRING:
            return Literal(term.value)  # rdflib tells "x" from "x"^^xsd:string; RDF 1.1 does not
        return self._originals[term]  # type: ignore[index]


def _canonical_quads(quads: Iterable[_Quad]) -> list[_Quad]:
    terms = _Terms()
    dataset = ox.Dataset(
        ox.Quad(terms.to_ox(s), terms.to_ox(p), terms.to_ox(o),  # type: ignore[arg-type]
                ox.DefaultGraph() if g is None else ox.NamedNode(str(g)))
        for s, p, o, g in quads
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [
        (terms.from_ox(q.subject), terms.from_ox(q.predicate), terms.from_ox(q.object),
         None if isinstance(q.graph_name, ox.DefaultGraph) else URIRef(q.graph_name.value))
        for q in dataset
    ]


def canonical_graph(graph: Graph) -> Graph:
    """A copy of ``graph`` with canonical blank-node labels (and the contract prefixes bound)."""
    out = bind_prefixes(Graph())
    for s, p, o, _ in _canonical_quads((s, p, o, None) for s, p, o in graph):
        out.add((s, p, o))
    return out
