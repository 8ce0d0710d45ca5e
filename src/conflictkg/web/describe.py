"""The RDF description of one resource, read from the store with SPARQL.

A resource's description is what a client needs to understand it without a second request: its
outgoing triples, the triples pointing at it, and the descriptions of its own sub-resources (IRIs one
step away that extend its IRI, e.g. ``id/span/10-20/quote`` or ``id/place/x/geometry``). It is read from
the asserted graphs; what the reasoner added is returned apart so that no page passes an inference off
as a statement of the data.
"""

from __future__ import annotations

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


def describe(store: Store, iri: str) -> Description:
    """Read the description of ``iri``; an invalid or unknown IRI gives an empty description."""
    node = named_node(iri)
    if node is None:
        return Description(iri, (), ())
    prefix = ox.Literal(iri + "/")
    asserted = store.query(
        f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
              {{ {node} ?p ?o BIND({node} AS ?s) }}
              UNION {{ {node} ?link ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) ?s ?p ?o }}
              UNION {{ ?s ?p {node} BIND({node} AS ?o) }}
            }}"""
    )
    inferred = store.query(
        f"""CONSTRUCT {{ {node} ?p ?o }} WHERE {{
              GRAPH <{INFERRED_GRAPH}> {{ {node} ?p ?o }}
              FILTER NOT EXISTS {{ {node} ?p ?o }}
            }}"""
    )
    return Description(iri, _distinct(asserted), _distinct(inferred))


def _distinct(triples: ox.QueryTriples) -> tuple[ox.Triple, ...]:
    """Triples once each, in a stable order (CONSTRUCT may repeat a triple reached by two routes)."""
    return tuple(sorted(set(triples), key=str))
