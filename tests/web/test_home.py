"""The landing page, the query UI and the article with anchored spans."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient


def test_landing_page_counts_and_links(client: TestClient) -> None:
    html = client.get("/").text
    for link in ('href="/query"', 'href="/dumps/"', 'href="/ontology"', 'href="/id/event/'):
        assert link in html
    counts = dict(re.findall(r"<td>(\w+)s</td><td class=\"num\">(\d+)</td>", html))
    assert counts == {"Event": "5", "Place": "5", "Actor": "4", "Claim": "2"}
    assert "https://w3id.org/conflictkg/graph/data" in html


def test_query_ui_embeds_the_example_queries_and_works_offline(client: TestClient) -> None:
    html = client.get("/query").text
    config = json.loads(re.search(r'<script type="application/json" id="query-config">(.*?)</script>', html, re.S).group(1))
    questions = {e["question"] for e in config["examples"]}
    assert "Which places lie (transitively) in Deir Ezzor province?" in questions
    assert config["idBase"] == "https://w3id.org/conflictkg/id/"
    assert {"csv", "tsv", "json", "xml"} <= set(config["tableFormats"])
    assert not re.search(r'(src|href)="(https?:)?//', html), "no external assets"
    assert client.get("/static/query.js").status_code == 200


def test_article_anchors_every_span_and_highlights_one(client: TestClient) -> None:
    html = client.get("/article?highlight=741-823").text
    for anchor in ("span-53-130", "span-741-823", "span-2213-2289"):
        assert f'id="{anchor}"' in html
    assert "<mark><span class=\"evidence\">Our army forces recaptured" in html
    assert "\u00a0overrun\u00a0by" in html, "the raw text is not normalised"
    assert client.get("/article?highlight=9-99999999").status_code == 200
