"""The planner rewrites (OPTIONAL last, anchored paths first): what moves, what must not, and identical
answers either way."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from conflictkg.sparql.rewrite import hoist_required_patterns

ROOT = Path(__file__).resolve().parents[2]
EX = "http://example.org/"
PREFIXES = f"PREFIX ex: <{EX}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"

LAST_CONTROLLER = PREFIXES + """SELECT ?place ?label ?controller ?date WHERE {
  ?capture a ?type ; ex:place ?place ; ex:agent ?controller ; ex:date ?date .
  ?type rdfs:subClassOf* ex:Capture .
  OPTIONAL {
    ?later a ?laterType ; ex:place ?place ; ex:date ?laterDate .
    ?laterType rdfs:subClassOf* ex:Capture .
    FILTER (?laterDate > ?date)   # a later capture of the same place
  }
  ?place rdfs:label ?label .
  FILTER (!BOUND(?later))
} ORDER BY ?label ?controller"""

REWRITTEN = {
    "last controller": LAST_CONTROLLER,
    "two blocks after": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } ?p rdfs:label ?l . ?c ex:date ?d }",
    "past a filter": PREFIXES + "SELECT * { ?c ex:place ?p . OPTIONAL { ?c ex:agent ?a } FILTER(?d > 3) ?c ex:date ?d }",
    "nested group": PREFIXES + "SELECT * { GRAPH ?g { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } ?p rdfs:label ?l } }",
    "sub-select": PREFIXES + "SELECT ?p (COUNT(*) AS ?n) { { SELECT ?c ?p ?a { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } "
    "?p rdfs:label ?l } } } GROUP BY ?p",
    "anchored path first": PREFIXES + "SELECT * { ?c a ?t ; ex:place ?p . ?t rdfs:subClassOf* ex:Capture . ?p rdfs:label ?l }",
    "inverse path": PREFIXES + "SELECT * { ?c ex:place ?p . ex:p3 ^ex:place ?c }",
    "two optionals": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } OPTIONAL { ?p rdfs:label ?l } "
    "?c ex:date ?d }",
}
KEPT = {
    "no optional": PREFIXES + "SELECT * { ?c ex:place ?p . ?p rdfs:label ?l }",
    "optional already last": PREFIXES + "SELECT * { ?c ex:place ?p . ?p rdfs:label ?l OPTIONAL { ?c ex:agent ?a } }",
    "feeds the later pattern": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } ?a rdfs:label ?l }",
    "filter sees the later pattern": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a FILTER(?d > 3) } "
    "?c ex:date ?d }",
    "shared variable not certain": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:date ?d } OPTIONAL { ?c ex:agent "
    "?a . ?a ex:date ?d } ?x ex:date ?d }",
    "bind in between": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } BIND(1 AS ?one) ?p rdfs:label ?l }",
    "union after": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } { ?p rdfs:label ?l } UNION "
    "{ ?p ex:name ?l } }",
    "minus after": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } MINUS { ?p rdfs:label ?l } }",
    "values after": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } VALUES ?p { ex:p1 } }",
    "unbalanced": "SELECT * { ?c <urn:p> ?p OPTIONAL { ?c <urn:a> ?a ?p <urn:l> ?l }",
    "anchored path already first": PREFIXES + "SELECT * { ?t rdfs:subClassOf* ex:Capture . ?c a ?t }",
    "path between variables": PREFIXES + "SELECT * { ?c a ?t . ?t rdfs:subClassOf* ?u }",
    "optional in a string": PREFIXES + 'SELECT * { ?c ex:place ?p . ?p rdfs:label "OPTIONAL { }" }',
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Captures of places with gaps: some have no agent, places no label, dates repeat (seeded)."""
    rng = random.Random(7)
    store = ox.Store()

    def iri(name: str) -> ox.NamedNode:
        return ox.NamedNode(EX + name)

    graph = ox.NamedNode(EX + "g")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    sub = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    quads = [ox.Quad(iri("Recapture"), sub, iri("Capture"), graph)]
    for p in range(30):
        if rng.random() < 0.8:
            quads.append(ox.Quad(iri(f"p{p}"), label, ox.Literal(f"place {p}"), graph))
        if rng.random() < 0.3:
            quads.append(ox.Quad(iri(f"p{p}"), iri("name"), ox.Literal(f"name {p}"), graph))
    for c in range(150):
        capture = iri(f"c{c}")
        quads.append(ox.Quad(capture, rdf_type, iri(rng.choice(["Capture", "Recapture", "Attack"])), graph))
        quads.append(ox.Quad(capture, iri("place"), iri(f"p{rng.randrange(30)}"), graph))
        quads.append(ox.Quad(capture, iri("date"), ox.Literal(str(rng.randrange(10)), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), graph))
        if rng.random() < 0.6:
            agent = iri(f"a{rng.randrange(8)}")
            quads.append(ox.Quad(capture, iri("agent"), agent, graph))
            if rng.random() < 0.5:
                quads.append(ox.Quad(agent, label, ox.Literal(f"agent {c}"), graph))
    store.extend(quads)
    return store


def _answers(store: ox.Store, query: str) -> Counter[tuple[tuple[str, str], ...]]:
    """The solutions as a multiset (order is not part of a SELECT's answer without ORDER BY)."""
    rows = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in rows.variables]  # type: ignore[union-attr]
    return Counter(tuple((n, str(row[n])) for n in names if row[n] is not None) for row in rows)  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(REWRITTEN))
def test_safe_cases_are_rewritten_and_answer_the_same(store: ox.Store, name: str) -> None:
    query = REWRITTEN[name]
    rewritten = hoist_required_patterns(query)
    assert rewritten != query, "this case is safe and should have been rewritten"
    before, after = _answers(store, query), _answers(store, rewritten)
    assert before == after and sum(before.values()) > 0


def test_the_optional_ends_last_in_the_control_history_query() -> None:
    rewritten = hoist_required_patterns(LAST_CONTROLLER)
    assert rewritten.index("?place rdfs:label ?label") < rewritten.index("OPTIONAL")
    assert rewritten.index("?type rdfs:subClassOf* ex:Capture") < rewritten.index("?capture a ?type")
    assert rewritten.index("?laterType rdfs:subClassOf*") < rewritten.index("?later a ?laterType")
    assert rewritten.rstrip().endswith("ORDER BY ?label ?controller")


@pytest.mark.parametrize("name", sorted(KEPT))
def test_unsafe_or_pointless_cases_are_left_as_written(store: ox.Store, name: str) -> None:
    assert hoist_required_patterns(KEPT[name]) is KEPT[name]


@pytest.mark.parametrize("query", sorted(p.name for p in (ROOT / "data" / "queries").glob("*.rq")))
def test_the_competency_queries_answer_the_same_on_the_article(query: str) -> None:
    store = ox.Store()
    for path in sorted((ROOT / "data").glob("*.ttl")) + sorted((ROOT / "ontology").glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.resolve().as_uri()))
    text = (ROOT / "data" / "queries" / query).read_text(encoding="utf-8")
    assert _answers(store, hoist_required_patterns(text)) == _answers(store, text)


def test_the_endpoint_reports_errors_about_the_text_as_written() -> None:
    """A rewritten text is only ever an optimisation: a syntax error keeps the client's own position."""
    from conflictkg.sparql.execute import Evaluator, QueryJob
    from conflictkg.store import Store

    broken = "SELECT * { ?c <urn:p> ?p OPTIONAL { ?c <urn:a> ?a } ?p <urn:l> ?l . FILTER(?l = ) }"
    assert hoist_required_patterns(broken) != broken
    with pytest.raises(SyntaxError) as direct:
        Store().query(broken)
    with pytest.raises(SyntaxError) as through_the_evaluator:
        Evaluator(Store())._query(QueryJob(broken))
    assert str(through_the_evaluator.value) == str(direct.value)
