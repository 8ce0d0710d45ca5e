"""Blank nodes get RDFC-1.0 labels that depend on the content only, one label per node across graphs;
every other term comes back exactly as it went in; TriG lists the graphs in the order asked.

The release labels its graphs as N-Triples lines (pipeline.dumps), small graphs as rdflib graphs
(pipeline.canonical): both are held to the same properties here."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, XSD

from conflictkg.pipeline.canonical import canonical_graph
from conflictkg.pipeline.dumps import canonical_lines, write_trig, write_turtle
from conflictkg.pipeline.terms import to_ox
from conflictkg.vocab import CKG, INFERRED_GRAPH, ONTOLOGY_GRAPH, prefix_map

ONTOLOGY = """
@prefix ckg: <https://w3id.org/conflictkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ckg:Thing owl:unionOf ( ckg:Event ckg:Place ) ;
    ckg:count "x" , "x"@ar .
"""

LEADING_ZERO = Literal("05", datatype=XSD.nonNegativeInteger, normalize=False)


def _dataset() -> Dataset:
    """The ontology parsed afresh (new random blank-node labels each time) and an inferred triple
    about its list node, which therefore lives in two graphs."""
    dataset = Dataset()
    dataset.graph(ONTOLOGY_GRAPH).parse(data=ONTOLOGY, format="turtle")
    list_node = dataset.graph(ONTOLOGY_GRAPH).value(CKG.Thing, OWL.unionOf)
    dataset.graph(INFERRED_GRAPH).add((list_node, RDF.type, RDF.List))
    dataset.graph(ONTOLOGY_GRAPH).add((CKG.Thing, CKG["count"], LEADING_ZERO))
    return dataset


def canonical_dataset(dataset: Dataset) -> Dataset:
    """The dataset's two graphs labelled as the release labels them (N-Triples lines), read back."""
    graphs = {iri: ox.serialize((ox.Triple(*(to_ox(t) for t in triple)) for triple in dataset.graph(iri)),
                                format=ox.RdfFormat.N_TRIPLES) for iri in (ONTOLOGY_GRAPH, INFERRED_GRAPH)}
    out = Dataset()
    for iri, lines in canonical_lines(graphs).items():
        for quad in ox.parse(b"\n".join(lines), format=ox.RdfFormat.N_TRIPLES):
            out.graph(iri).add(tuple(_from_ox(t) for t in (quad.subject, quad.predicate, quad.object)))
    return out


def _from_ox(term: object) -> object:
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    return URIRef(term.value)  # type: ignore[attr-defined]


def _lines(serialised: str) -> list[str]:
    return sorted(line for line in serialised.splitlines() if line)


def _blank_labels(dataset: Dataset, graph: URIRef) -> set[str]:
    return {str(t) for triple in dataset.graph(graph) for t in triple if isinstance(t, BNode)}


def test_labels_depend_on_the_content_only() -> None:
    first, second = _dataset(), _dataset()
    assert _blank_labels(first, ONTOLOGY_GRAPH) != _blank_labels(second, ONTOLOGY_GRAPH)
    one, two = canonical_dataset(first), canonical_dataset(second)
    assert _lines(one.serialize(format="nquads")) == _lines(two.serialize(format="nquads"))
    assert _blank_labels(one, ONTOLOGY_GRAPH) == {"c14n0", "c14n1"}


def test_a_node_shared_by_two_graphs_keeps_one_label() -> None:
    labelled = canonical_dataset(_dataset())
    list_node = labelled.graph(ONTOLOGY_GRAPH).value(CKG.Thing, OWL.unionOf)
    assert isinstance(list_node, BNode) and list_node.startswith("c14n")
    assert set(labelled.graph(INFERRED_GRAPH)) == {(list_node, RDF.type, RDF.List)}


def test_iris_and_literals_come_back_unchanged() -> None:
    original = _dataset()
    labelled = canonical_dataset(original)
    for iri in (ONTOLOGY_GRAPH, INFERRED_GRAPH):
        assert isomorphic(labelled.graph(iri), original.graph(iri)), iri
    counts = set(labelled.graph(ONTOLOGY_GRAPH).objects(CKG.Thing, CKG["count"]))
    assert counts == {LEADING_ZERO, Literal("x"), Literal("x", lang="ar")}
    assert "05" in {str(c) for c in counts}  # pyoxigraph's store would write "5"; the dumps keep the input


def test_an_xsd_string_literal_is_the_plain_literal_of_rdf_1_1() -> None:
    graph = Graph()
    graph.add((CKG.Thing, CKG["count"], Literal("x")))
    graph.add((CKG.Thing, CKG["count"], Literal("x", datatype=XSD.string)))
    assert len(graph) == 2  # rdflib keeps them apart
    assert set(canonical_graph(graph)) == {(CKG.Thing, CKG["count"], Literal("x"))}


def test_canonical_graph_for_single_graphs() -> None:
    graphs = [Graph().parse(data=ONTOLOGY, format="turtle") for _ in range(2)]
    one, two = (canonical_graph(g) for g in graphs)
    assert _lines(one.serialize(format="nt")) == _lines(two.serialize(format="nt"))
    assert isomorphic(one, graphs[0])


def test_trig_writes_graphs_in_order_with_shared_labels(tmp_path: Path) -> None:
    labelled = canonical_dataset(_dataset())
    lines = {iri: sorted(ox.serialize((ox.Triple(*(to_ox(t) for t in triple)) for triple in labelled.graph(iri)),
                                      format=ox.RdfFormat.N_TRIPLES).splitlines())
             for iri in (INFERRED_GRAPH, ONTOLOGY_GRAPH)}
    turtle = [(iri, tmp_path / f"{index}.ttl") for index, iri in enumerate((INFERRED_GRAPH, ONTOLOGY_GRAPH))]
    for iri, path in turtle:
        write_turtle(path, lines[iri], prefix_map())
    write_trig(tmp_path / "x.trig", turtle)
    text = (tmp_path / "x.trig").read_text("utf-8")
    assert text.index(f"<{INFERRED_GRAPH}>") < text.index(f"<{ONTOLOGY_GRAPH}>")
    list_node = labelled.graph(ONTOLOGY_GRAPH).value(CKG.Thing, OWL.unionOf)
    assert text.count(f"_:{list_node} ") >= 2  # subject in the inferred graph, object and list head in the ontology
    parsed = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TRIG))
    assert len(parsed) == len(labelled)
    assert {q.graph_name.value for q in parsed if isinstance(q.subject, ox.BlankNode)
            and q.subject.value == str(list_node)} == {str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH)}
