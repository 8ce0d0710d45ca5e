"""What the query editor completes: the contract prefixes and the terms the ontology defines.

Read from the served ontology graph, so completion offers exactly the classes, properties and concepts a
query can use against this data, with their labels and comments as hints.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from conflictkg.store import Store
from conflictkg.vocab import ONTOLOGY_GRAPH, prefix_map

_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2000/01/rdf-schema#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "property",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property": "property",
    "http://www.w3.org/2004/02/skos/core#Concept": "concept",
    "http://www.w3.org/2002/07/owl#NamedIndividual": "individual",
}

_TERMS = """
SELECT ?term ?type (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) WHERE {
  GRAPH ?g { ?term a ?type FILTER(isIRI(?term)) }
  OPTIONAL { GRAPH ?g { ?term <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?l
             FILTER(LANG(?l) IN ("", "en")) } }
  OPTIONAL { GRAPH ?g { ?term <http://www.w3.org/2000/01/rdf-schema#comment>|<http://www.w3.org/2004/02/skos/core#definition> ?c
             FILTER(LANG(?c) IN ("", "en")) } }
} GROUP BY ?term ?type
"""


@dataclass(frozen=True)
class CompletionTerm:
    """An ontology term as the editor offers it."""

    iri: str
    kind: str
    label: str
    comment: str | None


def completion_terms(store: Store) -> tuple[CompletionTerm, ...]:
    """Classes, properties, concepts and individuals of the ontology graph, sorted by IRI."""
    rows = store.query(_TERMS, default_graph=[], named_graphs=[str(ONTOLOGY_GRAPH)])
    found: dict[str, CompletionTerm] = {}
    for row in rows:  # type: ignore[union-attr]
        kind = _KINDS.get(row["type"].value)
        iri = row["term"].value
        if kind is None or (iri in found and found[iri].kind != "individual"):
            continue
        label = row["label"].value if isinstance(row["label"], ox.Literal) else iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        comment = row["comment"].value if isinstance(row["comment"], ox.Literal) else None
        found[iri] = CompletionTerm(iri, kind, label, comment)
    return tuple(found[k] for k in sorted(found))


def completion_prefixes() -> dict[str, str]:
    """The contract prefixes (vocab.PREFIXES), ``{name: namespace}``."""
    return prefix_map()
