"""The landing page, the query UI and the article with anchored spans."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

from .conftest import FIXTURES, write_release


def test_landing_page_counts_and_links(client: TestClient) -> None:
    html = client.get("/").text
    for link in ('href="/query"', 'href="/dumps/"', 'href="/ontology"', 'href="/id/event/'):
        assert link in html
    counts = dict(re.findall(r"<td>(\w+)s</td><td class=\"num\">(\d+)</td>", html))
    assert counts == {"Event": "5", "Place": "5", "Actor": "4", "Claim": "2"}
    assert "https://w3id.org/conflictkg/graph/data" in html


def _query_config(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="query-config">(.*?)</script>', html, re.S)
    assert found, "the query UI embeds its configuration"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_query_ui_embeds_the_example_queries_and_works_offline(client: TestClient) -> None:
    html = client.get("/query").text
    config = _query_config(html)
    questions = {e["question"] for e in config["examples"]}
    assert "Which places lie (transitively) in Deir Ezzor province?" in questions
    assert config["idBase"] == "https://w3id.org/conflictkg/id/"
    assert {"csv", "tsv", "json", "xml"} <= set(config["tableFormats"])
    assert not re.search(r'(src|href)="(https?:)?//', html), "no external assets"
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert '<script type="module" src="/static/query.js"></script>' in html


def test_query_ui_completes_our_prefixes_and_the_ontology_terms(client: TestClient) -> None:
    config = _query_config(client.get("/query").text)
    assert config["prefixes"]["ckg"] == "https://w3id.org/conflictkg/ontology#"
    assert config["prefixes"]["place"] == "https://w3id.org/conflictkg/id/place/"
    terms = {t["iri"]: t for t in config["terms"]}
    event = terms["https://w3id.org/conflictkg/ontology#Event"]
    assert (event["kind"], event["label"]) == ("class", "Event")
    assert event["comment"] == "Something that happened in a conflict."
    assert terms["https://w3id.org/conflictkg/ontology#date"]["kind"] == "property"


def test_a_shared_query_link_fills_the_editor(client: TestClient) -> None:
    html = client.get("/query", params={"query": "SELECT * WHERE { ?s ?p ?o } # </textarea><script>", "inference": "true"}).text
    assert "SELECT * WHERE { ?s ?p ?o } # &lt;/textarea&gt;&lt;script&gt;</textarea>" in html
    assert 'id="inference" name="inference" value="true" checked' in html


def test_article_anchors_every_span_and_highlights_one(client: TestClient) -> None:
    html = client.get("/article?highlight=741-823").text
    for anchor in ("span-53-130", "span-741-823", "span-2213-2289"):
        assert f'id="{anchor}"' in html
    assert "<mark><span class=\"evidence\">Our army forces recaptured" in html
    assert "\u00a0overrun\u00a0by" in html, "the raw text is not normalised"
    assert client.get("/article?highlight=9-99999999").status_code == 200


def test_example_queries_come_from_the_release(client: TestClient) -> None:
    """The UI and the landing page list the release's queries/<name>.rq, each with its question."""
    names = sorted(p.stem for p in (FIXTURES / "queries").glob("*.rq"))
    config = _query_config(client.get("/query").text)
    assert [e["name"] for e in config["examples"]] == names
    home = client.get("/").text
    for name in names:
        assert f'href="/query?example={name}"' in home


def test_queries_beside_the_release_are_not_read(tmp_path: Path) -> None:
    """Only what the release's manifest lists is served: a project's data/queries next to dist/ is ignored."""
    release = write_release(tmp_path / "dist")
    shutil.copytree(release / "queries", tmp_path / "data" / "queries")
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = [f for f in manifest["files"] if not f["path"].startswith("queries/")]
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with TestClient(create_app(ServerConfig(release_dir=release, query_workers=1))) as client:
        assert _query_config(client.get("/query").text)["examples"] == []
        assert "/query?example=" not in client.get("/").text


def test_serving_files_offers_no_example_queries(example_file: Path) -> None:
    with TestClient(create_app(ServerConfig(files=[example_file], query_workers=1))) as client:
        assert _query_config(client.get("/query").text)["examples"] == []
        assert client.get("/").status_code == 200
