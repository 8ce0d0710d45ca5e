"""Response headers: a CSP that forbids inline script on every page, nosniff and Referrer-Policy on every
response, framing only for the reconciliation preview, and CORS by allow-list, never ``*`` with credentials."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig
from conflictkg.web.security import PAGE_POLICY, check_cors_origins

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "conflictkg" / "web" / "templates"
PAGES = ["/", "/query", "/ontology", "/shapes", "/article", "/dumps/", "/id/place/ayyash", "/id/place/nowhere"]
OTHER = ["/sparql?query=ASK%7B%7D", "/dumps/article.txt", "/void", "/reconcile", "/static/site.css", "/openapi.json"]


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_csp_without_inline_script(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"], "no 'unsafe-inline', no 'unsafe-eval', no other host"
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert response.headers["x-frame-options"] == "DENY"
    for script in re.findall(r"<script\b[^>]*>", response.text):
        assert 'src="/static/' in script or 'type="application/json"' in script, f"inline script on {path}: {script}"


@pytest.mark.parametrize("path", PAGES + OTHER)
def test_every_response_is_not_sniffed_and_keeps_referrers_to_the_origin(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_errors_carry_the_headers_too(client: TestClient) -> None:
    response = client.post("/sparql", content=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and response.headers["x-content-type-options"] == "nosniff"


def test_templates_hold_no_inline_script_or_handlers() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for script in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in script or 'type="application/json"' in script, f"{template.name}: {script}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template.name} has an inline event handler"
        assert "javascript:" not in text and " style=" not in text, template.name


def test_the_reconciliation_preview_may_be_framed_but_runs_no_script(client: TestClient) -> None:
    response = client.get("/reconcile/preview", params={"id": "https://w3id.org/conflictkg/id/place/ayyash"})
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    assert "frame-ancestors" not in policy and "script-src" not in policy and policy["default-src"] == ["'none'"]
    assert "x-frame-options" not in response.headers


def test_default_cors_is_any_origin_without_credentials(client: TestClient) -> None:
    simple = client.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://analyst.example", "Cookie": "session=1"})
    assert simple.headers.get("access-control-allow-origin") in ("*", "https://analyst.example")
    assert "access-control-allow-credentials" not in simple.headers
    preflight = client.options("/sparql", headers={"Origin": "https://analyst.example", "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in preflight.headers


@pytest.fixture(scope="module")
def listed(release_dir: Path) -> Iterator[TestClient]:
    app = create_app(ServerConfig(release_dir=release_dir, query_workers=1, cors_origins=["https://ok.example"]))
    with TestClient(app) as client:
        yield client


def test_an_allow_list_echoes_listed_origins_only(listed: TestClient) -> None:
    ok = listed.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://ok.example"})
    assert ok.headers["access-control-allow-origin"] == "https://ok.example" and "Origin" in ok.headers["vary"]
    other = listed.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = listed.options("/sparql", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 400 and "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-credentials" not in ok.headers


def test_cors_allow_list_is_checked() -> None:
    assert check_cors_origins(["*"]) == ["*"]
    assert check_cors_origins(["https://a.example", "http://localhost:3000"]) == ["https://a.example", "http://localhost:3000"]
    for bad in (["*", "https://a.example"], ["a.example"], ["https://a.example/path"], ["javascript:alert(1)"], ["null"]):
        with pytest.raises(ValueError):
            check_cors_origins(bad)


def test_serve_refuses_a_bad_cors_origin(tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "conflictkg", "serve", str(data), "--cors-origin", "*", "--cors-origin",
                             "https://a.example", "--port", "0"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "give it alone" in result.stderr


def test_policy_constant_is_what_pages_send(client: TestClient) -> None:
    assert client.get("/").headers["content-security-policy"] == PAGE_POLICY
