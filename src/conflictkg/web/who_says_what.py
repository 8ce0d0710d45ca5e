"""The "who says what" section of an event page: every source's version of the event, side by side.

The event and the events accepted as the same (ckg:sameEventAs, either direction) are the versions:
each with its document, date as written and resolved, place, type and agents. Casualty figures of the
versions and their sub-events are listed per claimant with the bounds the build derived by rule
(graph/derived, pipeline.derive) and the span they rest on; the source grades come from the same graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import pyoxigraph as ox

from conflictkg.store import Store
from conflictkg.vocab import DERIVED_GRAPH, sparql_prologue
from conflictkg.web.article_view import document_page
from conflictkg.web.terms import Term, TermFactory

_PROLOGUE = sparql_prologue()
_SAME = "(ckg:sameEventAs|^ckg:sameEventAs)*"


@dataclass(frozen=True)
class Version:
    """One source's account of the event."""

    event: Term
    documents: tuple[Term, ...]
    types: tuple[Term, ...]
    date: str | None
    expression: str | None
    places: tuple[Term, ...]
    agents: tuple[Term, ...]
    quote: str | None = None
    """The words of the version's first evidence span, and the local link to them in their text."""
    page: str | None = None


@dataclass(frozen=True)
class FigureRow:
    """One casualty figure as one claimant gives it, with derived bounds and its evidence."""

    figure: Term
    claimant: Term
    document: Term | None
    quantifier: Term
    count: str | None
    group: str
    low: str | None
    best: str | None
    high: str | None
    conservative: str | None
    exact: str | None
    page: str | None
    """Local link to the span in its document's text."""


@dataclass(frozen=True)
class GroupSummary:
    """Across claimants, for one victim group: UCDP-style low/best/high and ACLED's conservative figure."""

    group: str
    low: int | None
    best: float | None
    high: int | None
    conservative: int | None
    claimants: int


@dataclass(frozen=True)
class WhoSaysWhat:
    """The section: versions, figures, per-group summary and source grades."""

    versions: tuple[Version, ...]
    figures: tuple[FigureRow, ...]
    summary: tuple[GroupSummary, ...]
    grades: tuple[Term, ...]


def _value(row: ox.QuerySolution, name: str) -> str | None:
    value = row[name]
    return value.value if value is not None else None


def _versions(store: Store, terms: TermFactory, node: ox.NamedNode) -> tuple[Version, ...]:
    rows = store.query(
        f"""{_PROLOGUE}SELECT ?e ?p ?o WHERE {{
          {node} {_SAME} ?e .
          {{ ?e ?p ?o FILTER(?p IN (rdf:type, ckg:date, ckg:timeExpression, ckg:place, ckg:agent)) }}
          UNION {{ ?e ckg:evidence/oa:hasSource ?o BIND(oa:hasSource AS ?p) }}
          UNION {{ ?claim ckg:about ?e ; ckg:reportedIn ?o BIND(ckg:reportedIn AS ?p) }}
        }}"""
    )
    grouped: dict[str, dict[str, list[ox.Term]]] = {}
    for row in rows:  # type: ignore[union-attr]
        grouped.setdefault(row["e"].value, {}).setdefault(row["p"].value.rsplit("#", 1)[-1], []).append(row["o"])
    quotes = _first_spans(store, node)
    versions = []
    for event, props in sorted(grouped.items()):
        documents = {o.value: o for o in (*props.get("hasSource", []), *props.get("reportedIn", []))}
        dates = sorted(o.value for o in props.get("date", []))
        expressions = sorted(o.value for o in props.get("timeExpression", []))
        versions.append(Version(
            event=terms.term(ox.NamedNode(event)),
            documents=tuple(terms.term(o) for _, o in sorted(documents.items())),
            types=tuple(terms.term(o) for o in props.get("type", []) if "/ontology#" in o.value),
            date=dates[0] if dates else None,
            expression=expressions[0] if expressions else None,
            places=tuple(terms.term(o) for o in props.get("place", [])),
            agents=tuple(terms.term(o) for o in props.get("agent", [])),
            quote=quotes.get(event, (None, None))[0],
            page=quotes.get(event, (None, None))[1],
        ))
    return tuple(versions)


def _first_spans(store: Store, node: ox.NamedNode) -> dict[str, tuple[str, str]]:
    """Each version's first evidence span (by start offset): its words and a link to them."""
    rows = store.query(
        f"""{_PROLOGUE}SELECT ?e ?exact ?document ?start ?end WHERE {{
          {node} {_SAME} ?e . ?e ckg:evidence ?span .
          ?span oa:hasSource ?document ; oa:hasSelector ?q, ?pos .
          ?q oa:exact ?exact . ?pos oa:start ?start ; oa:end ?end .
        }} ORDER BY ?e ?start"""
    )
    first: dict[str, tuple[str, str]] = {}
    for row in rows:  # type: ignore[union-attr]
        start, end = row["start"].value, row["end"].value
        first.setdefault(row["e"].value, (row["exact"].value,
                                          f"{document_page(row['document'].value)}?highlight={start}-{end}#span-{start}-{end}"))
    return first


def _figures(store: Store, terms: TermFactory, node: ox.NamedNode) -> tuple[FigureRow, ...]:
    rows = store.query(
        f"""{_PROLOGUE}SELECT DISTINCT ?figure ?claimant ?document ?quantifier ?count ?group ?low ?best ?high
               ?conservative ?exact ?start ?end WHERE {{
          {node} ({_SAME.removesuffix('*')}|^ckg:subEventOf)* ?e .
          ?e ckg:casualtyReport ?figure .
          ?figure ckg:claimedBy ?claimant ; ckg:quantifier ?quantifier ; ckg:victimGroup/rdfs:label ?group .
          OPTIONAL {{ ?figure ckg:count ?count }}
          OPTIONAL {{ ?figure ckg:evidence ?span . ?span oa:hasSource ?document .
                     OPTIONAL {{ ?span oa:hasSelector ?q . ?q oa:exact ?exact }}
                     OPTIONAL {{ ?span oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end }} }}
          OPTIONAL {{ GRAPH <{DERIVED_GRAPH}> {{ ?figure ckg:lowEstimate ?low }} }}
          OPTIONAL {{ GRAPH <{DERIVED_GRAPH}> {{ ?figure ckg:bestEstimate ?best }} }}
          OPTIONAL {{ GRAPH <{DERIVED_GRAPH}> {{ ?figure ckg:highEstimate ?high }} }}
          OPTIONAL {{ GRAPH <{DERIVED_GRAPH}> {{ ?figure ckg:conservativeEstimate ?conservative }} }}
        }}"""
    )
    found = {}
    for row in rows:  # type: ignore[union-attr]
        document = _value(row, "document")
        start, end = _value(row, "start"), _value(row, "end")
        page = f"{document_page(document)}?highlight={start}-{end}#span-{start}-{end}" if start and end else None
        key = row["figure"].value
        found.setdefault(key, FigureRow(
            figure=terms.term(row["figure"]), claimant=terms.term(row["claimant"]),
            document=terms.term(row["document"]) if row["document"] is not None else None,
            quantifier=terms.term(row["quantifier"]), count=_value(row, "count"), group=_value(row, "group") or "",
            low=_value(row, "low"), best=_value(row, "best"), high=_value(row, "high"),
            conservative=_value(row, "conservative"), exact=_value(row, "exact"), page=page))
    return tuple(sorted(found.values(), key=lambda f: (f.group, f.claimant.label, f.figure.value)))


def _summary(figures: tuple[FigureRow, ...]) -> tuple[GroupSummary, ...]:
    groups: dict[str, list[FigureRow]] = {}
    for figure in figures:
        groups.setdefault(figure.group, []).append(figure)
    summaries = []
    for group, rows in sorted(groups.items()):
        lows = [int(r.low) for r in rows if r.low is not None]
        bests = [int(r.best) for r in rows if r.best is not None]
        highs = [int(r.high) for r in rows if r.high is not None]
        conservative = [int(r.conservative) for r in rows if r.conservative is not None]
        summaries.append(GroupSummary(
            group=group,
            low=min(lows) if lows else None,
            best=median(bests) if bests else None,
            high=max(highs) if highs and len(highs) == len(rows) else None,
            conservative=min(conservative) if conservative else None,
            claimants=len({r.claimant.value for r in rows}),
        ))
    return tuple(summaries)


def _grades(store: Store, terms: TermFactory, node: ox.NamedNode) -> tuple[Term, ...]:
    rows = store.query(f"{_PROLOGUE}SELECT DISTINCT ?grade WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ {node} ckg:sourceGrade ?grade }} }}")
    return tuple(sorted((terms.term(row["grade"]) for row in rows), key=lambda t: t.label))  # type: ignore[union-attr]


def who_says_what(store: Store, terms: TermFactory, node: ox.NamedNode) -> WhoSaysWhat | None:
    """The section for the event ``node``; None when there is nothing to compare (one version, no
    figures, no grades)."""
    versions = _versions(store, terms, node)
    figures = _figures(store, terms, node)
    grades = _grades(store, terms, node)
    if len(versions) < 2 and not figures and not grades:
        return None
    return WhoSaysWhat(versions, figures, _summary(figures), grades)
