"""Derived by rule, kept apart from what sources say: casualty bounds and source grades (graph/derived).

Casualty bounds (UCDP GED keeps low/best/high; ACLED codes the most conservative figure):

| quantifier | low | best | high | conservative (ACLED) |
|---|---|---|---|---|
| exactly N | N | N | N | N |
| at least N | N | N | — | N |
| more than N | N+1 | N+1 | — | N+1 |
| approximately N | N | N | N | N (no range is invented around "around") |
| dozens | 12 | 24 | — | 12 (ACLED codes "dozens" as 12; two dozen is the least plural) |
| several | 3 | 3 | — | 3 |

Source grades of an event, over the event and the events accepted as the same (ckg:sameEventAs):

- ckg:Corroborated: claims about it appear in documents of two independent outlets (a document counts
  as its publisher and as the publishers of the reports it was derived from, so a rewrite does not
  corroborate its own source);
- ckg:SingleSource: otherwise;
- ckg:AnonymousOnly: every claimant is a person without a name (schema:name), and no document narrates
  it in its own voice;
- ckg:BelligerentOnly: every claimant is a party to the event: an agent or target of it, or a unit or
  member of one.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD
from rdflib.term import Node

from conflictkg.vocab import CKG, ID, SCHEMA, bind_prefixes

BOUNDS_RULE = ("conflictkg casualty bounds 1 (UCDP low/best/high; ACLED conservative, dozens = 12): exactly N → N/N/N; "
               "at least N → N/N/—; more than N → N+1/N+1/—; approximately N → N/N/N; dozens → 12/24/—; several → 3/3/—")


def bounds(count: int | None, quantifier: Node | None) -> tuple[int | None, int | None, int | None, int | None]:
    """(low, best, high, conservative) of a casualty figure by the rule table above; None where unknown."""
    if quantifier == CKG.Dozens:
        return 12, 24, None, 12
    if quantifier == CKG.Several:
        return 3, 3, None, 3
    if count is None:
        return None, None, None, None
    if quantifier == CKG.MoreThan:
        return count + 1, count + 1, None, count + 1
    if quantifier == CKG.AtLeast:
        return count, count, None, count
    return count, count, count, count


DERIVE_PREDICATES = (
    RDF.type, CKG["count"], CKG.quantifier, CKG.sameEventAs, SCHEMA.publisher, SCHEMA.name, PROV.wasDerivedFrom,
    CKG.agent, CKG.target, CKG.unitOf, CKG.memberOf, CKG.about, CKG.reportedIn, CKG.claimedBy, CKG.evidence,
)
"""Every predicate :func:`derive` reads: the build hands it only these triples."""

DERIVE_TYPES = (CKG.CasualtyReport, CKG.Person)
"""The only classes :func:`derive` asks about: of the rdf:type triples it needs only these."""

EVIDENCE_OF = str(ID["event/"])
""":func:`derive` reads ckg:evidence only to find the events (IRIs under ``id/event/``) it grades."""


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.nonNegativeInteger)


def same_events(graph: Graph, event: Node) -> set[Node]:
    """The event and every event joined to it by accepted same-event links, in either direction."""
    seen, todo = {event}, [event]
    while todo:
        current = todo.pop()
        for other in (*graph.objects(current, CKG.sameEventAs), *graph.subjects(CKG.sameEventAs, current)):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def outlets_of(graph: Graph, document: Node) -> frozenset[Node]:
    """A document's publisher and those of the reports it was derived from."""
    outlets = set(graph.objects(document, SCHEMA.publisher))
    for upstream in graph.objects(document, PROV.wasDerivedFrom):
        outlets.update(graph.objects(upstream, SCHEMA.publisher))
    return frozenset(outlets or {document})


def _belongs_to(graph: Graph) -> dict[Node, set[Node]]:
    """Each actor's forces (ckg:unitOf, ckg:memberOf), read once for all events."""
    belongs: dict[Node, set[Node]] = {}
    for predicate in (CKG.unitOf, CKG.memberOf):
        for actor, force in graph.subject_objects(predicate):
            belongs.setdefault(actor, set()).add(force)
    return belongs


def _is_party(claimant: Node, sides: set[Node], belongs: dict[Node, set[Node]]) -> bool:
    return claimant in sides or bool(belongs.get(claimant, set()) & sides)


def grades(graph: Graph, event: Node, belongs: dict[Node, set[Node]] | None = None) -> set[URIRef]:
    """The source grades of ``event`` by the rules above (empty when nothing claims it)."""
    belongs = _belongs_to(graph) if belongs is None else belongs
    cluster = same_events(graph, event)
    claims = {c for e in cluster for c in graph.subjects(CKG.about, e)}
    if not claims:
        return set()
    documents = {d for c in claims for d in graph.objects(c, CKG.reportedIn)}
    claimants = {a for c in claims for a in graph.objects(c, CKG.claimedBy)}
    outlet_sets = [outlets_of(graph, d) for d in documents]
    independent = any(not (a & b) for i, a in enumerate(outlet_sets) for b in outlet_sets[i + 1:])
    found = {CKG.Corroborated if independent else CKG.SingleSource}
    people = {a for a in claimants if (a, RDF.type, CKG.Person) in graph}
    if claimants and claimants == people and all(graph.value(a, SCHEMA.name) is None for a in people):
        found.add(CKG.AnonymousOnly)
    sides = {a for e in cluster for p in (CKG.agent, CKG.target) for a in graph.objects(e, p)}
    if claimants and all(_is_party(c, sides, belongs) for c in claimants):
        found.add(CKG.BelligerentOnly)
    return found


def derive(graph: Graph) -> Graph:
    """The derived graph: bounds of every casualty report, grades of every event of the data."""
    out = bind_prefixes(Graph())
    for figure in sorted(set(graph.subjects(RDF.type, CKG.CasualtyReport)), key=str):
        count = graph.value(figure, CKG["count"])
        low, best, high, conservative = bounds(int(count) if count is not None else None,
                                               graph.value(figure, CKG.quantifier))
        for predicate, value in ((CKG.lowEstimate, low), (CKG.bestEstimate, best), (CKG.highEstimate, high),
                                 (CKG.conservativeEstimate, conservative)):
            if value is not None:
                out.add((figure, predicate, _integer(value)))
        if low is not None:
            out.add((figure, CKG.estimateRule, Literal(BOUNDS_RULE)))
    events = {e for e in graph.subjects(CKG.evidence, None)
              if isinstance(e, URIRef) and str(e).startswith(EVIDENCE_OF)}
    belongs = _belongs_to(graph)
    for event in sorted(events, key=str):
        for grade in sorted(grades(graph, event, belongs), key=str):
            out.add((event, CKG.sourceGrade, grade))
    return out
