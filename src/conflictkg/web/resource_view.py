"""What a resource page shows, gathered from the store: properties, links, evidence, claims, map, timeline.

Each section is one small SPARQL query over the asserted graphs; the template only lays them out. Pages
are built per request from a read-only store, so nothing here caches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from conflictkg.store import Store
from conflictkg.vocab import sparql_prologue
from conflictkg.web.article_view import Excerpt, Span, document_page, excerpt
from conflictkg.web.describe import Description
from conflictkg.web.mapsvg import Located, MapView, parse_wkt_point, project
from conflictkg.web.terms import Term, TermFactory
from conflictkg.web.who_says_what import WhoSaysWhat, who_says_what

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_PROLOGUE = sparql_prologue()


@dataclass(frozen=True)
class PropertyRow:
    """One predicate and its values (or, for incoming links, its subjects)."""

    predicate: Term
    values: tuple[Term, ...]


@dataclass(frozen=True)
class SubResource:
    """A resource whose IRI extends the page's IRI, described on the same page."""

    term: Term
    properties: tuple[PropertyRow, ...]


@dataclass(frozen=True)
class Evidence:
    """An evidence span: its resource, where it is in the article, and the quote in its sentence."""

    span: Term
    position: Span | None
    excerpt: Excerpt | None
    exact: str | None
    document: str = "/article"
    """The local page of the text the span indexes (the article, or /reports/<slug>)."""


@dataclass(frozen=True)
class ClaimRow:
    """A claim about the resource: who claimed it, to which outlet, with which words."""

    claim: Term
    claimant: Term
    outlet: Term | None
    quotation: str | None


@dataclass(frozen=True)
class GazetteerLink:
    """A link to an external gazetteer and, when recorded, how it was made: score, method, source,
    justification and the time the link was made."""

    relation: Term
    target: Term
    record: Term | None
    score: str | None
    method: str | None
    source: str | None
    comment: str | None
    generated: str | None


@dataclass(frozen=True)
class PlaceSection:
    """Coordinates, offline map and gazetteer links of a place, or why it has none."""

    coordinates: tuple[float, float] | None
    map: MapView | None
    links: tuple[GazetteerLink, ...]
    unlinked_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineEntry:
    """An event related to the page's event, with how it is related and when it happened."""

    event: Term
    relation: str
    date: str | None
    expression: str | None


@dataclass(frozen=True)
class PlaceEvents:
    """Events at a place or at places within it: the latest PLACE_EVENTS, oldest first, and the query
    that lists them all. ``crowded_after``: set (to PLACES_WITHIN_SCAN) when more places than that lie
    within, so that only the events placed at it directly are listed."""

    entries: tuple[TimelineEntry, ...]
    more: bool
    query: str
    crowded_after: int | None = None


@dataclass(frozen=True)
class EventMap:
    """Where an event and its related events happened: the located places of each."""

    points: tuple[Located, ...]
    unlocated: tuple[Term, ...]


@dataclass
class ResourcePage:
    """Everything the resource template renders."""

    iri: str
    label: str
    types: tuple[Term, ...]
    properties: tuple[PropertyRow, ...]
    incoming: tuple[PropertyRow, ...]
    sub_resources: tuple[SubResource, ...]
    inferred: tuple[PropertyRow, ...]
    incoming_total: int | None = None
    """All the links to the resource when ``incoming`` shows only some (see ``incoming_query``)."""
    evidence: tuple[Evidence, ...] = ()
    claims: tuple[ClaimRow, ...] = ()
    place: PlaceSection | None = None
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
    event_map: EventMap | None = None
    place_events: PlaceEvents | None = None

    @property
    def incoming_shown(self) -> int:
        """How many links to the resource the page lists."""
        return sum(len(row.values) for row in self.incoming)

    @property
    def incoming_query(self) -> str:
        """The query listing every link to the resource."""
        return incoming_query(self.iri)

    @property
    def interactive(self) -> bool:
        """True if the page has a map or a timeline for static/resource.js to draw."""
        return bool((self.place and self.place.map) or self.event_map or self.timeline or self.place_events)

    def interactive_data(self) -> dict[str, object]:
        """What static/resource.js draws (the Leaflet map and the SVG timeline), as JSON-ready data."""
        points = self.place.map.points if self.place and self.place.map else ()
        located = [p.place for p in points] or list(self.event_map.points if self.event_map else ())
        return {
            "points": [
                {"lat": p.lat, "lon": p.lon, "label": p.label, "href": p.href, "role": p.role} for p in located
            ],
            "events": [
                {"date": e.date, "label": e.event.label, "href": e.event.href, "relation": e.relation}
                for e in (self.timeline or (self.place_events.entries if self.place_events else ()))
            ],
        }
    who_says_what: WhoSaysWhat | None = None


TextOf = Callable[[str], "str | None"]
"""The raw text of a span's document (its ``oa:hasSource`` IRI), None when unknown."""


def build_page(store: Store, terms: TermFactory, description: Description, article: str | None,
               text_of: TextOf | None = None) -> ResourcePage:
    """Assemble the page of a described resource; ``article`` is the raw text spans index into, unless
    ``text_of`` finds the text of the span's own document (a registered report)."""
    iri = description.iri
    terms.preload(node for t in (*description.asserted, *description.inferred) for node in (t.subject, t.predicate, t.object))
    outgoing: dict[str, list[ox.Triple]] = defaultdict(list)
    incoming: list[ox.Triple] = []
    for triple in description.asserted:
        subject = triple.subject.value if isinstance(triple.subject, ox.NamedNode) else ""
        if subject == iri:
            outgoing[iri].append(triple)
        elif isinstance(triple.object, ox.NamedNode) and triple.object.value == iri:
            incoming.append(triple)
        else:
            outgoing[subject].append(triple)
    own = outgoing.pop(iri, [])
    node = ox.NamedNode(iri)
    page = ResourcePage(
        iri=iri,
        label=terms.label(iri),
        types=tuple(terms.term(t.object) for t in own if t.predicate.value == RDF_TYPE),
        properties=_rows(terms, [t for t in own if t.predicate.value != RDF_TYPE], lambda t: t.object),
        incoming=_rows(terms, incoming, lambda t: t.subject),
        sub_resources=tuple(
            SubResource(terms.term(ox.NamedNode(sub)), _rows(terms, triples, lambda t: t.object))
            for sub, triples in sorted(outgoing.items())
        ),
        inferred=_rows(terms, list(description.inferred), lambda t: t.object),
        incoming_total=description.incoming_total,
    )
    page.evidence = _evidence(store, terms, node, text_of or (lambda _: article))
    page.claims = _claims(store, terms, node)
    if _is_a(store, node, "Place") or any(t.predicate.value.endswith("#hasGeometry") for t in own):
        page.place = _place(store, terms, node)
        page.place_events = _place_events(store, terms, node)
    if _is_a(store, node, "Event"):
        page.timeline = _timeline(store, terms, node)
        page.event_map = _event_map(store, terms, node, page.timeline)
        page.who_says_what = who_says_what(store, terms, node)
    return page


def _rows(terms: TermFactory, triples: list[ox.Triple], pick: object) -> tuple[PropertyRow, ...]:
    """Group triples by predicate, values sorted by label, predicates by their CURIE."""
    grouped: dict[str, list[Term]] = defaultdict(list)
    for triple in triples:
        grouped[triple.predicate.value].append(terms.term(pick(triple)))  # type: ignore[operator]
    rows = [
        PropertyRow(terms.term(ox.NamedNode(p)), tuple(sorted(set(values), key=lambda v: (v.label, v.value))))
        for p, values in grouped.items()
    ]
    return tuple(sorted(rows, key=lambda r: (r.predicate.value != RDFS_LABEL, r.predicate.label.lower())))


def _is_a(store: Store, node: ox.NamedNode, class_name: str) -> bool:
    """True if the resource is an instance of ``ckg:<class_name>`` or one of its subclasses."""
    result = store.query(f"{_PROLOGUE}ASK {{ {node} a/rdfs:subClassOf* ckg:{class_name} }}")
    return bool(result)


def _evidence(store: Store, terms: TermFactory, node: ox.NamedNode, text_of: TextOf) -> tuple[Evidence, ...]:
    rows = store.query(
        f"""{_PROLOGUE}SELECT DISTINCT ?span ?start ?end ?exact ?source WHERE {{
          {{ {node} ckg:evidence ?span }} UNION {{ {node} a oa:SpecificResource BIND({node} AS ?span) }}
          OPTIONAL {{ ?span oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end }}
          OPTIONAL {{ ?span oa:hasSelector ?quote . ?quote oa:exact ?exact }}
          OPTIONAL {{ ?span oa:hasSource ?source }}
        }}"""
    )
    found = []
    for row in rows:  # type: ignore[union-attr]
        position = _span(row["start"], row["end"])
        exact = row["exact"].value if row["exact"] is not None else None
        source = row["source"].value if row["source"] is not None else None
        text = text_of(source or "")
        found.append(
            Evidence(
                span=terms.term(row["span"]),
                position=position,
                excerpt=excerpt(text, position) if text is not None and position is not None else None,
                exact=exact,
                document=document_page(source),
            )
        )
    return tuple(sorted(found, key=lambda e: (e.position.start if e.position else -1, e.span.value)))


def _span(start: object, end: object) -> Span | None:
    try:
        return Span(int(start.value), int(end.value))  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return None


def _claims(store: Store, terms: TermFactory, node: ox.NamedNode) -> tuple[ClaimRow, ...]:
    rows = store.query(
        f"""{_PROLOGUE}SELECT ?claim ?claimant ?outlet ?quotation WHERE {{
          ?claim ckg:about {node} ; ckg:claimedBy ?claimant .
          OPTIONAL {{ ?claim ckg:reportedTo ?outlet }}
          OPTIONAL {{ ?claim ckg:quotation ?quotation }}
        }}"""
    )
    claims = [
        ClaimRow(
            claim=terms.term(row["claim"]),
            claimant=terms.term(row["claimant"]),
            outlet=terms.term(row["outlet"]) if row["outlet"] is not None else None,
            quotation=row["quotation"].value if row["quotation"] is not None else None,
        )
        for row in rows  # type: ignore[union-attr]
    ]
    return tuple(sorted(claims, key=lambda c: (c.claimant.label, c.claim.value)))


def _place(store: Store, terms: TermFactory, node: ox.NamedNode) -> PlaceSection:
    rows = store.query(
        f"""{_PROLOGUE}SELECT DISTINCT ?p ?role ?wkt WHERE {{
          {{ BIND({node} AS ?p) BIND("self" AS ?role) }}
          UNION {{ {node} ckg:locatedIn ?p BIND("parent" AS ?role) }}
          UNION {{ ?p ckg:locatedIn {node} BIND("child" AS ?role) }}
          UNION {{ {node} ckg:locatedIn ?parent . ?p ckg:locatedIn ?parent FILTER(?p != {node}) BIND("sibling" AS ?role) }}
          ?p geo:hasGeometry ?geometry . ?geometry geo:asWKT ?wkt .
        }}"""
    )
    located: dict[str, Located] = {}
    for row in rows:  # type: ignore[union-attr]
        point = parse_wkt_point(row["wkt"].value)
        key = row["p"].value
        if point is None or key in located:
            continue
        term = terms.term(row["p"])
        located[key] = Located(point[0], point[1], term.label, term.href, row["role"].value)
    own = located.get(node.value)
    ordered = sorted(located.values(), key=lambda p: (p.role != "self", p.label))
    return PlaceSection(
        coordinates=(own.lat, own.lon) if own else None,
        map=project(ordered),
        links=_gazetteer_links(store, terms, node),
        unlinked_reasons=_unlinked_reasons(store, node),
    )


def _unlinked_reasons(store: Store, node: ox.NamedNode) -> tuple[str, ...]:
    """The linker's ckg:unlinkedReason texts: why the place has no gazetteer link."""
    rows = store.query(f"{_PROLOGUE}SELECT DISTINCT ?reason WHERE {{ {node} ckg:unlinkedReason ?reason }}")
    return tuple(sorted(row["reason"].value for row in rows))  # type: ignore[union-attr]


def _gazetteer_links(store: Store, terms: TermFactory, node: ox.NamedNode) -> tuple[GazetteerLink, ...]:
    rows = store.query(
        f"""{_PROLOGUE}SELECT ?rel ?target ?record ?score ?method ?source ?comment ?generated WHERE {{
          {node} ?rel ?target . FILTER(?rel IN (skos:exactMatch, skos:closeMatch))
          OPTIONAL {{
            ?record ckg:linkSubject {node} ; ckg:linkTarget ?target .
            OPTIONAL {{ ?record ckg:score ?score }}
            OPTIONAL {{ ?record ckg:method ?method }}
            OPTIONAL {{ ?record dcterms:source ?source }}
            OPTIONAL {{ ?record rdfs:comment ?comment }}
            OPTIONAL {{ ?record prov:generatedAtTime ?generated }}
          }}
        }}"""
    )

    def text(value: object) -> str | None:
        return value.value if value is not None else None  # type: ignore[attr-defined]

    links = {}
    for row in rows:  # type: ignore[union-attr]
        key = (row["rel"].value, row["target"].value)
        if key in links and links[key].record is not None:
            continue
        links[key] = GazetteerLink(
            relation=terms.term(row["rel"]),
            target=terms.term(row["target"]),
            record=terms.term(row["record"]) if row["record"] is not None else None,
            score=text(row["score"]),
            method=text(row["method"]),
            source=text(row["source"]),
            comment=text(row["comment"]),
            generated=text(row["generated"]),
        )
    return tuple(links[k] for k in sorted(links))


_RELATION_ORDER = {
    "super-event": 0, "reverses": 1, "this": 2, "sibling": 3, "sub-event": 4, "reversed by": 5, "same place": 6,
}
SAME_PLACE_EACH_SIDE = 10
"""Events at the same place shown on an event's timeline: this many before its date and as many from it
on (the nearest in time), so that a place with thousands of events keeps the page small."""


def _timeline(store: Store, terms: TermFactory, node: ox.NamedNode) -> tuple[TimelineEntry, ...]:
    rows = store.query(
        f"""{_PROLOGUE}SELECT DISTINCT ?e ?relation ?date ?expression WHERE {{
          {{ BIND({node} AS ?e) BIND("this" AS ?relation) }}
          UNION {{ {node} ckg:subEventOf ?e BIND("super-event" AS ?relation) }}
          UNION {{ ?e ckg:subEventOf {node} BIND("sub-event" AS ?relation) }}
          UNION {{ {node} ckg:subEventOf ?super . ?e ckg:subEventOf ?super FILTER(?e != {node}) BIND("sibling" AS ?relation) }}
          UNION {{ {node} ckg:reverses ?e BIND("reverses" AS ?relation) }}
          UNION {{ ?e ckg:reverses {node} BIND("reversed by" AS ?relation) }}
          OPTIONAL {{ ?e ckg:date ?date }}
          OPTIONAL {{ ?e ckg:timeExpression ?expression }}
        }}"""
    )
    entries = {}
    for row in [*rows, *_same_place(store, node)]:  # type: ignore[union-attr]
        if row["relation"].value == "same place" and any(e == row["e"].value for e, _ in entries):
            continue
        key = (row["e"].value, row["relation"].value)
        if key not in entries:
            entries[key] = TimelineEntry(
                event=terms.term(row["e"]),
                relation=row["relation"].value,
                date=row["date"].value if row["date"] is not None else None,
                expression=row["expression"].value if row["expression"] is not None else None,
            )
    return tuple(
        sorted(
            entries.values(),
            key=lambda e: (e.date or "9999", _RELATION_ORDER.get(e.relation, 9), e.event.label),
        )
    )



def _same_place(store: Store, node: ox.NamedNode) -> list[ox.QuerySolution]:
    """Other events at one of the event's places, nearest in time on either side of its date."""
    common = f"""{node} ckg:place ?place . ?e ckg:place ?place FILTER(?e != {node})
          OPTIONAL {{ ?e ckg:date ?date }} OPTIONAL {{ ?e ckg:timeExpression ?expression }}
          BIND("same place" AS ?relation)"""
    select = "SELECT DISTINCT ?e ?relation ?date ?expression"
    dated = store.query(f"{_PROLOGUE}ASK {{ {node} ckg:date ?d }}")
    if not dated:
        queries = [f"{_PROLOGUE}{select} WHERE {{ {common} }} ORDER BY ?date ?e LIMIT {2 * SAME_PLACE_EACH_SIDE}"]
    else:
        own = f"{node} ckg:date ?own"
        queries = [
            f"{_PROLOGUE}{select} WHERE {{ {own} . {common} FILTER(!BOUND(?date) || ?date < ?own) }}"
            f" ORDER BY DESC(?date) ?e LIMIT {SAME_PLACE_EACH_SIDE}",
            f"{_PROLOGUE}{select} WHERE {{ {own} . {common} FILTER(?date >= ?own) }}"
            f" ORDER BY ?date ?e LIMIT {SAME_PLACE_EACH_SIDE}",
        ]
    return [row for query in queries for row in store.query(query)]  # type: ignore[union-attr]


ANCESTOR_STEPS = 6
"""How far up ckg:locatedIn an event page looks for a located place to draw an unlocated one at."""


def _located_ancestor(store: Store, terms: TermFactory, place: ox.NamedNode) -> tuple[tuple[float, float], str] | None:
    """The position and label of the nearest place containing ``place`` that has coordinates."""
    current = [place]
    for _ in range(ANCESTOR_STEPS):
        values = " ".join(str(node) for node in current)
        rows = list(
            store.query(  # type: ignore[arg-type]
                f"""{_PROLOGUE}SELECT ?parent ?wkt WHERE {{ VALUES ?p {{ {values} }} ?p ckg:locatedIn ?parent .
                OPTIONAL {{ ?parent geo:hasGeometry ?g . ?g geo:asWKT ?wkt }} }} ORDER BY ?parent"""
            )
        )
        for row in rows:
            point = parse_wkt_point(row["wkt"].value) if row["wkt"] is not None else None
            if point is not None:
                return point, terms.label(row["parent"].value)
        current = [row["parent"] for row in rows]
        if not current:
            return None
    return None


def _event_map(store: Store, terms: TermFactory, node: ox.NamedNode, timeline: tuple[TimelineEntry, ...]) -> EventMap | None:
    """The located places of the event ("self") and of the events on its timeline ("related")."""
    events = {node.value, *(e.event.value for e in timeline)}
    values = " ".join(f"<{iri}>" for iri in sorted(events))
    rows = store.query(
        f"""{_PROLOGUE}SELECT DISTINCT ?e ?p ?wkt WHERE {{
          VALUES ?e {{ {values} }} ?e ckg:place ?p .
          OPTIONAL {{ ?p geo:hasGeometry ?geometry . ?geometry geo:asWKT ?wkt }}
        }}"""
    )
    located: dict[str, Located] = {}
    unlocated: dict[str, Term] = {}
    for row in rows:  # type: ignore[union-attr]
        term = terms.term(row["p"])
        role = "self" if row["e"].value == node.value else "related"
        point = parse_wkt_point(row["wkt"].value) if row["wkt"] is not None else None
        label = term.label
        if point is None and role == "self":
            ancestor = _located_ancestor(store, terms, row["p"])
            if ancestor is None:
                unlocated[term.value] = term
                continue
            point, within = ancestor
            label = f"{term.label} (within {within}; drawn at its position)"
        if point is None:
            continue
        if term.value not in located or role == "self":
            located[term.value] = Located(point[0], point[1], label, term.href, role)
    if not located and not unlocated:
        return None
    ordered = sorted(located.values(), key=lambda p: (p.role != "self", p.label))
    return EventMap(tuple(ordered), tuple(sorted(unlocated.values(), key=lambda t: t.label)))


PLACE_EVENTS = 200
"""Events a place page lists and draws: the latest this many; the query behind "all of them" has no limit."""
PLACES_WITHIN_SCAN = 500
"""Events at up to this many places within a place are gathered for its page. A place holding more (a
country or a province at scale) lists only the events placed at it directly: asking for events at
"any place within" made the engine walk up from every event of the dataset (8 s for a town's page at
100,000 events), so the places within are found first, walking down from the page's place."""


def incoming_query(iri: str) -> str:
    """The SPARQL query for every link to ``iri`` (offered where its page lists only some)."""
    return f"# What links to <{iri}>?\nSELECT ?subject ?predicate WHERE {{\n  ?subject ?predicate <{iri}>\n}} ORDER BY ?predicate ?subject"


def place_events_query(iri: str) -> str:
    """The SPARQL query for every event at ``iri`` or at a place within it, latest first (the link that
    a place page offers to list them all in /query)."""
    return (
        "PREFIX ckg: <https://w3id.org/conflictkg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"# Which events happened at <{iri}> or at a place within it?\n"
        "SELECT DISTINCT ?event ?label ?date ?place ?where WHERE {\n"
        f'  {{ ?event ckg:place <{iri}> BIND(<{iri}> AS ?place) BIND("here" AS ?where) }}\n'
        f'  UNION {{ ?place ckg:locatedIn+ <{iri}> . ?event ckg:place ?place BIND("within" AS ?where) }}\n'
        "  OPTIONAL { ?event rdfs:label ?label }\n"
        "  OPTIONAL { ?event ckg:date ?date }\n"
        "} ORDER BY DESC(?date) ?event"
    )


def _place_events(store: Store, terms: TermFactory, node: ox.NamedNode) -> PlaceEvents | None:
    within = [
        row["place"]
        for row in store.query(  # type: ignore[union-attr]
            f"{_PROLOGUE}SELECT DISTINCT ?place WHERE {{ ?place ckg:locatedIn+ {node} }} LIMIT {PLACES_WITHIN_SCAN + 1}"
        )
    ]
    crowded = len(within) > PLACES_WITHIN_SCAN
    branches = [f'{{ VALUES ?place {{ {node} }} ?event ckg:place ?place BIND("here" AS ?where) }}']
    if within and not crowded:
        values = " ".join(str(place) for place in within)
        branches.append(f'{{ VALUES ?place {{ {values} }} ?event ckg:place ?place BIND("within" AS ?where) }}')
    rows = list(
        store.query(  # type: ignore[arg-type]
            f"""{_PROLOGUE}SELECT DISTINCT ?event ?date ?place ?where WHERE {{
              {" UNION ".join(branches)}
              OPTIONAL {{ ?event ckg:date ?date }}
            }} ORDER BY DESC(?date) ?event LIMIT {PLACE_EVENTS + 1}"""
        )
    )
    if not rows and not crowded:
        return None
    terms.preload(node for row in rows for node in (row["event"], row["place"]))
    entries: dict[str, TimelineEntry] = {}
    for row in rows[:PLACE_EVENTS]:
        event = row["event"].value
        if event not in entries:
            entries[event] = TimelineEntry(
                event=terms.term(row["event"]),
                relation=row["where"].value if row["where"].value == "here" else f"in {terms.label(row['place'].value)}",
                date=row["date"].value if row["date"] is not None else None,
                expression=None,
            )
    ordered = sorted(entries.values(), key=lambda e: (e.date or "9999", e.event.label))
    return PlaceEvents(
        tuple(ordered),
        more=len(rows) > PLACE_EVENTS or crowded,
        query=place_events_query(node.value),
        crowded_after=PLACES_WITHIN_SCAN if crowded else None,
    )
