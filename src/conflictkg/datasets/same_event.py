"""Which imported (GED) event is a report talking about? Scored same-event proposals.

For every pair of an event of the reports and an imported event, three criteria are scored from 0 to 1
and combined (weights 0.4 date, 0.4 place, 0.2 type); pairs scoring at least ``threshold`` (default
0.6) with some date and place agreement are proposed, best first, at most ``per_event`` per reported
event. The criteria (method ``same-event/1``):

- **date window**: the two date ranges overlap → 1; else falling linearly to 0 at ``window`` days
  apart (default 3). A reported event without a date takes that of the nearest event it is a
  ckg:subEventOf (said in the evidence); with none at all the pair is not proposed.
- **place identity/containment**: the same place → 1; one inside the other (ckg:locatedIn) → 0.8;
  points within 5 km → 0.9, within 25 km → 0.6; else the smallest shared administrative area:
  second-order 0.5, first-order 0.3, country 0.1.
- **event-type compatibility**: the UCDP type of violence the reported event maps to (the export's
  rule) equals the imported one → 1; fighting (UCDP 1/2) against fighting of the other UCDP kind → 0.7;
  anything else → 0.2.

Proposals are data, not facts: each is a ckg:SameEventProposal with both events, the score, the method,
the evidence in words and ckg:reviewStatus ckg:Unreviewed, written as Turtle for review (and merge with
the corpus's same-event links); nothing asserts owl:sameAs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from conflictkg.datasets.export import EventRow, Snapshot, point
from conflictkg.vocab import CKG, ID, bind_prefixes

METHOD = "same-event/1: date window, place identity/containment, event-type compatibility"
WEIGHTS = {"date": 0.4, "place": 0.4, "type": 0.2}


@dataclass(frozen=True)
class Proposal:
    """One scored proposal: the reported event, the imported event, the score and why."""

    reported: str
    imported: str
    score: float
    evidence: str

    @property
    def iri(self) -> URIRef:
        return ID[f"link/same-event/{self.reported.rsplit('/', 1)[-1]}--{self.imported.rsplit('/', 1)[-1]}"]


def _dates(row: EventRow, rows: dict[str, EventRow]) -> tuple[date, date, str] | None:
    """The event's date range, or its nearest dated parent's (with a note saying so)."""
    seen: set[str] = set()
    node: EventRow | None = row
    while node is not None and node.iri not in seen:
        seen.add(node.iri)
        if node.start():
            note = "" if node is row else f" (from the event it is part of, {node.iri.rsplit('/', 1)[-1]})"
            return date.fromisoformat(node.start()), date.fromisoformat(node.end()), note
        parents = node.m("sub_event_of")
        node = rows.get(parents[0]) if parents else None
    return None


def _date_score(a: tuple[date, date, str], b: tuple[date, date, str], window: int) -> tuple[float, str]:
    gap = max((a[0] - b[1]).days, (b[0] - a[1]).days, 0)
    score = 1.0 if gap == 0 else max(0.0, 1 - gap / (window + 1))
    what = "dates overlap" if gap == 0 else f"{gap} days apart"
    return score, f"{what}: {a[0]}–{a[1]}{a[2]} and {b[0]}–{b[1]}"


def _km(a: tuple[str, str], b: tuple[str, str]) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(float(x)) for x in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def _place_score(a: EventRow, b: EventRow) -> tuple[float, str]:
    pa, pb = a.place(), b.place()
    if not pa or not pb:
        return 0.0, "a place is unknown"
    if pa == pb:
        return 1.0, f"same place ({a.label(pa)})"
    if pb in a.chain(pa) or pa in b.chain(pb):
        return 0.8, f"one place contains the other ({a.label(pa)}, {b.label(pb)})"
    wa = a.snap.node_values.get(pa, {}).get("wkt")
    wb = b.snap.node_values.get(pb, {}).get("wkt")
    if wa and wb:
        km = _km(point(wa), point(wb))
        if km <= 5:
            return 0.9, f"{km:.1f} km apart ({a.label(pa)}, {b.label(pb)})"
        if km <= 25:
            return 0.6, f"{km:.1f} km apart ({a.label(pa)}, {b.label(pb)})"
    shared = [x for x in a.areas() if x in b.areas()]
    if shared:
        level = len(shared) - 1
        return {0: 0.1, 1: 0.3}.get(level, 0.5), f"both in {a.label(shared[-1])}"
    return 0.0, "no shared place or area"


def _type_score(a: EventRow, b: EventRow) -> tuple[float, str]:
    ta, tb = a.ucdp_violence(), b.ucdp_violence()
    if ta == tb:
        return 1.0, f"same UCDP type of violence ({ta})"
    if {ta, tb} <= {"1", "2"}:
        return 0.7, f"both fighting (UCDP {ta} and {tb})"
    return 0.2, f"different kinds of violence (UCDP {ta} and {tb})"


def propose(snap: Snapshot, *, window: int = 3, threshold: float = 0.6, per_event: int = 3) -> list[Proposal]:
    """Proposals for every reported event against every imported event (see the module doc)."""
    rows = {iri: EventRow(iri, snap) for iri in snap.classes}
    imported = [r for r in rows.values() if r.imported()]
    dated_imports = [(r, _dates(r, rows)) for r in imported]
    proposals: list[Proposal] = []
    for reported in (r for r in rows.values() if not r.imported()):
        when = _dates(reported, rows)
        if when is None:
            continue
        found = []
        for other, other_when in dated_imports:
            if other_when is None:
                continue
            date_score, date_note = _date_score(when, other_when, window)
            if date_score == 0:
                continue
            place_score, place_note = _place_score(reported, other)
            if place_score == 0:
                continue
            type_score, type_note = _type_score(reported, other)
            score = WEIGHTS["date"] * date_score + WEIGHTS["place"] * place_score + WEIGHTS["type"] * type_score
            if score >= threshold:
                found.append(Proposal(reported.iri, other.iri, round(score, 3),
                                      f"{date_note}; {place_note}; {type_note}"))
        proposals += sorted(found, key=lambda p: (-p.score, p.imported))[:per_event]
    return sorted(proposals, key=lambda p: (-p.score, p.reported, p.imported))


def proposals_graph(proposals: Iterable[Proposal]) -> Graph:
    """The proposals as RDF (ckg:SameEventProposal, unreviewed)."""
    graph = bind_prefixes(Graph())
    for p in proposals:
        graph.add((p.iri, RDF.type, CKG.SameEventProposal))
        graph.add((p.iri, CKG.sameEventCandidate, URIRef(p.reported)))
        graph.add((p.iri, CKG.sameEventCandidate, URIRef(p.imported)))
        graph.add((p.iri, CKG.proposalScore, Literal(f"{p.score:.3f}", datatype=XSD.decimal)))
        graph.add((p.iri, CKG.proposalMethod, Literal(METHOD)))
        graph.add((p.iri, CKG.proposalEvidence, Literal(p.evidence, lang="en")))
        graph.add((p.iri, CKG.reviewStatus, CKG.Unreviewed))
    return graph
