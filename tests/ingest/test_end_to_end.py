"""A second and a third report added to the article, end to end, through the command line:
add → draft → review → build → same-event links → accept one → build → serve → who says what.

The reports are invented test material (tests/fixtures/reports/); the reviewer is tests/ingest/reviewing.
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from conflictkg.cli import app
from conflictkg.ingest.sameevent import link_iri
from conflictkg.store import Store
from conflictkg.vocab import CKG, ID, report_graph

from .conftest import REPORTS, ROOT
from .reviewing import review

WIRE = ("wire-ayyash", "Army retakes Ayyash after car bombs", "Northwind Wire", "2016-01-18")
ACTIVIST = ("activist-baghiliyah", "Activists: families beheaded in al-Baghiliyah", "Euphrates Voices Network",
            "2016-01-17")
RECAPTURE_LINK = link_iri(ID["event/army-recaptures-ayyash"], ID["event/wire-ayyash/173-183"])
CHROMIUM = Path("/usr/bin/chromium")


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("e2e") / "project"
    for part in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / part, root / part)
    for slug, title, outlet, published in (WIRE, ACTIVIST):
        _run("add", str(REPORTS / f"{slug}.txt"), "--root", str(root), "--slug", slug, "--title", title,
             "--outlet", outlet, "--published", published, "--url", f"http://example.org/test/{slug}")
        _run("draft", slug, "--root", str(root))
        accepted, _ = review(root / "data" / "reports" / slug / "draft.ttl")
        assert accepted > 5
    first = _run("build", "--root", str(root))
    assert "reports: 2 registered" in first
    proposed = Store.from_release(root / "dist")
    assert bool(proposed.query(f"ASK {{ <{RECAPTURE_LINK}> <{CKG.reviewStatus}> <{CKG.Unreviewed}> }}"))
    assert "accepted" in _run("same-event", "accept", str(RECAPTURE_LINK), "--root", str(root))
    _run("build", "--root", str(root))
    return root


@pytest.fixture(scope="module")
def store(project: Path) -> Store:
    return Store.from_release(project / "dist")


def test_each_report_is_a_named_graph_in_the_default_graph(project: Path, store: Store) -> None:
    for slug, *_ in (WIRE, ACTIVIST):
        assert str(report_graph(slug)) in store.default_graphs
        assert (project / "dist" / "reports" / f"{slug}.txt").read_bytes() == (REPORTS / f"{slug}.txt").read_bytes()
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    assert all(str(report_graph(s)) in manifest["graphs"] for s in ("wire-ayyash", "activist-baghiliyah"))


def test_the_release_store_counts_the_report_graphs_in_the_default_graph(store: Store) -> None:
    """The counts saved with the store (the service description's triples) are what SPARQL counts."""
    assert store.summary is not None
    assert store.summary.default_triples == store._count_default()
    assert store.summary.graph_triples == store._count_graphs()


def test_the_articles_own_answers_are_unchanged(store: Store) -> None:
    rows = store.query((ROOT / "data" / "queries" / "recaptured-places.rq").read_text(encoding="utf-8"))
    places = {row["place"].value.removeprefix(str(ID)) for row in rows}  # type: ignore[union-attr]
    assert places >= {"place/ayyash", "place/baghiliyah", "place/saaqa-military-base", "place/jamiyah-al-rawad",
                      "place/radio-broadcast-tower"}


def test_every_claim_from_every_source_is_one_query(store: Store) -> None:
    rows = store.query((ROOT / "data" / "queries" / "claims-about-an-event-from-every-source.rq").read_text())
    documents = {row["document"].value for row in rows}  # type: ignore[union-attr]
    assert documents == {str(ID["article/syrian-army-assaults-reverse-is-gains-in-deir-ezzor"]),
                         str(ID["report/wire-ayyash"])}


def test_unaccepted_links_join_nothing(store: Store) -> None:
    joined = {(r["a"].value, r["b"].value) for r in store.query(  # type: ignore[union-attr]
        f"SELECT ?a ?b {{ ?a <{CKG.sameEventAs}> ?b }}")}
    accepted = (str(ID["event/army-recaptures-ayyash"]), str(ID["event/wire-ayyash/173-183"]))
    assert joined == {accepted, accepted[::-1]}  # published both ways: the relation is symmetric


def test_figures_of_every_source_get_bounds_and_grades(store: Store) -> None:
    rows = list(store.query(f"""SELECT ?figure ?low WHERE {{ GRAPH <https://w3id.org/conflictkg/graph/derived> {{
        ?figure <{CKG.lowEstimate}> ?low }} }}"""))  # type: ignore[arg-type]
    lows = {r["figure"].value.removeprefix(str(ID)): int(r["low"].value) for r in rows}
    assert lows["casualty/more-than-150-people"] == 151
    assert lows["casualty/wire-ayyash/537-557"] == 151  # the wire's "more than 150 people"
    text = (REPORTS / "activist-baghiliyah.txt").read_text(encoding="utf-8")
    dozens = text.index("Dozens of women and children")
    assert lows[f"casualty/activist-baghiliyah/{dozens}-{dozens + len('Dozens of women and children')}"] == 12
    grades = {r["g"].value.rsplit("#")[-1] for r in store.query(  # type: ignore[union-attr]
        f"SELECT ?g {{ GRAPH <https://w3id.org/conflictkg/graph/derived> {{ <{ID['event/army-recaptures-ayyash']}> <{CKG.sourceGrade}> ?g }} }}")}
    assert "Corroborated" in grades


@pytest.fixture(scope="module")
def server(project: Path, tmp_path_factory: pytest.TempPathFactory,
           serve_subprocess: Callable[[list[str], Path], AbstractContextManager[str]]) -> Iterator[str]:
    log = tmp_path_factory.mktemp("e2e-serve") / "server.log"
    with serve_subprocess(["--release", str(project / "dist"), "--workers", "1"], log) as base:
        yield base.rstrip("/")


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (127.0.0.1 only)
        return response.read().decode("utf-8")


def test_the_event_page_shows_who_says_what(server: str) -> None:
    html = _get(server + "/id/event/army-recaptures-ayyash")
    assert "Who says what" in html
    assert "/id/event/wire-ayyash/173-183" in html
    assert "Corroborated" in html or "corroborated" in html
    page = _get(server + "/id/event/is-multi-front-attack")
    assert "Casualty figures per claimant" in page and "151" in page


def test_a_report_text_is_served_with_its_spans(server: str) -> None:
    html = _get(server + "/reports/wire-ayyash?highlight=173-183")
    assert "<mark>" in html and 'href="/id/span/wire-ayyash/' in html
    span = _get(server + "/id/span/wire-ayyash/415-435")
    assert "/reports/wire-ayyash?highlight=415-435" in span
    turtle = Graph().parse(data=_get(server + "/id/report/wire-ayyash?format=ttl"), format="turtle")
    assert len(turtle) > 5
    for missing in ("/reports/nope", "/reports/..%2Fmanifest", "/reports/wire-ayyash%00"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(server + missing)
        assert refused.value.code == 404, missing


@pytest.mark.browser
def test_the_who_says_what_section_in_a_browser(server: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to run browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page()
            tab.set_default_timeout(15_000)
            tab.goto(server + "/id/event/army-recaptures-ayyash")
            section = tab.locator("section.who-says-what")
            assert section.locator("h2").text_content() == "Who says what"
            assert section.locator("table.versions tr").count() == 3  # header + the article's + the wire's
            section.locator("table.versions a", has_text="wire-ayyash").first.click()
            tab.wait_for_url(server + "/id/event/wire-ayyash/173-183")
            assert tab.locator("section.who-says-what table.versions tr.current").count() == 1
            tab.locator("a.in-article").first.click()
            tab.wait_for_url(server + "/reports/wire-ayyash?highlight=*")
            assert tab.locator("mark").count() >= 1
        finally:
            browser.close()
