"""The pages in a real headless browser: run a query in /query, click an IRI, land on its page.

Drives Debian's Chromium through Python Playwright (no browser download), against `conflictkg serve`
on 127.0.0.1 with a free port, serving the fixture release.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from .conftest import write_release

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    serve_subprocess: Callable[[list[str], Path], AbstractContextManager[str]],
) -> Iterator[str]:
    """`conflictkg serve` over the fixture release; yields the base URL without its trailing slash."""
    directory = tmp_path_factory.mktemp("browser")
    release = write_release(directory / "dist")
    with serve_subprocess(["--release", str(release), "--workers", "1"], directory / "server.log") as base:
        yield base.rstrip("/")


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) to run browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context()
        statuses: list[tuple[int, str]] = []
        context.on("response", lambda r: statuses.append((r.status, r.url)))
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        browser.close()
        assert not [s for s in statuses if s[0] >= 500], statuses


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
    page.goto(server + "/id/place/ayyash")
    svg = page.locator("svg.map")
    assert svg.count() == 1
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
