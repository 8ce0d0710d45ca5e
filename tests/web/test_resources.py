"""Dereferencing /id/...: one URL, HTML or RDF by negotiation, with ETags, alternates and honest 404s."""

from __future__ import annotations

import json
import re
import urllib.parse
from html import unescape as html_unescape
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

from .conftest import RELEASE_VERSION, NoServerErrors, write_release

ID = "https://w3id.org/conflictkg/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_FORMS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _triples(body: bytes, fmt: ox.RdfFormat) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(body, format=fmt)}


def test_browsers_get_the_html_page(client: TestClient) -> None:
    response = client.get("/id/place/ayyash", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Ayash</h1>" in response.text
    assert response.headers["vary"].startswith("Accept")


@pytest.mark.parametrize("media_type", sorted(RDF_FORMS))
def test_rdf_clients_get_the_same_description_in_their_syntax(client: TestClient, media_type: str) -> None:
    response = client.get("/id/place/ayyash", headers={"Accept": media_type})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    triples = _triples(response.content, RDF_FORMS[media_type])
    assert (f"<{ID}place/ayyash>", "<http://www.w3.org/2000/01/rdf-schema#label>", '"Ayash"@en') in triples


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get("/id/place/ayyash?format=ttl", headers={"Accept": BROWSER})
    assert response.headers["content-type"].startswith("text/turtle")


def test_description_has_outgoing_incoming_and_sub_resources_but_not_inferences(client: TestClient) -> None:
    triples = _triples(client.get("/id/place/ayyash", headers={"Accept": "application/n-triples"}).content, ox.RdfFormat.N_TRIPLES)
    subjects = {s for s, _, _ in triples}
    assert f"<{ID}place/ayyash/geometry>" in subjects, "the geometry sub-resource is described"
    assert f"<{ID}event/army-recaptures-ayyash>" in subjects, "incoming links are included"
    assert (f"<{ID}place/ayyash>", "<https://w3id.org/conflictkg/ontology#locatedIn>", f"<{ID}place/syria>") not in triples

    span = _triples(client.get("/id/span/741-823?format=nt").content, ox.RdfFormat.N_TRIPLES)
    assert {f"<{ID}span/741-823/quote>", f"<{ID}span/741-823/position>"} <= {s for s, _, _ in span}


def test_link_headers_name_every_rdf_form(client: TestClient) -> None:
    link = client.get("/id/place/ayyash", headers={"Accept": BROWSER}).headers["link"]
    for media_type in RDF_FORMS:
        assert f'rel="alternate"; type="{media_type}"' in link
    assert '<http://testserver/id/place/ayyash?format=ttl>; rel="alternate"; type="text/turtle"' in link


def test_forwarded_host_shapes_links_only_when_well_formed(client: TestClient) -> None:
    proxied = client.get("/id/place/ayyash", headers={"X-Forwarded-Host": "kg.example.org", "X-Forwarded-Proto": "https"})
    assert "<https://kg.example.org/id/place/ayyash?format=ttl>" in proxied.headers["link"]
    hostile = client.get("/id/place/ayyash", headers={"X-Forwarded-Host": "evil.example/<script>", "X-Forwarded-Proto": "javascript"})
    assert hostile.status_code == 200
    assert "<http://testserver/id/place/ayyash?format=ttl>" in hostile.headers["link"]


def test_etag_is_version_and_format_and_if_none_match_gives_304(client: TestClient) -> None:
    turtle = client.get("/id/place/ayyash", headers={"Accept": "text/turtle"})
    html = client.get("/id/place/ayyash", headers={"Accept": BROWSER})
    assert turtle.headers["etag"] == f'"{RELEASE_VERSION}-ttl"' and html.headers["etag"] == f'"{RELEASE_VERSION}-html"'
    again = client.get("/id/place/ayyash", headers={"Accept": "text/turtle", "If-None-Match": turtle.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/id/place/ayyash", headers={"Accept": BROWSER, "If-None-Match": turtle.headers["etag"]})
    assert other.status_code == 200


def test_unknown_iri_is_404_html_for_browsers_and_plain_for_rdf_clients(client: TestClient) -> None:
    page = client.get("/id/place/atlantis", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "place/atlantis" in page.text
    plain = client.get("/id/place/atlantis", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/id/", "/id/place/a%3Eb", "/id/place/x y", "/id/%00", "/id/" + "a/" * 500])
def test_malformed_iris_are_404_not_errors(client: TestClient, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_unsupported_media_type_is_406_with_the_list(client: TestClient) -> None:
    response = client.get("/id/place/ayyash", headers={"Accept": "image/png"})
    assert response.status_code == 406 and "text/turtle" in response.text
    assert client.get("/id/place/ayyash?format=docx").status_code == 406


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head("/id/place/ayyash", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.content == b"" and "etag" in response.headers


def test_place_page_has_map_coordinates_and_gazetteer_link_record(client: TestClient) -> None:
    html = client.get("/id/place/ayyash", headers={"Accept": BROWSER}).text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="map"' in html
    assert html.count("<circle") >= 3, "the place, its parent and its sibling are drawn"
    assert "Latitude 35.42022, longitude 40.05303" in html
    assert 'href="https://sws.geonames.org/7632486/"' in html
    links = html[html.index('<table class="links">'):]
    links = links[:links.index("</table>")]
    for shown in ("skos:closeMatch", "0.9", "curated", "WOF 1293683699", "Matched by name and position",
                  '<time datetime="2026-11-01T00:00:00Z">'):
        assert shown in links, shown
    assert "Not linked to a gazetteer" not in html
    assert 'href="/id/place/deir-ezzor"' in html, "internal IRIs link to their local page"
    assert "http://tile" not in html and "https://tile" not in html


def test_unlinked_place_page_says_why(client: TestClient) -> None:
    html = client.get("/id/place/begayliya", headers={"Accept": BROWSER}).text
    assert '<table class="links">' not in html
    assert ('<p class="unlinked"><strong>Not linked to a gazetteer:</strong> Best candidate Al Baghaliyah (2950) '
            "scored 0.40 &lt; 0.85 (in admin1 SY.13, expected SY.07). Searched: the test gazetteer.</p>") in html


def test_event_page_has_claims_evidence_and_timeline(client: TestClient) -> None:
    html = client.get("/id/event/army-recaptures-ayyash", headers={"Accept": BROWSER}).text
    assert "Who claimed it" in html and 'href="/id/actor/ali-ibrahim"' in html and 'href="/id/actor/ara-news"' in html
    assert "<mark>Our army forces recaptured the districts of Ayash and Begayliya in Deir Ezzor city</mark>" in html
    assert 'href="/article?highlight=741-823#span-741-823"' in html
    timeline = html[html.index('<ol class="timeline">') :]
    order = [timeline.index(label) for label in ("IS captures Ayash<", "Syrian army counter-assault", "Syrian army recaptures Ayash")]
    assert order == sorted(order), "dated events first, by date"
    assert "reverses" in timeline and "super-event" in timeline


def test_event_timeline_adds_other_events_at_the_same_place(client: TestClient) -> None:
    html = client.get("/id/event/is-captures-ayyash", headers={"Accept": BROWSER}).text
    timeline = html[html.index('<ol class="timeline">') : html.index("</ol>", html.index('<ol class="timeline">'))]
    assert "IS captures Ayash again</a> <span class=\"relation\">same place</span>" in timeline
    assert timeline.count("Syrian army recaptures Ayash") == 1, "an event related otherwise is listed once"
    assert "<span class=\"relation\">reversed by</span>" in timeline


def test_event_page_lists_where_it_happened_and_feeds_the_map(client: TestClient) -> None:
    html = client.get("/id/event/is-captures-ayyash", headers={"Accept": BROWSER}).text
    where = html[html.index('<section class="event-map">') : html.index("</section>", html.index('<section class="event-map">'))]
    assert 'href="/id/place/ayyash"' in where and "35.42022, 40.05303" in where and "this event" in where
    assert 'href="/id/place/deir-ezzor-province"' in where and "a related event" in where
    data = json.loads(html[html.index('id="page-data">') + len('id="page-data">') : html.index("</script>", html.index('id="page-data">'))])
    assert {p["href"] for p in data["points"]} == {"/id/place/ayyash", "/id/place/deir-ezzor-province"}
    assert [e["relation"] for e in data["events"]][:3] == ["super-event", "this", "same place"]
    assert '<script src="/static/vendor/leaflet/leaflet.js"></script>' in html


def test_page_shows_inferred_triples_apart(client: TestClient) -> None:
    html = client.get("/id/event/army-recaptures-ayyash", headers={"Accept": BROWSER}).text
    inferred = html[html.index('class="inferred"') :]
    assert 'href="/ontology#Event"' in inferred


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    extra = (
        f'<{ID}place/ayyash> <http://www.w3.org/2004/02/skos/core#altLabel> "<script>alert(1)</script>" '
        "<https://w3id.org/conflictkg/graph/data> .\n"
        f'<{ID}place/evil> <http://www.w3.org/2000/01/rdf-schema#label> "</h1><script>alert(2)</script>" '
        "<https://w3id.org/conflictkg/graph/data> .\n"
        f"<{ID}event/hostile> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/conflictkg/ontology#Capture> "
        "<https://w3id.org/conflictkg/graph/data> .\n"
        f'<{ID}event/hostile> <http://www.w3.org/2000/01/rdf-schema#label> "</script><script>alert(1)</script>" '
        "<https://w3id.org/conflictkg/graph/data> .\n"
        f"<{ID}event/hostile> <https://w3id.org/conflictkg/ontology#place> <{ID}place/ayyash> "
        "<https://w3id.org/conflictkg/graph/data> .\n"
    )
    release: Path = write_release(tmp_path_factory.mktemp("hostile") / "dist", extra_nquads=extra)
    with NoServerErrors(create_app(ServerConfig(release_dir=release, query_workers=1))) as test_client:
        yield test_client


def test_literal_text_is_html_escaped(hostile_client: TestClient) -> None:
    for path in ("/id/place/ayyash", "/id/place/evil"):
        html = hostile_client.get(path, headers={"Accept": BROWSER}).text
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html


def test_page_data_cannot_break_out_of_its_script_block(hostile_client: TestClient) -> None:
    html = hostile_client.get("/id/event/hostile", headers={"Accept": BROWSER}).text
    block = html[html.index('id="page-data">') : html.index("</script>", html.index('id="page-data">'))]
    assert "<" not in block.removeprefix('id="page-data">'), "labels are escaped inside the JSON block"
    events = json.loads(block.removeprefix('id="page-data">'))["events"]
    assert [e["label"] for e in events if e["relation"] == "this"] == ["</script><script>alert(1)</script>"]


def test_event_at_an_unlocated_place_is_drawn_at_the_place_containing_it(tmp_path_factory: pytest.TempPathFactory) -> None:
    data = "<https://w3id.org/conflictkg/graph/data>"
    extra = (
        f"<{ID}place/depot> <http://www.w3.org/2000/01/rdf-schema#label> \"Ayash depot\"@en {data} .\n"
        f"<{ID}place/depot> <https://w3id.org/conflictkg/ontology#locatedIn> <{ID}place/ayyash> {data} .\n"
        f"<{ID}place/nowhere> <http://www.w3.org/2000/01/rdf-schema#label> \"Nowhere known\"@en {data} .\n"
        f"<{ID}event/depot-raid> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/conflictkg/ontology#Capture> {data} .\n"
        f"<{ID}event/depot-raid> <https://w3id.org/conflictkg/ontology#place> <{ID}place/depot> {data} .\n"
        f"<{ID}event/depot-raid> <https://w3id.org/conflictkg/ontology#place> <{ID}place/nowhere> {data} .\n"
    )
    release = write_release(tmp_path_factory.mktemp("unlocated") / "dist", extra_nquads=extra)
    with NoServerErrors(create_app(ServerConfig(release_dir=release, query_workers=1))) as client:
        html = client.get("/id/event/depot-raid", headers={"Accept": BROWSER}).text
    where = html[html.index('<section class="event-map">') : html.index("</section>", html.index('<section class="event-map">'))]
    assert "Ayash depot (within Ayash; drawn at its position)" in where and "35.42022, 40.05303" in where
    assert 'href="/id/place/nowhere"' in where and "coordinates unknown" in where, "what cannot be placed says so"


def test_place_page_lists_events_there_and_within_with_a_query_for_all(client: TestClient) -> None:
    html = client.get("/id/place/deir-ezzor-province", headers={"Accept": BROWSER}).text
    section = html[html.index('<section class="timeline place-events">') :]
    section = section[: section.index("</section>")]
    order = [section.index(label) for label in ("IS multi-front attack on Deir Ezzor<", "IS captures Ayash again", "Syrian army counter-assault")]
    assert order == sorted(order), "dated events by date, undated last"
    assert '<span class="relation">here</span>' in section and '<span class="relation">in Ayash</span>' in section
    link = re.search(r'<a href="/query\?query=([^"]+)">Query all events here</a>', section)
    assert link is not None
    query = urllib.parse.unquote(html_unescape(link.group(1)))
    assert "ckg:locatedIn+ <https://w3id.org/conflictkg/id/place/deir-ezzor-province>" in query
    rows = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}).json()
    assert len(rows["results"]["bindings"]) == 5, "the query finds all five events in the province"


def test_a_place_with_very_many_places_within_lists_only_its_own_events(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gathering every event within a country is too slow at 100,000 events; past the scan limit of places
    within, the page lists the events placed at it directly and links to the query for all."""
    monkeypatch.setattr("conflictkg.web.resource_view.PLACES_WITHIN_SCAN", 2)
    html = client.get("/id/place/deir-ezzor-province", headers={"Accept": BROWSER}).text
    section = html[html.index('<section class="timeline place-events">') :]
    section = section[: section.index("</section>")]
    assert "More than 2 places lie within this one" in section
    assert "IS multi-front attack on Deir Ezzor" in section and "Syrian army counter-assault" in section
    assert "in Ayash" not in section and "IS captures Ayash" not in section
    assert "Query all events here" in section


def test_a_page_lists_the_first_links_to_a_resource_and_offers_a_query_for_all(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document thousands of spans point at (the synthetic corpus at 100,000 events: 136,000) gets a page
    listing the first few with the total and a query for all; its RDF descriptions stay whole."""
    path = "/id/article/syrian-army-assaults-reverse-is-gains"
    iri = ID + path.removeprefix("/id/")
    whole = _triples(client.get(path, headers={"Accept": "application/n-triples"}).content, ox.RdfFormat.N_TRIPLES)
    pointing = {t for t in whole if t[2] == f"<{iri}>"}
    assert len(pointing) > 3
    monkeypatch.setattr("conflictkg.web.routes.resources.PAGE_INCOMING", 3)
    html = client.get(path, headers={"Accept": BROWSER}).text
    section = html[html.index('<section class="incoming">') :]
    section = section[: section.index("</section>")]
    assert f"{len(pointing):,} links point here; the first 3 are shown." in section
    link = re.search(r'<a href="/query\?query=([^"]+)">Query all of them</a>', section)
    assert link is not None
    query = urllib.parse.unquote(html_unescape(link.group(1)))
    rows = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}).json()
    assert len(rows["results"]["bindings"]) == len(pointing)
    assert _triples(client.get(path, headers={"Accept": "application/n-triples"}).content, ox.RdfFormat.N_TRIPLES) == whole
