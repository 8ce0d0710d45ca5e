"""Content negotiation: real clients' Accept headers land on the format they prefer."""

from __future__ import annotations

import pytest

from conflictkg.sparql.negotiate import MAX_ACCEPT_LENGTH, NotAcceptable, choose, negotiate, parse_accept, preference
from conflictkg.sparql.results import RDF_FORMATS, TABULAR_FORMATS

JENA_SELECT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.7, "
    "text/csv;q=0.5, application/json;q=0.2, application/xml;q=0.2, */*;q=0.1"
)
JENA_CONSTRUCT = "text/turtle, application/n-triples;q=0.9, application/ld+json;q=0.8, application/rdf+xml;q=0.7, */*;q=0.3"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_jena_select_gets_sparql_json() -> None:
    assert negotiate(JENA_SELECT, TABULAR_FORMATS).name == "json"


def test_jena_construct_gets_turtle() -> None:
    assert negotiate(JENA_CONSTRUCT, RDF_FORMATS).name == "turtle"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json,application/json,text/javascript,application/javascript", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("application/sparql-results+xml, application/rdf+xml", "xml"),  # rdflib's SPARQLConnector
    ],
)
def test_sparqlwrapper_select_headers(accept: str, expected: str) -> None:
    assert negotiate(accept, TABULAR_FORMATS).name == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/turtle,text/turtle", "turtle"),
        ("application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3", "turtle"),
        ("application/rdf+xml", "rdfxml"),
        ("application/ld+json,application/x-json+ld", "jsonld"),
        ("application/n-triples", "ntriples"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_sparqlwrapper_graph_headers(accept: str, expected: str) -> None:
    assert negotiate(accept, RDF_FORMATS).name == expected


@pytest.mark.parametrize("accept", [None, "", "*/*", "garbage", ";;;,,,", "text/*;q=abc"])
def test_no_usable_preference_gets_the_server_default(accept: str | None) -> None:
    assert negotiate(accept, TABULAR_FORMATS).name == "json"
    assert negotiate(accept, RDF_FORMATS).name == "turtle"


def test_q_values_decide_over_order() -> None:
    assert negotiate("text/csv;q=0.4, text/tab-separated-values;q=0.6", TABULAR_FORMATS).name == "tsv"


def test_most_specific_range_sets_the_quality() -> None:
    ranges = parse_accept("text/*;q=0.9, text/csv;q=0, */*;q=0.1")
    assert preference(ranges, "text/csv") == 0
    assert preference(ranges, "text/tab-separated-values") == 0.9
    assert preference(ranges, "application/sparql-results+json") == 0.1


def test_q_zero_excludes_and_nothing_left_is_406() -> None:
    with pytest.raises(NotAcceptable) as refused:
        negotiate("image/png, application/sparql-results+json;q=0", TABULAR_FORMATS)
    assert "text/csv" in refused.value.supported


def test_browser_gets_rdfxml_for_graphs_via_the_xml_alias() -> None:
    assert negotiate(BROWSER, RDF_FORMATS).name == "rdfxml"


def test_hostile_headers_are_bounded() -> None:
    huge = "text/csv;q=0.1," * (MAX_ACCEPT_LENGTH // 10)
    assert parse_accept(huge) == []
    many = ",".join(["image/png"] * 100 + ["text/csv"])
    assert len(parse_accept(many)) == 64


@pytest.mark.parametrize(
    ("values", "expected"),
    [(["json"], "json"), (["csv"], "csv"), (["tsv", "text/tab-separated-values"], "tsv"), (["XML"], "xml")],
)
def test_format_parameter_overrides_accept(values: list[str], expected: str) -> None:
    assert choose("text/csv", values, TABULAR_FORMATS).name == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ttl", "turtle"), ("turtle", "turtle"), ("nt", "ntriples"), ("jsonld", "jsonld"), ("json", "jsonld"),
     ("rdfxml", "rdfxml"), ("rdf+xml", "rdfxml"), ("trig", "trig"), ("nq", "nquads"), ("text/turtle", "turtle")],
)
def test_format_short_names_for_graphs(value: str, expected: str) -> None:
    assert choose(None, [value], RDF_FORMATS).name == expected


def test_format_that_does_not_fit_the_result_is_406() -> None:
    with pytest.raises(NotAcceptable):
        choose("*/*", ["csv"], RDF_FORMATS)


def test_first_usable_format_value_wins() -> None:
    assert choose(None, ["nonsense", "tsv"], TABULAR_FORMATS).name == "tsv"
