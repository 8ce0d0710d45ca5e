"""The planner rewrites (OPTIONAL last, anchored paths first, and for the embedded store LATERAL joins and
VALUES for pinned variables): what moves, what must not, and identical answers either way."""

from __future__ import annotations

import functools
import random
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from conflictkg.query_rewrite import hoist_required_patterns, plan_for_oxigraph
from conflictkg.synthetic import Generated

ROOT = Path(__file__).resolve().parents[1]
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


LATERAL = {
    "seed from a constant, rest of the statement after it": PREFIXES
    + "SELECT * { ?a ex:unitOf+ ex:a0 ; rdfs:label ?l . ?c ex:agent ?a }",
    "seed at the subject, optional after": PREFIXES
    + "SELECT * { ex:c1 ^ex:subEventOf* ?e . ?e ex:place ?p OPTIONAL { ?p rdfs:label ?l } }",
    "seed in parentheses, group filter": PREFIXES
    + "SELECT * { ?c ex:agent ?a ; ex:date ?d . ?a (ex:unitOf|ex:memberOf)* ex:a1 FILTER(?d > 3) }",
    "seed with a flat optional that mentions it": PREFIXES
    + 'SELECT * { ?a ex:unitOf* ex:a0 . ?c ex:agent ?a OPTIONAL { ?a rdfs:label ?l FILTER(?l != "agent 3") } }',
    "walk in an optional": PREFIXES
    + "SELECT * { ?c ex:place ?p ; ex:date ?d OPTIONAL { ?c ex:subEventOf* ?top . ?top ex:date ?td } }",
    "walk in an optional, filter on the outer row": PREFIXES
    + "SELECT * { ?c ex:date ?d OPTIONAL { ?c ex:subEventOf* ?top . ?top ex:date ?td FILTER(?td < ?d) } }",
    "zero-or-one walk in an optional": PREFIXES + "SELECT * { ?c ex:date ?d OPTIONAL { ?c ex:subEventOf? ?up } }",
    "walk in an optional inside a seeded group": PREFIXES
    + "SELECT * { ?a ex:unitOf* ex:a0 . ?c ex:agent ?a OPTIONAL { ?c ex:subEventOf* ?top } }",
    "a filter on the seed's variable": PREFIXES
    + "SELECT * { ?a ex:unitOf* ex:a0 . ?c ex:agent ?a FILTER(?a != ex:a1 && BOUND(?a)) }",
    "inside GRAPH ?g": PREFIXES + "SELECT * { GRAPH ?g { ?a ex:unitOf* ex:a0 . ?c ex:agent ?a ; ex:place ?p } }",
    "inside FILTER EXISTS": PREFIXES
    + "SELECT * { ?c ex:date ?d FILTER EXISTS { ?a ex:unitOf* ex:a1 . ?c ex:agent ?a } }",
    "inside MINUS": PREFIXES + "SELECT * { ?c ex:date ?d MINUS { ?a ex:unitOf* ex:a1 . ?c ex:agent ?a } }",
    "an aggregate over the group": PREFIXES
    + "SELECT ?a (COUNT(*) AS ?n) { ?a ex:unitOf* ex:a0 . ?c ex:agent ?a } GROUP BY ?a",
}
LATERAL_KEPT = {
    "a class hierarchy does not seed": PREFIXES + "SELECT * { ?t rdfs:subClassOf* ex:Capture . ?c a ?t }",
    "the seed's variable inside a nested optional": PREFIXES
    + "SELECT * { ?a ex:unitOf* ex:a0 . ?c ex:agent ?x OPTIONAL { ?c ex:date ?d OPTIONAL { ?c ex:agent ?a } } }",
    "a bind in the group": PREFIXES + "SELECT * { ?a ex:unitOf* ex:a0 . ?c ex:agent ?a BIND(1 AS ?one) }",
    "a seed nobody else uses": PREFIXES + "SELECT * { ?a ex:unitOf* ex:a0 . ?c ex:date ?d }",
    "a walk from a constant in an optional": PREFIXES
    + "SELECT * { ?c ex:date ?d OPTIONAL { ?c ex:subEventOf* ex:c0 } }",
    "a walk in an optional whose ends are not bound before": PREFIXES
    + "SELECT * { ?c ex:date ?d OPTIONAL { ?x ex:subEventOf* ?y } }",
    "a one-or-more walk in an optional": PREFIXES + "SELECT * { ?c ex:date ?d OPTIONAL { ?c ex:subEventOf+ ?up } }",
    "a walk to a blank node": PREFIXES + "SELECT * { ?a ex:unitOf* _:top . ?c ex:agent ?a }",
    "a walk in an optional with a group inside": PREFIXES
    + "SELECT * { ?c ex:date ?d OPTIONAL { ?c ex:subEventOf* ?up FILTER EXISTS { ?up ex:date ?x } } }",
}

PINNED = {
    "a subject": PREFIXES + "SELECT ?p ?o { ?s ?p ?o FILTER(?s = ex:c3) }",
    "an object, beside another conjunct": PREFIXES + "SELECT * { ?c ex:place ?p ; ex:date ?d FILTER(?p = ex:p3 && ?d > 2) }",
    "IN": PREFIXES + "SELECT * { ?c ex:agent ?a FILTER(?a IN (ex:a1, ex:a2)) }",
    "sameTerm, constant first": PREFIXES + "SELECT * { ?c ex:agent ?a FILTER(sameTerm(ex:a1, ?a)) }",
    "an optional after": PREFIXES + "SELECT * { ?c ex:agent ?a OPTIONAL { ?a rdfs:label ?l } FILTER(?a = ex:a1) }",
    "a full IRI in parentheses": PREFIXES + "SELECT * { ?c ex:place ?p FILTER((<http://example.org/p3> = ?p)) }",
}
PIN_KEPT = {
    "bound only in an optional": PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } FILTER(?a = ex:a1) }",
    "a literal (= compares values)": PREFIXES + "SELECT * { ?c ex:date ?d FILTER(?d = 3) }",
    "an or": PREFIXES + "SELECT * { ?c ex:agent ?a FILTER(?a = ex:a1 || ?a = ex:a2) }",
    "not in": PREFIXES + "SELECT * { ?c ex:agent ?a FILTER(?a NOT IN (ex:a1)) }",
    "not equal": PREFIXES + "SELECT * { ?c ex:agent ?a FILTER(?a != ex:a1) }",
    "negated": PREFIXES + "SELECT * { ?c ex:agent ?a FILTER(!(?a = ex:a1)) }",
    "a union in the group": PREFIXES + "SELECT * { { ?c ex:agent ?a } UNION { ?c ex:place ?a } FILTER(?a = ex:a1) }",
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
    for a in range(1, 8):  # units: a1..a7 under a0 in a two-level tree
        quads.append(ox.Quad(iri(f"a{a}"), iri("unitOf"), iri(f"a{(a - 1) // 3}"), graph))
    for c in range(3, 150, 2):  # sub-events, chains up to c0..c2
        quads.append(ox.Quad(iri(f"c{c}"), iri("subEventOf"), iri(f"c{c // 3}"), graph))
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
        ox.Store().query(broken)
    with pytest.raises(SyntaxError) as through_the_evaluator:
        Evaluator(Store())._query(QueryJob(broken))
    assert str(through_the_evaluator.value) == str(direct.value)


@pytest.mark.parametrize("name", sorted(LATERAL))
def test_lateral_cases_are_rewritten_and_answer_the_same(store: ox.Store, name: str) -> None:
    query = LATERAL[name]
    planned = plan_for_oxigraph(query)
    assert "LATERAL" in planned and "LATERAL" not in hoist_required_patterns(query)
    before, after = _answers(store, query), _answers(store, planned)
    assert before == after and sum(before.values()) > 0


@pytest.mark.parametrize("name", sorted(LATERAL_KEPT))
def test_no_lateral_where_it_could_change_the_answer_or_cost_more(name: str) -> None:
    query = LATERAL_KEPT[name]
    assert plan_for_oxigraph(query) == hoist_required_patterns(query)


def test_a_construct_and_an_ask_answer_the_same(store: ox.Store) -> None:
    where = "{ ?a ex:unitOf* ex:a1 . ?c ex:agent ?a ; ex:place ?p }"
    construct, ask = PREFIXES + f"CONSTRUCT {{ ?c ex:by ?a }} WHERE {where}", PREFIXES + f"ASK {where}"
    assert "LATERAL" in plan_for_oxigraph(construct) and "LATERAL" in plan_for_oxigraph(ask)

    def triples(query: str) -> set[str]:
        return {str(t) for t in store.query(query, use_default_graph_as_union=True)}  # type: ignore[union-attr]

    assert triples(plan_for_oxigraph(construct)) == triples(construct) != set()
    assert bool(store.query(plan_for_oxigraph(ask), use_default_graph_as_union=True)) is True


@pytest.mark.parametrize("name", sorted(PINNED))
def test_a_filter_pinning_a_variable_to_iris_becomes_values_and_answers_the_same(store: ox.Store, name: str) -> None:
    query = PINNED[name]
    planned = plan_for_oxigraph(query)
    assert "VALUES" in planned and hoist_required_patterns(query) == query
    before, after = _answers(store, query), _answers(store, planned)
    assert before == after and sum(before.values()) > 0


@pytest.mark.parametrize("name", sorted(PIN_KEPT))
def test_no_values_where_they_could_change_the_answer(name: str) -> None:
    assert "VALUES" not in plan_for_oxigraph(PIN_KEPT[name])


def test_why_a_variable_bound_only_in_an_optional_is_not_pinned(store: ox.Store) -> None:
    """VALUES would bind ?a in rows the OPTIONAL left without it, which the FILTER drops."""
    query = PIN_KEPT["bound only in an optional"]
    by_hand = query.replace("SELECT * {", "SELECT * { VALUES ?a { ex:a1 }")
    assert _answers(store, by_hand) != _answers(store, query)


def test_after_a_seed_each_optional_pre_binding_cannot_change_runs_per_row(store: ox.Store) -> None:
    query = PREFIXES + ("SELECT * { ?a ex:unitOf* ex:a0 . ?c ex:agent ?a "
                        "OPTIONAL { ?c ex:date ?d OPTIONAL { ?c ex:place ?p } } "
                        "OPTIONAL { GRAPH ex:g { ?a rdfs:label ?l } FILTER(?l != \"agent 3\") } "
                        "OPTIONAL { ?c ex:subEventOf ?up OPTIONAL { ?up ex:date ?upd } } }")
    planned = plan_for_oxigraph(query)
    assert "LATERAL { OPTIONAL { GRAPH ex:g" in planned and "LATERAL { OPTIONAL { ?c ex:subEventOf ?up" in planned
    assert "LATERAL { OPTIONAL { ?c ex:date ?d" not in planned  # ?c is bound before it and used in a nested group
    before, after = _answers(store, query), _answers(store, planned)
    assert before == after and sum(before.values()) > 0


def test_why_a_nested_optional_stops_the_seed(store: ox.Store) -> None:
    """Pre-binding ?a inside ``OPTIONAL { … OPTIONAL { ?c ex:agent ?a } }`` keeps rows the join drops: the
    guard is needed, not merely cautious."""
    query = LATERAL_KEPT["the seed's variable inside a nested optional"]
    by_hand = PREFIXES + ("SELECT * { ?a ex:unitOf* ex:a0 LATERAL { ?c ex:agent ?x OPTIONAL { ?c ex:date ?d "
                          "OPTIONAL { ?c ex:agent ?a } } } }")
    assert _answers(store, by_hand) != _answers(store, query)


def test_the_embedded_store_plans_for_its_engine_and_falls_back_to_the_text_as_written() -> None:
    """``Store.query`` hands its engine the planned text; a planned text the engine refuses is retried
    as written, so errors are about the caller's text."""
    from conflictkg.store import Store

    class RecordingEngine:
        def __init__(self) -> None:
            self.engine, self.texts = ox.Store(), []

        def query(self, text: str, **kwargs: object):  # type: ignore[no-untyped-def]
            self.texts.append(text)
            return self.engine.query(text, **kwargs)  # type: ignore[arg-type]

    engine = RecordingEngine()
    store = Store(None, engine=engine)  # type: ignore[arg-type]
    query = LATERAL["walk in an optional"]
    list(store.query(query))  # type: ignore[call-overload]
    assert engine.texts == [plan_for_oxigraph(query)]

    broken = "SELECT * { ?c <urn:p> ?p OPTIONAL { ?c <urn:a> ?a } ?p <urn:l> ?l . FILTER(?l = ) }"
    engine.texts.clear()
    with pytest.raises(SyntaxError):
        store.query(broken)
    assert engine.texts == [plan_for_oxigraph(broken), broken]


def test_a_client_s_own_lateral_is_kept_in_place() -> None:
    query = PREFIXES + "SELECT * { ?c ex:place ?p OPTIONAL { ?c ex:agent ?a } LATERAL { ?c ex:date ?d } ?p rdfs:label ?l }"
    planned = hoist_required_patterns(query)
    assert planned.index("OPTIONAL") < planned.index("LATERAL") < planned.index("?p rdfs:label ?l")


PLANNED_WITH_LATERAL = {"claims-about-an-event-from-every-source", "events-in-ayash", "is-captures",
                        "places-in-deir-ezzor-province", "recaptured-places",
                        "syrian-army-units-and-members", "versions-of-an-event", "who-says-what"}


@pytest.mark.parametrize("query", sorted(p.name for p in (ROOT / "data" / "queries").glob("*.rq")))
def test_the_competency_queries_answer_the_same_with_lateral_on_generated_data(
    small_project: Generated, query: str
) -> None:
    """The article plus 60 generated events: the walks have many rows to start from here."""
    store = _generated_store(small_project.out / "events.nt")
    text = (ROOT / "data" / "queries" / query).read_text(encoding="utf-8")
    planned = plan_for_oxigraph(text)
    assert ("LATERAL" in planned) == (query.removesuffix(".rq") in PLANNED_WITH_LATERAL)
    assert _answers(store, planned) == _answers(store, text)


@functools.lru_cache(maxsize=1)
def _generated_store(path: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return store
