"""The server over the REAL release, built once per session the way `conflictkg build` builds it.

The fixture release of the other web tests is small and hand-shaped; these tests check that the pages
hold up on the data users actually get: the article's places with their curated and linker-made
gazetteer links, and the places nobody could link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, VOID, XSD

from conflictkg.pipeline.release import Release
from conflictkg.vocab import CKG, DATA_GRAPH, DATASET_IRI, ID, LINKS_GRAPH, ONTOLOGY_GRAPH
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

from .conftest import NoServerErrors

pytestmark = pytest.mark.slow

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def real_client(real_release: Release) -> Iterator[TestClient]:
    """A client of the app serving the real release (one query worker); any 5xx fails the test."""
    with NoServerErrors(create_app(ServerConfig(release_dir=real_release.root, query_workers=1))) as client:
        yield client


@pytest.fixture(scope="module")
def links(real_release: Release) -> Graph:
    return _graph(real_release, LINKS_GRAPH)


def _page(client: TestClient, iri: URIRef) -> str:
    response = client.get("/id/" + str(iri).removeprefix(str(ID)), headers={"Accept": BROWSER})
    assert response.status_code == 200, iri
    return response.text


def test_unlinked_places_say_why_on_their_page(real_client: TestClient, links: Graph) -> None:
    unlinked = sorted(set(links.subjects(CKG.unlinkedReason, None)))
    assert ID["place/radio-broadcast-tower"] in unlinked and ID["place/jamiyah-al-rawad"] in unlinked
    for place in unlinked:
        page = _page(real_client, place)
        assert '<table class="links">' not in page, place
        for reason in links.objects(place, CKG.unlinkedReason):
            shown = f'<p class="unlinked"><strong>Not linked to a gazetteer:</strong> {escape(str(reason))}</p>'
            assert shown in page, place


def _shown(value: object) -> str:
    """A literal as the store gives it back: decimals in canonical form (1.0 is shown as 1)."""
    if isinstance(value, Literal) and value.datatype == XSD.decimal:
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def test_linked_places_show_each_link_record_in_full(real_client: TestClient, links: Graph) -> None:
    """Score, relation, method, source, justification and time of every link record are on the page."""
    records = sorted(set(links.subjects(CKG.linkSubject, None)))
    assert len(records) >= 6
    for record in records:
        page = _page(real_client, links.value(record, CKG.linkSubject))
        table = page[page.index('<table class="links">'):]
        table = table[:table.index("</table>")]
        target = str(links.value(record, CKG.linkTarget))
        row = next(r for r in table.split("<tr>") if f'href="{target}"' in r)
        relation = str(links.value(record, CKG.linkRelation)).rsplit("#", 1)[-1]
        assert f"skos:{relation}" in row, record
        for predicate in (CKG.score, CKG.method, DCTERMS.source, RDFS.comment):
            value = links.value(record, predicate)
            assert value is not None, (record, predicate)
            assert f">{escape(_shown(value))}" in row, (record, predicate)
        shown_time = re.search(r'<time datetime="([^"]+)">', row)
        assert shown_time, record
        made = links.value(record, PROV.generatedAtTime)
        assert made is not None and Literal(shown_time.group(1), datatype=XSD.dateTime).toPython() == made.toPython()
        assert "Not linked to a gazetteer" not in page


# --- every IRI dereferences, every term has its anchor, the metadata tells the truth -------------------

def _graph(release: Release, iri: URIRef) -> Graph:
    return Graph().parse(release.path(f"graphs/{str(iri).rsplit('/', 1)[-1]}.ttl"), format="turtle")


def _resources(release: Release) -> list[URIRef]:
    """Every IRI under id/ that occurs (as subject or object) in the data and links graphs."""
    found: set[URIRef] = set()
    for iri in (DATA_GRAPH, LINKS_GRAPH):
        for subject, _, obj in _graph(release, iri):
            found.update(n for n in (subject, obj) if isinstance(n, URIRef) and str(n).startswith(str(ID)))
    return sorted(found)


def test_every_resource_dereferences_as_html_and_turtle(real_client: TestClient, real_release: Release) -> None:
    resources = _resources(real_release)
    assert len(resources) > 100
    for iri in resources:
        path = "/id/" + str(iri).removeprefix(str(ID))
        page = real_client.get(path, headers={"Accept": BROWSER})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), iri
        assert escape(str(iri)) in page.text, iri
        turtle = real_client.get(path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle"), iri
        described = Graph().parse(data=turtle.text, format="turtle")
        assert (iri, None, None) in described or (None, None, iri) in described, iri


def test_every_ontology_term_has_its_anchor(real_client: TestClient, real_release: Release) -> None:
    ontology = _graph(real_release, ONTOLOGY_GRAPH)
    terms = sorted({s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(CKG))})
    assert CKG.unlinkedReason in terms and len(terms) > 50
    page = real_client.get("/ontology", headers={"Accept": BROWSER})
    assert page.status_code == 200
    for term in terms:
        anchor = str(term).removeprefix(str(CKG))
        assert f'id="{anchor}"' in page.text, term


def test_void_serves_the_linkset_counts(real_client: TestClient, real_release: Release) -> None:
    links = _graph(real_release, LINKS_GRAPH)
    response = real_client.get("/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = Graph().parse(data=response.text, format="turtle")
    linksets = set(links.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) >= 3
    for linkset in linksets:
        assert (DATASET_IRI, VOID.subset, linkset) in void
        predicate, target = void.value(linkset, VOID.linkPredicate), void.value(linkset, VOID.objectsTarget)
        space = str(void.value(target, VOID.uriSpace))
        direct = sum(1 for _, o in links.subject_objects(predicate) if str(o).startswith(space))
        assert int(void.value(linkset, VOID.triples)) == direct == int(links.value(linkset, VOID.triples)), linkset


def test_dumps_lists_and_serves_every_manifest_file(real_client: TestClient, real_release: Release) -> None:
    listing = real_client.get("/dumps/", headers={"Accept": BROWSER})
    assert listing.status_code == 200
    assert "queries/" in listing.text
    for entry in real_release.files:
        assert f'href="/dumps/{entry.path}"' in listing.text and entry.sha256 in listing.text, entry.path
        head = real_client.head(f"/dumps/{entry.path}")
        assert head.status_code == 200 and int(head.headers["content-length"]) == entry.bytes, entry.path


@pytest.mark.parametrize("path", ["/", "/query", "/article", "/ontology", "/shapes", "/validation", "/void",
                                  "/.well-known/void", "/sparql", "/dumps/"])
def test_site_pages_answer(real_client: TestClient, path: str) -> None:
    assert real_client.get(path, headers={"Accept": BROWSER}).status_code == 200


def test_every_example_query_of_the_release_has_answers(real_client: TestClient, real_release: Release) -> None:
    """The questions the query UI offers are answered by the data it serves."""
    queries = real_release.queries()
    assert queries
    for query in queries:
        response = real_client.post("/sparql", data={"query": query.read_text(encoding="utf-8")},
                                    headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, query.name
        answer = response.json()
        assert answer.get("boolean") is True or answer["results"]["bindings"], query.name


def test_published_context_dataset_and_graph_iris_resolve(real_client: TestClient, real_release: Release) -> None:
    context = real_client.get("/context.jsonld")
    assert context.status_code == 200 and context.headers["content-type"].startswith("application/ld+json")
    assert context.json()["@context"]["ckg"] == str(CKG)
    assert real_client.get("/dataset", headers={"Accept": "text/turtle"}, follow_redirects=False).headers["location"] == "/void"
    for graph in real_release.graphs:
        name = str(graph).rsplit("/", 1)[-1]
        response = real_client.get(f"/graph/{name}", follow_redirects=True)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle"), name
    assert real_client.get("/graph/nothing").status_code == 404
