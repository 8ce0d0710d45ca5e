"""The RDF description of one resource, read from the store with SPARQL.

A resource's description is what a client needs to understand it without a second request: its
outgoing triples, the triples pointing at it, and the descriptions of its own sub-resources (IRIs one
step away that extend its IRI, e.g. ``id/span/10-20/quote`` or ``id/place/x/geometry``). It is read from
the asserted graphs; what the reasoner added is returned apart so that no page passes an inference off
as a statement of the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from conflictkg.store import Store
from conflictkg.vocab import INFERRED_GRAPH


@dataclass(frozen=True)
class Description:
    """Asserted triples about a resource and, apart, the inferred outgoing triples it does not already have."""

    iri: str
    asserted: tuple[ox.Triple, ...]
    inferred: tuple[ox.Triple, ...]
    incoming_total: int | None = None
    """How many triples point at the resource when ``asserted`` holds only some of them (None: all)."""

    @property
    def found(self) -> bool:
        """True if the data says anything about the resource (as subject or object)."""
        return bool(self.asserted)


def named_node(iri: str) -> ox.NamedNode | None:
    """The IRI as a node, or None if it is not a valid IRI (so it never reaches a query unchecked)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def describe(store: Store, iri: str, incoming_limit: int | None = None) -> Description:
    """Read the description of ``iri``; an invalid or unknown IRI gives an empty description.

    ``incoming_limit`` keeps the first that many triples pointing at the resource (by predicate and
    subject) and counts the rest: an HTML page of a document 136,000 spans point at would otherwise
    take minutes to build and megabytes to send. RDF descriptions are whole."""
    node = named_node(iri)
    if node is None:
        return Description(iri, (), ())
    prefix = ox.Literal(iri + "/")
    own = f"""{{ {node} ?p ?o BIND({node} AS ?s) }}
              UNION {{ {node} ?link ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) ?s ?p ?o }}"""
    total: int | None = None
    if incoming_limit is None:
        asserted = _distinct(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {own} UNION {{ ?s ?p {node} BIND({node} AS ?o) }} }}"))
    else:
        pointing = list(store.query(  # type: ignore[arg-type]
            f"SELECT ?s ?p WHERE {{ ?s ?p {node} }} ORDER BY ?p ?s LIMIT {incoming_limit + 1}"))
        if len(pointing) > incoming_limit:
            pointing = pointing[:incoming_limit]
            total = int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p {node} }}")))["n"].value)  # type: ignore[call-overload]
        incoming = [ox.Triple(row["s"], row["p"], node) for row in pointing]
        asserted = _distinct([*store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {own} }}"), *incoming])  # type: ignore[misc]
    inferred = store.query(
        f"""CONSTRUCT {{ {node} ?p ?o }} WHERE {{
              GRAPH <{INFERRED_GRAPH}> {{ {node} ?p ?o }}
              FILTER NOT EXISTS {{ {node} ?p ?o }}
            }}"""
    )
    return Description(iri, asserted, _distinct(inferred), total)


def _distinct(triples: Iterable[ox.Triple]) -> tuple[ox.Triple, ...]:
    """Triples once each, in a stable order (CONSTRUCT may repeat a triple reached by two routes)."""
    return tuple(sorted(set(triples), key=str))
