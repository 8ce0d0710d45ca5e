"""Same-event links: true matches across documents are proposed with their reasons; near misses never are."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from conflictkg.ingest.sameevent import (
    ARTICLE,
    THRESHOLD,
    latest_date,
    link_iri,
    links_graph,
    propose,
    record_decision,
)
from conflictkg.vocab import CKG, ID

from .conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "sameevent"
ARTICLE_IRI = ID["article/syrian-army-assaults-reverse-is-gains-in-deir-ezzor"]


def _parse(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def world() -> tuple[dict[str, Graph], Graph, dict]:
    article = _parse(*(p for p in (ROOT / "data").glob("*.ttl") if p.name != "links.ttl"))
    documents = {ARTICLE: article, **{p.stem: _parse(p) for p in FIXTURES.glob("*.ttl")}}
    knowledge = _parse(ROOT / "ontology" / "conflictkg.ttl", ROOT / "data" / "links.ttl")
    for graph in documents.values():
        knowledge += graph
    latest = {ARTICLE: latest_date(knowledge, ARTICLE_IRI),
              **{name: latest_date(knowledge, ID[f"report/{name}"]) for name in documents if name != ARTICLE}}
    return documents, knowledge, latest


def _pairs(world: tuple[dict[str, Graph], Graph, dict]) -> dict[frozenset[str], float]:
    documents, knowledge, latest = world
    return {frozenset(str(e).removeprefix(str(ID["event/"])) for e in (p.first, p.second)): p.score
            for p in propose(documents, knowledge, latest)}


def test_the_article_is_dated_by_its_upstream_reports(world: tuple) -> None:
    assert str(world[2][ARTICLE]) == "2016-01-17"


def test_true_matches_are_proposed(world: tuple) -> None:
    pairs = _pairs(world)
    assert pairs[frozenset({"wire/1", "army-recaptures-ayyash"})] >= THRESHOLD
    assert pairs[frozenset({"wire/2", "is-storms-ayyash"})] >= THRESHOLD
    assert pairs[frozenset({"nearmiss-village/1", "army-recaptures-baghiliyah"})] >= THRESHOLD


@pytest.mark.parametrize(("near_miss", "not_with"), [
    ("nearmiss-day/1", "wire/1"),                          # same place, another day
    ("nearmiss-day/1", "army-recaptures-ayyash"),          # dated after the article was published
    ("nearmiss-village/1", "wire/1"),                      # same day, the neighbouring village
    ("nearmiss-village/1", "army-recaptures-ayyash"),
    ("nearmiss-figure/1", "is-murders-troops-and-civilians"),  # same figure, another event
    ("wire/1", "wire/2"),                                  # one document's own events
    ("wire/1", "is-captures-ayyash"),                      # same place and day, the opposite side
])
def test_near_misses_are_never_merged(world: tuple, near_miss: str, not_with: str) -> None:
    assert frozenset({near_miss, not_with}) not in _pairs(world)


def test_records_carry_score_method_reasons_and_review(world: tuple) -> None:
    documents, knowledge, latest = world
    proposals = propose(documents, knowledge, latest)
    graph = links_graph(proposals, Graph(), knowledge)
    link = link_iri(ID["event/wire/1"], ID["event/army-recaptures-ayyash"])
    assert (link, RDF.type, CKG.SameEventLink) in graph
    assert graph.value(link, CKG.reviewStatus) == CKG.Unreviewed
    assert str(graph.value(link, CKG.method)).startswith("conflictkg same-event rules")
    assert "place: same (place/ayyash)" in str(graph.value(link, RDFS.comment))
    assert ID["span/741-866"] in set(graph.objects(link, CKG.evidence))
    assert not list(graph.triples((None, CKG.sameEventAs, None)))


def test_only_accepted_links_join_events(world: tuple) -> None:
    documents, knowledge, latest = world
    proposals = propose(documents, knowledge, latest)
    link = link_iri(ID["event/wire/1"], ID["event/army-recaptures-ayyash"])
    rejected = link_iri(ID["event/wire/2"], ID["event/is-storms-ayyash"])
    decisions = Graph()
    decisions.add((link, CKG.reviewStatus, CKG.Accepted))
    decisions.add((rejected, CKG.reviewStatus, CKG.Rejected))
    graph = links_graph(proposals, decisions, knowledge)
    joined = {frozenset((a, b)) for a, b in graph.subject_objects(CKG.sameEventAs)}
    assert joined == {frozenset((ID["event/army-recaptures-ayyash"], ID["event/wire/1"]))}
    assert graph.value(link, CKG.reviewStatus) is None  # the decision lives in the reviewer's file
    assert isinstance(graph.value(link, CKG.score), Literal)


def test_decisions_are_recorded_for_the_build(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    link = link_iri(ID["event/wire/1"], ID["event/army-recaptures-ayyash"])
    record_decision(tmp_path, str(link), accept=True)
    path = record_decision(tmp_path, str(link), accept=False)
    decisions = Graph().parse(path, format="turtle")
    assert list(decisions.objects(link, CKG.reviewStatus)) == [CKG.Rejected]
    with pytest.raises(ValueError, match="not a same-event link"):
        record_decision(tmp_path, "https://example.org/x> <y", accept=True)


def test_indexed_candidates_lose_no_pair_that_brute_force_finds(world: tuple) -> None:
    """The indexes only skip pairs that cannot score THRESHOLD: compare with scoring every pair."""
    import random
    from datetime import date, timedelta

    from rdflib import URIRef as Ref

    from conflictkg.ingest.sameevent import _Knowledge, _score
    from conflictkg.vocab import CKG as K

    _, knowledge, _ = world
    rng = random.Random(7)
    places = [ID[f"place/{p}"] for p in ("ayyash", "baghiliyah", "deir-ezzor", "deir-ezzor-province", "syria",
                                         "saaqa-military-base", "radio-broadcast-tower")] + [None]
    agents = [ID["actor/syrian-army"], ID["actor/islamic-state"], ID["actor/104th-airborne-brigade"], None]
    classes = [K.Capture, K.Recapture, K.Attack, K.Bombing, K.ArmedClash]
    documents = {"a": Graph(), "b": Graph(), "c": Graph()}
    for n in range(90):
        graph = documents["abc"[n % 3]]
        event = Ref(f"{ID['event/random']}/{n}")
        graph.add((event, RDF.type, rng.choice(classes)))
        if (place := rng.choice(places)) is not None:
            graph.add((event, K.place, place))
        if (agent := rng.choice(agents)) is not None:
            graph.add((event, K.agent, agent))
        if rng.random() < 0.8:
            graph.add((event, K.date, Literal(date(2016, 1, 14) + timedelta(days=rng.randrange(6)))))
    found = {(p.first, p.second) for p in propose(documents, knowledge)}
    scoring = _Knowledge(knowledge)
    everything = [(name, g, e) for name, g in documents.items() for e in g.subjects(RDF.type, None)]
    brute = set()
    for i, (na, ga, a) in enumerate(everything):
        for nb, gb, b in everything[i + 1:]:
            if na != nb and (p := _score(scoring, (ga, a, None), (gb, b, None))) is not None:
                brute.add((p.first, p.second))
    assert brute and found == brute
