"""The lexical screen: nesting depth, update keywords and SERVICE, ignoring strings, IRIs and comments."""

from __future__ import annotations

import pytest

from conflictkg.sparql.query_text import MAX_NESTING, calls_service, is_update, masked, nesting_depth, too_deep


def test_strings_comments_and_escapes_are_masked_iri_brackets_kept() -> None:
    text = 'PREFIX ex: <http://x#y> SELECT * { ?s ex:a\\\'b "{{{" ; <urn:a(b)> \'\'\'}}}\'\'\' # {{{\n }'
    assert masked(text) == 'PREFIX ex: <> SELECT * { ?s ex:a_b "" ; <()> ""  \n }'


@pytest.mark.parametrize(
    ("query", "depth"),
    [
        ("SELECT * { ?s ?p ?o }", 1),
        ("ASK { FILTER((1 + 2) > 0) }", 3),
        ('ASK { FILTER("((((((" = ?x) }', 2),
        ("ASK { ?s <urn:a((b))> ?o }", 3),
        ("SELECT * { { } } } } } {", 2),
    ],
)
def test_nesting_depth(query: str, depth: int) -> None:
    assert nesting_depth(query) == depth


def test_too_deep_counts_brackets_and_chains_of_not() -> None:
    at_limit = "ASK " + "{" * MAX_NESTING + "}" * MAX_NESTING
    assert too_deep(at_limit) is None
    assert "65 levels deep" in (too_deep("ASK " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1)) or "")
    assert "'!' operators" in (too_deep("ASK { FILTER(" + "! " * (MAX_NESTING + 1) + "true) }") or "")
    assert too_deep("ASK { FILTER(1 != 2 && !false) }") is None
    assert too_deep("ASK { FILTER(1 <" + "(" * 100 + "1" + ")" * 100 + ">2) }") is not None


@pytest.mark.parametrize(
    ("query", "update"),
    [
        ("INSERT DATA { <a:a> <a:b> <a:c> }", True),
        ("PREFIX ex: <http://x/> BASE <http://y/> delete where { ?s ?p ?o }", True),
        ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
        ("  load <http://example.org/>", True),
        ("# INSERT\nSELECT * {}", False),
        ('SELECT ("INSERT" AS ?x) {}', False),
        ("PREFIX insert: <urn:x#> SELECT * {}", False),
        ("", False),
    ],
)
def test_is_update_reads_the_first_keyword_after_the_prologue(query: str, update: bool) -> None:
    assert is_update(query) is update


@pytest.mark.parametrize(
    ("query", "service"),
    [
        ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", True),
        ("select * { service silent ?endpoint { } }", True),
        ('SELECT ?service { ?service ex:service "SERVICE" ; <urn:SERVICE> ?o } # SERVICE', False),
        ("SELECT * { ?s service:p ?o }", False),
    ],
)
def test_calls_service(query: str, service: bool) -> None:
    assert calls_service(query) is service


@pytest.mark.parametrize("text", ['"' * 1_000_000, "<a" * 500_000, "'a\n" * 300_000, '"""' + "a" * 1_000_000])
def test_pathological_megabytes_are_screened(text: str) -> None:
    """Unterminated strings and IRIs: the patterns have no nested repetition, so these finish at once."""
    assert (too_deep(text), is_update(text), calls_service(text)) == (None, False, False)
