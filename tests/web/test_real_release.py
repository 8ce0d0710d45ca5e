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
from rdflib.namespace import DCTERMS, PROV, RDFS, XSD

from conflictkg.pipeline.release import Release
from conflictkg.vocab import CKG, ID, LINKS_GRAPH
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
    return Graph().parse(real_release.path(f"graphs/{str(LINKS_GRAPH).rsplit('/', 1)[-1]}.ttl"), format="turtle")


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
