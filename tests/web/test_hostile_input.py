"""The linked-data site and /reconcile under hostile input: never a 5xx, a 4xx says why, nothing echoed raw.

Property-based (hypothesis) over the paths under /id/ and /dumps/ (traversal with ../, %2e%2e, encoded
slashes, absolute paths), /ontology?format=, /article?highlight=, /query?query=, the headers clients
and proxies send (Accept, If-None-Match, Range, X-Forwarded-Host, Origin) and the Reconciliation API
(broken JSON, wrong shapes, huge and negative limits, JSONP callbacks). The site is the fixture release
behind ``client`` (which fails on any 5xx); /reconcile runs over the gazetteer fixtures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflictkg.gazetteer.sources import load_dump_files
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

FUZZ = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
GAZETTEER = Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer"

MARKER = "<script>alert(1)</script>"
SAFE_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.]{0,63}")

PATH_PARTS = [
    "..", "%2e%2e", "%2E%2E/", "..%2f", "%2f", "%5c", "/", "//", "/etc/passwd", "C:\\Windows", "manifest.json",
    "article.txt", "conflictkg.nq.gz", "queries/who-claimed.rq", "place", "ayyash", "event", "span", "quote",
    "%00", "%ff", "%", "%zz", "~", ".", "?", "#", "%3Cscript%3E", "%22%3E%3Cb%3E", "a b", "ي", "%E2%80%AE",
]
paths = st.lists(st.one_of(st.sampled_from(PATH_PARTS), st.text(alphabet="abc/.%2eE0", max_size=6)), max_size=8).map("".join)
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=100
).map(lambda text: text.encode("latin-1"))
"""Any header value HTTP can carry (latin-1 bytes, no control characters)."""
header_phrases = st.lists(
    st.sampled_from([
        "text/html", "text/turtle", "application/ld+json", "*/*", ";q=0", ";q=0.5", ",", "bytes=", "0-", "-5",
        "5-1", "999999999-", "1-2,3-4", '"', "W/", "*", "0.1.0+fixture000001-ttl", "evil.example", "localhost:8000",
        "[::1]", "<script>", "http://evil.example", "null", "x" * 50, "\u00e9",
    ]),
    max_size=6,
).map(lambda parts: "".join(parts).encode("latin-1"))
any_header = st.one_of(header_values, header_phrases)
HEADERS = ["Accept", "If-None-Match", "Range", "X-Forwarded-Host", "X-Forwarded-Proto", "Origin", "If-Range"]
headers = st.dictionaries(st.sampled_from(HEADERS), any_header, max_size=4)


def assert_sound(response: httpx.Response) -> None:
    """Below 500; a 4xx carries a sentence; an HTML body never holds injected markup verbatim."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if 400 <= response.status_code and response.request.method != "HEAD":
        assert re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", response.text), f"no message: {response.status_code} {response.text[:200]!r}"
    if response.headers.get("content-type", "").startswith("text/html"):
        assert MARKER not in response.text


@FUZZ
@given(path=paths, sent=headers)
def test_any_path_under_id(client: TestClient, path: str, sent: dict[str, bytes]) -> None:
    assert_sound(client.get(f"/id/{path}", headers=sent))


@FUZZ
@given(path=paths, sent=headers, method=st.sampled_from(["GET", "HEAD"]))
def test_any_path_under_dumps_serves_only_release_files(client: TestClient, release_dir: Path, path: str, sent: dict[str, bytes], method: str) -> None:
    response = client.request(method, f"/dumps/{path}", headers=sent)
    assert_sound(response)
    if response.status_code in (200, 206) and method == "GET" and response.url.path.startswith("/dumps/"):
        listed = {entry["path"] for entry in json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))["files"]}
        served = response.url.path.removeprefix("/dumps/")
        assert served in listed or served == "", f"served {response.url.path}, which the manifest does not list"


@pytest.mark.parametrize(
    "path",
    ["../manifest.json", "%2e%2e/manifest.json", "..%2fmanifest.json", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/etc/passwd",
     "//etc/passwd", "queries/../manifest.json", "queries%2f..%2f..%2f..%2fpyproject.toml", "C:%5cwindows%5cwin.ini"],
)
def test_traversal_out_of_the_release_is_a_404(client: TestClient, path: str) -> None:
    response = client.get(f"/dumps/{path}", headers={"Accept": "text/plain"})
    assert response.status_code == 404 and "root:" not in response.text and "[project]" not in response.text


@FUZZ
@given(fmt=st.one_of(st.text(max_size=30), st.sampled_from(["ttl", "html", "rdf", "jsonld", "nt", "trig", "", "%00", MARKER])),
       page=st.sampled_from(["/ontology", "/shapes", "/void", "/.well-known/void", "/validation", "/id/place/ayyash", "/"]),
       sent=headers)
def test_format_parameter_and_headers_on_documents(client: TestClient, fmt: str, page: str, sent: dict[str, bytes]) -> None:
    assert_sound(client.get(page, params={"format": fmt}, headers=sent))


@FUZZ
@given(highlight=st.one_of(st.text(max_size=30), st.from_regex(r"\A[0-9]{1,12}-[0-9]{1,12}\Z")), query=st.text(max_size=200))
def test_article_highlight_and_query_ui_prefill(client: TestClient, highlight: str, query: str) -> None:
    assert_sound(client.get("/article", params={"highlight": highlight}))
    page = client.get("/query", params={"query": query + MARKER})
    assert_sound(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


@FUZZ
@given(origin=any_header)
def test_cors_preflight_with_any_origin(client: TestClient, origin: bytes) -> None:
    response = client.options("/sparql", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert response.status_code < 500


def test_forwarded_host_never_reaches_links_unchecked(client: TestClient) -> None:
    response = client.get("/id/place/ayyash", headers={"X-Forwarded-Host": 'evil.example"><script>', "Accept": "text/turtle"})
    assert response.status_code == 200 and "<script>" not in response.headers["link"]


def test_unsatisfiable_range_is_a_416_that_says_why(client: TestClient, release_dir: Path) -> None:
    size = (release_dir / "article.txt").stat().st_size
    response = client.get("/dumps/article.txt", headers={"Range": f"bytes={size + 10}-"})
    assert response.status_code == 416 and response.headers["content-range"] == f"bytes */{size}"
    assert "beyond the end" in response.text and str(size) in response.text
    huge = client.get("/dumps/article.txt", headers={"Range": "bytes=" + "9" * 5000 + "-"})
    assert huge.status_code < 500


# --- /reconcile ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reconcile_client() -> TestClient:
    """The app over the gazetteer fixtures (no SPARQL pool needed), failing on nothing: 5xx stay visible."""
    app = create_app(ServerConfig(files=[GAZETTEER / "places.ttl", GAZETTEER / "links.ttl"]))
    app.state.gazetteer = load_dump_files([GAZETTEER / "SY.txt", GAZETTEER / "alternateNamesV2.txt"])
    return TestClient(app, raise_server_exceptions=False)


def assert_reconcile_sound(response: httpx.Response, callback: str | None) -> None:
    assert_sound(response)
    if response.status_code == 200 and response.headers["content-type"].startswith("application/javascript"):
        assert callback is not None and SAFE_CALLBACK.fullmatch(callback)
        assert response.text.startswith(f"/**/{callback}(")
    if callback and not SAFE_CALLBACK.fullmatch(callback):
        assert response.status_code == 400 and "callback" in response.text


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=False),
              st.text(max_size=20), st.sampled_from(["Ayash", "Deir Ezzor", "²", "9" * 40, "https://sws.geonames.org/170063/"])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)),
    max_leaves=12,
)
query_objects = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(st.sampled_from(["Ayash", "Begayliya", "البغيلية", "", " ", MARKER]), st.text(max_size=40), json_values),
        "type": st.one_of(st.sampled_from(["Place", "Actor", "ckg:Event", "https://w3id.org/conflictkg/ontology#Place", "Nope"]), json_values),
        "limit": st.one_of(st.integers(min_value=-5, max_value=10**12), st.sampled_from([0, -1, 10**400, 1.5, "3", True]), json_values),
        "properties": st.one_of(
            st.lists(st.fixed_dictionaries({"pid": st.sampled_from(["within", "p", ""]), "v": json_values}), max_size=2),
            json_values,
        ),
        "type_strict": st.sampled_from(["should", "any", "all"]),
    },
)
batches = st.one_of(
    st.dictionaries(st.sampled_from(["q0", "q1", "q2", ""]), query_objects, max_size=3).map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=60),
    st.sampled_from(["{", "[" * 5000, "{\"q0\": " * 3000, "null", "[]", "\"x\"", "{\"q0\": {\"query\": \"Ayash\", \"limit\": 1e999}}"]),
)
callbacks = st.one_of(
    st.none(),
    st.sampled_from(["jQuery123_456", "cb", "a.b.c", "alert(1)//", "</script><script>alert(1)</script>", "x;alert(1)",
                     "a" * 100, "", "$", "1abc", "cb\n", "constructor[\"x\"]"]),
    st.text(max_size=20),
)


@FUZZ
@given(queries=batches, callback=callbacks, method=st.sampled_from(["GET", "POST"]))
def test_reconcile_batches(reconcile_client: TestClient, queries: str, callback: str | None, method: str) -> None:
    params = {"queries": queries, **({"callback": callback} if callback is not None else {})}
    if method == "GET":
        response = reconcile_client.get("/reconcile", params=params)
    else:
        response = reconcile_client.post("/reconcile", data=params)
    assert_reconcile_sound(response, callback or None)
    if response.status_code == 200 and not callback:
        answer = response.json()
        assert set(answer) == set(json.loads(queries))
        for item in answer.values():
            assert isinstance(item["result"], list) and len(item["result"]) <= 100


@FUZZ
@given(query=st.one_of(st.text(max_size=60), query_objects.map(json.dumps)), callback=callbacks)
def test_reconcile_single_query(reconcile_client: TestClient, query: str, callback: str | None) -> None:
    params = {"query": query, **({"callback": callback} if callback is not None else {})}
    assert_reconcile_sound(reconcile_client.get("/reconcile", params=params), callback or None)


@FUZZ
@given(kind=st.sampled_from(["entity", "type", "property", "colour", "..", "%2e%2e"]), prefix=st.text(max_size=30),
       callback=callbacks, preview_id=st.one_of(st.text(max_size=30), st.sampled_from(["²", "9" * 5000, "https://sws.geonames.org/" + "9" * 5000 + "/", MARKER])))
def test_reconcile_suggest_and_preview(reconcile_client: TestClient, kind: str, prefix: str, callback: str | None, preview_id: str) -> None:
    params = {"prefix": prefix, **({"callback": callback} if callback is not None else {})}
    assert_reconcile_sound(reconcile_client.get(f"/reconcile/suggest/{kind}", params=params), callback or None)
    preview = reconcile_client.get("/reconcile/preview", params={"id": preview_id})
    assert_sound(preview)


@FUZZ
@given(body=st.binary(max_size=200), content_type=header_values)
def test_reconcile_post_with_any_body(reconcile_client: TestClient, body: bytes, content_type: bytes) -> None:
    assert_sound(reconcile_client.post("/reconcile", content=body, headers={"Content-Type": content_type}))


def test_reconcile_regressions(reconcile_client: TestClient) -> None:
    """Inputs that used to end in a 500: Unicode digits and huge numbers as ids, deeply nested JSON."""
    within = {"q0": {"query": "Ayash", "properties": [{"pid": "within", "v": "²"}]},
              "q1": {"query": "Ayash", "properties": [{"pid": "within", "v": "9" * 5000}]}}
    assert reconcile_client.get("/reconcile", params={"queries": json.dumps(within)}).status_code == 200
    for preview_id in ("²", "9" * 5000, "https://sws.geonames.org/" + "9" * 5000 + "/"):
        response = reconcile_client.get("/reconcile/preview", params={"id": preview_id})
        assert response.status_code == 404 and "unknown id" in response.text
    nested = reconcile_client.post("/reconcile", data={"queries": "[" * 100_000})
    assert nested.status_code == 400 and "nested too deeply" in nested.text
    single = reconcile_client.post("/reconcile", data={"query": "{" + '"a":[' * 50_000})
    assert single.status_code == 400 and "query" in single.text
