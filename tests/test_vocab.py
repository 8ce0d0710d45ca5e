"""The contract IRIs: spelled once, in the namespaces the issue fixes."""

from rdflib import Graph

from conflictkg import vocab


def test_namespaces_are_the_published_ones() -> None:
    assert str(vocab.CKG) == "https://w3id.org/conflictkg/ontology#"
    assert str(vocab.ID["place/ayyash"]) == "https://w3id.org/conflictkg/id/place/ayyash"


def test_inferred_graph_is_not_in_the_default_graph() -> None:
    assert vocab.INFERRED_GRAPH not in vocab.ASSERTED_GRAPHS
    assert set(vocab.ALL_GRAPHS) == {*vocab.ASSERTED_GRAPHS, vocab.INFERRED_GRAPH}


def test_prologue_declares_every_prefix() -> None:
    prologue = vocab.sparql_prologue()
    for prefix, ns in vocab.PREFIXES.items():
        assert f"PREFIX {prefix}: <{ns}>" in prologue


def test_bind_prefixes_writes_contract_prefixes_over_rdflib_defaults() -> None:
    graph = vocab.bind_prefixes(Graph())
    bound = dict(graph.namespaces())
    for prefix, ns in vocab.PREFIXES.items():
        assert str(bound[prefix]) == str(ns), prefix
    assert vocab.ID["place/ayyash"].n3(graph.namespace_manager) == "place:ayyash"
    assert vocab.SCHEMA.Place.n3(graph.namespace_manager) == "schema:Place"


def test_prefix_map_is_the_contract_prefixes_as_strings() -> None:
    mapping = vocab.prefix_map()
    assert mapping == {prefix: str(ns) for prefix, ns in vocab.PREFIXES.items()}
    assert all(type(ns) is str for ns in mapping.values())  # not Namespace: pyoxigraph wants str
    assert mapping["place"] == "https://w3id.org/conflictkg/id/place/"
