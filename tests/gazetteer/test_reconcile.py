"""The reconciliation service logic, with the request/response shapes of the W3C spec (v0.2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conflictkg.gazetteer.reconcile import (
    GEONAMES_PLACE,
    ReconcileError,
    ReconciliationService,
    entities_from_store,
    geonames_reference,
    jsonp,
    parse_json,
)
from conflictkg.gazetteer.sources import Gazetteer
from conflictkg.store import Store
from conflictkg.vocab import CKG, GN, ID


@pytest.fixture()
def service(fixtures: Path, dump_gazetteer: Gazetteer) -> ReconciliationService:
    store = Store.from_files([fixtures / "places.ttl", fixtures / "links.ttl"])
    return ReconciliationService(entities_from_store(store), dump_gazetteer)


def test_manifest_has_the_required_members(service: ReconciliationService) -> None:
    manifest = service.manifest("http://127.0.0.1:8000/reconcile")
    for key in ("versions", "name", "identifierSpace", "schemaSpace", "defaultTypes", "view", "preview", "suggest"):
        assert key in manifest
    assert {t["name"] for t in manifest["defaultTypes"]} == {"Place", "Actor", "Event", "GeoNames place"}
    assert manifest["preview"]["url"].endswith("/preview?id={{id}}")
    assert set(manifest["suggest"]) == {"entity", "type", "property"}


def test_batch_returns_ranked_candidates_from_kg_and_gazetteer(service: ReconciliationService) -> None:
    queries = {
        "q0": {"query": "Begayliya", "type": str(CKG.Place), "limit": 3},
        "q1": {"query": "Ayash", "properties": [{"pid": "within", "v": "Deir Ezzor"}]},
        "q2": {"query": "البغيلية", "type": "Place", "properties": [{"pid": "within", "v": "170794"}]},
    }
    answer = service.run_batch(json.dumps(queries))
    assert set(answer) == {"q0", "q1", "q2"}
    q0 = answer["q0"]["result"]
    assert len(q0) <= 3
    assert q0[0]["id"] == str(ID["place/baghiliyah"]) and q0[0]["match"] is True
    for result in q0:
        assert set(result) >= {"id", "name", "type", "score", "match"}
        assert all(set(t) == {"id", "name"} for t in result["type"])
    ids = [r["id"] for r in answer["q1"]["result"]]
    assert ids[0] == str(ID["place/ayyash"])
    assert "https://sws.geonames.org/7632486/" in ids
    trap_ids = {"https://sws.geonames.org/168049/", "https://sws.geonames.org/172089/"}
    geo = [r for r in answer["q1"]["result"] if "geonames" in r["id"]]
    assert geo[0]["id"] == "https://sws.geonames.org/7632486/" and geo[0]["id"] not in trap_ids
    q2_geo = [r for r in answer["q2"]["result"] if "geonames" in r["id"]]
    assert q2_geo[0]["id"] == "https://sws.geonames.org/171236/"


def test_a_geonames_type_returns_gazetteer_records_only(service: ReconciliationService) -> None:
    """Issue 11: without a type our place comes first; with "GeoNames place" the first match is a GeoNames id."""
    mixed = service.reconcile("q", {"query": "Begayliya", "properties": [{"pid": "within", "v": "Deir Ezzor"}]})
    assert mixed[0]["id"] == str(ID["place/baghiliyah"])
    for type_id in (GEONAMES_PLACE, str(GN.P)):
        only = service.reconcile("q", {"query": "Begayliya", "type": type_id,
                                       "properties": [{"pid": "within", "v": "Deir Ezzor"}]})
        assert only and all(r["id"].startswith("https://sws.geonames.org/") for r in only)
        assert only[0]["id"] == "https://sws.geonames.org/171236/" and only[0]["match"] is True
        assert any(t["id"] == type_id for t in only[0]["type"])
    admin = service.reconcile("q", {"query": "Deir Ezzor", "type": str(GN.A)})
    assert admin and {r["id"] for r in admin} <= {"https://sws.geonames.org/170792/", "https://sws.geonames.org/170793/",
                                                  "https://sws.geonames.org/163843/"}
    assert [t["id"] for t in service.suggest("type", "geonames")["result"]][:2] == [GEONAMES_PLACE, str(GN.A)]
    assert any(t["id"] == str(GN.P) for t in service.suggest("type", "village")["result"])


def test_deir_ezzor_without_context_is_the_city(service: ReconciliationService) -> None:
    """The governorate (170792) and the district (170793) bear the city's name; the name alone means the city."""
    geo = service.reconcile("q", {"query": "Deir Ezzor", "type": GEONAMES_PLACE})
    assert geo[0]["id"] == "https://sws.geonames.org/170794/" and geo[0]["match"] is True
    assert all(not r["match"] for r in geo[1:])
    province = service.reconcile("q", {"query": "Deir Ezzor province", "type": GEONAMES_PLACE})
    assert province[0]["id"] == "https://sws.geonames.org/170792/"


def test_scores_rank_and_never_tie_at_100(service: ReconciliationService) -> None:
    """Issue 11: several candidates at 100 cannot be ranked; the better candidate must score higher."""
    for name in ("Deir Ezzor", "Ayash", "Ayyash", "Begayliya", "البغيلية", "Al Baghaliyah"):
        results = service.reconcile("q", {"query": name, "type": GEONAMES_PLACE})
        scores = [r["score"] for r in results]
        assert scores == sorted(scores, reverse=True), name
        assert sum(s >= 100 for s in scores) <= 1, (name, scores)
        if len(scores) > 1 and results[0]["match"]:
            assert scores[0] > scores[1], name


def test_within_a_gazetteer_name_means_the_area(dump_gazetteer: Gazetteer) -> None:
    """`within` names a containing area: the governorate when one bears the name, not its seat city."""
    service = ReconciliationService([], dump_gazetteer)
    within = service._resolve_within("Deir ez-Zor")
    assert within.record is not None and within.record.geonameid == 170792
    assert within.context().admin1 == "SY.07"
    answer = service.reconcile("q", {"query": "Ayyash", "type": GEONAMES_PLACE,
                                     "properties": [{"pid": "within", "v": "Deir ez-Zor"}]})
    assert answer[0]["id"] == "https://sws.geonames.org/7632486/" and answer[0]["match"] is True
    assert service._resolve_within("Begayliya").record is None  # ambiguous with the trap 2950 by name alone


def test_within_a_place_of_ours_restricts_kg_results(service: ReconciliationService) -> None:
    inside = service.reconcile("q", {"query": "Deir Ezzor", "properties": [{"pid": "within", "v": str(ID["place/baghiliyah"])}]})
    assert all(r["id"] != str(ID["place/deir-ezzor"]) for r in inside)


def test_malformed_queries_are_refused_with_a_message(service: ReconciliationService) -> None:
    with pytest.raises(ReconcileError, match="not valid JSON"):
        service.run_batch("{q0: nope")
    with pytest.raises(ReconcileError, match="JSON object"):
        service.run_batch("[1, 2]")
    with pytest.raises(ReconcileError, match="non-empty string 'query'"):
        service.run_batch('{"q0": {"limit": 3}}')
    with pytest.raises(ReconcileError, match="unknown type"):
        service.run_batch('{"q0": {"query": "x", "type": "Planet"}}')
    with pytest.raises(ReconcileError, match="unknown type"):
        service.run_batch(json.dumps({"q0": {"query": "x", "type": str(GN.Q)}}))
    with pytest.raises(ReconcileError, match="limit"):
        service.run_batch('{"q0": {"query": "x", "limit": -1}}')
    with pytest.raises(ReconcileError, match="at most 100 queries; this one has 101"):
        service.run_batch(json.dumps({f"q{i}": {"query": "x"} for i in range(101)}))


def test_preview_escapes_text(service: ReconciliationService) -> None:
    service.entities[str(ID["place/ayyash"])].names.append("<script>alert(1)</script>")
    fragment = service.preview(str(ID["place/ayyash"]))
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment
    assert "171236" in service.preview("https://sws.geonames.org/171236/")
    with pytest.raises(ReconcileError):
        service.preview("https://example.org/nothing")


def test_suggest_entity_type_property(service: ReconciliationService) -> None:
    assert service.suggest("property", "wi")["result"][0]["id"] == "within"
    assert [t["name"] for t in service.suggest("type", "pl")["result"]][:2] == ["Place", "GeoNames place"]
    names = [r["name"] for r in service.suggest("entity", "deir")["result"]]
    assert "Deir Ezzor" in names
    with pytest.raises(ReconcileError):
        service.suggest("colour", "x")


def test_jsonp_refuses_hostile_callbacks() -> None:
    assert jsonp({"a": 1}, "cb.fn") == '/**/cb.fn({"a": 1});'
    with pytest.raises(ReconcileError):
        jsonp({}, "alert(document.cookie)//")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("170063", 170063), ("https://sws.geonames.org/170063/", 170063), ("²", None), ("٣", None), ("9" * 5000, None),
     ("https://sws.geonames.org/" + "9" * 5000 + "/", None), ("Deir Ezzor", None)],
)
def test_geonames_reference_takes_only_ascii_ids(value: str, expected: int | None) -> None:
    """"²".isdigit() is true but int("²") fails; a 5,000-digit number is no id (and int() refuses it)."""
    assert geonames_reference(value) == expected


def test_parse_json_turns_every_failure_into_a_reconcile_error() -> None:
    assert parse_json('{"q0": {"query": "Ayash"}}', "queries") == {"q0": {"query": "Ayash"}}
    with pytest.raises(ReconcileError, match="not valid JSON: .* line 1 column 2"):
        parse_json("{", "queries")
    with pytest.raises(ReconcileError, match="nested too deeply"):
        parse_json("[" * 100_000, "queries")


def test_the_shortlist_finds_every_candidate_comparing_all_labels_would(service: ReconciliationService) -> None:
    """Candidates come from a shortlist (rapidfuzz over every label's keys, plus equal skeletons); on
    2,000 seeded near-spellings in Latin and Arabic script, typed and untyped, the answers equal those
    of scoring every label of every entity."""
    import random

    from conflictkg.gazetteer import reconcile as module

    rng = random.Random(5)
    stems = ["Ayash", "Ayyash", "al-Baghiliyah", "Deir ez-Zor", "Dayr az Zawr", "Saqr", "Jafra", "Harabish",
             "عياش", "البغيلية", "دير الزور", "Islamic State", "Syrian Arab Army", "104th Brigade", "Tal", "Ma"]
    entities = []
    for n in range(2000):
        stem = rng.choice(stems)
        chars = list(stem)
        for _ in range(rng.randrange(3)):
            if chars:
                chars[rng.randrange(len(chars))] = rng.choice("aeiouyzh- ")
        names = ["".join(chars)] + ([rng.choice(stems)] if rng.random() < 0.3 else [])
        entities.append(module.KGEntity(f"{ID}test/{n}", names, {rng.choice(["Village", "Actor", "Attack"])}))
    shortlisted = ReconciliationService(entities)

    def everything(text: str, group: str | None) -> list[dict[str, object]]:
        query = module.name_keys(text)
        out = []
        for entity in entities:
            if group and group not in entity.groups:
                continue
            score = max(module._label_similarity(text, query, n, module.name_keys(n)) for n in entity.names)
            if score >= module.KG_MIN_SIMILARITY:
                out.append((entity.iri, round(score * 100, 1)))
        return sorted(out, key=lambda r: -r[1])

    for text in [*stems, "Ayas", "Deir", "al Bagiliya", "عيّاش", "Brigade 104", "x"]:
        for group in (None, "Place", "Actor", "Event"):
            found = [(r["id"], r["score"]) for r in shortlisted._kg_candidates(text, group, None)]
            assert found == everything(text, group), (text, group)
