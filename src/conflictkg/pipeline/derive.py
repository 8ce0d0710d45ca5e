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

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, XSD

from conflictkg.pipeline.terms import OxTerm, to_ox, to_rdflib
from conflictkg.vocab import CKG, ID, SCHEMA, bind_prefixes

BOUNDS_RULE = ("conflictkg casualty bounds 1 (UCDP low/best/high; ACLED conservative, dozens = 12): exactly N → N/N/N; "
               "at least N → N/N/—; more than N → N+1/N+1/—; approximately N → N/N/N; dozens → 12/24/—; several → 3/3/—")

DERIVE_PREDICATES = (
    RDF.type, CKG["count"], CKG.quantifier, CKG.sameEventAs, SCHEMA.publisher, SCHEMA.name, PROV.wasDerivedFrom,
    CKG.agent, CKG.target, CKG.unitOf, CKG.memberOf, CKG.about, CKG.reportedIn, CKG.claimedBy, CKG.evidence,
)
"""Every predicate :func:`derive` reads: the build hands it only these triples."""

DERIVE_TYPES = (CKG.CasualtyReport, CKG.Person)
"""The only classes :func:`derive` asks about: of the rdf:type triples it needs only these."""

EVIDENCE_OF = str(ID["event/"])
""":func:`derive` reads ckg:evidence only to find the events (IRIs under ``id/event/``) it grades."""


def _ox(iri: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


_TYPE, _COUNT, _QUANTIFIER, _SAME = _ox(RDF.type), _ox(CKG["count"]), _ox(CKG.quantifier), _ox(CKG.sameEventAs)
_PUBLISHER, _NAME, _DERIVED_FROM = _ox(SCHEMA.publisher), _ox(SCHEMA.name), _ox(PROV.wasDerivedFrom)
_AGENT, _TARGET, _UNIT_OF, _MEMBER_OF = _ox(CKG.agent), _ox(CKG.target), _ox(CKG.unitOf), _ox(CKG.memberOf)
_ABOUT, _REPORTED_IN, _CLAIMED_BY, _EVIDENCE = _ox(CKG.about), _ox(CKG.reportedIn), _ox(CKG.claimedBy), _ox(CKG.evidence)
_CASUALTY_REPORT, _PERSON = _ox(CKG.CasualtyReport), _ox(CKG.Person)
_DOZENS, _SEVERAL, _MORE_THAN, _AT_LEAST = _ox(CKG.Dozens), _ox(CKG.Several), _ox(CKG.MoreThan), _ox(CKG.AtLeast)
_NON_NEGATIVE = _ox(XSD.nonNegativeInteger)
_ESTIMATES = (_ox(CKG.lowEstimate), _ox(CKG.bestEstimate), _ox(CKG.highEstimate), _ox(CKG.conservativeEstimate))
_ESTIMATE_RULE, _SOURCE_GRADE = _ox(CKG.estimateRule), _ox(CKG.sourceGrade)
_CORROBORATED, _SINGLE_SOURCE = _ox(CKG.Corroborated), _ox(CKG.SingleSource)
_ANONYMOUS_ONLY, _BELLIGERENT_ONLY = _ox(CKG.AnonymousOnly), _ox(CKG.BelligerentOnly)
_READ = frozenset(_ox(p) for p in DERIVE_PREDICATES)
_TYPES = frozenset(_ox(c) for c in DERIVE_TYPES)


def bounds(count: int | None, quantifier: object) -> tuple[int | None, int | None, int | None, int | None]:
    """(low, best, high, conservative) of a casualty figure by the rule table above; None where unknown.

    ``quantifier`` is an rdflib or a pyoxigraph term."""
    if quantifier in (CKG.Dozens, _DOZENS):
        return 12, 24, None, 12
    if quantifier in (CKG.Several, _SEVERAL):
        return 3, 3, None, 3
    if count is None:
        return None, None, None, None
    if quantifier in (CKG.MoreThan, _MORE_THAN):
        return count + 1, count + 1, None, count + 1
    if quantifier in (CKG.AtLeast, _AT_LEAST):
        return count, count, None, count
    return count, count, count, count


class Facts:
    """The triples derivation reads (pyoxigraph terms), indexed both ways by predicate.

    Built in one streaming pass over millions of triples at scale: plain dictionaries of pyoxigraph
    terms cost a fraction of an rdflib graph of the same triples to fill and to look up. A triple read
    twice (it is in two graphs) is listed twice, which changes no rule's outcome: they read sets.
    """

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        self.forward: dict[ox.NamedNode, dict[OxTerm, list[OxTerm]]] = {p: {} for p in _READ}
        self.backward: dict[ox.NamedNode, dict[OxTerm, list[OxTerm]]] = {p: {} for p in (_SAME, _ABOUT)}
        self.typed: dict[ox.NamedNode, set[OxTerm]] = {c: set() for c in _TYPES}
        forward, backward, typed = self.forward, self.backward, self.typed
        for triple in triples:
            predicate = triple.predicate
            objects = forward.get(predicate)
            if objects is None:
                continue
            subject, obj = triple.subject, triple.object
            if predicate == _TYPE:
                kind = typed.get(obj)  # type: ignore[call-overload]
                if kind is not None:
                    kind.add(subject)
                continue
            if predicate == _EVIDENCE and not (type(subject) is ox.NamedNode and subject.value.startswith(EVIDENCE_OF)):
                continue  # evidence is read only to find the events to grade
            objects.setdefault(subject, []).append(obj)
            inverse = backward.get(predicate)
            if inverse is not None:
                inverse.setdefault(obj, []).append(subject)

    def objects(self, subject: OxTerm, predicate: ox.NamedNode) -> list[OxTerm]:
        return self.forward[predicate].get(subject, [])

    def subjects(self, predicate: ox.NamedNode, obj: OxTerm) -> list[OxTerm]:
        return self.backward[predicate].get(obj, [])

    def value(self, subject: OxTerm, predicate: ox.NamedNode) -> OxTerm | None:
        found = self.forward[predicate].get(subject)
        return found[0] if found else None


def same_events(facts: Facts, event: OxTerm) -> set[OxTerm]:
    """The event and every event joined to it by accepted same-event links, in either direction."""
    seen, todo = {event}, [event]
    while todo:
        current = todo.pop()
        for other in (*facts.objects(current, _SAME), *facts.subjects(_SAME, current)):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def outlets_of(facts: Facts, document: OxTerm) -> frozenset[OxTerm]:
    """A document's publisher and those of the reports it was derived from."""
    outlets = set(facts.objects(document, _PUBLISHER))
    for upstream in facts.objects(document, _DERIVED_FROM):
        outlets.update(facts.objects(upstream, _PUBLISHER))
    return frozenset(outlets or {document})


def _belongs_to(facts: Facts) -> dict[OxTerm, set[OxTerm]]:
    """Each actor's forces (ckg:unitOf, ckg:memberOf), read once for all events."""
    belongs: dict[OxTerm, set[OxTerm]] = {}
    for predicate in (_UNIT_OF, _MEMBER_OF):
        for actor, forces in facts.forward[predicate].items():
            belongs.setdefault(actor, set()).update(forces)
    return belongs


def _is_party(claimant: OxTerm, sides: set[OxTerm], belongs: dict[OxTerm, set[OxTerm]]) -> bool:
    return claimant in sides or bool(belongs.get(claimant, set()) & sides)


def grades(facts: Facts, event: OxTerm, belongs: dict[OxTerm, set[OxTerm]] | None = None) -> set[ox.NamedNode]:
    """The source grades of ``event`` by the rules above (empty when nothing claims it)."""
    belongs = _belongs_to(facts) if belongs is None else belongs
    cluster = same_events(facts, event)
    claims = {c for e in cluster for c in facts.subjects(_ABOUT, e)}
    if not claims:
        return set()
    documents = {d for c in claims for d in facts.objects(c, _REPORTED_IN)}
    claimants = {a for c in claims for a in facts.objects(c, _CLAIMED_BY)}
    outlet_sets = [outlets_of(facts, d) for d in documents]
    independent = any(not (a & b) for i, a in enumerate(outlet_sets) for b in outlet_sets[i + 1:])
    found = {_CORROBORATED if independent else _SINGLE_SOURCE}
    people = claimants & facts.typed[_PERSON]
    if claimants and claimants == people and all(facts.value(a, _NAME) is None for a in people):
        found.add(_ANONYMOUS_ONLY)
    sides = {a for e in cluster for p in (_AGENT, _TARGET) for a in facts.objects(e, p)}
    if claimants and all(_is_party(c, sides, belongs) for c in claimants):
        found.add(_BELLIGERENT_ONLY)
    return found


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_NON_NEGATIVE)


def derived_triples(triples: Iterable[ox.Triple | ox.Quad]) -> set[ox.Triple]:
    """The derived graph of ``triples``: bounds of every casualty report, grades of every event of the data.

    Only the triples whose predicate is one of DERIVE_PREDICATES are read; the rest are skipped.
    """
    facts = Facts(triples)
    out: set[ox.Triple] = set()
    for figure in facts.typed[_CASUALTY_REPORT]:
        count = facts.value(figure, _COUNT)
        low, best, high, conservative = bounds(int(to_rdflib(count)) if count is not None else None,  # type: ignore[call-overload]
                                               facts.value(figure, _QUANTIFIER))
        for predicate, value in zip(_ESTIMATES, (low, best, high, conservative), strict=True):
            if value is not None:
                out.add(ox.Triple(figure, predicate, _integer(value)))  # type: ignore[arg-type]
        if low is not None:
            out.add(ox.Triple(figure, _ESTIMATE_RULE, ox.Literal(BOUNDS_RULE)))  # type: ignore[arg-type]
    events = list(facts.forward[_EVIDENCE])
    belongs = _belongs_to(facts)
    for event in events:
        for grade in grades(facts, event, belongs):
            out.add(ox.Triple(event, _SOURCE_GRADE, grade))  # type: ignore[arg-type]
    return out


def derive(graph: Graph) -> Graph:
    """The derived graph of an rdflib graph (see :func:`derived_triples`)."""
    out = bind_prefixes(Graph())
    triples = (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)  # type: ignore[arg-type]
    for triple in derived_triples(triples):
        out.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return out
