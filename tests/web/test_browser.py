"""The pages in a real headless browser: run a query in /query, click an IRI, land on its page.

Drives Debian's Chromium through Python Playwright (no browser download), against `conflictkg serve`
on 127.0.0.1 with a free port, serving the fixture release. Every response reaches the browser with a
strict Content-Security-Policy (no inline script, no eval, nothing but this server), and any console
error or uncaught exception fails the module: the UI must work offline under that policy.
"""

from __future__ import annotations

import io
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""The policy the hardened server sends on HTML pages (no 'unsafe-inline', no 'unsafe-eval', nothing from
elsewhere); the tests add it to every response, so the UI is tested under it whether or not it is merged."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server(fixture_release_server: str) -> str:
    """`conflictkg serve` over the fixture release; the base URL without its trailing slash."""
    return fixture_release_server.rstrip("/")


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) to run browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def no_script_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A tab with JavaScript off: what the server renders alone."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A tab under the strict CSP; the module fails on any 5xx, 404, console error or uncaught exception."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", _with_strict_csp)
    statuses: list[tuple[int, str]] = []
    errors: list[str] = []
    context.on("response", lambda r: statuses.append((r.status, r.url)))
    context.on("console", lambda m: errors.append(f"console {m.type}: {m.text} at {m.location}") if _unexpected(m) else None)
    tab = context.new_page()
    tab.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    tab.set_default_timeout(15_000)
    yield tab
    context.unroute_all(behavior="ignoreErrors")  # requests still in flight when the tab closes
    context.close()
    assert not [s for s in statuses if s[0] >= 500], statuses
    assert not [s for s in statuses if s[0] == 404], f"missing files: {statuses}"
    assert errors == [], errors


def _unexpected(message) -> bool:  # type: ignore[no-untyped-def]
    """A console error, except the browser's own note on a 400 from /sparql (a query the test made bad)."""
    if message.type != "error":
        return False
    return not ("status of 400" in message.text and "/sparql" in message.location.get("url", ""))


def _with_strict_csp(route) -> None:  # type: ignore[no-untyped-def]
    """Pass the request on and add the strict CSP to the answer (unless the page went away meanwhile)."""
    from playwright.sync_api import Error

    try:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})
    except Error as error:
        if "disposed" not in str(error) and "closed" not in str(error):
            raise


def test_run_a_query_click_an_iri_and_land_on_its_page(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/query")
    page.select_option("#example", "places-in-province")
    assert "locatedIn+" in page.input_value("#query")
    page.click("#run")
    first = page.locator("#results table a.internal").first
    first.wait_for()
    assert first.text_content() == "https://w3id.org/conflictkg/id/place/ayyash"
    assert page.locator("#download-links a", has_text="csv").count() == 1
    first.click()
    page.wait_for_url(server + "/id/place/ayyash")
    assert page.locator("h1").text_content() == "Ayash"


def test_place_page_draws_its_map_offline(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """With JavaScript: Leaflet over the shipped outlines, the place and its neighbours labelled."""
    page.goto(server + "/id/place/ayyash")
    box = page.locator("#page-map")
    page.wait_for_selector("#page-map[data-basemap=ready]")
    assert box.get_attribute("data-points") == "3", "the place, its parent and its sibling"
    labels = page.locator("#page-map .leaflet-tooltip").all_text_contents()
    assert sorted(labels) == ["Ayash", "Begayliya", "Deir Ezzor"]
    assert page.locator("svg.map").is_hidden(), "the static map gives way to the interactive one"
    assert page.locator("#page-timeline svg g.event").count() == 2, "the two dated events at Ayash on a timeline"
    assert page.get_attribute("#page-timeline svg", "aria-label").startswith("Events here: 2 dated items")
    bounds = box.bounding_box()
    assert bounds is not None and bounds["width"] > 300 and bounds["height"] > 200
    # Keyboard: the map takes focus and "+" zooms in, spreading the labels apart.
    spread = """() => { const [a, b] = [...document.querySelectorAll('#page-map .leaflet-tooltip')]
                                  .map(t => t.getBoundingClientRect());
                       return Math.hypot(a.x - b.x, a.y - b.y); }"""
    before = page.evaluate(spread)
    assert box.get_attribute("tabindex") == "0"
    box.focus()
    page.keyboard.press("+")
    page.wait_for_function(f"() => ({spread})() > {before} * 1.5")


def test_place_page_map_without_javascript(no_script_page, server: str) -> None:  # type: ignore[no-untyped-def]
    """Without JavaScript the server's own SVG map is shown, every label inside its box."""
    page = no_script_page
    page.goto(server + "/id/place/ayyash")
    svg = page.locator("svg.map")
    assert svg.count() == 1 and svg.is_visible()
    assert svg.locator("circle").count() >= 3
    box = svg.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    assert "Ayash" in svg.locator("text.self").text_content()
    overflowing = svg.evaluate(
        """svg => [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
                   .filter(([_, b]) => b.x < 0 || b.x + b.width > svg.viewBox.baseVal.width)
                   .map(([label, _]) => label)"""
    )
    assert overflowing == [], "labels run out of the map"


def test_event_page_has_a_small_map_and_a_timeline_of_related_events(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/id/event/is-captures-ayyash")
    page.wait_for_selector("#page-map[data-basemap=ready]")
    assert page.get_attribute("#page-map", "data-points") == "2", "its own place and the super-event's province"
    marks = page.locator("#page-timeline svg g.event")
    assert marks.count() == 3, "the three dated events: super-event, this one, and the next capture at the same place"
    assert page.locator("#page-timeline svg g.event.current").count() == 1
    current = page.locator("#page-timeline svg g.event.current text").text_content()
    assert current == "IS captures Ayash" and page.locator("#page-timeline g.event.current a").count() == 0
    assert "without a date" in page.text_content("#page-timeline figcaption"), "the undated recapture is counted, not drawn"
    link = page.locator("#page-timeline svg a", has_text="IS captures Ayash again")
    link.click()
    page.wait_for_url(server + "/id/event/is-retakes-ayyash")
    page.wait_for_selector("body[data-ready=true]")
    assert "same place" in page.text_content("ol.timeline")


def test_example_parameter_preselects_and_loads_the_example(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """The landing page links each question as /query?example=<query file stem>."""
    page.goto(server + "/")
    page.click("a[href='/query?example=who-claimed']")
    page.wait_for_url(server + "/query?example=who-claimed")
    assert page.input_value("#example") == "who-claimed"
    with urllib.request.urlopen(server + "/dumps/queries/who-claimed.rq", timeout=10) as response:
        assert page.input_value("#query") == response.read().decode("utf-8")
    page.goto(server + "/query?example=no-such-example")
    assert page.input_value("#example") == "places-in-province", "an unknown name falls back to the first example"
    assert "no example query named “no-such-example”" in page.text_content("#status")
    assert "locatedIn+" in page.input_value("#query")


def test_csv_download_link_answers_csv(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/query?example=who-claimed")
    page.click("#run")
    link = page.locator("#download-links a", has_text="csv")
    link.wait_for()
    href = link.get_attribute("href")
    with urllib.request.urlopen(server + href, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        assert b"claim,source,outlet" in response.read()


def _digits(var: str) -> str:
    return f"VALUES ?{var} {{ 0 1 2 3 4 5 6 7 8 9 }}"


TEN_THOUSAND_ROWS = f"""PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?n ?label ?wkt ?date WHERE {{
  {_digits("a")} {_digits("c")}
  VALUES (?b ?month) {{ (0 "01") (1 "02") (2 "03") (3 "04") (4 "05") (5 "06") (6 "07") (7 "08") (8 "09") (9 "10") }}
  VALUES (?d ?day) {{ (0 "01") (1 "03") (2 "05") (3 "07") (4 "09") (5 "11") (6 "13") (7 "15") (8 "17") (9 "19") }}
  BIND(?a * 1000 + ?b * 100 + ?c * 10 + ?d AS ?n)
  BIND(CONCAT("row ", STR(?n)) AS ?label)
  BIND(STRDT(CONCAT("POINT(", STR(36 + ?a / 2 + ?c / 20), " ", STR(33 + ?b / 3 + ?d / 30), ")"), geo:wktLiteral) AS ?wkt)
  BIND(STRDT(CONCAT("201", STR(?a), "-", ?month, "-", ?day), xsd:date) AS ?date)
}}"""
"""10,000 rows made by the query itself, with a number, a label, a WKT point and a date on each."""

PLACES_WITH_EVENTS = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ckg: <https://w3id.org/conflictkg/ontology#>
SELECT ?place ?label ?wkt ?event ?date WHERE {
  ?place geo:hasGeometry/geo:asWKT ?wkt ; rdfs:label ?label .
  OPTIONAL { ?event ckg:place ?place ; ckg:date ?date }
} ORDER BY ?label"""


def _open_query(page, server: str, query: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/query?" + urllib.parse.urlencode({"query": query}))
    page.wait_for_selector("body[data-ready=true]")


def _run(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#run")
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('rows')")


def test_editor_highlights_sparql_and_keeps_the_textarea_in_step(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/query?example=who-claimed")
    editor = page.locator("#editor .cm-content")
    editor.wait_for()
    assert page.locator("#query").is_hidden(), "the plain textarea gives way to the editor"
    # Highlighting runs after the first paint; keywords, variables, IRIs and comments get their colours.
    page.wait_for_function(
        """() => new Set([...document.querySelector('#editor').shadowRoot.querySelectorAll('.cm-line span')]
                        .map(s => getComputedStyle(s).color)).size >= 3"""
    )
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# note")
    assert page.input_value("#query").endswith("\n# note"), "the form field follows the editor"


def test_completion_offers_our_prefixes_and_ontology_terms(page, server: str) -> None:  # type: ignore[no-untyped-def]
    _open_query(page, server, "SELECT * WHERE {\n  ?e a \n}")
    page.click("#editor .cm-content")
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.type("ck")
    page.keyboard.press("Control+Space")
    options = page.locator(".cm-tooltip-autocomplete li .cm-completionLabel")
    options.first.wait_for()
    assert "ckg:" in options.all_text_contents()
    page.wait_for_timeout(200)  # CodeMirror ignores Enter for 75 ms after the list opens (interactionDelay)
    page.keyboard.press("Enter")
    page.keyboard.type("Ev")
    page.locator(".cm-tooltip-autocomplete li", has_text="ckg:Event").first.wait_for()
    page.keyboard.press("Escape")
    text = page.input_value("#query")
    assert text.startswith("PREFIX ckg: <https://w3id.org/conflictkg/ontology#>\n"), "choosing a prefix declares it"
    assert "?e a ckg:Ev" in text


def test_syntax_error_is_marked_where_the_endpoint_says(page, server: str) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) ?s ?q ?r .\n}"
    _open_query(page, server, query)
    page.click("#run")
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('400')")
    message = page.text_content("#results .error")
    position = re.search(r"at (\d+):(\d+)", message)
    assert "syntax error" in message and position is not None, message
    marker = page.locator("#editor .cm-lintRange-error, #editor .cm-lintPoint-error")
    marker.wait_for(state="attached")
    marked = marker.evaluate("m => m.closest('.cm-line').textContent")
    assert marked == query.split("\n")[int(position.group(1)) - 1], "the line the endpoint names is marked"
    assert page.locator("#editor .cm-lint-marker-error").count() == 1, "and flagged in the gutter"


def test_keyboard_only_run_focus_order_and_shareable_url(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/query?example=places-in-province")
    page.wait_for_selector("body[data-ready=true]")
    page.focus("#example")
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.activeElement.id === 'editor' && document.activeElement.shadowRoot.activeElement.classList.contains('cm-content')"
    ), "Tab goes from the examples to the editor"
    page.keyboard.press("Control+Enter")
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('rows')")
    assert page.locator("#results table tbody tr").count() == 3
    page.keyboard.press("Escape")
    order = []
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.id || document.activeElement.textContent"))
    assert order[:3] == ["inference", "run", "share"], order
    shared = page.url
    assert "query=" in shared and "locatedIn" in urllib.parse.unquote(shared), "the address carries the query"
    page.goto(server + "/")
    page.goto(shared)
    page.wait_for_selector("body[data-ready=true]")
    assert "locatedIn+" in page.input_value("#query")
    assert "locatedIn+" in page.text_content("#editor .cm-content")


def test_ten_thousand_rows_are_paged_sorted_and_stay_responsive(page, server: str) -> None:  # type: ignore[no-untyped-def]
    _open_query(page, server, TEN_THOUSAND_ROWS)
    _run(page)
    assert page.text_content("#status").startswith("10,000 rows")
    rows = page.locator("#results table tbody tr")
    assert rows.count() == 100, "only one page of rows is in the document"
    assert page.text_content(".page-info").startswith("rows 1–100 of 10,000")
    page.click(".page-next")
    assert page.text_content(".page-info").startswith("rows 101–200 of 10,000")
    page.click(".page-last")
    assert page.text_content(".page-info").startswith("rows 9,901–10,000") or "page 100 of 100" in page.text_content(".page-info")
    page.click("button.sort[data-var=n]")
    page.click("button.sort[data-var=n]")
    assert page.get_attribute("th:has(button.sort[data-var=n])", "aria-sort") == "descending"
    assert page.text_content("#results tbody tr:first-child td:first-child").startswith("9999")
    assert page.text_content(".page-info").startswith("rows 1–100"), "sorting returns to the first page"
    page.select_option(".page-size", "500")
    assert rows.count() == 500
    # The map clusters the 10,000 points: far fewer marker elements than points.
    page.click("button[data-view=map]")
    page.wait_for_selector("#result-map[data-points='10000']")
    page.wait_for_function("() => document.querySelectorAll('#result-map .marker-cluster').length > 0")
    assert page.locator("#result-map .leaflet-marker-icon").count() < 500
    page.click("button[data-view=timeline]")
    bars = page.locator("#timeline-view svg.histogram rect.bar")
    bars.first.wait_for()
    assert bars.count() == 100, "10,000 dates are counted per month (10 months in each of 10 years), not drawn one by one"
    # Still responsive: the table answers the next click.
    page.click("button[data-view=table]")
    page.click(".page-next")
    assert page.text_content(".page-info").startswith("rows 501–1,000")


def test_results_on_a_map_a_timeline_and_a_chart(page, server: str) -> None:  # type: ignore[no-untyped-def]
    _open_query(page, server, PLACES_WITH_EVENTS)
    _run(page)
    assert page.text_content("button[data-view=map]").strip() == "Map (4)", "Ayash's two events share its point"
    page.click("button[data-view=map]")
    page.wait_for_selector("#result-map[data-basemap=ready]")
    tooltip = page.locator("#result-map .leaflet-tooltip", has_text="Ayash")
    assert tooltip.count() == 1
    box = tooltip.bounding_box()
    page.mouse.click(box["x"] - 10, box["y"] + box["height"] / 2)  # the dot, just left of its label
    popup = page.locator("#result-map .leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("a[href='/id/place/ayyash']").text_content() == "Ayash"
    assert "2 rows at 35.42022, 40.05303" in popup.text_content()
    page.click("button[data-view=timeline]")
    marks = page.locator("#timeline-view svg g.event")
    assert marks.count() == 3
    assert "2016-01-16" in page.text_content("#timeline-view figcaption")
    page.click("button[data-view=chart]")
    page.wait_for_selector("#chart-view svg rect.bar")
    assert page.locator("#chart-view svg rect.bar").count() == 4, "rows per ?place, the first column"
    assert page.locator("#chart-view svg a[href='/id/place/ayyash'] text").text_content() == "ayyash"
    assert page.locator("#chart-view svg rect.bar title").first.text_content() == "ayyash: 2", "largest first"
    page.select_option("#chart-view select >> nth=0", "label")
    assert page.locator("#chart-view svg text.bar-label").first.text_content() == "Ayash"


def test_the_page_is_not_blank(page, server: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageStat

    _open_query(page, server, PLACES_WITH_EVENTS)
    _run(page)
    page.click("button[data-view=map]")
    page.wait_for_selector("#result-map[data-basemap=ready][data-countries]")  # Syria's governorates drawn
    shot = tmp_path / "query.png"
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as image:
        stddev = ImageStat.Stat(image.convert("L")).stddev[0]
        colours = len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])
    assert stddev > 20, f"the screenshot is nearly uniform (stddev {stddev:.1f})"
    assert colours > 50, f"only {colours} colours: base map, text and markers are missing"
    map_shot = page.locator("#result-map").screenshot()
    with Image.open(io.BytesIO(map_shot)) as image:
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 20, "the map shows outlines, not an empty box"


def _capped(mark: str):  # type: ignore[no-untyped-def]
    """A route handler that makes /sparql answers look cut by the endpoint's result cap (``mark``)."""

    def handler(route) -> None:  # type: ignore[no-untyped-def]
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        body = response.text()
        if mark == "header":
            headers["x-result-truncated"] = "limit=2"
        elif mark == "json":
            body = body.rstrip().removesuffix("}") + ',"truncated":true,"truncated_after":2}'
        else:
            body += "# truncated after 2 triples (the endpoint's limit)\n"
        route.fulfill(status=response.status, headers=headers, body=body)

    return handler


@pytest.mark.parametrize(
    ("mark", "expected"),
    [("json", "truncated after 2 rows"), ("header", "x-result-truncated: limit=2"), ("turtle", "truncated after 2 triples")],
)
def test_truncation_signal_is_shown_when_a_limit_cut_the_result(page, server: str, mark: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    """The endpoint's result cap marks a cut (in SPARQL JSON, a Turtle comment, or a header); the page says so."""
    handler = _capped(mark)
    page.route("**/sparql", handler)
    try:
        if mark == "turtle":
            _open_query(page, server, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3")
            page.click("#run")
            page.wait_for_function("() => document.querySelector('#status').textContent.includes('lines')")
        else:
            page.goto(server + "/query?example=places-in-province")
            page.wait_for_selector("body[data-ready=true]")
            _run(page)
        notice = page.locator("#truncated")
        assert notice.is_visible()
        assert expected in notice.text_content()
        assert "truncated" in page.text_content("#status")
    finally:
        page.unroute("**/sparql", handler)
    page.click("#run")
    page.wait_for_function("() => !document.querySelector('#status').textContent.includes('running')")
    assert page.locator("#truncated").is_hidden()


def test_literals_from_data_are_inert_and_only_safe_schemes_link(page, server: str) -> None:  # type: ignore[no-untyped-def]
    query = """SELECT ?text ?js ?mail ?urn WHERE {
      BIND("<img src=x onerror=alert(1)><script>alert(2)</script>" AS ?text)
      BIND(IRI("javascript:alert(3)") AS ?js)
      BIND(IRI("mailto:desk@example.org") AS ?mail)
      BIND(IRI("urn:isbn:0451450523") AS ?urn)
    }"""
    _open_query(page, server, query)
    _run(page)
    cells = page.locator("#results tbody td")
    assert cells.nth(0).text_content().startswith("<img src=x onerror=alert(1)>")
    assert page.locator("#results img, #results tbody script").count() == 0
    assert page.locator("#results a[href^='javascript']").count() == 0
    assert cells.nth(1).locator("span.iri-text").text_content() == "javascript:alert(3)"
    assert cells.nth(2).locator("a").get_attribute("href") == "mailto:desk@example.org"
    assert cells.nth(3).locator("a").get_attribute("href") == "urn:isbn:0451450523"


def test_labels_from_data_stay_text_on_the_map_and_the_charts(page, server: str) -> None:  # type: ignore[no-untyped-def]
    query = """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    SELECT ?label ?lat ?long ?date WHERE {
      VALUES (?label ?lat ?long ?date) {
        ("<img src=x onerror=alert(1)>" 35.4 40.1 "2016-01-16"^^xsd:date)
        ("<b>bold</b>" 35.3 40.2 "2016-01-17"^^xsd:date)
      }
    }"""
    _open_query(page, server, query)
    _run(page)
    page.click("button[data-view=map]")
    tooltip = page.locator("#result-map .leaflet-tooltip", has_text="onerror")
    tooltip.wait_for()
    assert tooltip.text_content() == "<img src=x onerror=alert(1)>", "latitude/longitude columns are mapped, the label is text"
    box = tooltip.bounding_box()
    page.mouse.click(box["x"] - 10, box["y"] + box["height"] / 2)
    page.locator("#result-map .leaflet-popup-content").wait_for()
    page.click("button[data-view=timeline]")
    page.click("button[data-view=chart]")
    page.wait_for_selector("#chart-view svg rect.bar")
    assert page.locator("#result-map img:not(.leaflet-marker-icon), #result-map b, #timeline-view img, #chart-view img").count() == 0
    assert "<b>bold</b>" in page.text_content("#timeline-view svg")


def test_a_large_graph_result_is_shown_in_part_and_downloadable_whole(page, server: str) -> None:  # type: ignore[no-untyped-def]
    query = f"""CONSTRUCT {{ ?s <http://example.org/n> ?n }} WHERE {{
      {_digits("a")} {_digits("b")} {_digits("c")} VALUES ?d {{ 0 1 2 }}
      BIND(?a * 1000 + ?b * 100 + ?c * 10 + ?d AS ?n) BIND(IRI(CONCAT("http://example.org/r", STR(?n))) AS ?s)
    }}"""
    _open_query(page, server, query)
    page.click("#run")
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('lines')")
    shown = page.evaluate("() => document.querySelector('#results pre.graph').textContent.split('\\n').length")
    assert shown == 2000
    assert "Showing the first 2,000 of" in page.text_content("#results .graph-cut")
    formats = page.locator("#download-links a").all_text_contents()
    assert {"turtle", "ntriples", "jsonld", "rdfxml"} <= set(formats)
