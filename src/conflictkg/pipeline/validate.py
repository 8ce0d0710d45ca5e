"""SHACL validation, and a report a data author can act on.

Two engines give the same results (tests/model/test_shapes.py proves it on the 98 shape fixtures,
tests/pipeline/test_validate.py on broken copies of the article): pySHACL, the reference, on rdflib
graphs; and pyshacl-turbo (a Rust engine with pySHACL's API) on a native rdflib-turbo dataset, which the
build uses because pySHACL needs more than a quarter of an hour at 3 M triples. The native dataset is
filled straight from the source files (no rdflib objects in between) with the ontology mixed in, exactly
what pySHACL does with ``ont_graph``.

The ontology is passed as pyshacl's ``ont_graph`` so that ``sh:targetClass ckg:Event`` also reaches
instances of its subclasses (SHACL follows ``rdfs:subClassOf`` in the data graph). Each result names
the focus node, the path, the message, the severity and the file(s) the focus node was written in, so
that a failing build points at the line to fix rather than at a graph. ``sh:Warning`` and ``sh:Info``
results are reported but do not fail a build; only ``sh:Violation`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyshacl
import pyshacl_turbo
import rdflib_turbo
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.sources import FilePart, Sources, union
from conflictkg.vocab import bind_prefixes


@dataclass(frozen=True)
class ShaclResult:
    """One ``sh:ValidationResult``, flattened for people."""

    focus: str
    path: str
    message: str
    severity: str
    files: tuple[str, ...]

    def __str__(self) -> str:
        where = ", ".join(self.files) if self.files else "(no source file)"
        return f"{self.severity}: {self.focus}\n    path: {self.path}\n    message: {self.message}\n    file: {where}"


@dataclass(frozen=True)
class Validation:
    """The outcome of a validation: conformance, the readable results and the report graph."""

    conforms: bool
    results: tuple[ShaclResult, ...]
    report: Graph

    def describe(self) -> str:
        """A readable report: a summary line and one block per result."""
        if not self.results:
            return "SHACL: conforms (no results)"
        head = "SHACL: conforms" if self.conforms else "SHACL: does not conform"
        return f"{head} ({len(self.results)} result(s))\n" + "\n".join(str(r) for r in self.results)


class ValidationFailed(PipelineError):
    """The data does not conform to the shapes; ``validation`` holds the full outcome."""

    def __init__(self, validation: Validation) -> None:
        self.validation = validation
        super().__init__(validation.describe())


def _render(node: Node | None, report: Graph, names: Graph) -> str:
    """A node as a reader writes it: prefixed name, literal, or a SHACL path expression."""
    if node is None:
        return "(none)"
    if isinstance(node, BNode):
        if (node, RDF.first, None) in report:
            return "(" + " / ".join(_render(n, report, names) for n in report.items(node)) + ")"
        for predicate, symbol in ((SH.inversePath, "^"), (SH.zeroOrMorePath, "*"),
                                  (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = report.value(node, predicate)
            if inner is not None:
                text = _render(inner, report, names)
                return f"^{text}" if symbol == "^" else f"{text}{symbol}"
        alternatives = report.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + " | ".join(_render(n, report, names) for n in report.items(alternatives)) + ")"
        return "[blank node]"
    return node.n3(names.namespace_manager)


Origins = Callable[[Sequence[Node]], Mapping[Node, Iterable[str]]]
"""For a batch of focus nodes, the files each is written in (one pass over the sources for all)."""


def _one_by_one(origins: Callable[[Node], Iterable[str]]) -> Origins:
    return lambda nodes: {node: origins(node) for node in nodes}


def _results(report: Graph, origins: Origins) -> tuple[ShaclResult, ...]:
    names = bind_prefixes(Graph())
    results = []
    found = list(report.subjects(RDF.type, SH.ValidationResult))
    focus_nodes = sorted({f for r in found if (f := report.value(r, SH.focusNode)) is not None}, key=str)
    where = origins(focus_nodes) if focus_nodes else {}
    for result in found:
        focus = report.value(result, SH.focusNode)
        severity = report.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        results.append(
            ShaclResult(
                focus=_render(focus, report, names),
                path=_render(report.value(result, SH.resultPath), report, names),
                message="; ".join(messages) or "(no message)",
                severity=str(severity).rsplit("#", 1)[-1] if isinstance(severity, URIRef) else "Violation",
                files=tuple(where.get(focus, ())) if focus is not None else (),
            )
        )
    return tuple(sorted(results, key=lambda r: (r.severity, r.focus, r.path, r.message)))


def validate(
    data: Iterable[Graph],
    shapes: Graph,
    ontology: Graph,
    origins: Callable[[Node], Iterable[str]] = lambda node: (),
) -> Validation:
    """Validate the union of ``data`` against ``shapes`` (ontology as ``ont_graph``)."""
    conforms, report, _ = pyshacl.validate(
        union(data),
        shacl_graph=union([shapes]),
        ont_graph=union([ontology]),
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    if not isinstance(report, Graph):  # pyshacl refused the shapes themselves (e.g. SERVICE in a SPARQL constraint)
        raise PipelineError(f"the SHACL shapes cannot be applied: {str(report).strip()}")
    return Validation(conforms=bool(conforms), results=_results(bind_prefixes(report), _one_by_one(origins)),
                      report=report)


def native_dataset(sources: Sources, graphs: Iterable[URIRef]) -> rdflib_turbo.Dataset:
    """One rdflib-turbo dataset (default graph) with every triple of the named ``graphs``.

    Files are parsed by rdflib-turbo itself; triples held in memory go over as N-Triples.
    """
    dataset = rdflib_turbo.Dataset()
    for iri in graphs:
        for part in sources.content(iri):
            if isinstance(part, FilePart) and not part.path.name.endswith(".gz"):
                dataset.parse(str(part.path), format="turtle", publicID=part.path.resolve().as_uri())
            else:
                dataset.parse(data=part.ntriples(), format="nt")
    return dataset


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_CLASSES = (RDFS.Class, OWL.Class)


def shape_groups(shapes: Graph) -> list[Graph]:
    """The shapes graph split into one shapes graph per targeted shape, each with everything that shape
    refers to (its property shapes, lists, shapes used by sh:node / sh:or…, SPARQL constraints and their
    prefixes), the targets of the shapes it only refers to left out.

    Validating the groups one by one finds exactly the results of validating all shapes at once (a
    result belongs to the shape whose target chose its focus node). pyshacl-turbo's cost of one pass
    over all shapes grew faster than the sum of the shapes alone at 3.35 M triples (254 s of CPU; the
    seven costliest shapes alone 95 s), while each call costs ~1.5 s there: README, "Building at scale".
    """
    roots = sorted({s for p in TARGETS for s in shapes.subjects(p, None)}
                   | {s for c in _CLASSES for s in shapes.subjects(RDF.type, c)
                      if (s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape) in shapes},
                   key=str)
    groups = []
    for root in roots:
        group = _empty_like(shapes)
        _copy_closure(shapes, group, [root], set(), lambda node, predicate, obj: node != root and (
            predicate in TARGETS or (predicate == RDF.type and obj in _CLASSES)))
        groups.append(group)
    return groups


_CHECKED = frozenset({SH.minCount, SH.maxCount, SH.nodeKind, SH["class"]})
"""The constraints a property shape may have to be checked by SPARQL instead of the engine."""
_NAMING = frozenset({RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.message, SH.path,
                     SH.severity, SH.order, SH.group})
"""What a property shape may say besides its constraints: names, messages, path, severity."""
_TARGETED = frozenset({SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf})
_NODE_KINDS = {
    SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}
_TYPE, _SUBCLASS = RDF.type.n3(), f"{RDFS.subClassOf.n3()}*"


@dataclass(frozen=True)
class PropertyCheck:
    """A property shape with a plain predicate path and only count, node-kind and class constraints,
    checked by SPARQL over the native dataset instead of by the engine.

    pyshacl-turbo's cost for one focus node grows with the square (or worse) of its values on a path:
    at 10⁵ events one article derived from 18 k upstream reports cost 110 s of CPU per pass in
    ``Article-derivedFrom`` alone, where the same checks as SPARQL queries take well under a second.
    The results are the engine's: the same focus node, path, value, source shape, constraint component,
    severity and messages (tests/model/test_shapes.py compares them on every broken fixture).
    """

    shape: URIRef
    path: URIRef
    targets: tuple[tuple[URIRef, Node], ...]
    """The targets of the node shape holding it (sh:targetClass, …, and its value), an implicit class
    target as sh:targetClass."""
    constraints: tuple[tuple[URIRef, Node], ...]
    messages: tuple[Literal, ...]
    severity: URIRef

    @classmethod
    def of(cls, shapes: Graph, node_shape: Node, shape: Node) -> PropertyCheck | None:
        """The check for ``shape`` (a ``sh:property`` of the targeted ``node_shape``), or None when the
        engine must run it: another path, another constraint, no message of its own, or used elsewhere."""
        if not isinstance(shape, URIRef) or set(shapes.subject_predicates(shape)) != {(node_shape, SH.property)}:
            return None
        path = shapes.value(shape, SH.path)
        predicates = set(shapes.predicates(shape))
        if not isinstance(path, URIRef) or not predicates & _CHECKED or predicates - _CHECKED - _NAMING:
            return None
        constraints = []
        for kind in sorted(predicates & _CHECKED):
            values = list(shapes.objects(shape, kind))
            if len(values) != 1 or not _checkable(kind, values[0]):
                return None
            constraints.append((kind, values[0]))
        messages = tuple(m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal))
        severities = list(shapes.objects(shape, SH.severity))
        targets = _targets(shapes, node_shape)
        if not messages or len(severities) > 1 or not isinstance(targets, tuple) or not targets:
            return None
        severity = severities[0] if severities else SH.Violation
        if not isinstance(severity, URIRef):
            return None
        return cls(shape, path, targets, tuple(constraints), messages, severity)

    def _focus(self, dataset: rdflib_turbo.Dataset) -> str:
        """A subquery binding ?this to each focus node once.

        A class's SHACL instances are written as its subclasses (read from ``dataset`` first) in VALUES,
        then ``?this rdf:type ?class``: the engine's plan for ``rdf:type/rdfs:subClassOf*`` scanned
        every typed node for each class, 0.14 s per query at 10⁴ events however few instances it had.
        """
        patterns = []
        for kind, term in self.targets:
            if kind == SH.targetClass:
                patterns.append(f"{{ VALUES ?class {{ {_subclasses(dataset, term)} }} ?this {_TYPE} ?class }}")  # type: ignore[arg-type]
            elif kind == SH.targetNode:
                patterns.append(f"{{ VALUES ?this {{ {term.n3()} }} }}")
            elif kind == SH.targetSubjectsOf:
                patterns.append(f"{{ ?this {term.n3()} ?any }}")
            else:
                patterns.append(f"{{ ?any {term.n3()} ?this }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(patterns) + " } }"

    def violations(self, dataset: rdflib_turbo.Dataset) -> Iterator[tuple[URIRef, Node, Node | None]]:
        """(constraint component, focus node, value or None) of each result: one query for the counts
        and one for the values, whatever the number of constraints of each kind."""
        constraints = dict(self.constraints)
        focus, path = self._focus(dataset), self.path.n3()
        least, most = constraints.get(SH.minCount), constraints.get(SH.maxCount)
        if least is not None or most is not None:
            tests = [f"COUNT(DISTINCT ?value) < {int(least)}"] if least is not None else []  # type: ignore[call-overload]
            tests += [f"COUNT(DISTINCT ?value) > {int(most)}"] if most is not None else []  # type: ignore[call-overload]
            query = (f"SELECT ?this (COUNT(DISTINCT ?value) AS ?count) WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} }} "
                     f"GROUP BY ?this HAVING ({' || '.join(tests)})")
            for row in dataset.query(query).bindings:
                count = int(row[Variable("count")])
                if least is not None and count < int(least):  # type: ignore[call-overload]
                    yield SH.MinCountConstraintComponent, row[Variable("this")], None
                if most is not None and count > int(most):  # type: ignore[call-overload]
                    yield SH.MaxCountConstraintComponent, row[Variable("this")], None
        kind, cls = constraints.get(SH.nodeKind), constraints.get(SH["class"])
        if kind is None and cls is None:
            return
        kind_test = _NODE_KINDS[kind] if kind is not None else "true"  # type: ignore[index]
        class_test = (f"EXISTS {{ VALUES ?class {{ {_subclasses(dataset, cls)} }} ?value {_TYPE} ?class }}"  # type: ignore[arg-type]
                      if cls is not None else "true")
        query = (f"SELECT DISTINCT ?this ?value ?kind ?instance WHERE {{ {focus} ?this {path} ?value "
                 f"BIND ({kind_test} AS ?kind) BIND ({class_test} AS ?instance) FILTER (!?kind || !?instance) }}")
        for row in dataset.query(query).bindings:
            if not row[Variable("kind")].toPython():
                yield SH.NodeKindConstraintComponent, row[Variable("this")], row[Variable("value")]
            if not row[Variable("instance")].toPython():
                yield SH.ClassConstraintComponent, row[Variable("this")], row[Variable("value")]

    def report(self, dataset: rdflib_turbo.Dataset) -> tuple[bool, Graph]:
        """(conforms, a validation report with the engine's results) for this check over ``dataset``."""
        report, head = Graph(), BNode()
        report.add((head, RDF.type, SH.ValidationReport))
        violated = False
        for component, focus, value in self.violations(dataset):
            result = BNode()
            report.add((head, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, focus))
            report.add((result, SH.resultPath, self.path))
            report.add((result, SH.resultSeverity, self.severity))
            report.add((result, SH.sourceConstraintComponent, component))
            report.add((result, SH.sourceShape, self.shape))
            for message in self.messages:
                report.add((result, SH.resultMessage, message))
            if value is not None:
                report.add((result, SH.value, value))
            violated = violated or self.severity == SH.Violation
        report.add((head, SH.conforms, Literal(not violated)))
        return not violated, report


def _subclasses(dataset: rdflib_turbo.Dataset, cls: URIRef) -> str:
    """``cls`` and its subclasses in ``dataset`` (``rdfs:subClassOf*``, as SHACL reads class membership
    in the data graph), for a VALUES clause."""
    rows = dataset.query(f"SELECT DISTINCT ?class WHERE {{ ?class {_SUBCLASS} {cls.n3()} }}").bindings
    return " ".join(sorted({cls.n3(), *(row[Variable("class")].n3() for row in rows)}))


def _checkable(kind: URIRef, value: Node) -> bool:
    if kind in (SH.minCount, SH.maxCount):
        return isinstance(value, Literal) and isinstance(value.toPython(), int) and not isinstance(value.toPython(), bool)
    if kind == SH.nodeKind:
        return value in _NODE_KINDS
    return isinstance(value, URIRef)


def _targets(shapes: Graph, node_shape: Node) -> tuple[tuple[URIRef, Node], ...] | None:
    """The node shape's targets, or None if it has one SPARQL cannot be handed as a term (a SPARQL-based
    ``sh:target``, a blank node) or is deactivated."""
    predicates = set(shapes.predicates(node_shape))
    if SH.target in predicates or SH.deactivated in predicates:
        return None
    targets: list[tuple[URIRef, Node]] = [(kind, term) for kind in sorted(_TARGETED)
                                          for term in shapes.objects(node_shape, kind)]
    if any((node_shape, RDF.type, c) in shapes for c in _CLASSES):
        targets.append((SH.targetClass, node_shape))  # an implicit class target
    if any(isinstance(term, BNode) or (kind != SH.targetNode and not isinstance(term, URIRef))
           for kind, term in targets):
        return None
    return tuple(targets)


def split_group(group: Graph) -> tuple[list[Graph], list[PropertyCheck]]:
    """A shape group (:func:`shape_groups`) as what the engine validates, one shapes graph per call, and
    the property shapes of its targeted shape that SPARQL checks instead (:class:`PropertyCheck`).

    The engine gets the targeted shape's property shapes with a ``sh:qualifiedValueShape`` (all of them:
    they are one another's siblings) in a call of their own, apart from its other constraints: at 10⁵
    events the evidence-span shape cost 48 s of CPU in one call where its parts alone cost 9 s (the
    qualified selector shapes with the ``sh:or`` of the span's source). The results are the same: a
    property shape's results depend on its focus node and its siblings only.
    """
    roots = {s for p in _TARGETED | {SH.target} for s in group.subjects(p, None)}
    roots |= {s for c in _CLASSES for s in group.subjects(RDF.type, c)}
    if len(roots) != 1:
        return [group], []
    root = roots.pop()
    if (root, SH.path, None) in group or (root, SH.deactivated, None) in group:
        return [group], []  # a targeted property shape: its properties' focus nodes are its values
    checks = [c for ps in sorted(group.objects(root, SH.property), key=str)
              if (c := PropertyCheck.of(group, root, ps)) is not None]
    moved = {c.shape for c in checks}
    rest = [ps for ps in group.objects(root, SH.property) if ps not in moved]
    qualified = {ps for ps in rest if (ps, SH.qualifiedValueShape, None) in group}
    if not moved and (not qualified or len(qualified) == len(rest) and not _constrains(group, root)):
        return [group], []
    others = set(rest) - qualified
    engine = [_reachable(group, root, others, own=True)] if others or _constrains(group, root) else []
    if qualified:
        engine.append(_reachable(group, root, qualified, own=False))
    return engine, checks


_OWN = _TARGETED | {SH.target, RDF.type}
"""What a targeted shape keeps in a call that checks only some of its property shapes."""


def _constrains(group: Graph, root: Node) -> bool:
    """True if the shape ``root`` has constraints of its own (node-level), besides its property shapes."""
    return any(p not in _OWN | _NAMING | {SH.property} for p in group.predicates(root))


def _reachable(group: Graph, root: Node, properties: set[Node], own: bool) -> Graph:
    """The shapes graph of one engine call: ``root`` with its targets, its own constraints if ``own``,
    the property shapes ``properties`` and everything they refer to."""
    graph = _empty_like(group)
    for predicate, obj in group.predicate_objects(root):
        if predicate == SH.property:
            if obj in properties:
                graph.add((root, predicate, obj))
        elif own or predicate in _OWN:
            graph.add((root, predicate, obj))
    _copy_closure(group, graph, [n for n in graph.objects(root, None) if n != root], {root})
    return graph


def _empty_like(shapes: Graph) -> Graph:
    """An empty graph with the prefixes of ``shapes`` (the engine words its messages with them)."""
    graph = Graph()
    for prefix, namespace in shapes.namespaces():
        graph.bind(prefix, namespace, override=True)
    return graph


def _copy_closure(source: Graph, into: Graph, todo: list[Node], seen: set[Node],
                  skip: Callable[[Node, Node, Node], bool] = lambda node, predicate, obj: False) -> None:
    """Copy into ``into`` the triples of ``source`` about the nodes ``todo`` and, transitively, about the
    nodes they refer to (``skip`` leaves a triple out), except the nodes already ``seen``."""
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for predicate, obj in source.predicate_objects(node):
            if skip(node, predicate, obj):
                continue
            into.add((node, predicate, obj))
            if isinstance(obj, (BNode, URIRef)) and (obj, None, None) in source:
                todo.append(obj)


def _merged_report(reports: Sequence[Graph], conforms: bool) -> Graph:
    """One sh:ValidationReport with the results of ``reports`` (each a report of one shape group)."""
    merged = Graph()
    report = BNode()
    merged.add((report, RDF.type, SH.ValidationReport))
    merged.add((report, SH.conforms, Literal(conforms)))
    for part in reports:
        heads = set(part.subjects(RDF.type, SH.ValidationReport))
        for head in heads:
            for result in part.objects(head, SH.result):
                merged.add((report, SH.result, result))
        for triple in part:
            if triple[0] not in heads:
                merged.add(triple)
    return merged


def validate_native(dataset: rdflib_turbo.Dataset, shapes: Graph, origins: Origins = lambda nodes: {},
                    *, by_shape: bool = True) -> Validation:
    """Validate a native dataset (data with the ontology mixed in) against ``shapes`` with pyshacl-turbo:
    one shape group at a time (:func:`shape_groups`), its simple property shapes checked by SPARQL
    (:class:`PropertyCheck`); or all shapes at once by the engine alone with ``by_shape=False``."""
    outcomes = []
    for group in shape_groups(shapes) if by_shape else [shapes]:
        calls, checks = split_group(group) if by_shape else ([group], [])
        outcomes.extend(check.report(dataset) for check in checks)
        outcomes.extend(_engine(dataset, call) for call in calls)
    conforms = all(c for c, _ in outcomes)
    report = _merged_report([r for _, r in outcomes], conforms) if by_shape else outcomes[0][1]
    return Validation(conforms=conforms, results=_results(bind_prefixes(report), origins), report=report)


def _engine(dataset: rdflib_turbo.Dataset, shapes: Graph) -> tuple[bool, Graph]:
    """(conforms, report) of pyshacl-turbo over ``dataset``; shapes it refuses are a PipelineError."""
    try:
        conforms, report, _ = pyshacl_turbo.validate(
            dataset,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
        )
    except NotImplementedError as exc:  # a SPARQL feature the engine refuses (e.g. FROM): the shapes' fault
        raise PipelineError(f"the SHACL shapes cannot be applied: {exc}") from None
    if not isinstance(report, Graph):  # the engine refused the shapes themselves
        raise PipelineError(f"the SHACL shapes cannot be applied: {str(report).strip()}")
    return bool(conforms), report


def require_conformance(validation: Validation) -> Validation:
    """Raise ValidationFailed unless ``validation`` conforms; return it otherwise."""
    if not validation.conforms:
        raise ValidationFailed(validation)
    return validation
