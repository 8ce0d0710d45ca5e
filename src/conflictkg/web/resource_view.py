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
    evidence: tuple[Evidence, ...] = ()
    claims: tuple[ClaimRow, ...] = ()
    place: PlaceSection | None = None
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
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
    )
    page.evidence = _evidence(store, terms, node, text_of or (lambda _: article))
    page.claims = _claims(store, terms, node)
    if _is_a(store, node, "Place") or any(t.predicate.value.endswith("#hasGeometry") for t in own):
        page.place = _place(store, terms, node)
    if _is_a(store, node, "Event"):
        page.timeline = _timeline(store, terms, node)
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


_RELATION_ORDER = {"super-event": 0, "reverses": 1, "this": 2, "sibling": 3, "sub-event": 4, "reversed by": 5}


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
    for row in rows:  # type: ignore[union-attr]
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

