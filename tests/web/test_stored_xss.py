"""Stored XSS: data is untrusted input, so hostile labels, comments, IRIs and datatypes are inert on every page.

The hostile fixture (tests/fixtures/hostile/hostile.trig) puts ``<script>`` in labels, comments and
shape messages, and ``javascript:``, ``vbscript:`` and ``data:`` IRIs wherever an IRI can go: as
objects, types, classes, ranges, shape targets and paths, datatypes, gazetteer matches, and as the IRI
of a place drawn on a map. It is served both ways users serve data: inside a release (``serve``) and as
a plain file (``serve FILE``). Every HTML page is parsed and each link-bearing attribute checked: an IRI
becomes a live link only if its scheme is http, https, mailto or urn (conflictkg.hrefs), and no markup
from the data survives as markup.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from conflictkg.gazetteer.reconcile import ReconciliationService, entities_from_store
from conflictkg.hrefs import LIVE_SCHEMES, live_href, page_href
from conflictkg.store import Store
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

from .conftest import write_release

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "hostile.trig"
LINKS_JS = Path(__file__).resolve().parents[2] / "src" / "conflictkg" / "web" / "static" / "links.js"
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "poster", "data", "srcset", "background"}
PAGES = [
    "/", "/id/place/evil", "/id/actor/evil", "/ontology", "/shapes", "/article", "/dumps/", "/query", "/void",
    "/validation", "/id/place/no-such-place",
]


class LinkAudit(HTMLParser):
    """Collects every element and attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def assert_inert(html: str, where: str) -> None:
    """No live link to a non-live scheme, no event handler, no script but our own static files."""
    audit = LinkAudit()
    audit.feed(html)
    for tag, attrs in audit.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: <{tag} {name}=…> is an event handler from the data"
            if name in URL_ATTRIBUTES:
                target = value.strip()
                safe = target in ("", "#") or target.startswith(("#", "?")) or page_href(target) == target
                assert safe, f"{where}: <{tag} {name}={value!r}> would run or load something"
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/") or attrs.get("type") == "application/json", (
                f"{where}: script {attrs} is not one of ours"
            )
        assert tag not in ("img", "iframe", "object", "embed", "svg") or tag == "svg" and "onload" not in attrs
    assert not re.search(r"<script>alert|<img src=x|<svg onload|<b onclick", html, re.IGNORECASE), f"{where}: raw markup"


def hostile_nquads() -> str:
    return ox.serialize(ox.parse(path=str(HOSTILE), format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS).decode()


@pytest.fixture(scope="module")
def release_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """`serve` of a release whose data graph carries the hostile triples."""
    release = write_release(tmp_path_factory.mktemp("xss") / "dist", extra_nquads=hostile_nquads())
    with TestClient(create_app(ServerConfig(release_dir=release, query_workers=1))) as client:
        yield client


@pytest.fixture(scope="module")
def file_client() -> Iterator[TestClient]:
    """`serve FILE` of the hostile TriG itself."""
    with TestClient(create_app(ServerConfig(files=[HOSTILE], query_workers=1))) as client:
        yield client


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("served", ["release_client", "file_client"])
def test_every_page_keeps_hostile_data_inert(request: pytest.FixtureRequest, served: str, page: str) -> None:
    client: TestClient = request.getfixturevalue(served)
    response = client.get(page, headers={"Accept": "text/html"})
    assert response.status_code in (200, 404), f"{page}: {response.status_code}"
    if response.headers["content-type"].startswith("text/html"):
        assert_inert(response.text, f"{served} {page}")


def test_hostile_iris_show_as_text_not_links(release_client: TestClient) -> None:
    """The bug as reported: an rdfs:seeAlso <javascript:alert(1)> rendered as <a href="javascript:...">."""
    page = release_client.get("/id/place/evil").text
    assert "javascript:alert(1)" in page, "the IRI is still shown, as text"
    assert 'href="javascript:' not in page.lower() and 'href="data:' not in page.lower()
    assert "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count("<circle") == 2, "both places are drawn; only the safe one is a link"
    assert svg.count("<a href=") == 1


def test_reconciliation_preview_keeps_hostile_data_inert(release_client: TestClient) -> None:
    response = release_client.get("/reconcile/preview", params={"id": "https://w3id.org/conflictkg/id/place/evil"})
    assert response.status_code == 200, response.text
    assert_inert(response.text, "preview")
    assert "&lt;script&gt;alert(" in response.text


def test_reconciliation_preview_links_only_live_iris() -> None:
    """An entity whose IRI has a non-live scheme is previewed with its name as text, not as a link."""
    store = Store.from_files([HOSTILE])
    entities = entities_from_store(store)
    evil = next(e for e in entities if e.iri.endswith("place/evil"))
    hostile = type(evil)("javascript:alert('preview')", ["<script>alert('preview')</script>"], classes={"Place"})
    service = ReconciliationService([evil, hostile])
    preview = service.preview(hostile.iri)
    assert "<a " not in preview and "&lt;script&gt;" in preview
    assert '<a href="https://w3id.org/conflictkg/id/place/evil">' in service.preview(evil.iri)


def test_json_ld_of_hostile_data_is_data(release_client: TestClient) -> None:
    document = release_client.get("/id/place/evil", headers={"Accept": "application/ld+json"})
    assert document.status_code == 200
    parsed = json.loads(document.text)
    assert "<script>alert('label')</script>" in json.dumps(parsed, ensure_ascii=False)
    context = release_client.get("/context.jsonld")
    if context.status_code == 200:
        assert "javascript:" not in context.text


CASES = {
    "https://example.org/x": True, "http://example.org/": True, "HTTPS://EXAMPLE.ORG": True,
    "mailto:someone@example.org": True, "urn:isbn:0451450523": True, "URN:x": True,
    "javascript:alert(1)": False, "JaVaScRiPt:alert(1)": False, "vbscript:msgbox(1)": False,
    "data:text/html;base64,PHNjcmlwdD4=": False, "file:///etc/passwd": False, "ftp://example.org/": False,
    "java\tscript:alert(1)": False, " javascript:alert(1)": False, "\u200bjavascript:alert(1)": False,
    "https://exa\u202emple.org": False, "//evil.example/x": False, "relative/path": False, "": False,
    "http:": True, "1http://x": False, "blob:https://example.org/uuid": False,
}


def test_python_rule() -> None:
    assert LIVE_SCHEMES == {"http", "https", "mailto", "urn"}
    assert {iri: live_href(iri) is not None for iri in CASES} == CASES
    assert page_href("/id/place/x") == "/id/place/x" and page_href("//evil.example/") == ""
    assert page_href("javascript:alert(1)") == "" and page_href(None) == ""


def test_browser_rule_matches_the_python_rule() -> None:
    """web/static/links.js (the query UI's rule) answers every case as conflictkg.hrefs does."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run web/static/links.js outside a browser")
    script = f"import * as l from {json.dumps(LINKS_JS.as_uri())}; import {{ readFileSync }} from 'fs';" \
             "const cases = JSON.parse(readFileSync(0, 'utf8'));" \
             "process.stdout.write(JSON.stringify(Object.fromEntries(cases.map(c => [c, l.liveHref(c) !== null]))));"
    result = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(list(CASES)),
                            capture_output=True, text=True, check=True, timeout=30)
    assert json.loads(result.stdout) == CASES


@pytest.mark.browser
def test_query_ui_results_keep_hostile_iris_as_text(
    tmp_path: Path, serve_subprocess: Callable[[list[str], Path], AbstractContextManager[str]]
) -> None:
    """In a real browser: a query returning javascript: and data: IRIs shows them, never as links; the
    query UI and the pages work under their Content-Security-Policy (no violation reported)."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip(f"{chromium} is absent: install Debian's chromium to run browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
    query = "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?o }"
    with serve_subprocess([str(HOSTILE), "--workers", "1"], tmp_path / "server.log") as base, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None)
            page.goto(base + "query?query=" + quote(query))
            page.click("#run")
            page.locator("#results table").wait_for(timeout=15_000)
            cells = page.locator("#results td").all_text_contents()
            assert "javascript:alert(1)" in cells and "javascript:alert('ontology')" in cells
            hrefs = page.locator("#results a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            local = ("/id/", "/ontology", "/shapes")
            assert hrefs and all(h.startswith((*local, "http://", "https://")) for h in hrefs), hrefs
            for path in ("", "id/place/evil", "ontology", "shapes"):
                page.goto(base + path)
            assert errors == [], "a script failed or the CSP refused something a page needs"
        finally:
            browser.close()
