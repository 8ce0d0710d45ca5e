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

PUBLICATION_GRAPH = GRAPH["publication"]
"""In an external store: the record of the live release (``publish --to`` writes it, ``serve --store``
reads it): ``<dataset> void:subset <graph>`` per graph and ``<dataset> owl:versionInfo "<version>"``."""

REPORT_GRAPHS = BASE + "graph/report/"
"""Each registered report's statements live in ``graph/report/<slug>`` (asserted)."""

UNREVIEWED_SUFFIX = "/unreviewed"
"""``graph/report/<slug>/unreviewed``: drafted statements published on request, never asserted."""

DERIVED_GRAPH = GRAPH["derived"]
"""Computed by rule from the asserted graphs (source grades, casualty bounds); kept apart like inferences."""

IMPORT_GRAPHS = GRAPH["import/"]
"""Prefix of the graphs of imported datasets: ``graph/import/<name>`` (``conflictkg import``)."""

_EXTRA_ASSERTED = (REPORT_GRAPHS, str(IMPORT_GRAPHS))


def report_graph(slug: str) -> URIRef:
    """The named graph of the report ``slug``."""
    return URIRef(REPORT_GRAPHS + slug)


def unreviewed_graph(slug: str) -> URIRef:
    """Where ``--publish-drafts`` puts the report's unreviewed drafted statements."""
    return URIRef(REPORT_GRAPHS + slug + UNREVIEWED_SUFFIX)


def is_asserted(iri: str) -> bool:
    """True for a graph in the SPARQL default graph: the fixed four, each report's and each import's.

    Unreviewed drafts, inferences and derived figures are named graphs outside the default graph.
    """
    iri = str(iri)
    if iri in {str(g) for g in ASSERTED_GRAPHS}:
        return True
    return iri.startswith(_EXTRA_ASSERTED) and not iri.endswith(UNREVIEWED_SUFFIX)


def release_graphs(names: Iterable[str | URIRef]) -> tuple[URIRef, ...]:
    """The graphs a release writes, in order: the fixed five, then every other non-empty graph sorted."""
    fixed = [str(g) for g in ALL_GRAPHS]
    extra = sorted({str(n) for n in names} - set(fixed))
    return (*ALL_GRAPHS, *(URIRef(n) for n in extra))


def asserted_graphs(names: Iterable[str | URIRef]) -> tuple[URIRef, ...]:
    """Of ``names`` (plus the fixed asserted graphs), those whose union is the SPARQL default graph."""
    return tuple(g for g in release_graphs(names) if is_asserted(g))

RESOURCE_KINDS: tuple[str, ...] = (
    "article", "report", "actor", "place", "event", "claim", "casualty", "span", "link", "mention", "eventlink",
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
