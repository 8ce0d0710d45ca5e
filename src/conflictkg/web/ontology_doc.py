"""Documentation of the ontology and the shapes, generated from their graphs.

The pages are derived from the RDF so they can never drift from it: every class, property, concept and
shape in the graph gets an entry, with an anchor named after the term's local name so that
``https://w3id.org/conflictkg/ontology#X`` lands on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from conflictkg.hrefs import live_href
from conflictkg.store import Store
from conflictkg.web.addresses import Addresses
from conflictkg.web.terms import Term, curie

ALIGNMENT_PREDICATES = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)
"""Predicates that tie a term to another vocabulary; an object outside our namespace is an alignment."""

_CHARACTERISTICS = (
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)
_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


def load_graph(store: Store, graph_iri: str) -> Graph:
    """Copy one named graph of the store into an rdflib Graph (small graphs: ontology, shapes)."""
    data = ox.serialize(store.triples(graph_iri), format=ox.RdfFormat.N_TRIPLES)
    graph = Graph()
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


class Describer:
    """Turns rdflib nodes into display Terms; IRIs of our namespace link to their anchor or page."""

    def __init__(self, graph: Graph, addresses: Addresses) -> None:
        self.graph = graph
        self.addresses = addresses

    def anchor(self, iri: URIRef) -> str:
        """The fragment that ``iri`` dereferences to: its local name after ``#``, else its CURIE."""
        return str(iri).rsplit("#", 1)[1] if "#" in str(iri) else curie(str(iri))

    def label(self, node: URIRef | BNode) -> str:
        """rdfs:label or skos:prefLabel (English or untagged first), else the CURIE."""
        labels = [*self.graph.objects(node, RDFS.label), *self.graph.objects(node, SKOS.prefLabel)]
        labels.sort(key=lambda lit: (getattr(lit, "language", None) not in (None, "en"), str(lit)))
        return str(labels[0]) if labels else curie(str(node))

    def term(self, node: object) -> Term:
        """A display term; blank nodes (OWL restrictions, SHACL lists and paths) are written out inline."""
        if isinstance(node, URIRef):
            local = self.addresses.local_path(str(node))
            return Term("iri", str(node), self.label(node), href=local or live_href(str(node)), internal=local is not None)
        if isinstance(node, Literal):
            language = node.language
            datatype = None if language or node.datatype is None else str(node.datatype)
            return Term("literal", str(node), str(node), datatype=datatype, language=language)
        return Term("blank", str(node), self.inline(node))

    def inline(self, node: object) -> str:
        """A blank node as compact text: an RDF list as ``( a b )``, else ``[ p o ; ... ]``."""
        if isinstance(node, URIRef):
            return curie(str(node))
        if isinstance(node, Literal):
            return str(node)
        if (node, RDF.first, None) in self.graph:
            return "( " + " ".join(self.inline(item) for item in Collection(self.graph, node)) + " )"
        parts = sorted(f"{curie(str(p))} {self.inline(o)}" for p, o in self.graph.predicate_objects(node))
        return "[ " + " ; ".join(parts) + " ]"  # sorted as text: blank-node labels differ from store to store

    def terms(self, nodes: Iterable[object]) -> tuple[Term, ...]:
        """Display terms sorted by label."""
        return tuple(sorted((self.term(n) for n in set(nodes)), key=lambda t: (t.label.lower(), t.value)))

    def text(self, node: URIRef, predicate: URIRef) -> str | None:
        """One literal value (English or untagged first) of ``predicate``."""
        values = sorted(self.graph.objects(node, predicate), key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)))
        return str(values[0]) if values else None


@dataclass(frozen=True)
class ClassEntry:
    """A class as the ontology page lists it: hierarchy, alignments to other vocabularies, where it is used."""

    term: Term
    anchor: str
    comment: str | None
    superclasses: tuple[Term, ...]
    subclasses: tuple[Term, ...]
    alignments: tuple[tuple[Term, Term], ...]
    domain_of: tuple[Term, ...]
    range_of: tuple[Term, ...]


@dataclass(frozen=True)
class PropertyEntry:
    """A property as the ontology page lists it: its OWL kinds, domain and range, super-properties, inverse."""

    term: Term
    anchor: str
    kinds: tuple[Term, ...]
    comment: str | None
    domains: tuple[Term, ...]
    ranges: tuple[Term, ...]
    superproperties: tuple[Term, ...]
    inverse: tuple[Term, ...]
    alignments: tuple[tuple[Term, Term], ...]


@dataclass(frozen=True)
class ConceptEntry:
    """A SKOS concept of the event-type scheme with its codes (notations) and external mappings (ACLED, CAMEO)."""

    term: Term
    anchor: str
    notations: tuple[str, ...]
    definition: str | None
    broader: tuple[Term, ...]
    mappings: tuple[tuple[Term, Term], ...]


@dataclass(frozen=True)
class SchemeEntry:
    """A SKOS concept scheme and its concepts."""

    term: Term
    anchor: str
    concepts: tuple[ConceptEntry, ...]


@dataclass(frozen=True)
class IndividualEntry:
    """A named individual of the ontology (e.g. a quantifier such as ckg:AtLeast)."""

    term: Term
    anchor: str
    types: tuple[Term, ...]
    comment: str | None


@dataclass
class TreeNode:
    """A class in the hierarchy with its subclasses."""

    term: Term
    anchor: str
    children: list[TreeNode] = field(default_factory=list)


@dataclass(frozen=True)
class OntologyDoc:
    """Everything the ontology page shows."""

    iri: str
    title: str
    comment: str | None
    metadata: tuple[tuple[Term, Term], ...]
    hierarchy: tuple[TreeNode, ...]
    classes: tuple[ClassEntry, ...]
    properties: tuple[PropertyEntry, ...]
    schemes: tuple[SchemeEntry, ...]
    individuals: tuple[IndividualEntry, ...]


def ontology_doc(graph: Graph, addresses: Addresses, ontology_iri: str, namespace: str) -> OntologyDoc:
    """Document every term of ``namespace`` defined in ``graph``."""
    d = Describer(graph, addresses)
    ours = lambda node: isinstance(node, URIRef) and str(node).startswith(namespace)  # noqa: E731
    class_nodes = sorted(
        {s for kind in (OWL.Class, RDFS.Class) for s in graph.subjects(RDF.type, kind) if ours(s)}
        | {s for s in graph.subjects(RDFS.subClassOf, None) if ours(s)}
    )
    property_nodes = sorted({s for kind in _PROPERTY_KINDS for s in graph.subjects(RDF.type, kind) if ours(s)})

    def alignments(node: URIRef) -> tuple[tuple[Term, Term], ...]:
        pairs = [(p, o) for p in ALIGNMENT_PREDICATES for o in graph.objects(node, p) if not ours(o)]
        return tuple((d.term(p), d.term(o)) for p, o in sorted(pairs))

    classes = tuple(
        ClassEntry(
            term=d.term(c),
            anchor=d.anchor(c),
            comment=d.text(c, RDFS.comment),
            superclasses=d.terms(graph.objects(c, RDFS.subClassOf)),
            subclasses=d.terms(s for s in graph.subjects(RDFS.subClassOf, c) if ours(s)),
            alignments=alignments(c),
            domain_of=d.terms(p for p in graph.subjects(RDFS.domain, c) if ours(p)),
            range_of=d.terms(p for p in graph.subjects(RDFS.range, c) if ours(p)),
        )
        for c in class_nodes
    )
    properties = tuple(
        PropertyEntry(
            term=d.term(p),
            anchor=d.anchor(p),
            kinds=d.terms(k for k in graph.objects(p, RDF.type) if k in _PROPERTY_KINDS or k in _CHARACTERISTICS),
            comment=d.text(p, RDFS.comment),
            domains=d.terms(graph.objects(p, RDFS.domain)),
            ranges=d.terms(graph.objects(p, RDFS.range)),
            superproperties=d.terms(graph.objects(p, RDFS.subPropertyOf)),
            inverse=d.terms([*graph.objects(p, OWL.inverseOf), *graph.subjects(OWL.inverseOf, p)]),
            alignments=alignments(p),
        )
        for p in property_nodes
    )
    schemes = tuple(_scheme(graph, d, s) for s in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme)))
    documented = set(class_nodes) | set(property_nodes) | set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    documented |= set(graph.subjects(RDF.type, SKOS.Concept))
    individuals = tuple(
        IndividualEntry(d.term(i), d.anchor(i), d.terms(graph.objects(i, RDF.type)), d.text(i, RDFS.comment))
        for i in sorted({s for s in graph.subjects(RDF.type, None) if ours(s)} - documented)
    )
    ontology = URIRef(ontology_iri)
    metadata = tuple(
        (d.term(p), d.term(o))
        for p, o in sorted(graph.predicate_objects(ontology))
        if p not in (RDF.type, RDFS.label, RDFS.comment)
    )
    return OntologyDoc(
        iri=ontology_iri,
        title=d.text(ontology, RDFS.label) or ontology_iri,
        comment=d.text(ontology, RDFS.comment),
        metadata=metadata,
        hierarchy=_hierarchy(graph, d, class_nodes),
        classes=classes,
        properties=properties,
        schemes=schemes,
        individuals=individuals,
    )


def _scheme(graph: Graph, d: Describer, scheme: URIRef) -> SchemeEntry:
    members = set(graph.subjects(SKOS.inScheme, scheme)) | set(graph.objects(scheme, SKOS.hasTopConcept))
    skip = {RDF.type, SKOS.inScheme, SKOS.prefLabel, SKOS.notation, SKOS.definition, SKOS.broader, RDFS.label}
    concepts = tuple(
        ConceptEntry(
            term=d.term(c),
            anchor=d.anchor(c),
            notations=tuple(sorted(str(n) for n in graph.objects(c, SKOS.notation))),
            definition=d.text(c, SKOS.definition) or d.text(c, RDFS.comment),
            broader=d.terms(graph.objects(c, SKOS.broader)),
            mappings=tuple(
                (d.term(p), d.term(o)) for p, o in sorted(graph.predicate_objects(c)) if p not in skip and p != RDFS.comment
            ),
        )
        for c in sorted(members, key=str)
    )
    return SchemeEntry(d.term(scheme), d.anchor(scheme), concepts)


def _hierarchy(graph: Graph, d: Describer, class_nodes: list[URIRef]) -> tuple[TreeNode, ...]:
    """Classes of our namespace as a forest under their in-namespace superclasses."""
    known = set(class_nodes)
    children: dict[URIRef, list[URIRef]] = defaultdict(list)
    has_parent = set()
    for c in class_nodes:
        for parent in graph.objects(c, RDFS.subClassOf):
            if parent in known and parent != c:
                children[parent].append(c)
                has_parent.add(c)

    def build(node: URIRef, seen: frozenset[URIRef]) -> TreeNode:
        kids = sorted(children[node], key=lambda k: d.label(k).lower())
        return TreeNode(d.term(node), d.anchor(node), [build(k, seen | {node}) for k in kids if k not in seen])

    roots = [c for c in class_nodes if c not in has_parent]
    return tuple(build(r, frozenset()) for r in sorted(roots, key=lambda r: d.label(r).lower()))


@dataclass(frozen=True)
class ConstraintEntry:
    """One property shape (or the node shape's own constraints): path, parameters, message."""

    path: str | None
    parameters: tuple[tuple[Term, Term], ...]
    messages: tuple[str, ...]
    severity: Term | None


@dataclass(frozen=True)
class ShapeEntry:
    """A SHACL node shape as the shapes page lists it: what it targets and each constraint with its message."""

    term: Term
    anchor: str
    comment: str | None
    targets: tuple[tuple[Term, Term], ...]
    constraints: tuple[ConstraintEntry, ...]


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_NOT_PARAMETERS = {RDF.type, SH.path, SH.message, SH.severity, SH.property, RDFS.label, RDFS.comment, SH.name, SH.description, *_TARGETS}


def shapes_doc(graph: Graph, addresses: Addresses) -> tuple[ShapeEntry, ...]:
    """Each node shape with its targets, its own constraints and each property shape's constraints."""
    d = Describer(graph, addresses)
    shapes = {s for s in graph.subjects(RDF.type, SH.NodeShape)} | {s for t in _TARGETS for s in graph.subjects(t, None)}
    shapes = {s for s in shapes if (s, SH.path, None) not in graph}

    def constraint(node: object, path: object) -> ConstraintEntry:
        return ConstraintEntry(
            path=d.inline(path) if path is not None else None,
            parameters=tuple(
                (d.term(p), d.term(o)) for p, o in sorted(graph.predicate_objects(node), key=lambda po: (po[0], d.inline(po[1])))
                if p not in _NOT_PARAMETERS
            ),
            messages=tuple(sorted(str(m) for m in graph.objects(node, SH.message))),
            severity=d.term(graph.value(node, SH.severity)) if graph.value(node, SH.severity) is not None else None,
        )

    entries = []
    for shape in shapes:
        own = constraint(shape, None)
        parts = [own] if own.parameters or own.messages else []
        property_shapes = sorted(graph.objects(shape, SH.property),
                                 key=lambda ps: (d.inline(graph.value(ps, SH.path)), d.inline(ps)))
        parts += [constraint(ps, graph.value(ps, SH.path)) for ps in property_shapes]
        entries.append(
            ShapeEntry(
                term=d.term(shape),
                anchor=d.anchor(shape) if isinstance(shape, URIRef) else f"shape-{len(entries)}",
                comment=d.text(shape, RDFS.comment) or d.text(shape, SH.description),
                targets=tuple((d.term(t), d.term(o)) for t in _TARGETS for o in sorted(graph.objects(shape, t))),
                constraints=tuple(parts),
            )
        )
    return tuple(sorted(entries, key=lambda e: e.term.label.lower()))
