"""Linking the graph's places to a gazetteer: decisions, provenance, the links graph and its VoID.

Places are linked parents first, so that a district's province (and the province's admin1 code and
the city's coordinates) is known before its villages are matched. Curated links (those already in
the graph, from shared/facts/places.md) are kept as they are: the linker never overrides them, and
the report says where it would have decided otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from conflictkg.gazetteer.index import CandidateIndex, index_for
from conflictkg.gazetteer.match import Candidate, Decision, PlaceContext, decide, rank
from conflictkg.gazetteer.sources import Gazetteer, GazetteerRecord
from conflictkg.pipeline.sources import Sources
from conflictkg.vocab import CKG, DATA_GRAPH, DATASET_IRI, GEO, GEONAMES, ID, LINKS_GRAPH, WD, bind_prefixes

METHOD = "ckg-gazetteer-linker/1: Arabic-aware name keys + rapidfuzz, scored with feature kind, admin1 and distance"

PLACE_KINDS: dict[URIRef, str] = {
    CKG.Settlement: "settlement",
    CKG.Neighbourhood: "neighbourhood",
    CKG.AdministrativeArea: "admin",
    CKG.MilitaryFacility: "facility",
    CKG.Landmark: "landmark",
    CKG.River: "river",
    CKG.Place: "",
}
"""Place classes of the ontology and the kind of gazetteer feature each may link to."""

RADIUS_BY_FEATURE: dict[str, float] = {"P": 30.0, "ADM2": 80.0, "ADM1": 200.0}
"""How far from a parent of this kind a contained place may lie (km)."""

TARGET_DATASETS: dict[str, tuple[URIRef, str]] = {
    "geonames": (URIRef("https://www.geonames.org/"), str(GEONAMES)),
    "wikidata": (URIRef("https://www.wikidata.org/"), str(WD)),
}
"""Link targets: the dataset IRI and the URI space its entities live in."""

_WKT_POINT = re.compile(r"POINT\s*\(\s*([-\d.]+)\s+([-\d.]+)\s*\)", re.I)


@dataclass
class ProjectPlace:
    """A place of the graph, with what the linker needs to know about it."""

    iri: URIRef
    label: str
    alt_labels: list[str]
    kind: str
    parents: list[URIRef]
    point: tuple[float, float] | None
    curated: list[tuple[URIRef, URIRef]]
    """(relation, target) pairs already in the graph."""

    @property
    def slug(self) -> str:
        """The last path segment of the IRI (id/place/<slug>)."""
        return str(self.iri).rstrip("/").rsplit("/", 1)[-1]

    def curated_geonames(self) -> list[int]:
        """GeoNames ids of the curated links."""
        return [geonames_id(t) for _, t in self.curated if geonames_id(t) is not None]  # type: ignore[misc]


@dataclass
class PlaceReport:
    """What the linker saw and decided for one place."""

    place: ProjectPlace
    candidates: list[Candidate]
    decision: Decision
    context: PlaceContext
    curated_note: str = ""


@dataclass
class LinkResult:
    """The links graph to publish and the per-place report."""

    graph: Graph
    reports: list[PlaceReport] = field(default_factory=list)

    def disagreements(self) -> list[PlaceReport]:
        """Places where the linker's decision differs from a curated link."""
        return [r for r in self.reports if r.curated_note.startswith("disagrees")]

    def to_text(self) -> str:
        """A readable table: place, decision, score, target, and the curated comparison."""
        lines = []
        for r in self.reports:
            cand = r.decision.candidate
            target = f"{cand.record.name} ({cand.record.geonameid})" if cand else "-"
            relation = r.decision.relation or "none"
            score = f"{cand.score:.2f}" if cand else "-"
            lines.append(f"{r.place.label:<34} {relation:<6} {score:>5}  {target:<36} {r.decision.reason}")
            if r.curated_note:
                lines.append(f"{'':<34} curated: {r.curated_note}")
        return "\n".join(lines)


def geonames_id(iri: URIRef | str) -> int | None:
    """The numeric id of a GeoNames IRI (https://sws.geonames.org/N/ or http://...), or None."""
    match = re.fullmatch(r"https?://sws\.geonames\.org/([0-9]{1,12})/?", str(iri))
    return int(match.group(1)) if match else None


def _point(graph: Graph, place: URIRef) -> tuple[float, float] | None:
    for geometry in graph.objects(place, GEO.hasGeometry):
        for wkt in graph.objects(geometry, GEO.asWKT):
            match = _WKT_POINT.search(str(wkt))
            if match:
                return float(match.group(2)), float(match.group(1))
    return None


def project_places(graph: Graph) -> list[ProjectPlace]:
    """Every resource typed with a place class, with labels, parents, point and curated links."""
    found: dict[URIRef, str] = {}
    for cls, kind in PLACE_KINDS.items():
        for place in graph.subjects(RDF.type, cls):
            if isinstance(place, URIRef) and (place not in found or not found[place]):
                found[place] = kind
    places = []
    for iri, kind in found.items():
        labels = [str(o) for o in graph.objects(iri, RDFS.label)]
        alts = [str(o) for o in graph.objects(iri, SKOS.altLabel)]
        curated = [
            (rel, t)
            for rel in (SKOS.exactMatch, SKOS.closeMatch)
            for t in graph.objects(iri, rel)
            if isinstance(t, URIRef) and any(str(t).startswith(space) for _, space in TARGET_DATASETS.values())
        ]
        places.append(
            ProjectPlace(
                iri=iri,
                label=labels[0] if labels else str(iri).rsplit("/", 1)[-1],
                alt_labels=[*labels[1:], *alts],
                kind=kind,
                parents=[p for p in graph.objects(iri, CKG.locatedIn) if isinstance(p, URIRef)],
                point=_point(graph, iri),
                curated=curated,
            )
        )
    by_iri = {p.iri: p for p in places}

    def depth(p: ProjectPlace, seen: frozenset[URIRef] = frozenset()) -> int:
        parents = [by_iri[q] for q in p.parents if q in by_iri and q not in seen]
        return 1 + max((depth(q, seen | {p.iri}) for q in parents), default=0)

    return sorted(places, key=lambda p: (depth(p), str(p.iri)))


def _context(place: ProjectPlace, by_iri: dict[URIRef, ProjectPlace], linked: dict[URIRef, GazetteerRecord]) -> PlaceContext:
    """Country, admin1 and a nearby point from the place itself and its nearest linked ancestors."""
    country = admin1 = None
    near: tuple[float, float] | None = place.point
    radius, near_label = (10.0, "its own position") if near else (30.0, "")
    frontier, seen = list(place.parents), {place.iri}
    while frontier:
        nxt: list[URIRef] = []
        for iri in frontier:
            if iri in seen:
                continue
            seen.add(iri)
            ancestor = by_iri.get(iri)
            record = linked.get(iri)
            if record is not None:
                country = country or record.country or None
                if record.feature_code != "PCLI":
                    admin1 = admin1 or record.admin1_code or None
            if near is None and ancestor is not None:
                point = ancestor.point
                if point is None and record is not None and record.latitude is not None:
                    point = (record.latitude, record.longitude)  # type: ignore[assignment]
                feature = record.feature_code if record and record.feature_class == "A" else "P"
                if point is not None and feature in RADIUS_BY_FEATURE:
                    near, radius, near_label = point, RADIUS_BY_FEATURE[feature], ancestor.label
            if ancestor is not None:
                nxt.extend(ancestor.parents)
        frontier = nxt
    return PlaceContext(place.kind or None, country, admin1, near, radius, near_label)


def _rank_all_labels(index: CandidateIndex, place: ProjectPlace, context: PlaceContext) -> list[Candidate]:
    best: dict[int, Candidate] = {}
    for label in dict.fromkeys([place.label, *place.alt_labels]):
        for cand in rank(index, label, context, limit=10):
            mine = best.get(cand.record.geonameid)
            if mine is None or cand.score > mine.score:
                best[cand.record.geonameid] = cand
    ranked = sorted(best.values(), key=lambda c: (-c.score, -c.record.population, c.record.geonameid))
    return ranked[:5]


def _curated_note(place: ProjectPlace, decision: Decision, gazetteer: Gazetteer) -> str:
    ids = place.curated_geonames()
    if not ids:
        return ""
    chosen = decision.candidate.record.geonameid if decision.relation and decision.candidate else None
    if chosen in ids:
        return f"agrees with curated GeoNames {chosen}"
    missing = [i for i in ids if i not in gazetteer.records]
    if chosen is not None:
        return f"disagrees: curated {', '.join(map(str, ids))}, linker chose {chosen}; curated kept"
    if missing:
        return f"curated {', '.join(map(str, missing))} is not in the loaded gazetteer; curated kept"
    return f"disagrees: curated {', '.join(map(str, ids))}, linker found no link ({decision.reason}); curated kept"


def link_places(graph: Graph, gazetteer: Gazetteer, *, now: datetime | None = None) -> LinkResult:
    """Link every place of ``graph`` (data + curated links) and build the links graph to publish."""
    now = now or datetime.now(UTC)
    index = index_for(gazetteer)
    places = project_places(graph)
    by_iri = {p.iri: p for p in places}
    linked: dict[URIRef, GazetteerRecord] = {}
    out = bind_prefixes(Graph())
    _copy_curated(graph, out)
    result = LinkResult(out)
    for place in places:
        context = _context(place, by_iri, linked)
        candidates = _rank_all_labels(index, place, context)
        decision = decide(candidates)
        note = _curated_note(place, decision, gazetteer)
        result.reports.append(PlaceReport(place, candidates, decision, context, note))
        curated_ids = place.curated_geonames()
        if curated_ids:
            record = gazetteer.records.get(curated_ids[0])
            if record is not None:
                linked[place.iri] = record
            continue
        if decision.relation and decision.candidate:
            linked[place.iri] = decision.candidate.record
            _add_link(out, place, decision, gazetteer, now)
        elif not place.curated:
            _add_unlinked(out, place, decision, gazetteer)
    _add_linksets(out)
    return result


def _copy_curated(source: Graph, out: Graph) -> None:
    for record in set(source.subjects(RDF.type, CKG.GazetteerLink)):
        for p, o in source.predicate_objects(record):
            out.add((record, p, o))
    for rel in (SKOS.exactMatch, SKOS.closeMatch):
        for s, o in source.subject_objects(rel):
            if any(str(o).startswith(space) for _, space in TARGET_DATASETS.values()):
                out.add((s, rel, o))


def _add_link(out: Graph, place: ProjectPlace, decision: Decision, gazetteer: Gazetteer, now: datetime) -> None:
    cand = decision.candidate
    assert cand is not None
    relation = SKOS.exactMatch if decision.relation == "exact" else SKOS.closeMatch
    target = URIRef(cand.record.iri)
    record = ID[f"link/{place.slug}/geonames-{cand.record.geonameid}"]
    out.add((place.iri, relation, target))
    out.add((record, RDF.type, CKG.GazetteerLink))
    out.add((record, CKG.linkSubject, place.iri))
    out.add((record, CKG.linkTarget, target))
    out.add((record, CKG.linkRelation, relation))
    out.add((record, CKG.score, Literal(Decimal(f"{cand.score:.3f}"), datatype=XSD.decimal)))
    out.add((record, CKG.method, Literal(METHOD)))
    if cand.record.source:
        out.add((record, DCTERMS.source, URIRef(cand.record.source)))
    out.add((record, RDFS.comment, Literal(
        f"{decision.relation} match to GeoNames {cand.record.geonameid} '{cand.record.name}': {decision.reason}; "
        f"{'; '.join(cand.reasons)}. Gazetteer: {gazetteer.describe()}.", lang="en")))
    out.add((record, PROV.generatedAtTime, Literal(now.isoformat(timespec="seconds"), datatype=XSD.dateTime)))


def _add_unlinked(out: Graph, place: ProjectPlace, decision: Decision, gazetteer: Gazetteer) -> None:
    """Say why a place with no link at all (no curated identifier, no decision) stays unlinked.

    The property already says "unlinked", so the text starts with the why: the best candidate and its
    score, or that nothing had a similar name; then what was searched.
    """
    reason = decision.reason[:1].upper() + decision.reason[1:]
    if decision.candidate is not None:
        reason += f" ({'; '.join(decision.candidate.reasons)})"
    reason += f". Searched: {gazetteer.describe()}; the project data carries no curated identifier for it."
    out.add((place.iri, CKG.unlinkedReason, Literal(reason, lang="en")))


def _add_linksets(out: Graph) -> None:
    """One void:Linkset per target dataset and link predicate, with its triple count."""
    out.add((DATASET_IRI, RDF.type, VOID.Dataset))
    for name, (dataset, space) in TARGET_DATASETS.items():
        for rel in (SKOS.exactMatch, SKOS.closeMatch):
            count = sum(1 for _, o in out.subject_objects(rel) if str(o).startswith(space))
            if not count:
                continue
            linkset = ID[f"linkset/{name}-{rel.split('#')[-1].lower()}"]
            out.add((linkset, RDF.type, VOID.Linkset))
            out.add((linkset, VOID.subjectsTarget, DATASET_IRI))
            out.add((linkset, VOID.objectsTarget, dataset))
            out.add((linkset, VOID.linkPredicate, rel))
            out.add((linkset, VOID.triples, Literal(count, datatype=XSD.nonNegativeInteger)))
            out.add((DATASET_IRI, VOID.subset, linkset))
            out.add((dataset, RDF.type, VOID.Dataset))
            out.add((dataset, VOID.uriSpace, Literal(space)))


class GazetteerLinker:
    """A linker for ``pipeline.build.build(..., linkers=[GazetteerLinker(gaz)])``: data + links in, links out.

    It keeps the last LinkResult so that ``conflictkg link`` can print the per-place report of the very
    run whose links went into the release.
    """

    def __init__(self, gazetteer: Gazetteer, now: datetime | None = None) -> None:
        self.gazetteer = gazetteer
        self.now = now
        self.result: LinkResult | None = None

    def __call__(self, sources: Sources) -> Graph:
        """Link the places of the data and curated links loaded so far; the links graph to add."""
        places = sources.described((DATA_GRAPH, LINKS_GRAPH), (*PLACE_KINDS, CKG.GazetteerLink))
        self.result = link_places(places, self.gazetteer, now=self.now)
        return self.result.graph
