"""Propose that events of different reports are the same event, with score, method, evidence and review.

A pair of events from two documents (the article's data graph, each report's graph) is scored on four
pieces of evidence, each of which can also rule the pair out:

- date: the same day scores 1, one day apart 0.5 (reports lag or round); further apart rules it out;
- place: the same place, or places with the same gazetteer identifier, score 1; one place containing the
  other (``ckg:locatedIn``) 0.6; unrelated places rule it out; a missing place scores 0.3;
- type: the same class scores 1; a broader/narrower class through the SKOS event-type scheme 0.6 (not
  through the top concept); anything else rules it out;
- actors: shared agents (or a unit of / member of one) score 1; disjoint agents rule it out; a
  missing side scores 0.5.

The score is 0.3·date + 0.35·place + 0.2·type + 0.15·actors; pairs at or above THRESHOLD become
``ckg:SameEventLink`` records in the links graph, ``ckg:Unreviewed``. A person accepts or rejects a link
by stating ``<link> ckg:reviewStatus ckg:Accepted`` (or Rejected) in ``data/same-event-reviews.ttl``; only
an accepted link adds ``ckg:sameEventAs`` between the events. Casualty figures are deliberately not
evidence of identity: two events with the same figure are not thereby the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from datetime import date, timedelta
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from conflictkg.vocab import CKG, DATA_GRAPH, GEONAMES, ID, REPORT_GRAPHS, SCHEMA, bind_prefixes

THRESHOLD = 0.7
METHOD = ("conflictkg same-event rules 1: date within one day, place identity or containment (ckg:locatedIn, "
          "gazetteer links), event-type compatibility through the SKOS scheme, actor overlap; score "
          "0.3 date + 0.35 place + 0.2 type + 0.15 actors, proposed at 0.7")
ARTICLE = "article"
_MISSING = object()
REVIEWS_FILE = "data/same-event-reviews.ttl"
"""Where a reviewer's decisions on same-event links live (loaded into the data graph like any data/*.ttl)."""


@dataclass(frozen=True)
class Proposal:
    """A scored pair of events with the reasons, before it is written as RDF."""

    first: URIRef
    second: URIRef
    score: float
    reasons: tuple[str, ...]

    @property
    def iri(self) -> URIRef:
        return link_iri(self.first, self.second)


def link_iri(first: URIRef, second: URIRef) -> URIRef:
    """``id/eventlink/<first>--<second>`` from the two events' paths, in IRI order (stable, symmetric)."""
    a, b = sorted((str(first), str(second)))
    short = [s.removeprefix(str(ID["event/"])).replace("/", "-") for s in (a, b)]
    return ID[f"eventlink/{short[0]}--{short[1]}"]


def _date(graph: Graph, event: Node) -> date | None:
    value = graph.value(event, CKG.date)
    return value.toPython() if isinstance(value, Literal) and isinstance(value.toPython(), date) else None


def _short(node: Node) -> str:
    return str(node).removeprefix(str(ID))


class _Knowledge:
    """The background the scoring reads: containment, gazetteer links, the type scheme, actor relations."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.concept_of = {cls: concept for concept, cls in graph.subject_objects(CKG.eventClass)}
        self._memo: dict[tuple[str, object], object] = {}

    def _cached(self, kind: str, key: object, compute: Callable[[], object]) -> Any:
        """Graph lookups repeat for every candidate pair; each answer is computed once."""
        found = self._memo.get((kind, key), _MISSING)
        if found is _MISSING:
            found = self._memo[(kind, key)] = compute()
        return found

    def facts(self, graph: Graph, event: Node) -> tuple[date | None, frozenset[Node], frozenset[Node], frozenset[Node]]:
        """An event's date, places, types and agents."""
        return self._cached("facts", (id(graph), event), lambda: (
            _date(graph, event), frozenset(graph.objects(event, CKG.place)),
            frozenset(graph.objects(event, RDF.type)), frozenset(graph.objects(event, CKG.agent))))

    def gazetteer_ids(self, place: Node) -> set[Node]:
        return self._cached("gazetteer", place, lambda: {
            t for p in (SKOS.exactMatch, SKOS.closeMatch) for t in self.graph.objects(place, p)
            if str(t).startswith(str(GEONAMES))})

    def above(self, place: Node) -> set[Node]:
        """The places containing ``place``, transitively."""
        return self._cached("above", place,
                            lambda: set(self.graph.transitive_objects(place, CKG.locatedIn)) - {place})

    def place_score(self, a: set[Node], b: set[Node]) -> tuple[float, str]:
        if not a or not b:
            return 0.3, "place: not stated by both"
        if a & b:
            return 1.0, f"place: same ({', '.join(sorted(_short(p) for p in a & b))})"
        for x in a:
            for y in b:
                if self.gazetteer_ids(x) & self.gazetteer_ids(y):
                    return 1.0, f"place: same gazetteer identifier ({_short(x)}, {_short(y)})"
        for x in a:
            for y in b:
                if y in self.above(x) or x in self.above(y):
                    return 0.6, f"place: {_short(x)} and {_short(y)}, one contains the other"
        return 0.0, "place: unrelated"

    def _broader(self, concept: Node) -> set[Node]:
        return self._cached("broader", concept, lambda: set(self.graph.transitive_objects(concept, SKOS.broader))
                            - {concept, CKG.EventType})

    def type_score(self, a: set[Node], b: set[Node]) -> tuple[float, str]:
        if a & b:
            return 1.0, f"type: same ({', '.join(sorted(_short(t).split('#')[-1] for t in a & b))})"
        for x in a:
            for y in b:
                cx, cy = self.concept_of.get(x), self.concept_of.get(y)
                if cx is not None and cy is not None and (cx in self._broader(cy) or cy in self._broader(cx)):
                    return 0.6, f"type: {str(x).split('#')[-1]} and {str(y).split('#')[-1]} are broader/narrower"
        return 0.0, "type: incompatible"

    def parties(self, actor: Node) -> set[Node]:
        """The actor and the forces it is a unit or member of."""
        return self._cached("parties", actor, lambda: {
            actor, *self.graph.objects(actor, CKG.unitOf), *self.graph.objects(actor, CKG.memberOf)})

    def actor_score(self, a: set[Node], b: set[Node]) -> tuple[float, str]:
        if not a or not b:
            return 0.5, "actors: not stated by both"
        wide_a = set().union(*(self.parties(x) for x in a))
        wide_b = set().union(*(self.parties(x) for x in b))
        shared = wide_a & wide_b
        if shared:
            return 1.0, f"actors: shared ({', '.join(sorted(_short(s) for s in shared))})"
        return 0.0, "actors: disjoint"


def _score(knowledge: _Knowledge, first: tuple[Graph, URIRef, date | None],
           second: tuple[Graph, URIRef, date | None]) -> Proposal | None:
    (ga, a, latest_a), (gb, b, latest_b) = first, second
    da, places_a, types_a, agents_a = knowledge.facts(ga, a)
    db, places_b, types_b, agents_b = knowledge.facts(gb, b)
    if (da is None and db is not None and latest_a is not None and db > latest_a) or \
            (db is None and da is not None and latest_b is not None and da > latest_b):
        return None  # dated after the other document was published: it cannot be what that one reports
    if da is not None and db is not None:
        gap = abs((da - db).days)
        if gap > 1:
            return None
        date_score, date_reason = (1.0, f"date: same ({da})") if gap == 0 else (0.5, f"date: one day apart ({da}, {db})")
    else:
        date_score, date_reason = 0.3, "date: not stated by both"
    type_score, type_reason = knowledge.type_score(set(types_a), set(types_b))
    if type_score == 0.0:
        return None
    actor_score, actor_reason = knowledge.actor_score(set(agents_a), set(agents_b))
    if actor_score == 0.0:
        return None
    place_score, place_reason = knowledge.place_score(set(places_a), set(places_b))
    if place_score == 0.0:
        return None
    score = round(0.3 * date_score + 0.35 * place_score + 0.2 * type_score + 0.15 * actor_score, 3)
    if score < THRESHOLD:
        return None
    return Proposal(*sorted((a, b), key=str), score, (date_reason, place_reason, type_reason, actor_reason))  # type: ignore[arg-type]


def latest_date(graph: Graph, document: Node) -> date | None:
    """The last day a document can report on: its publication date, else that of the latest report it
    was derived from (the article carries no date of its own)."""
    own = graph.value(document, SCHEMA.datePublished)
    if own is not None:
        return own.toPython()  # type: ignore[no-any-return]
    upstream = [graph.value(r, SCHEMA.datePublished) for r in graph.objects(document, PROV.wasDerivedFrom)]
    days = [d.toPython() for d in upstream if d is not None]
    return max(days) if days else None


def propose(documents: Mapping[str, Graph], knowledge: Graph,
            latest: Mapping[str, date | None] | None = None) -> list[Proposal]:
    """Every pair of events of different documents that scores at least THRESHOLD, best first.

    ``latest`` gives each document's publication date (or None): an undated event of a document cannot
    be the same as an event dated after that document was published."""
    scoring = _Knowledge(knowledge)
    latest = latest or {}
    events: list[tuple[str, Graph, URIRef]] = []
    for name, graph in sorted(documents.items()):
        for event in sorted({e for cls in scoring.concept_of for e in graph.subjects(RDF.type, cls)}, key=str):
            if isinstance(event, URIRef) and str(event).startswith(str(ID["event/"])):
                events.append((name, graph, event))
    if len({name for name, _, _ in events}) < 2:
        return []
    proposals = []
    for i, j in sorted(_candidate_pairs(scoring, events)):
        (name_a, graph_a, a), (name_b, graph_b, b) = events[i], events[j]
        found = _score(scoring, (graph_a, a, latest.get(name_a)), (graph_b, b, latest.get(name_b)))
        if found is not None:
            proposals.append(found)
    return sorted(proposals, key=lambda p: (-p.score, str(p.iri)))


class _DayIndex:
    """Events by a key (a place, an ancestor, a gazetteer identifier) and day, so that a dated event only
    meets events of the day before, the day, the day after, or undated ones."""

    def __init__(self) -> None:
        self.by_day: dict[tuple[Node, date | None], list[int]] = {}
        self.by_key: dict[Node, list[int]] = {}

    def add(self, key: Node, day: date | None, index: int) -> None:
        self.by_day.setdefault((key, day), []).append(index)
        self.by_key.setdefault(key, []).append(index)

    def near(self, key: Node, day: date | None) -> list[int]:
        if day is None:
            return self.by_key.get(key, [])
        found = list(self.by_day.get((key, None), []))
        for offset in (-1, 0, 1):
            found += self.by_day.get((key, day + timedelta(days=offset)), [])
        return found


def _candidate_pairs(scoring: _Knowledge, events: list[tuple[str, Graph, URIRef]]) -> set[tuple[int, int]]:
    """Pairs of events of different documents that could score THRESHOLD, found through indexes instead
    of comparing every pair (users hold 10⁵–10⁶ events): the same place, a containing or contained place,
    the same gazetteer identifier, each within a day; and, for an event without a place (which can only
    pass with the same day and a shared party), the same day and party."""
    above = scoring.above
    by_place, by_ancestor, by_gazetteer = _DayIndex(), _DayIndex(), _DayIndex()
    by_day_party: dict[tuple[date, Node], list[int]] = {}
    days = [_date(graph, event) for _, graph, event in events]
    for index, (_, graph, event) in enumerate(events):
        day = days[index]
        for place in graph.objects(event, CKG.place):
            by_place.add(place, day, index)
            for ancestor in above(place):
                by_ancestor.add(ancestor, day, index)
            for identifier in scoring.gazetteer_ids(place):
                by_gazetteer.add(identifier, day, index)
        if day is not None:
            for party in {p for agent in graph.objects(event, CKG.agent) for p in scoring.parties(agent)}:
                by_day_party.setdefault((day, party), []).append(index)
    pairs: set[tuple[int, int]] = set()
    for index, (name, graph, event) in enumerate(events):
        day = days[index]
        candidates: list[int] = []
        places = set(graph.objects(event, CKG.place))
        for place in places:
            candidates += by_place.near(place, day) + by_ancestor.near(place, day)
            for ancestor in above(place):
                candidates += by_place.near(ancestor, day)
            for identifier in scoring.gazetteer_ids(place):
                candidates += by_gazetteer.near(identifier, day)
        if not places and day is not None:
            for party in {p for agent in graph.objects(event, CKG.agent) for p in scoring.parties(agent)}:
                candidates += by_day_party.get((day, party), [])
        for other in candidates:
            if events[other][0] != name:
                pairs.add((min(index, other), max(index, other)))
    return pairs


def links_graph(proposals: list[Proposal], decisions: Graph, evidence: Graph) -> Graph:
    """The link records; the direct ``ckg:sameEventAs`` only for links a person accepted."""
    out = bind_prefixes(Graph())
    for proposal in proposals:
        node = proposal.iri
        out.add((node, RDF.type, CKG.SameEventLink))
        out.add((node, RDFS.label, Literal(f"{_short(proposal.first)} same event as {_short(proposal.second)}")))
        out.add((node, CKG.linkedEvent, proposal.first))
        out.add((node, CKG.linkedEvent, proposal.second))
        out.add((node, CKG.score, Literal(Decimal(str(proposal.score)), datatype=XSD.decimal)))
        out.add((node, CKG.method, Literal(METHOD)))
        out.add((node, RDFS.comment, Literal("; ".join(proposal.reasons), lang="en")))
        for event in (proposal.first, proposal.second):
            for span in evidence.objects(event, CKG.evidence):
                out.add((node, CKG.evidence, span))
        decided = set(decisions.objects(node, CKG.reviewStatus))
        if not decided:
            out.add((node, CKG.reviewStatus, CKG.Unreviewed))
        if CKG.Accepted in decided and CKG.Rejected not in decided:
            out.add((proposal.first, CKG.sameEventAs, proposal.second))
            out.add((proposal.second, CKG.sameEventAs, proposal.first))
    return out


READ_PREDICATES = (
    RDF.type, CKG.date, CKG.place, CKG.agent, CKG.evidence, CKG.eventClass, CKG.locatedIn, CKG.unitOf,
    CKG.memberOf, CKG.reviewStatus, SKOS.broader, SKOS.exactMatch, SKOS.closeMatch, SCHEMA.datePublished,
    PROV.wasDerivedFrom,
)
"""Every predicate the proposals and the link records read: the build hands the linker only these triples."""


def link_same_events(sources: object) -> Graph:
    """The build's link step (pipeline.build.LinkStep): propose links among the loaded documents.

    Links join events of two documents: with one document there is nothing to read. Otherwise the
    linker reads only the triples of READ_PREDICATES, not an rdflib copy of every graph (millions of
    triples at 10⁵ events).
    """
    names: dict[str, URIRef] = {}
    for iri in sources.asserted_graphs():  # type: ignore[attr-defined]
        if iri == DATA_GRAPH:
            names[ARTICLE] = iri
        elif str(iri).startswith(REPORT_GRAPHS):
            names[str(iri).removeprefix(REPORT_GRAPHS)] = iri
    if len(names) < 2:
        return bind_prefixes(Graph())
    documents = {name: sources.selected((iri,), READ_PREDICATES) for name, iri in names.items()}  # type: ignore[attr-defined]
    everything = sources.selected(sources.asserted_graphs(), READ_PREDICATES)  # type: ignore[attr-defined]
    latest = {name: latest_date(everything, _document(everything, name)) for name in documents}
    return links_graph(propose(documents, everything, latest), everything, everything)


def _document(graph: Graph, name: str) -> Node:
    """The article (the ckg:Article of the data graph) or the report ``id/report/<name>``."""
    if name == ARTICLE:
        return next(iter(sorted(graph.subjects(RDF.type, CKG.Article), key=str)), ID["article/none"])
    return ID[f"report/{name}"]


def record_decision(root: Path, link: str, accept: bool) -> Path:
    """Write (or replace) the decision on ``link`` in data/same-event-reviews.ttl, atomically."""
    if not link.startswith(str(ID["eventlink/"])) or any(c in link for c in '<>"{}|\\^` '):
        raise ValueError(f"{link!r} is not a same-event link IRI ({ID['eventlink/']}…)")
    path = Path(root) / REVIEWS_FILE
    graph = bind_prefixes(Graph())
    if path.is_file():
        graph.parse(path, format="turtle")
    node = URIRef(link)
    graph.set((node, CKG.reviewStatus, CKG.Accepted if accept else CKG.Rejected))
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("# Decisions on proposed same-event links (`conflictkg same-event`).\n"
                         + graph.serialize(format="turtle"), encoding="utf-8")
    temporary.replace(path)
    return path
