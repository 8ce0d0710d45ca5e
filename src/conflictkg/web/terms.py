"""RDF terms as a page shows them: a label, a link (local for our IRIs, outward for others), a kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from conflictkg.hrefs import live_href
from conflictkg.store import Store
from conflictkg.vocab import prefix_map
from conflictkg.web.addresses import Addresses

_LABEL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?label WHERE {{
  VALUES ?s {{ {values} }}
  {{ ?s rdfs:label ?label }} UNION {{ ?s skos:prefLabel ?label }}
}}"""


@dataclass(frozen=True)
class Term:
    """One node for display. ``href`` is None for literals, blank nodes and IRIs that may not be links
    (a scheme other than http, https, mailto or urn: see conflictkg.hrefs)."""

    kind: str  # "iri", "literal" or "blank"
    value: str
    label: str
    href: str | None = None
    internal: bool = False
    datatype: str | None = None
    language: str | None = None


def curie(iri: str) -> str:
    """``prefix:local`` for IRIs in a contract namespace, else the IRI itself."""
    for prefix, base in prefix_map().items():
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


class TermFactory:
    """Turns pyoxigraph terms into Terms, fetching the labels of IRIs in one query per batch."""

    def __init__(self, store: Store, addresses: Addresses) -> None:
        self._store = store
        self._addresses = addresses
        self._labels: dict[str, str] = {}

    def preload(self, nodes: Iterable[object]) -> None:
        """Fetch labels for every IRI in ``nodes`` not seen yet (English or untagged preferred)."""
        known = self._labels  # a membership test per node: "set - keys()" copied every known label per call
        wanted = {n.value for n in nodes if isinstance(n, ox.NamedNode) and n.value not in known}
        if not wanted:
            return
        values = " ".join(str(ox.NamedNode(iri)) for iri in sorted(wanted))
        found: dict[str, tuple[int, str]] = {}
        for row in self._store.query(_LABEL_QUERY.format(values=values)):  # type: ignore[union-attr]
            label = row["label"]
            rank = 0 if getattr(label, "language", None) in (None, "en") else 1
            key = row["s"].value
            if key not in found or (rank, label.value) < found[key]:
                found[key] = (rank, label.value)
        for iri in wanted:
            self._labels[iri] = found[iri][1] if iri in found else curie(iri)

    def label(self, iri: str) -> str:
        """The label of an IRI (its CURIE or the IRI when it has none)."""
        self.preload([ox.NamedNode(iri)])
        return self._labels[iri]

    def term(self, node: object) -> Term:
        """A display term for a pyoxigraph node."""
        if isinstance(node, ox.NamedNode):
            local = self._addresses.local_path(node.value)
            return Term(
                "iri",
                node.value,
                self.label(node.value),
                href=local if local is not None else live_href(node.value),
                internal=local is not None,
            )
        if isinstance(node, ox.Literal):
            language = node.language
            datatype = None if language else node.datatype.value
            return Term("literal", node.value, node.value, datatype=datatype, language=language)
        return Term("blank", str(node), str(node))
