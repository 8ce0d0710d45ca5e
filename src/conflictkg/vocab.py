"""Namespaces and the IRIs that form the public contract.

Every other module takes its IRIs from here so that the ontology namespace, the resource base and the
named-graph IRIs are spelled in exactly one place. Queries in the wild depend on these strings: change
them only with a new ontology version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

CKG = Namespace("https://w3id.org/conflictkg/ontology#")
"""The conflict ontology (prefix ``ckg:``)."""

ONTOLOGY_IRI = URIRef("https://w3id.org/conflictkg/ontology")
SHAPES_IRI = URIRef("https://w3id.org/conflictkg/shapes")

BASE = "https://w3id.org/conflictkg/"
ID = Namespace(BASE + "id/")
"""Resources of the data: ``ID["place/ayyash"]``, ``ID["event/..."]``."""

GRAPH = Namespace(BASE + "graph/")
"""Named graphs of a release."""

DATASET_IRI = URIRef(BASE + "dataset")
"""The dataset as described in VoID/DCAT."""

SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
OA = Namespace("http://www.w3.org/ns/oa#")
LODE = Namespace("http://linkedevents.org/ontology/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
GN = Namespace("https://www.geonames.org/ontology#")
GEONAMES = Namespace("https://sws.geonames.org/")
WD = Namespace("http://www.wikidata.org/entity/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

# The named graphs of a release, in the order they are written.
ONTOLOGY_GRAPH = GRAPH["ontology"]
SHAPES_GRAPH = GRAPH["shapes"]
DATA_GRAPH = GRAPH["data"]
LINKS_GRAPH = GRAPH["links"]
INFERRED_GRAPH = GRAPH["inferred"]

ASSERTED_GRAPHS: tuple[URIRef, ...] = (ONTOLOGY_GRAPH, SHAPES_GRAPH, DATA_GRAPH, LINKS_GRAPH)
"""The graphs whose union is the SPARQL default graph; the inferred graph is kept apart."""

ALL_GRAPHS: tuple[URIRef, ...] = (*ASSERTED_GRAPHS, INFERRED_GRAPH)

IMPORT_GRAPHS = GRAPH["import/"]
"""Prefix of the graphs of imported datasets: ``graph/import/<name>`` (``conflictkg import``)."""


def asserted_graphs(present: Iterable[object]) -> tuple[URIRef, ...]:
    """The fixed asserted graphs plus every further graph of ours among ``present`` (imports, reports).

    Those graphs are asserted too (part of the SPARQL default graph, validated and reasoned over); only
    the inferred graph is kept apart. Extra graphs come after the fixed ones, sorted by IRI.
    """
    extras = sorted({URIRef(str(g)) for g in present if str(g).startswith(str(GRAPH))} - set(ALL_GRAPHS))
    return (*ASSERTED_GRAPHS, *extras)

RESOURCE_KINDS: tuple[str, ...] = (
    "article", "report", "actor", "place", "event", "claim", "casualty", "span", "link",
)
"""The kinds of resource under ``ID``: ``id/<kind>/<slug>`` (docs/architecture.md)."""

PREFIXES: dict[str, Namespace] = {
    "ckg": CKG,
    **{kind: Namespace(f"{ID}{kind}/") for kind in RESOURCE_KINDS},
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "prov": Namespace(str(PROV)),
    "dcterms": Namespace(str(DCTERMS)),
    "dcat": Namespace(str(DCAT)),
    "void": Namespace(str(VOID)),
    "sh": Namespace(str(SH)),
    "sem": SEM,
    "schema": SCHEMA,
    "time": TIME,
    "geo": GEO,
    "oa": OA,
    "spdx": SPDX,
}
"""Prefixes bound when serialising and offered to query writers."""


GraphT = TypeVar("GraphT", bound=Graph)


def bind_prefixes(graph: GraphT) -> GraphT:
    """Bind every contract prefix on ``graph`` (replacing rdflib's defaults) and return it.

    Serialised dumps, reports and messages then all write ``ckg:``, ``place:``, ``sh:`` … the same way.
    """
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def prefix_map() -> dict[str, str]:
    """The contract prefixes as plain ``{prefix: namespace IRI}`` strings.

    The one mapping that pyoxigraph serialisers, the JSON-LD ``@context`` and CURIE display all take,
    so a prefix added to PREFIXES shows up everywhere at once.
    """
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def sparql_prologue() -> str:
    """PREFIX lines for the contract namespaces, for example queries and tests."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefix_map().items())
