"""The synthetic generator: deterministic, in our ontology, valid, evidence-anchored, truthful about
what is real, and neutral for the competency queries that ask about the article."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from conflictkg.cli import app
from conflictkg.gazetteer.sources import Gazetteer
from conflictkg.pipeline.build import validate_asserted
from conflictkg.pipeline.evidence import check_evidence
from conflictkg.pipeline.sources import load
from conflictkg.synthetic import GenerateError, Generated, generate
from conflictkg.vocab import DATA_GRAPH, ID

PROJECT_ROOT = Path(__file__).resolve().parents[2]

EVENT_CLASSES = ("MilitaryOperation", "Capture", "Recapture", "Attack", "Bombing", "Killing", "ArmedClash",
                 "ContestedControl")
PREFIXES = "PREFIX ckg: <https://w3id.org/conflictkg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _store(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return store


def _count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(PREFIXES + query)))[0].value)


def test_same_seed_gives_the_same_bytes_and_another_seed_other_data(tmp_path: Path, gazetteer: Gazetteer) -> None:
    first = generate(tmp_path / "a", 40, seed=11, root=PROJECT_ROOT, gazetteer=gazetteer)
    again = generate(tmp_path / "b", 40, seed=11, root=PROJECT_ROOT, gazetteer=gazetteer)
    other = generate(tmp_path / "c", 40, seed=12, root=PROJECT_ROOT, gazetteer=gazetteer)
    assert _files(first.out) == _files(again.out)
    assert _files(first.out)["data/syn-events.ttl"] != _files(other.out)["data/syn-events.ttl"]


def test_the_article_is_kept_unchanged_at_the_start_of_the_text_and_in_its_files(small_project: Generated) -> None:
    article = (PROJECT_ROOT / "data" / "article.txt").read_bytes()
    text = (small_project.out / "data" / "article.txt").read_bytes()
    assert text.startswith(article) and len(text) > len(article)
    for name in ("actors.ttl", "article.ttl", "claims.ttl", "events.ttl", "places.ttl", "spans.ttl"):
        assert (small_project.out / "data" / name).read_bytes() == (PROJECT_ROOT / "data" / name).read_bytes()
    assert (small_project.out / "data" / "links.ttl").read_bytes().startswith(
        (PROJECT_ROOT / "data" / "links.ttl").read_bytes())
    queries = sorted(p.name for p in (PROJECT_ROOT / "data" / "queries").glob("*.rq"))
    assert sorted(p.name for p in (small_project.out / "data" / "queries").glob("*.rq")) == queries


def test_every_evidence_span_quotes_the_text_exactly(small_project: Generated) -> None:
    sources = load(small_project.out)
    spans = check_evidence(sources.graph(DATA_GRAPH), sources.article)
    assert spans == small_project.counts.spans + 34  # the article's own 34 spans are kept


def test_a_small_project_conforms_to_the_shapes(small_project: Generated) -> None:
    validation = validate_asserted(load(small_project.out))
    assert validation.conforms, validation.describe()


def test_counts_per_class_match_the_summary_and_every_event_is_claimed(small_project: Generated) -> None:
    store = _store(small_project.out / "events.nt")
    synthetic = f'FILTER STRSTARTS(STR(?e), "{ID}event/syn-")'
    per_class = {
        kind: _count(store, f"SELECT (COUNT(?e) AS ?n) WHERE {{ ?e a ckg:{kind} {synthetic} }}")
        for kind in EVENT_CLASSES
    }
    assert per_class == {k: small_project.counts.by_class.get(k, 0) for k in EVENT_CLASSES}
    assert sum(per_class.values()) == small_project.events == 60
    assert per_class["Capture"] > 0 and per_class["MilitaryOperation"] > 0
    assert _count(store, f"SELECT (COUNT(?e) AS ?n) WHERE {{ ?e ckg:subEventOf ?op {synthetic} }}") == \
        60 - per_class["MilitaryOperation"]
    assert _count(store, f"""SELECT (COUNT(?e) AS ?n) WHERE {{ ?e ckg:evidence ?s {synthetic}
        FILTER NOT EXISTS {{ ?c a ckg:Claim ; ckg:about ?e }} }}""") == 0
    casualties = small_project.counts.by_class["CasualtyReport"]
    assert _count(store, 'SELECT (COUNT(?c) AS ?n) WHERE { ?c a ckg:CasualtyReport '
                         f'FILTER STRSTARTS(STR(?c), "{ID}casualty/syn-") }}') == casualties
    assert _count(store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c ckg:quantifier ?q ; ckg:count ?n0 "
                         "FILTER (?q IN (ckg:Dozens, ckg:Several)) }") == 0


def test_about_thirty_triples_per_event_and_events_nt_is_the_union_of_the_asserted_files(
        tmp_path: Path, gazetteer: Gazetteer) -> None:
    small = generate(tmp_path / "p20", 20, seed=1, root=PROJECT_ROOT, gazetteer=gazetteer)
    larger = generate(tmp_path / "p400", 400, seed=1, root=PROJECT_ROOT, gazetteer=gazetteer)
    per_event = (larger.triples - small.triples) / 380
    assert 25 <= per_event <= 40, per_event
    lines = (larger.out / "events.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == larger.triples
    turtle = ox.Store()
    for path in [larger.out / "ontology" / "conflictkg.ttl", *sorted((larger.out / "shapes").glob("*.ttl")),
                 *sorted((larger.out / "data").glob("*.ttl"))]:
        turtle.load(path=str(path), format=ox.RdfFormat.TURTLE)
    ntriples = _store(larger.out / "events.nt")
    ground = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER (!isBlank(?s) && !isBlank(?o)) }"
    assert _count(turtle, ground) == _count(ntriples, ground)
    assert len(turtle) == len(ntriples)


def test_identifiers_are_real_or_absent_and_everything_invented_says_so(
        small_project: Generated, gazetteer: Gazetteer) -> None:
    store = _store(small_project.out / "events.nt")
    syn = f"{ID}place/syn-"
    for (place, target) in store.query(PREFIXES + f"""SELECT ?p ?t WHERE {{ ?p skos:exactMatch|skos:closeMatch ?t
            FILTER STRSTARTS(STR(?p), "{syn}") }}"""):
        geonameid = int(target.value.rstrip("/").rsplit("/", 1)[1])
        assert geonameid in gazetteer.records, target
        assert gazetteer.records[geonameid].name in {lit.value for (lit,) in store.query(
            f"SELECT ?l WHERE {{ {place} <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")}
    invented = f"""SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a ?kind ; ckg:unlinkedReason ?why
        FILTER (STRSTARTS(STR(?p), "{syn}village-") || STRSTARTS(STR(?p), "{syn}quarter-")) }}"""
    assert _count(store, invented) > 0
    assert _count(store, f"""SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a ?kind FILTER STRSTARTS(STR(?p), "{syn}")
        FILTER NOT EXISTS {{ ?p skos:exactMatch ?t }} FILTER NOT EXISTS {{ ?p ckg:unlinkedReason ?why }}
        FILTER (?kind != <http://www.opengis.net/ont/geosparql#Geometry>) }}""") == 0
    assert _count(store, f"""SELECT (COUNT(?p) AS ?n) WHERE {{ ?p ckg:unlinkedReason ?why ;
        <http://www.opengis.net/ont/geosparql#hasGeometry> ?g FILTER STRSTARTS(STR(?p), "{syn}") }}""") == 0
    assert "Synthetic test material" in (small_project.out / "data" / "syn-reports.ttl").read_text(encoding="utf-8")


def _answers(root: Path, query: Path) -> set[tuple[str | None, ...]]:
    store = ox.Store()
    files = [root / "ontology" / "conflictkg.ttl", *sorted((root / "data").glob("*.ttl"))]
    for path in files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    result = store.query(query.read_text(encoding="utf-8"))
    variables = [v.value for v in result.variables]
    return {tuple(None if row[v] is None else str(row[v]) for v in variables) for row in result}


SCOPED = {"anonymous-claims", "claims-about-an-event-from-every-source", "versions-of-an-event", "who-says-what",
          "events-in-ayash", "events-on-2016-01-17", "events-only-anonymously-sourced",
          "is-captures", "places-in-deir-ezzor-province", "recaptured-places", "syrian-army-units-and-members"}
"""Competency queries about the article's actors, places and dates: synthetic data leaves them alone."""
LISTINGS = {"casualty-figures", "claims-by-source-and-outlet", "recapture-evidence"}
"""Queries listing every claim, casualty figure or recapture: they keep the article's rows and gain others."""


@pytest.mark.parametrize("name", sorted(SCOPED | LISTINGS))
def test_competency_queries_answer_as_on_the_article(small_project: Generated, name: str) -> None:
    query = PROJECT_ROOT / "data" / "queries" / f"{name}.rq"
    on_article = _answers(PROJECT_ROOT, query)
    at_scale = _answers(small_project.out, query)
    assert on_article
    if name in SCOPED:
        assert at_scale == on_article
    else:
        assert {row for row in at_scale if "/syn-" not in " ".join(filter(None, row))} == on_article
        assert len(at_scale) > len(on_article)


def test_every_query_file_is_classified() -> None:
    assert {p.stem for p in (PROJECT_ROOT / "data" / "queries").glob("*.rq")} == SCOPED | LISTINGS


def test_cli_generates_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli"
    args = ["generate", "--events", "12", "--seed", "5", "--out", str(out), "--root", str(PROJECT_ROOT)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "12 events" in result.output and (out / "events.nt").is_file()
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "exists" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert runner.invoke(app, ["generate", "--events", "0", "--out", str(tmp_path / "x")]).exit_code == 2


def test_a_bad_source_root_leaves_nothing_behind(tmp_path: Path, gazetteer: Gazetteer) -> None:
    with pytest.raises(GenerateError, match="missing"):
        generate(tmp_path / "out", 5, root=tmp_path / "nowhere", gazetteer=gazetteer)
    assert list(tmp_path.iterdir()) == []


def test_recaptures_take_a_place_back_from_the_force_that_captured_it_earlier(small_project: Generated) -> None:
    store = _store(small_project.out / "events.nt")
    rows = list(store.query(PREFIXES + """SELECT ?r ?c ?rd ?cd WHERE {
        ?r a ckg:Recapture ; ckg:reverses ?c ; ckg:place ?p ; ckg:date ?rd .
        ?c ckg:place ?p ; ckg:date ?cd . FILTER NOT EXISTS { ?c ckg:agent ?a . ?r ckg:agent ?a } }"""))
    assert len(rows) == small_project.counts.by_class.get("Recapture", 0) > 0
    assert all(row["cd"].value <= row["rd"].value for row in rows)
    assert _count(store, """SELECT (COUNT(?r) AS ?n) WHERE { ?r a ckg:Recapture ; ckg:reverses ?c .
        FILTER NOT EXISTS { ?r ckg:target ?held . ?c ckg:agent ?captor . ?captor ckg:unitOf* ?held } }""") == 0
