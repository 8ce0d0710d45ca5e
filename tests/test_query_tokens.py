"""The SPARQL tokenizer shared by the planner rewrite (query_rewrite) and the remote store's rewrite."""

from __future__ import annotations

from conflictkg.query_tokens import tokenize


def test_strings_iris_and_comments_are_whole_and_comments_dropped() -> None:
    query = 'SELECT * { ?s <urn:a#b> "{ } ." ; ex:p \'\'\'x\n}\'\'\' # { ?x\n . }'
    assert [t.text for t in tokenize(query)] == [
        "SELECT", "*", "{", "?s", "<urn:a#b>", '"{ } ."', ";", "ex:p", "'''x\n}'''", ".", "}",
    ]


def test_paths_variables_and_function_names() -> None:
    query = "{ ?t rdfs:subClassOf* ckg:Capture.?x a/rdfs:label ?l FILTER regex(?l, 'a') }"
    assert [t.text for t in tokenize(query)] == [
        "{", "?t", "rdfs:subClassOf*", "ckg:Capture", ".", "?x", "a/rdfs:label", "?l", "FILTER", "regex", "(",
        "?l", ",", "'a'", ")", "}",
    ]


def test_offsets_point_into_the_text_and_words_compare_in_capitals() -> None:
    query = "select ?x { ?x ex:p 1.5 } # optional"
    tokens = tokenize(query)
    assert all(query[t.start:t.end] == t.text for t in tokens)
    assert [t.word for t in tokens][:1] == ["SELECT"] and "1.5" in [t.text for t in tokens]
