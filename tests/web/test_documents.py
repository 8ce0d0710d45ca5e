"""/ontology and /shapes: documentation generated from the graphs, with anchors for every term."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def test_every_term_has_an_anchor(client: TestClient) -> None:
    html = client.get("/ontology", headers={"Accept": BROWSER}).text
    for term in ("Event", "Capture", "Recapture", "Place", "agent", "locatedIn", "EventTypes", "CaptureType"):
        assert f'id="{term}"' in html


def test_hierarchy_nests_subclasses(client: TestClient) -> None:
    html = client.get("/ontology", headers={"Accept": BROWSER}).text
    hierarchy = html[html.index('id="hierarchy"') : html.index('id="classes"')]
    capture = hierarchy.index('href="#Capture"')
    assert hierarchy.index('href="#Event"') < capture < hierarchy.index('href="#Recapture"')


def test_properties_show_domain_range_and_characteristics(client: TestClient) -> None:
    html = client.get("/ontology", headers={"Accept": BROWSER}).text
    located = html[html.index('id="locatedIn"') :]
    located = located[: located.index("</section>")]
    assert "domain" in located and 'href="/ontology#Place"' in located
    assert "owl:TransitiveProperty" in located


def test_alignments_and_scheme_mappings_are_listed(client: TestClient) -> None:
    html = client.get("/ontology", headers={"Accept": BROWSER}).text
    assert 'href="http://semanticweb.cs.vu.nl/2009/11/sem/Event"' in html
    assert "http://linkedevents.org/ontology/atTime" in html
    assert "ACLED: Non-state actor overtakes territory" in html and "CAMEO 192" in html


def test_ontology_rdf_by_negotiation(client: TestClient) -> None:
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    subjects = {str(q.subject) for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)}
    assert "<https://w3id.org/conflictkg/ontology#Recapture>" in subjects
    assert client.get("/ontology?format=jsonld").headers["content-type"].startswith("application/ld+json")


def test_shapes_page_lists_target_constraints_and_messages(client: TestClient) -> None:
    html = client.get("/shapes", headers={"Accept": BROWSER}).text
    assert 'id="EventShape"' in html and 'href="/ontology#Event"' in html
    assert "<code>ckg:evidence</code>" in html and "sh:minCount" in html
    assert "An event needs at least one evidence span." in html
    turtle = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert "sh:NodeShape" in turtle.text or "NodeShape" in turtle.text
