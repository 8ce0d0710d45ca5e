"""Competency questions: one SPARQL query each (data/queries/*.rq), with the exact expected answers.

The queries are the ones the query UI offers as examples, so they are loaded from their files here.
They use property paths (ckg:locatedIn+, ckg:unitOf*) instead of relying on the reasoner, and run over
the asserted ontology + article data + links, as the SPARQL default graph does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from conflictkg.pipeline.derive import derive

from conflictkg.vocab import CKG, DATA_GRAPH, DERIVED_GRAPH, ID

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "data" / "queries"
ONTOLOGY = ROOT / "ontology" / "conflictkg.ttl"

ARTICLE = "article/syrian-army-assaults-reverse-is-gains-in-deir-ezzor"
ANSWERED = {
    "recaptured-places", "places-in-deir-ezzor-province", "claims-by-source-and-outlet",
    "casualty-figures", "is-captures", "events-on-2016-01-17", "anonymous-claims",
    "events-only-anonymously-sourced", "events-in-ayash", "recapture-evidence",
    "syrian-army-units-and-members", "claims-about-an-event-from-every-source", "who-says-what",
    "versions-of-an-event",
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        g.parse(path, format="turtle")
    if ONTOLOGY.exists():
        g.parse(ONTOLOGY, format="turtle")
    return g


def ask(graph: Graph, name: str, *variables: str) -> set[tuple[str | None, ...]]:
    """The answer rows of data/queries/<name>.rq, projected on variables, IRIs shortened to id paths."""
    rows = graph.query((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))

    def short(term: object) -> str | None:
        if term is None:
            return None
        text = str(term)
        return text.removeprefix(str(ID)).removeprefix(str(CKG))

    return {tuple(short(row[v]) for v in variables) for row in rows}


def test_every_query_file_is_a_competency_question_with_an_answer_here() -> None:
    files = sorted(QUERIES.glob("*.rq"))
    assert {f.stem for f in files} == ANSWERED
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and first.endswith("?"), path


def test_which_places_did_the_syrian_army_or_its_units_recapture(graph: Graph) -> None:
    assert {p for (p,) in ask(graph, "recaptured-places", "place")} == {
        "place/ayyash", "place/baghiliyah", "place/saaqa-military-base",
        "place/jamiyah-al-rawad", "place/radio-broadcast-tower",
    }


def test_which_places_lie_transitively_in_deir_ezzor_province(graph: Graph) -> None:
    assert ask(graph, "places-in-deir-ezzor-province", "place", "parent") == {
        ("place/deir-ezzor-district", "place/deir-ezzor-province"),
        ("place/saaqa-military-base", "place/deir-ezzor-province"),
        ("place/deir-ezzor", "place/deir-ezzor-district"),
        ("place/ayyash", "place/deir-ezzor"),
        ("place/baghiliyah", "place/deir-ezzor"),
        ("place/deir-ezzor-military-airport", "place/deir-ezzor"),
        ("place/eastern-district", "place/deir-ezzor"),
        ("place/ayash-weapons-depot", "place/ayyash"),
        ("place/jamiyah-al-rawad", "place/baghiliyah"),
        ("place/radio-broadcast-tower", "place/baghiliyah"),
    }


def test_who_claimed_what_to_which_outlet(graph: Graph) -> None:
    answers = ask(graph, "claims-by-source-and-outlet", "source", "outlet", "claim")
    narration = {
        "headline", "province-overrun", "army-liberated-several-areas", "fighting-still-going-on",
        "army-regained-control", "territory-snatched-back", "assaults-a-day-after",
        "more-than-150-killed", "assault-was-swift", "is-captured-ayash", "depot-overrun",
        "is-advance-towards-euphrates", "advance-halted", "assault-on-baghiliyah-and-ayyash",
        "recaptured-al-rawad-and-radio-tower", "depot-contested",
    }
    assert answers == {
        *{(ARTICLE, None, f"claim/article-{c}") for c in narration},
        *{
            ("actor/ali-ibrahim", "actor/ara-news", f"claim/ali-ibrahim-{c}")
            for c in ("recaptured-ayash-and-begayliya", "recaptured-saaqa-base", "campaign-will-continue")
        },
        *{
            ("actor/ahmed-helwani", None, f"claim/ahmed-helwani-{c}")
            for c in ("40-troops-130-civilians", "killings-in-homes")
        },
        *{
            ("actor/anonymous-activist", None, f"claim/anonymous-activist-{c}")
            for c in ("car-bombs-and-storming", "beheadings", "punishing-families")
        },
    }


def test_the_quotations_come_with_their_claims(graph: Graph) -> None:
    quotations = {
        q for (q,) in ask(graph, "claims-by-source-and-outlet", "quotation") if q is not None
    }
    assert quotations == {
        "Our army forces recaptured the districts of Ayash and Begayliya in Deir Ezzor city after "
        "fierce clashes with ISIS terrorists.",
        "We also recaptured the Saaqa military base in the western countryside of Deir Ezzor.",
        "The campaign will continue until we liberate the whole province from ISIS.",
        "Dozens of women and children were brutally beheaded.",
        "ISIS is punishing families of pro-regime soldiers after the group lost the battle for "
        "Deir Ezzor\u2019s military airport.",
    }


def test_what_casualty_figures_were_reported_by_whom_with_which_quantifier(graph: Graph) -> None:
    assert ask(graph, "casualty-figures", "report", "quantifier", "count", "victimGroupLabel",
               "claimant", "event") == {
        ("casualty/more-than-150-people", "MoreThan", "150", "people", ARTICLE,
         "event/is-multi-front-attack"),
        ("casualty/around-40-troops", "Approximately", "40", "troops", "actor/ahmed-helwani",
         "event/is-murders-troops-and-civilians"),
        ("casualty/around-130-civilians", "Approximately", "130", "civilians", "actor/ahmed-helwani",
         "event/is-murders-troops-and-civilians"),
        ("casualty/dozens-of-women-and-children", "Dozens", None, "women and children",
         "actor/anonymous-activist", "event/is-beheadings"),
    }


def test_what_did_is_capture_and_when(graph: Graph) -> None:
    assert ask(graph, "is-captures", "place", "date", "timeExpression") == {
        ("place/deir-ezzor-province", "2016-01-16", "Saturday"),
        ("place/baghiliyah", "2016-01-16", "Saturday"),
        ("place/ayyash", "2016-01-16", "Saturday"),
        ("place/ayyash", "2016-01-17", "the following day"),
        ("place/ayash-weapons-depot", "2016-01-17", "the following day"),
    }


def test_which_events_happened_on_17_january_2016(graph: Graph) -> None:
    assert ask(graph, "events-on-2016-01-17", "event", "datedBy") == {
        ("event/is-renewed-attack", "event/is-renewed-attack"),
        ("event/is-captures-ayyash", "event/is-captures-ayyash"),
        ("event/is-captures-ayyash", "event/is-renewed-attack"),
        ("event/is-overruns-ayash-weapons-depot", "event/is-overruns-ayash-weapons-depot"),
        ("event/is-overruns-ayash-weapons-depot", "event/is-renewed-attack"),
        ("event/is-advance-towards-euphrates", "event/is-renewed-attack"),
    }


def test_which_claims_rest_on_anonymous_sources(graph: Graph) -> None:
    assert ask(graph, "anonymous-claims", "claim", "about") == {
        ("claim/anonymous-activist-car-bombs-and-storming", "event/is-car-bombings-baghiliyah-ayyash"),
        ("claim/anonymous-activist-car-bombs-and-storming", "event/is-storms-baghiliyah"),
        ("claim/anonymous-activist-car-bombs-and-storming", "event/is-storms-ayyash"),
        ("claim/anonymous-activist-beheadings", "event/is-beheadings"),
        ("claim/anonymous-activist-beheadings", "casualty/dozens-of-women-and-children"),
        ("claim/anonymous-activist-punishing-families", "event/is-beheadings"),
        ("claim/anonymous-activist-punishing-families", "event/battle-for-deir-ezzor-military-airport"),
    }


def test_which_events_rest_only_on_anonymous_sources(graph: Graph) -> None:
    assert {e for (e,) in ask(graph, "events-only-anonymously-sourced", "event")} == {
        "event/is-car-bombings-baghiliyah-ayyash",
        "event/is-beheadings",
        "event/battle-for-deir-ezzor-military-airport",
    }


def test_what_happened_in_ayash_or_inside_it(graph: Graph) -> None:
    assert {e for (e,) in ask(graph, "events-in-ayash", "event")} == {
        "event/is-car-bombings-baghiliyah-ayyash", "event/is-storms-ayyash",
        "event/is-killings-in-homes", "event/army-recaptures-ayyash", "event/is-captures-ayyash",
        "event/is-overruns-ayash-weapons-depot", "event/ayash-weapons-depot-contested",
        "event/army-assault-on-baghiliyah-and-ayyash", "event/army-is-fierce-fighting",
    }


def test_what_text_supports_each_recapture_and_who_claimed_it(graph: Graph) -> None:
    assert ask(graph, "recapture-evidence", "recapture", "start", "end", "claimantLabel") == {
        ("event/army-recaptures-ayyash", "741", "866", "Ali Ibrahim"),
        ("event/army-recaptures-baghiliyah", "741", "866", "Ali Ibrahim"),
        ("event/army-recaptures-saaqa-military-base", "913", "997", "Ali Ibrahim"),
        ("event/army-recaptures-jamiyah-al-rawad", "2809", "2964",
         "Syrian Army Assaults Reverse IS Gains in Deir Ezzor"),
        ("event/army-recaptures-radio-broadcast-tower", "2809", "2964",
         "Syrian Army Assaults Reverse IS Gains in Deir Ezzor"),
    }


def test_which_units_and_people_belong_to_the_syrian_army(graph: Graph) -> None:
    answers = ask(graph, "syrian-army-units-and-members", "actor", "type")
    assert {a for a, _ in answers} == {
        "actor/104th-airborne-brigade", "actor/137th-artillery-brigade", "actor/ali-ibrahim",
    }
    assert ("actor/ali-ibrahim", "Person") in answers


def test_the_queries_read_only_contract_terms(graph: Graph) -> None:
    """A query naming a property the data never uses would answer nothing, silently."""
    used = {p for p in graph.predicates() if isinstance(p, URIRef) and str(p).startswith(str(CKG))}
    used |= set(derive(graph).predicates())  # the build's derived graph (bounds, grades)
    used.add(CKG.sameEventAs)  # written by the build for same-event links a reviewer accepted
    for path in QUERIES.glob("*.rq"):
        text = path.read_text(encoding="utf-8")
        for term in {t for t in text.split() if t.startswith("ckg:") and t[4:5].islower()}:
            name = term.removeprefix("ckg:").rstrip(".;,)}*+")
            assert CKG[name] in used, f"{path.name}: {term}"


def test_every_claim_about_an_event_from_every_source(graph: Graph) -> None:
    """With the article alone the event has no accepted same-event links: its own claim, on both spans."""
    assert ask(graph, "claims-about-an-event-from-every-source", "event", "claim", "claimant", "document", "outlet") == {
        ("event/army-recaptures-ayyash", "claim/ali-ibrahim-recaptured-ayash-and-begayliya", "actor/ali-ibrahim",
         ARTICLE, "actor/ara-news"),
    }


def test_who_says_how_many_were_killed_with_derived_bounds(graph: Graph) -> None:
    """Bounds come from the derived graph the build writes (pipeline.derive), read with GRAPH."""
    dataset = Dataset(default_union=True)
    data = dataset.graph(DATA_GRAPH)
    for triple in graph:
        data.add(triple)
    derived = dataset.graph(DERIVED_GRAPH)
    for triple in derive(graph):
        derived.add(triple)
    rows = dataset.query((QUERIES / "who-says-what.rq").read_text(encoding="utf-8"))
    short = {tuple(str(row[v]).removeprefix(str(ID)).removeprefix(str(CKG)) if row[v] is not None else None
                   for v in ("figure", "claimant", "quantifier", "count", "low", "best", "high", "conservative"))
             for row in rows}
    assert short == {
        ("casualty/more-than-150-people", ARTICLE, "MoreThan", "150", "151", "151", None, "151"),
        ("casualty/around-40-troops", "actor/ahmed-helwani", "Approximately", "40", "40", "40", "40", "40"),
        ("casualty/around-130-civilians", "actor/ahmed-helwani", "Approximately", "130", "130", "130", "130", "130"),
        ("casualty/dozens-of-women-and-children", "actor/anonymous-activist", "Dozens", None, "12", "24", None, "12"),
    }


def test_each_sources_version_of_an_event(graph: Graph) -> None:
    """The article alone gives one version: the recapture, undated, of Ayash by the army, on its span."""
    assert ask(graph, "versions-of-an-event", "event", "document", "type", "date", "place", "agent", "exact") == {
        ("event/army-recaptures-ayyash", ARTICLE, "Recapture", None, "place/ayyash", "actor/syrian-army",
         "Our army forces recaptured the districts of Ayash and Begayliya in Deir Ezzor city after fierce "
         "clashes with ISIS terrorists."),
    }
