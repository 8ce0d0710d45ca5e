"""The SPARQL 1.1 Service Description answered by GET /sparql without a query.

It tells a client what it may send and what it gets back: the query language, every result format
(W3C format IRIs), the dataset (the default graph and each named graph with its size), how to reach
the inferred graph, and where the VoID description is. Sizes are counted once, when the server starts:
the store is read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from conflictkg.sparql.results import RDF_FORMATS, RESULTS_FORMAT_IRIS, TABULAR_FORMATS
from conflictkg.store import Store
from conflictkg.vocab import INFERRED_GRAPH, SD, VOID

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

INFERENCE_NOTE = (
    f"The default graph is the union of the asserted graphs. The OWL RL inferences are kept in the named "
    f"graph <{INFERRED_GRAPH}>: query them with GRAPH <{INFERRED_GRAPH}> {{ ... }}, or add the parameter "
    f"inference=true to make the default graph the asserted graphs plus the inferred graph. "
    f"default-graph-uri and named-graph-uri replace the dataset (and any FROM / FROM NAMED)."
)


@dataclass(frozen=True)
class DatasetSummary:
    """What the service description says about the data: graph sizes and the default graph's make-up."""

    default_triples: int
    graph_triples: dict[str, int]
    default_graphs: list[str] | None

    @classmethod
    def of(cls, store: Store) -> DatasetSummary:
        """Count the store's graphs (once; the store never changes)."""
        return cls(store.default_graph_size(), store.graph_sizes(), store.default_graphs)


def _sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(f"{SD}{term}")


def describe(endpoint: str, void_url: str, summary: DatasetSummary) -> Iterator[ox.Triple]:
    """Triples of the service description for the endpoint at ``endpoint``."""
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(f"{endpoint}#dataset")
    default_graph = ox.NamedNode(f"{endpoint}#default-graph")
    void = ox.NamedNode(void_url)
    yield ox.Triple(service, RDF_TYPE, _sd("Service"))
    yield ox.Triple(service, _sd("endpoint"), service)
    yield ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query"))
    yield ox.Triple(service, RDFS_COMMENT, ox.Literal("Read-only: SPARQL Update is refused. " + INFERENCE_NOTE))
    if summary.default_graphs is None:
        yield ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph"))
    for fmt in (*TABULAR_FORMATS, *RDF_FORMATS):
        yield ox.Triple(service, _sd("resultFormat"), ox.NamedNode(RESULTS_FORMAT_IRIS[fmt.name]))
    yield ox.Triple(service, RDFS_SEE_ALSO, void)
    yield ox.Triple(service, _sd("defaultDataset"), dataset)
    yield ox.Triple(dataset, RDF_TYPE, _sd("Dataset"))
    yield ox.Triple(dataset, RDFS_SEE_ALSO, void)
    yield ox.Triple(dataset, _sd("defaultGraph"), default_graph)
    yield ox.Triple(default_graph, RDF_TYPE, _sd("Graph"))
    yield ox.Triple(default_graph, ox.NamedNode(f"{VOID}triples"), _count(summary.default_triples))
    members = summary.default_graphs if summary.default_graphs is not None else sorted(summary.graph_triples)
    yield ox.Triple(
        default_graph, RDFS_COMMENT, ox.Literal("The union of the graphs " + ", ".join(f"<{g}>" for g in members))
    )
    for index, (name, triples) in enumerate(sorted(summary.graph_triples.items())):
        named = ox.NamedNode(f"{endpoint}#named-graph-{index}")
        graph = ox.NamedNode(f"{endpoint}#graph-{index}")
        yield ox.Triple(dataset, _sd("namedGraph"), named)
        yield ox.Triple(named, RDF_TYPE, _sd("NamedGraph"))
        yield ox.Triple(named, _sd("name"), ox.NamedNode(name))
        yield ox.Triple(named, _sd("graph"), graph)
        yield ox.Triple(graph, RDF_TYPE, _sd("Graph"))
        yield ox.Triple(graph, ox.NamedNode(f"{VOID}triples"), _count(triples))


def _count(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=XSD_INTEGER)
