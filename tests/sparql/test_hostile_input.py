"""/sparql under hostile input: whatever arrives, the answer is below 500 and a 4xx says why in words.

Property-based (hypothesis) over GET, POST form and POST direct requests: random query texts (SPARQL
fragments, NUL bytes, invalid percent-encoding, huge and deeply nested texts), random charsets and
non-UTF-8 bodies, repeated and update parameters, and arbitrary Accept / Content-Type headers. The
fuzzed app serves a three-triple file with a short timeout, so no generated query can be slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflictkg.sparql.protocol import ProtocolError, parse_request
from conflictkg.sparql.query_text import MAX_NESTING
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

FUZZ = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

TINY = """<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A </script><b>" .
<http://example.org/a> <http://example.org/p> <http://example.org/b> .
<http://example.org/b> <http://example.org/p> 42 .
"""

MARKER = "<script>alert(1)</script>"
TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "*", "{", "}", "(", ")", "[", "]", ".", ";", ",",
    "?s", "?p", "?o", "$x", "<http://example.org/a>", "<urn:x>", '"lit"', "'lit'", '"""long"""', "42", "-1.5e3",
    "FILTER", "BIND", "AS", "VALUES", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "LIMIT 2", "OFFSET 1",
    "ORDER BY", "GROUP BY", "COUNT(*)", "REGEX(?o, \"(a+)+$\")", "PREFIX ex: <http://example.org/>", "ex:p",
    "BASE <http://example.org/>", "INSERT DATA", "DELETE WHERE", "LOAD", "CLEAR ALL", "DROP", "#",
    "\x00", "\\", "%", "%ZZ", "%C3%28", "\ufffd", "\u202e", "ي", "😀", MARKER, "!", "!=", "<", ">", "^^", "@en",
]
sparql_soup = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=16).map(" ".join)
valid_with_payload = st.builds(
    lambda text, limit: f"SELECT ?s (STR(?o) AS ?text) WHERE {{ ?s ?p ?o FILTER(?o != {_string(text)}) }} LIMIT {limit}",
    st.text(max_size=40),
    st.integers(min_value=0, max_value=5),
)
queries = st.one_of(sparql_soup, valid_with_payload, st.text(max_size=200))
header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=120
).map(lambda text: text.encode("latin-1"))
"""Any header value HTTP can carry (latin-1 bytes, no control characters)."""
MEDIA = [
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
    "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "text/html", "*/*",
    "text/*", "*/json", "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
    "multipart/form-data", "", ";", ",,,", "q=0.5",
]
accept = st.one_of(
    header_text,
    st.lists(
        st.tuples(st.sampled_from(MEDIA), st.sampled_from(["", ";q=0", ";q=0.3", ";q=1.0", ";q=2", ";q=abc", ";level=1"])),
        max_size=6,
    ).map(lambda parts: ", ".join(m + q for m, q in parts).encode()),
)
content_types = st.one_of(
    header_text,
    st.tuples(
        st.sampled_from(MEDIA),
        st.sampled_from(["", "; charset=utf-8", "; charset=UTF8", "; charset=latin-1", "; charset=utf-16",
                         "; charset=x-bogus", "; charset=", "; charset=\"utf-8\"", ";;;", "; boundary=x"]),
    ).map(lambda parts: "".join(parts).encode()),
)
PARAMETERS = ["query", "update", "default-graph-uri", "named-graph-uri", "format", "inference", "using-graph-uri",
              "callback", "output", ""]
parameters = st.lists(st.tuples(st.sampled_from(PARAMETERS), queries), max_size=4)
CHARSETS = ["utf-8", "latin-1", "utf-16", "utf-32", "shift_jis", "cp1252"]


def _string(text: str) -> str:
    """A SPARQL string literal holding ``text`` (escaped, so the query stays valid)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over three triples (no generated query can be slow), raising nothing: 5xx stay visible."""
    path = tmp_path_factory.mktemp("hostile") / "tiny.ttl"
    path.write_text(TINY, encoding="utf-8")
    app = create_app(ServerConfig(files=[path], query_workers=1, query_timeout=10.0))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def assert_sound(response: httpx.Response) -> None:
    """Below 500; a 4xx carries a sentence; an HTML body never holds the injected markup verbatim."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if response.status_code >= 400 and response.status_code != 405:
        assert re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", response.text), f"no message: {response.text[:200]!r}"
    if response.headers.get("content-type", "").startswith("text/html"):
        assert MARKER not in response.text


@FUZZ
@given(params=parameters, accept_header=accept)
def test_get_with_any_parameters_and_accept(fuzz_client: TestClient, params: list[tuple[str, str]], accept_header: bytes) -> None:
    assert_sound(fuzz_client.get("/sparql", params=params, headers={"Accept": accept_header}))


@FUZZ
@given(query=queries, extra=parameters, accept_header=accept)
def test_post_form(fuzz_client: TestClient, query: str, extra: list[tuple[str, str]], accept_header: bytes) -> None:
    response = fuzz_client.post(
        "/sparql", data={"query": query, **dict(extra)}, headers={"Accept": accept_header}
    )
    assert_sound(response)


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), queries.map(lambda q: q.encode("utf-8", "surrogatepass"))),
       content_type=content_types)
def test_post_any_body_with_any_content_type(fuzz_client: TestClient, body: bytes, content_type: bytes) -> None:
    assert_sound(fuzz_client.post("/sparql", content=body, headers={"Content-Type": content_type}))


@FUZZ
@given(query=queries, charset=st.sampled_from(CHARSETS))
def test_post_direct_in_any_charset(fuzz_client: TestClient, query: str, charset: str) -> None:
    body = query.encode(charset, "replace")
    response = fuzz_client.post(
        "/sparql", content=body, headers={"Content-Type": f"application/sparql-query; charset={charset}"}
    )
    assert_sound(response)
    if charset != "utf-8":
        assert response.status_code == 415 and "UTF-8" in response.text


@FUZZ
@given(raw=st.lists(st.one_of(st.sampled_from(["%", "%Z", "%ZZ", "%C3%28", "%FF", "%00", "%E2%82", "+", "&", "="]),
                              st.text(alphabet="abcqueryQ{}?*&=%+", max_size=6)), max_size=12).map("".join))
def test_raw_percent_encoding_in_url_and_form(fuzz_client: TestClient, raw: str) -> None:
    assert_sound(fuzz_client.get(f"/sparql?query={raw}"))
    assert_sound(fuzz_client.get(f"/sparql?{raw}"))
    assert_sound(
        fuzz_client.post("/sparql", content=f"query={raw}".encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    )


@FUZZ
@given(depth=st.integers(min_value=1, max_value=20_000), opener=st.sampled_from(["{", "(", "[", "FILTER(", "!", "STR("]))
def test_deep_nesting_is_refused_or_answered_never_a_crash(fuzz_client: TestClient, depth: int, opener: str) -> None:
    closer = {"{": "}", "(": ")", "[": "]", "FILTER(": ")", "!": "", "STR(": ")"}[opener]
    query = "ASK { FILTER(" + opener * depth + "true" + closer * depth + ") }"
    response = fuzz_client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert_sound(response)
    if depth > MAX_NESTING + 1:
        assert response.status_code == 400


def test_nesting_that_used_to_kill_the_worker_is_a_400(fuzz_client: TestClient) -> None:
    for query in ("SELECT * {" + "{" * 5000 + "}" * 5000 + "}", "SELECT " + "(" * 300_000, "ASK { FILTER(" + "!" * 60_000 + "true) }"):
        response = fuzz_client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
        assert response.status_code in (400, 413) and "at most" in response.text  # 413: longer than the length limit
    assert fuzz_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json() == {"head": {}, "boolean": True}


def test_hiding_brackets_inside_an_iri_does_not_pass(fuzz_client: TestClient) -> None:
    query = "ASK { FILTER(1 <" + "(" * 3000 + "1" + ")" * 3000 + ">2) }"
    response = fuzz_client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400 and "levels deep" in response.text


def test_service_is_refused_not_fetched(fuzz_client: TestClient) -> None:
    response = fuzz_client.get("/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 400 and "SERVICE" in response.text
    harmless = fuzz_client.get("/sparql", params={"query": 'SELECT ?service { BIND("SERVICE" AS ?service) }'})
    assert harmless.status_code == 200


def test_update_as_query_is_refused_before_any_parser(fuzz_client: TestClient) -> None:
    """It used to be told apart by rdflib's parser in the worker, seconds per large text."""
    update = "PREFIX ex: <http://example.org/> INSERT DATA { " + "ex:a ex:b 'x' . " * 40_000 + "} oops"
    with pytest.raises(ProtocolError) as refused:
        parse_request("POST", [], "application/sparql-query", update.encode())
    assert refused.value.status == 403
    response = fuzz_client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 403 and "read-only" in response.text


def test_huge_and_repeated_queries(fuzz_client: TestClient) -> None:
    huge = "SELECT * WHERE { ?s ?p ?o } # " + "x" * (2 * 1024 * 1024)
    response = fuzz_client.post("/sparql", content=huge, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413 and "larger than" in response.text
    twice = fuzz_client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert twice.status_code == 400 and "at most one" in twice.text
    nul = fuzz_client.get("/sparql?query=" + quote("ASK {}\x00"))
    assert nul.status_code == 400 and "syntax error" in nul.text
