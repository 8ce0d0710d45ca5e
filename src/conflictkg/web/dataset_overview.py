"""Figures for the landing page: triples per graph, how many events, places, actors and claims, examples.

Computed once per server with SPARQL over the store (the data is read-only), counting instances through
the class hierarchy so that a ``ckg:Recapture`` counts as an event.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from conflictkg.store import Store
from conflictkg.vocab import sparql_prologue

KINDS = ("Event", "Place", "Actor", "Claim")
"""Ontology classes whose instances the landing page counts and samples."""

EXAMPLES_PER_KIND = 3


@dataclass(frozen=True)
class Overview:
    """Counts and a few example resources of each kind."""

    graph_triples: tuple[tuple[str, int], ...]
    kind_counts: tuple[tuple[str, int], ...]
    examples: tuple[tuple[str, tuple[ox.NamedNode, ...]], ...]


def overview(store: Store) -> Overview:
    """Count triples per named graph and instances per kind; pick the first few of each kind."""
    graph_triples = tuple(sorted(store.graph_sizes().items()))  # counted once per store (at build, for a release)
    counts, examples = [], []
    for kind in KINDS:
        pattern = f"?x a/rdfs:subClassOf* ckg:{kind} . FILTER(isIRI(?x))"
        n = store.query(f"{sparql_prologue()}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
        counts.append((kind, int(next(iter(n))["n"].value)))  # type: ignore[arg-type]
        rows = store.query(
            f"{sparql_prologue()}SELECT DISTINCT ?x WHERE {{ {pattern} }} ORDER BY ?x LIMIT {EXAMPLES_PER_KIND}"
        )
        examples.append((kind, tuple(row["x"] for row in rows)))  # type: ignore[union-attr]
    return Overview(graph_triples, tuple(counts), tuple(examples))
