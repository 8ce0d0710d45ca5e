"""Protocol parsing: the three query operations, the dataset parameters, and every refusal."""

from __future__ import annotations

import pytest

from conflictkg.sparql.protocol import MAX_BODY_BYTES, ProtocolError, parse_request

FORM = "application/x-www-form-urlencoded"


def _refused(status: int, *args: object) -> str:
    with pytest.raises(ProtocolError) as refused:
        parse_request(*args)  # type: ignore[arg-type]
    assert refused.value.status == status
    return refused.value.message


def test_get_query() -> None:
    assert parse_request("GET", [("query", "ASK {}")], None, b"").query == "ASK {}"


def test_get_without_query_asks_for_the_service_description() -> None:
    assert parse_request("GET", [], None, b"").query is None


def test_post_form_with_dataset_from_url_and_body() -> None:
    body = b"query=ASK%20%7B%7D&named-graph-uri=urn%3Ab"
    request = parse_request("POST", [("default-graph-uri", "urn:a")], FORM, body)
    assert request.query == "ASK {}"
    assert request.default_graph == ["urn:a"] and request.named_graphs == ["urn:b"]


def test_post_direct_with_charset() -> None:
    request = parse_request("POST", [], "application/sparql-query; charset=UTF-8", "ASK { ?s ?p 'é' }".encode())
    assert request.query == "ASK { ?s ?p 'é' }"


def test_no_dataset_parameters_means_the_endpoint_dataset() -> None:
    request = parse_request("GET", [("query", "ASK {}")], None, b"")
    assert request.default_graph is None and request.named_graphs is None


def test_one_dataset_parameter_fixes_the_other_to_empty() -> None:
    request = parse_request("GET", [("query", "ASK {}"), ("named-graph-uri", "urn:g")], None, b"")
    assert request.default_graph == [] and request.named_graphs == ["urn:g"]


def test_inference_flag() -> None:
    assert parse_request("GET", [("query", "ASK {}"), ("inference", "true")], None, b"").inference is True
    assert parse_request("GET", [("query", "ASK {}")], None, b"").inference is False
    assert "inference" in _refused(400, "GET", [("query", "ASK {}"), ("inference", "maybe")], None, b"")


def test_two_queries_are_refused() -> None:
    _refused(400, "GET", [("query", "ASK {}"), ("query", "SELECT * {}")], None, b"")
    _refused(400, "POST", [("query", "ASK {}")], "application/sparql-query", b"ASK {}")


@pytest.mark.parametrize(
    ("method", "params", "content_type", "body"),
    [
        ("GET", [("update", "CLEAR ALL")], None, b""),
        ("POST", [], FORM, b"update=CLEAR+ALL"),
        ("POST", [], "application/sparql-update", b"CLEAR ALL"),
        ("POST", [("using-graph-uri", "urn:g")], "application/sparql-query", b"ASK {}"),
    ],
)
def test_updates_are_refused_as_read_only(method: str, params: list, content_type: str | None, body: bytes) -> None:
    assert "read-only" in _refused(403, method, params, content_type, body)


def test_media_type_errors() -> None:
    assert "none was given" in _refused(415, "POST", [], None, b"query=ASK%20%7B%7D")
    assert "text/plain" in _refused(415, "POST", [], "text/plain", b"ASK {}")


def test_non_utf8_bodies() -> None:
    _refused(415, "POST", [], "application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16"))
    _refused(415, "POST", [], "application/sparql-query; charset=\x00garbage", b"ASK {}")
    assert "UTF-8" in _refused(400, "POST", [], "application/sparql-query", b"ASK { \xff }")
    _refused(400, "POST", [], FORM, b"query=ASK%20%7B%FF%7D")


def test_methods_other_than_get_and_post() -> None:
    _refused(405, "PUT", [("query", "ASK {}")], FORM, b"")
    _refused(405, "DELETE", [], None, b"")


def test_body_size_is_bounded() -> None:
    _refused(413, "POST", [], "application/sparql-query", b" " * (MAX_BODY_BYTES + 1))


def test_graph_names_must_be_iris() -> None:
    assert "not an IRI" in _refused(400, "GET", [("query", "ASK {}"), ("default-graph-uri", "not an iri")], None, b"")


def test_empty_query_is_refused() -> None:
    _refused(400, "GET", [("query", "  ")], None, b"")


def test_format_values_are_kept_in_order() -> None:
    request = parse_request("GET", [("query", "ASK {}"), ("format", "tsv"), ("format", "text/csv")], None, b"")
    assert request.formats == ("tsv", "text/csv")


def test_post_without_query_or_update_is_a_400_that_says_what_is_missing() -> None:
    message = _refused(400, "POST", [], FORM, b"")
    assert "needs a query" in message
    assert "needs a query" in _refused(400, "POST", [("format", "json")], FORM, b"default-graph-uri=urn%3Aa")


def test_query_longer_than_the_limit_is_a_413() -> None:
    assert parse_request("GET", [("query", "ASK {}" + " " * 94)], None, b"", max_query_length=100).query
    message = _refused(413, "GET", [("query", "ASK {}" + " " * 95)], None, b"", 100)
    assert "101 characters" in message and "at most 100" in message
    _refused(413, "POST", [], "application/sparql-query", b"ASK {}" + b" " * 95, 100)
