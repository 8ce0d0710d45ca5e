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
from dataclasses import dataclass

import owlrl
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.graph import _TripleType
from rdflib.namespace import OWL, RDF, RDFS, XSD

from conflictkg.pipeline.progress import Meter
from conflictkg.pipeline.sources import union
from conflictkg.pipeline.terms import to_ox

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


OWL_NS, RDFS_NS = str(OWL), str(RDFS)
_TYPE, _SUBCLASS, _SUBPROPERTY = str(RDF.type), str(RDFS.subClassOf), str(RDFS.subPropertyOf)
_DOMAIN, _RANGE, _TRANSITIVE = str(RDFS.domain), str(RDFS.range), str(OWL.TransitiveProperty)

SUPPORTED_OWL = frozenset(str(t) for t in (
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
    OWL.NamedIndividual, OWL.TransitiveProperty, OWL.Thing, OWL.Nothing, OWL.versionInfo, OWL.versionIRI,
    OWL.imports, OWL.oneOf, OWL.equivalentClass, OWL.equivalentProperty, OWL.sameAs, OWL.Restriction,
    OWL.DeprecatedClass, OWL.DeprecatedProperty, OWL.deprecated, OWL.priorVersion, OWL.backwardCompatibleWith,
    OWL.incompatibleWith, OWL.OntologyProperty, OWL.topObjectProperty, OWL.topDataProperty,
    OWL.bottomObjectProperty, OWL.bottomDataProperty,
))
"""The OWL terms the rule reasoner handles: declarations and annotations (no consequences on data),
subclass and subproperty hierarchies (equivalence is both ways), ``owl:oneOf`` (its consequences are
about the listed individuals, computed from the ontology alone) and transitive properties. Anything
else (inverse, symmetric or functional properties, restrictions with values, property chains, keys,
intersections, unions, a ``owl:sameAs`` between two different nodes) sends the build to owlrl."""

RDFS_SCHEMA = frozenset(str(t) for t in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range))


class Unsupported(Exception):
    """The ontology or data uses OWL the rule reasoner does not implement; use owlrl (:func:`infer`)."""


def _local_owl(term: object) -> str | None:
    value = getattr(term, "value", None)
    return value if isinstance(value, str) and value.startswith(OWL_NS) else None


@dataclass(frozen=True)
class Rules:
    """OWL 2 RL on data, compiled from owlrl's closure of the ontology.

    owlrl computes the ontology's own consequences (subclass and subproperty closures, domains and
    ranges inherited along them) in about a second; what is left for the data are the rules that
    read one data triple at a time (cax-sco, prp-dom, prp-rng, prp-spo1) and transitivity (prp-trp).
    Applied to a stream of triples, they give owlrl's consequences on millions of triples in seconds
    instead of hours; tests/pipeline/test_reason.py proves the two sets equal on the article and on
    the fixtures. :meth:`of` refuses an ontology that needs more (:class:`Unsupported`).
    """

    superclasses: dict[ox.NamedNode, tuple[ox.NamedNode, ...]]
    superproperties: dict[ox.NamedNode, tuple[ox.NamedNode, ...]]
    domains: dict[ox.NamedNode, tuple[ox.NamedNode, ...]]
    ranges: dict[ox.NamedNode, tuple[ox.NamedNode, ...]]
    transitive: frozenset[ox.NamedNode]
    ontology_inferences: frozenset[ox.Triple]
    """owlrl's consequences of the ontology alone (kept ones: see :func:`is_noise`)."""

    @classmethod
    def of(cls, ontology: Graph) -> Rules:
        """Compile the rules of ``ontology``; raise Unsupported if it uses OWL beyond :data:`SUPPORTED_OWL`."""
        for triple in ontology:
            for term in triple:
                name = _local_owl(to_ox(term)) if isinstance(term, URIRef) else None
                if name is not None and name not in SUPPORTED_OWL:
                    raise Unsupported(f"the ontology uses {term.n3()}")
            if triple[1] == OWL.sameAs and triple[0] != triple[2]:
                raise Unsupported("the ontology uses owl:sameAs between two nodes")
        closure = union([ontology])
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
        asserted = set(ontology)
        kept = frozenset(
            ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
            for s, p, o in closure if (s, p, o) not in asserted and not is_noise((s, p, o))
        )

        def table(predicate: URIRef) -> dict[ox.NamedNode, tuple[ox.NamedNode, ...]]:
            out: dict[ox.NamedNode, set[ox.NamedNode]] = {}
            for s, o in closure.subject_objects(predicate):
                if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o:
                    out.setdefault(ox.NamedNode(str(s)), set()).add(ox.NamedNode(str(o)))
            return {k: tuple(sorted(v, key=str)) for k, v in out.items()}

        transitive = frozenset(ox.NamedNode(str(p)) for p in closure.subjects(RDF.type, OWL.TransitiveProperty)
                               if isinstance(p, URIRef))
        return cls(table(RDFS.subClassOf), table(RDFS.subPropertyOf), table(RDFS.domain), table(RDFS.range),
                   transitive, kept)

    def infer(self, ontology: Iterable[ox.Triple], data: Iterable[ox.Triple],
              meter: Meter | None = None) -> set[ox.Triple]:
        """The consequences of ``ontology`` and ``data`` (data and links) that are neither asserted nor noise.

        One pass over the triples gathers each node's types (asserted, and from the domains and ranges
        of the properties it is used with), the superproperty copies of each triple and the edges of
        the transitive properties. The owlrl closure of the ontology makes the tables transitive, so a
        node's inferred types are the superclasses of what was gathered; transitive edges are closed
        per property afterwards. A data triple that would change the ontology (a subclass axiom, an
        inverse, a sameAs) raises :class:`Unsupported`.

        What the rules say about a predicate (:class:`_Use`) is worked out once per predicate, and a
        class a data triple types with is checked once: the pass over millions of triples makes one
        lookup per triple besides the gathering itself (32 s → 20 s at 10⁵ events, measured).
        """
        type_, superclasses, superproperties = ox.NamedNode(_TYPE), self.superclasses, self.superproperties
        domains, ranges, transitive = self.domains, self.ranges, self.transitive
        for prop in transitive:
            if any(q in transitive for q in superproperties.get(prop, ())):
                raise Unsupported(f"transitive {prop} is a subproperty of another transitive property")
        heads = {*transitive, *(q for qs in superproperties.values() for q in qs)}
        asserted_types: dict[object, set[object]] = {}
        gathered: dict[object, set[object]] = {}
        asserted: set[tuple[object, object, object]] = set()
        derived: set[tuple[object, object, object]] = set()
        edges: dict[ox.NamedNode, dict[object, set[object]]] = {p: {} for p in transitive}
        uses: dict[ox.NamedNode, _Use] = {}
        data_types: set[object] = set()

        def use_of(predicate: ox.NamedNode) -> _Use:
            use = uses[predicate] = _Use(
                domains.get(predicate, ()), ranges.get(predicate, ()), predicate in heads,
                tuple((prop, edges.get(prop)) for prop in superproperties.get(predicate, ())),
                edges.get(predicate), *_data_use(predicate.value))
            return use

        def gather(triples: Iterable[ox.Triple], checked: bool) -> None:
            count = 0
            for count, triple in enumerate(triples, 1):
                subject, predicate, obj = triple.subject, triple.predicate, triple.object
                use = uses.get(predicate) or use_of(predicate)
                if checked:
                    if use.refused or (use.reflexive_only and subject != obj):
                        raise Unsupported(f"a data triple uses <{predicate.value}>")
                    if not count & 0xFFFF and meter is not None:
                        meter.advance(0x10000)
                if predicate == type_:
                    if checked and obj not in data_types:
                        _refuse_type(obj)
                        data_types.add(obj)
                    asserted_types.setdefault(subject, set()).add(obj)
                    continue
                if use.domains:
                    gathered.setdefault(subject, set()).update(use.domains)
                if use.ranges and type(obj) is not ox.Literal:
                    gathered.setdefault(obj, set()).update(use.ranges)
                if use.head:
                    asserted.add((subject, predicate, obj))
                for prop, prop_edges in use.supers:
                    derived.add((subject, prop, obj))
                    if prop_edges is not None:
                        prop_edges.setdefault(subject, set()).add(obj)
                if use.edges is not None:
                    use.edges.setdefault(subject, set()).add(obj)
            if checked and meter is not None:
                meter.advance(count & 0xFFFF)

        ontology_triples = set(ontology)
        gather(ontology_triples, checked=False)
        gather(data, checked=True)
        for prop, graph in edges.items():
            for start, reached in _closure(graph).items():
                for end in reached:
                    derived.add((start, prop, end))
                    for sub_prop in (prop, *superproperties.get(prop, ())):
                        derived.add((start, sub_prop, end))
                        gathered.setdefault(start, set()).update(domains.get(sub_prop, ()))
                        if type(end) is not ox.Literal:
                            gathered.setdefault(end, set()).update(ranges.get(sub_prop, ()))
        out = set(self.ontology_inferences)
        closed: dict[frozenset[object], frozenset[object]] = {}
        for node in gathered.keys() | asserted_types.keys():
            known = asserted_types.get(node, set())
            start = frozenset(known | gathered.get(node, set()))
            types = closed.get(start)
            if types is None:
                types = closed[start] = frozenset(
                    {*start, *(sup for cls in start for sup in superclasses.get(cls, ()))})  # type: ignore[call-overload]
            for cls in types:
                if cls not in known:
                    out.add(ox.Triple(node, type_, cls))  # type: ignore[arg-type]
        for subject, prop, obj in derived - asserted:
            out.add(ox.Triple(subject, prop, obj))  # type: ignore[arg-type]
        return {t for t in out if t not in ontology_triples and not _ox_noise(t)}


@dataclass(frozen=True)
class _Use:
    """What the rules do with a triple of one predicate, and whether a data triple may use it."""

    domains: tuple[ox.NamedNode, ...]
    ranges: tuple[ox.NamedNode, ...]
    head: bool
    """A superproperty or transitive property: its asserted triples are not inferred again."""
    supers: tuple[tuple[ox.NamedNode, dict[object, set[object]] | None], ...]
    """Each superproperty, with its transitive edges (None for a property that is not transitive)."""
    edges: dict[object, set[object]] | None
    refused: bool
    """A data triple with this predicate says something about classes or properties."""
    reflexive_only: bool
    """Only a data triple whose subject is its object may use it (``owl:sameAs``)."""


def _closure(graph: dict[object, set[object]]) -> dict[object, set[object]]:
    """For each node with outgoing edges, every node reachable from it by one or more edges."""
    reach: dict[object, set[object]] = {}
    for start in graph:
        seen: set[object] = set()
        stack = list(graph[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(graph.get(node, ()))
        reach[start] = seen
    return reach


_DATA_OWL_PREDICATES = frozenset(str(t) for t in (
    OWL.versionInfo, OWL.versionIRI, OWL.imports, OWL.deprecated, OWL.priorVersion,
    OWL.backwardCompatibleWith, OWL.incompatibleWith))
_DATA_OWL_TYPES = frozenset(str(t) for t in (
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
    OWL.NamedIndividual, OWL.Thing, OWL.DeprecatedClass, OWL.DeprecatedProperty))
_SAME_AS = str(OWL.sameAs)


def _data_use(predicate: str) -> tuple[bool, bool]:
    """Whether a data triple with ``predicate`` says something about classes or properties (refused),
    and whether it may only be reflexive (``owl:sameAs``)."""
    if predicate in RDFS_SCHEMA:
        return True, False
    if predicate.startswith(OWL_NS) and predicate not in _DATA_OWL_PREDICATES:
        return predicate != _SAME_AS, predicate == _SAME_AS
    return False, False


def _refuse_type(obj: object) -> None:
    """Raise Unsupported for a data triple typing a node with an OWL class that is about the ontology."""
    kind = _local_owl(obj)
    if kind is not None and kind not in _DATA_OWL_TYPES:
        raise Unsupported(f"a data triple declares a <{kind}>")


_OWL_THING = ox.NamedNode(str(OWL.Thing))
_REFLEXIVE = frozenset(ox.NamedNode(str(p)) for p in REFLEXIVE_NOISE)
_TAUTOLOGIES = frozenset(ox.NamedNode(str(p)) for p in THING_TAUTOLOGIES)


def _ox_noise(triple: ox.Triple) -> bool:
    """:func:`is_noise` on pyoxigraph terms."""
    subject, predicate, obj = triple.subject, triple.predicate, triple.object
    if type(subject) is ox.Literal:
        return True
    if type(subject) is ox.NamedNode and subject.value.startswith(W3C_VOCABULARIES):
        return True
    if predicate in _REFLEXIVE and subject == obj:
        return True
    return predicate in _TAUTOLOGIES and obj == _OWL_THING
