"""The article data (data/*.ttl) as a specification: exact evidence, attribution, IRIs, identifiers.

The Turtle files are the source of truth; these tests re-derive nothing, they check what is written
against the raw article and against shared/facts/places.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from conflictkg.vocab import CKG, GEO, ID, OA, PROV, SCHEMA

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ARTICLE_TEXT = DATA / "article.txt"
PLACES_FACTS = ROOT.parent / "shared" / "facts" / "places.md"
ONTOLOGY = ROOT / "ontology" / "conflictkg.ttl"

ARTICLE = ID["article/syrian-army-assaults-reverse-is-gains-in-deir-ezzor"]
EVENT_CLASSES = {
    CKG[name]
    for name in (
        "Event", "MilitaryOperation", "Attack", "ArmedClash", "Bombing", "Capture", "Recapture",
        "ContestedControl", "Killing",
    )
}
KINDS = "article|report|actor|place|event|claim|casualty|span|link"
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
RESOURCE_IRI = re.compile(
    rf"^{re.escape(str(ID))}(?:"
    rf"span/\d+-\d+(?:/quote|/position)?"
    rf"|place/{SLUG}(?:/geometry)?"
    rf"|link/{SLUG}/{SLUG}"
    rf"|(?:{KINDS})/{SLUG}"
    rf")$"
)
CONTEXT_LIMIT = 32
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_NON_NEGATIVE_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
GEONAMES_PREFIX = "https://sws.geonames.org/"
WIKIDATA_PREFIX = "http://www.wikidata.org/entity/"

# Row of shared/facts/places.md (its "as written" cell starts with this) → our place.
PLACE_ROWS = {
    '(implicit) "the country"': "syria",
    '"Deir Ezzor province"': "deir-ezzor-province",
    "(hierarchy, not named)": "deir-ezzor-district",
    '"Deir Ezzor city"': "deir-ezzor",
    '"Ayash"': "ayyash",
    '"Begayliya"': "baghiliyah",
    '"Deir Ezzor\'s military airport"': "deir-ezzor-military-airport",
    '"Saaqa military base"': "saaqa-military-base",
    '"Jami\'yah Al-Rawad Neighborhood"': "jamiyah-al-rawad",
    '"the Radio Broadcast tower"': "radio-broadcast-tower",
    '"Ayash weapons depot"': "ayash-weapons-depot",
    '"the Euphrates"': "euphrates",
}


@pytest.fixture(scope="module")
def text() -> str:
    return ARTICLE_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for path in sorted(DATA.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def links() -> Graph:
    return Graph().parse(DATA / "links.ttl", format="turtle")


@pytest.fixture(scope="module")
def places_rows() -> dict[str, dict[str, str]]:
    """The places table of shared/facts/places.md, keyed by our place slug."""
    if not PLACES_FACTS.exists():
        pytest.skip(f"{PLACES_FACTS} is absent: the shared facts are not checked out next to the project")
    rows: dict[str, dict[str, str]] = {}
    for line in PLACES_FACTS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 7:
            continue
        for written, slug in PLACE_ROWS.items():
            if cells[0].startswith(written):
                rows[slug] = {
                    "geonames": cells[2], "wikidata": cells[3], "other": cells[4], "coordinates": cells[5],
                }
    assert set(rows) == set(PLACE_ROWS.values()), "places.md table rows changed"
    return rows


def instances(g: Graph, classes: set[URIRef]) -> set[URIRef]:
    return {s for c in classes for s in g.subjects(RDF.type, c) if isinstance(s, URIRef)}


def events(g: Graph) -> set[URIRef]:
    return instances(g, EVENT_CLASSES)


def spans(g: Graph) -> Iterator[tuple[URIRef, URIRef, URIRef]]:
    """(span, quote selector, position selector) for every evidence span."""
    for span in g.subjects(RDF.type, OA.SpecificResource):
        selectors = set(g.objects(span, OA.hasSelector))
        quote = next(s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in g)
        position = next(s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in g)
        yield span, quote, position


def test_article_text_is_the_seed_byte_for_byte(text: str) -> None:
    seed = ROOT.parent / "shared" / "seed" / "article.txt"
    if not seed.exists():
        pytest.skip(f"{seed} is absent")
    assert ARTICLE_TEXT.read_bytes() == seed.read_bytes()
    assert len(text) == 3222
    assert [i for i, c in enumerate(text) if c == "\u00a0"] == [76, 84, 117]


def test_every_span_quotes_the_raw_text_at_its_offsets(graph: Graph, text: str) -> None:
    checked = 0
    for span, quote, position in spans(graph):
        start = int(graph.value(position, OA.start))
        end = int(graph.value(position, OA.end))
        exact = str(graph.value(quote, OA.exact))
        prefix = str(graph.value(quote, OA.prefix, default=Literal("")))
        suffix = str(graph.value(quote, OA.suffix, default=Literal("")))
        assert text[start:end] == exact, span
        assert span == ID[f"span/{start}-{end}"]
        assert quote == ID[f"span/{start}-{end}/quote"]
        assert position == ID[f"span/{start}-{end}/position"]
        assert prefix == text[max(0, start - CONTEXT_LIMIT):start], span
        assert suffix == text[end:end + CONTEXT_LIMIT], span
        assert graph.value(span, OA.hasSource) == ARTICLE
        for offset in (OA.start, OA.end):
            assert graph.value(position, offset).datatype == XSD_NON_NEGATIVE_INTEGER
        checked += 1
    assert checked >= 30


def test_every_span_is_evidence_of_something(graph: Graph) -> None:
    defined = set(graph.subjects(RDF.type, OA.SpecificResource))
    cited = set(graph.objects(None, CKG.evidence))
    assert defined == cited


def test_the_non_breaking_spaces_survive_in_the_quotes(graph: Graph) -> None:
    quote = graph.value(ID["span/53-129/quote"], OA.exact)
    assert str(quote).count("\u00a0") == 3


@pytest.mark.parametrize("kind", ["event", "claim", "casualty"])
def test_every_event_claim_and_casualty_report_has_evidence(graph: Graph, kind: str) -> None:
    classes = {"event": EVENT_CLASSES, "claim": {CKG.Claim}, "casualty": {CKG.CasualtyReport}}[kind]
    nodes = instances(graph, classes)
    assert nodes
    for node in nodes:
        evidence = set(graph.objects(node, CKG.evidence))
        assert evidence, f"{node} has no evidence"
        for span in evidence:
            assert (span, RDF.type, OA.SpecificResource) in graph, f"{node} → {span} is not a span"


def test_every_event_and_casualty_report_is_claimed(graph: Graph) -> None:
    claimed = set(graph.objects(None, CKG.about))
    for node in events(graph) | instances(graph, {CKG.CasualtyReport}):
        assert node in claimed, f"no claim is about {node}"


def test_every_claim_names_its_source_and_the_article(graph: Graph) -> None:
    for claim in instances(graph, {CKG.Claim}):
        assert graph.value(claim, CKG.claimedBy) is not None, claim
        assert graph.value(claim, CKG.reportedIn) == ARTICLE, claim
        assert set(graph.objects(claim, CKG.about)), claim


def test_quotations_are_verbatim_inside_their_evidence(graph: Graph, text: str) -> None:
    exact = {span: str(graph.value(quote, OA.exact)) for span, quote, _ in spans(graph)}
    quoted = 0
    for claim, quotation in graph.subject_objects(CKG.quotation):
        assert f"“{quotation}" in text or f" {quotation}”" in text, claim
        assert any(str(quotation) in exact[span] for span in graph.objects(claim, CKG.evidence)), claim
        quoted += 1
    assert quoted == 5


def test_the_officer_told_ara_news_and_the_activists_no_named_outlet(graph: Graph) -> None:
    outlets = {(c, o) for c, o in graph.subject_objects(CKG.reportedTo)}
    assert {claimant for c, _ in outlets for claimant in graph.objects(c, CKG.claimedBy)} == {
        ID["actor/ali-ibrahim"]
    }
    assert {o for _, o in outlets} == {ID["actor/ara-news"]}


def test_the_article_narration_is_claimed_by_the_article(graph: Graph) -> None:
    own = set(graph.subjects(CKG.claimedBy, ARTICLE))
    assert ID["claim/article-depot-contested"] in own
    assert ID["casualty/more-than-150-people"] in own


def test_casualty_figures_keep_their_quantifier(graph: Graph) -> None:
    figures = {
        report.removeprefix(str(ID)): (
            graph.value(report, CKG["count"]),
            graph.value(report, CKG.quantifier),
            graph.value(report, CKG.victimGroup),
        )
        for report in instances(graph, {CKG.CasualtyReport})
    }
    assert {k: (None if v[0] is None else int(v[0]), v[1], v[2]) for k, v in figures.items()} == {
        "casualty/more-than-150-people": (150, CKG.MoreThan, ID["actor/people"]),
        "casualty/around-40-troops": (40, CKG.Approximately, ID["actor/troops"]),
        "casualty/around-130-civilians": (130, CKG.Approximately, ID["actor/civilians"]),
        "casualty/dozens-of-women-and-children": (None, CKG.Dozens, ID["actor/women-and-children"]),
    }
    for count, _, _ in figures.values():
        assert count is None or count.datatype == XSD_NON_NEGATIVE_INTEGER


def test_resolved_dates_keep_the_expression_and_their_provenance(graph: Graph) -> None:
    dated = list(graph.subject_objects(CKG.date))
    assert dated
    for event, date in dated:
        assert date.datatype == XSD_DATE
        assert graph.value(event, CKG.timeExpression) is not None, event
        reports = set(graph.objects(event, CKG.dateResolvedFrom))
        assert reports == {ID["report/ara-news-2016-01-17"], ID["report/almasdar-news-2016-01-17"]}
    expressions = {str(e): {str(d) for d in graph.objects(s, CKG.date)}
                   for s, e in graph.subject_objects(CKG.timeExpression)}
    assert expressions["Saturday"] == {"2016-01-16"}
    assert expressions["the following day"] == {"2016-01-17"}
    assert expressions["During the past 48 hours"] == set()


def test_the_article_is_derived_from_the_upstream_reports(graph: Graph) -> None:
    urls = {
        graph.value(report, SCHEMA.url)
        for report in graph.objects(ARTICLE, PROV.wasDerivedFrom)
    }
    assert urls == {
        URIRef("http://aranews.net/files/2016/01/17718/"),
        URIRef("http://www.almasdarnews.com/article/syrian-army-counters-isis-in-deir-ezzor/"),
    }
    for report in graph.objects(ARTICLE, PROV.wasDerivedFrom):
        assert graph.value(report, SCHEMA.datePublished) == Literal("2016-01-17", datatype=XSD_DATE)


def test_every_recapture_undoes_an_earlier_capture_of_its_place(graph: Graph) -> None:
    recaptures = instances(graph, {CKG.Recapture})
    assert len(recaptures) == 5
    for recapture in recaptures:
        place = graph.value(recapture, CKG.place)
        capture = graph.value(recapture, CKG.reverses)
        assert capture is not None and (capture, RDF.type, CKG.Capture) in graph
        assert graph.value(capture, CKG.agent) not in set(graph.objects(recapture, CKG.agent))
        containers = set(graph.transitive_objects(place, CKG.locatedIn))
        assert graph.value(capture, CKG.place) in containers, recapture


def test_no_place_contains_itself(graph: Graph) -> None:
    for place in set(graph.subjects(CKG.locatedIn, None)):
        ancestors = {a for parent in graph.objects(place, CKG.locatedIn)
                     for a in graph.transitive_objects(parent, CKG.locatedIn)}
        assert place not in ancestors, place


def test_no_blank_nodes(graph: Graph, links: Graph) -> None:
    for g in (graph, links):
        for triple in g:
            assert not any(isinstance(term, BNode) for term in triple), triple


def test_every_resource_iri_follows_kind_and_slug(graph: Graph) -> None:
    iris = {term for triple in graph for term in triple if isinstance(term, URIRef)}
    ours = {str(i) for i in iris if str(i).startswith(str(ID))}
    assert ours
    assert sorted(i for i in ours if not RESOURCE_IRI.match(i)) == []


def test_every_ontology_term_the_data_uses_is_defined(graph: Graph, links: Graph) -> None:
    ontology = Graph().parse(ONTOLOGY, format="turtle")
    defined = {s for s in ontology.subjects() if str(s).startswith(str(CKG))}
    used = {
        term for triple in graph + links for term in (triple[1], triple[2])
        if isinstance(term, URIRef) and str(term).startswith(str(CKG))
    }
    assert sorted(used - defined) == []


def test_every_actor_takes_part_in_the_graph(graph: Graph) -> None:
    actors = {s for s in graph.subjects() if str(s).startswith(str(ID["actor/"]))}
    referenced = {o for o in graph.objects() if isinstance(o, URIRef)}
    assert sorted(actors - referenced) == []


def test_only_the_anonymous_activist_has_no_name(graph: Graph) -> None:
    people = set(graph.subjects(RDF.type, CKG.Person))
    unnamed = {p for p in people if graph.value(p, SCHEMA.name) is None}
    assert unnamed == {ID["actor/anonymous-activist"]}


def test_every_resource_has_a_label(graph: Graph) -> None:
    subjects = {s for s in graph.subjects() if str(s).startswith(str(ID))}
    selectors = instances(graph, {OA.TextQuoteSelector, OA.TextPositionSelector})
    for node in subjects - selectors:
        assert graph.value(node, RDFS.label) is not None, node


def test_gazetteer_links_are_in_the_links_file_only(graph: Graph, links: Graph) -> None:
    for path in sorted(DATA.glob("*.ttl")):
        if path.name == "links.ttl":
            continue
        g = Graph().parse(path, format="turtle")
        assert not set(g.triples((None, SKOS.exactMatch, None))), path
        assert not set(g.triples((None, SKOS.closeMatch, None))), path
    for relation in (SKOS.exactMatch, SKOS.closeMatch):
        for place, target in links.subject_objects(relation):
            records = set(links.subjects(CKG.linkTarget, target)) & set(links.subjects(CKG.linkSubject, place))
            assert len(records) == 1, (place, target)
            record = records.pop()
            assert links.value(record, CKG.linkRelation) == relation
            assert str(links.value(record, CKG.method)) == "curated"
            assert "places.md" in str(links.value(record, URIRef("http://purl.org/dc/terms/source")))
            assert links.value(record, RDFS.comment) is not None


def test_external_identifiers_are_exactly_those_of_places_md(
    graph: Graph, links: Graph, places_rows: dict[str, dict[str, str]]
) -> None:
    everything = graph + links
    external = {
        str(term) for triple in everything for term in triple
        if isinstance(term, URIRef) and str(term).startswith((GEONAMES_PREFIX, WIKIDATA_PREFIX))
    }
    expected: set[str] = set()
    for slug, row in places_rows.items():
        place = ID[f"place/{slug}"]
        targets = {str(t) for r in (SKOS.exactMatch, SKOS.closeMatch) for t in links.objects(place, r)}
        wanted = set()
        if row["geonames"].isdigit():
            wanted.add(f"{GEONAMES_PREFIX}{row['geonames']}/")
        if row["wikidata"].startswith("Q"):
            wanted.add(f"{WIKIDATA_PREFIX}{row['wikidata']}")
        assert targets == wanted, slug
        expected |= wanted
    assert external == expected


def test_name_and_position_matches_are_close_matches(links: Graph) -> None:
    for slug, geonames in (("ayyash", "7632486"), ("baghiliyah", "171236")):
        target = URIRef(f"{GEONAMES_PREFIX}{geonames}/")
        assert (ID[f"place/{slug}"], SKOS.closeMatch, target) in links
        record = next(iter(set(links.subjects(CKG.linkTarget, target))))
        assert "name and position" in str(links.value(record, RDFS.comment))


def test_codes_are_exactly_those_of_places_md(
    graph: Graph, places_rows: dict[str, dict[str, str]]
) -> None:
    """ISO, HASC, IATA and ICAO codes: schema:identifier as "<scheme> <code>", airports' own properties."""
    for slug, row in places_rows.items():
        place = ID[f"place/{slug}"]
        codes = {str(c) for c in graph.objects(place, SCHEMA.identifier)}
        codes |= {f"IATA {c}" for c in graph.objects(place, SCHEMA.iataCode)}
        codes |= {f"ICAO {c}" for c in graph.objects(place, SCHEMA.icaoCode)}
        wanted = {c.strip() for c in row["other"].split(",") if c.strip() not in ("", "—")}
        assert codes == wanted, slug


def test_coordinates_are_exactly_those_of_places_md(
    graph: Graph, places_rows: dict[str, dict[str, str]]
) -> None:
    for slug, row in places_rows.items():
        geometry = graph.value(ID[f"place/{slug}"], GEO.hasGeometry)
        point = re.search(r"(-?\d+\.\d+), (-?\d+\.\d+)", row["coordinates"])
        if point is None:
            assert geometry is None, f"{slug} has a coordinate that places.md does not give"
            continue
        lat, lon = point.groups()
        assert geometry == ID[f"place/{slug}/geometry"]
        wkt = graph.value(geometry, GEO.asWKT)
        assert wkt == Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral), slug


def test_the_article_places_are_contained_up_to_syria(graph: Graph) -> None:
    syria = ID["place/syria"]
    places = {p for p in graph.subjects(RDF.type, None) if str(p).startswith(str(ID["place/"]))}
    for place in places - {syria, ID["place/euphrates"]} - set(graph.subjects(RDF.type, GEO.Geometry)):
        assert syria in set(graph.transitive_objects(place, CKG.locatedIn)), place
