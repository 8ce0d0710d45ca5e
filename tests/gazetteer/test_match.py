"""Scoring with context: the article's places win over their namesakes, for the stated reasons."""

from __future__ import annotations

from conflictkg.gazetteer.index import CandidateIndex
from conflictkg.gazetteer.match import PlaceContext, decide, haversine_km, rank
from conflictkg.gazetteer.sources import Gazetteer

DEIR_EZZOR = (35.33588, 40.14084)
TRAPS = {2950, 2364, 168049, 171582, 162932, 4193, 172088, 172089, 172091}


def _context(**kw: object) -> PlaceContext:
    base = {"kind": "settlement", "country": "SY", "admin1": "SY.07", "near": DEIR_EZZOR, "near_label": "Deir ez-Zor"}
    return PlaceContext(**{**base, **kw})  # type: ignore[arg-type]


def test_every_spelling_of_baghiliyah_links_to_171236_never_a_trap(dump_gazetteer: Gazetteer) -> None:
    index = CandidateIndex(dump_gazetteer)
    for name in ["Begayliya", "al-Baghiliyah", "Al-Bughayliyah", "Bghailiye", "البغيلية", "al-Baghiliyeh"]:
        decision = decide(rank(index, name, _context()))
        assert decision.relation and decision.candidate, name
        assert decision.candidate.record.geonameid == 171236, name


def test_every_spelling_of_ayyash_links_to_7632486(dump_gazetteer: Gazetteer) -> None:
    index = CandidateIndex(dump_gazetteer)
    for name in ["Ayash", "'Ayyash", "Aiyash", "‘Ayyāsh", "عياش", "عيّاش"]:
        decision = decide(rank(index, name, _context()))
        assert decision.candidate and decision.candidate.record.geonameid == 7632486, name
        assert decision.candidate.record.geonameid not in TRAPS


def test_namesake_in_homs_is_rejected_with_a_reason(dump_gazetteer: Gazetteer) -> None:
    index = CandidateIndex(dump_gazetteer)
    ranked = {c.record.geonameid: c for c in rank(index, "Al Baghaliyah", _context(), limit=10)}
    trap = ranked[2950]
    assert trap.name_score == 1.0
    assert trap.score < 0.85
    assert any("expected SY.07" in r for r in trap.reasons) and any("too far" in r for r in trap.reasons)
    # Without the province the same name links to the trap: the context is what protects the article.
    assert decide(rank(index, "Al Baghaliyah", PlaceContext())).candidate.record.geonameid == 2950


def test_feature_kind_keeps_facilities_off_their_towns(dump_gazetteer: Gazetteer) -> None:
    index = CandidateIndex(dump_gazetteer)
    decision = decide(rank(index, "Deir Ezzor's military airport", _context(kind="facility")))
    assert decision.relation is None
    assert any("not a facility" in r for r in decision.candidate.reasons)


def test_province_label_prefers_the_adm1_record(dump_gazetteer: Gazetteer) -> None:
    index = CandidateIndex(dump_gazetteer)
    decision = decide(rank(index, "Deir Ezzor province", PlaceContext(kind="admin", country="SY")))
    assert decision.relation == "exact" and decision.candidate.record.geonameid == 170792


def test_nothing_similar_means_no_link() -> None:
    decision = decide(rank(CandidateIndex(Gazetteer()), "Jami'yah Al-Rawad Neighborhood"))
    assert decision.relation is None and "no gazetteer record" in decision.reason


def test_haversine() -> None:
    assert 11 < haversine_km(DEIR_EZZOR, (35.42022, 40.05303)) < 13  # Ayyash ~12 km NW (places.md)


BAGHILIYAH = ["Begayliya", "al-Baghiliyah", "Al-Bughayliyah", "Baghiliyah", "al-Baghiliyeh", "Bghailiye",
              "Bughaylīyah", "البغيلية"]
AYYASH = ["Ayash", "'Ayyash", "Aiyash", "‘Ayyāsh", "عياش", "عيّاش"]
"""The variants places.md lists (shared/facts/places.md)."""


def test_without_any_context_the_article_spellings_never_link_a_trap(dump_gazetteer: Gazetteer) -> None:
    """places.md's traps: with nothing but the name, a spelling links to the right record or to nothing."""
    index = CandidateIndex(dump_gazetteer)
    for names, right in ((BAGHILIYAH, 171236), (AYYASH, 7632486)):
        for name in names:
            decision = decide(rank(index, name))
            chosen = decision.candidate.record.geonameid if decision.relation and decision.candidate else None
            assert chosen in (right, None), (name, chosen, decision.reason)
            assert chosen not in TRAPS


def test_deir_ezzor_alone_is_the_city_and_with_province_the_governorate(dump_gazetteer: Gazetteer) -> None:
    index = CandidateIndex(dump_gazetteer)
    for name in ("Deir Ezzor", "Deir ez-Zor", "Dayr az Zawr", "دير الزور"):
        decision = decide(rank(index, name))
        assert decision.relation == "exact" and decision.candidate.record.geonameid == 170794, (name, decision.reason)
    ranked = rank(index, "Deir Ezzor")
    area = next(c for c in ranked if c.record.geonameid == 170792)
    assert any("label names no kind" in r for r in area.reasons)
    for name in ("Deir Ezzor province", "Deir ez-Zor Governorate"):
        decision = decide(rank(index, name))
        assert decision.relation == "exact" and decision.candidate.record.geonameid == 170792, (name, decision.reason)


def test_scores_rank_an_equal_name_above_a_similar_one(dump_gazetteer: Gazetteer) -> None:
    """Without context the trap "Al Baghaliyah" (2950) is the name asked for: it must outrank 171236, not tie."""
    index = CandidateIndex(dump_gazetteer)
    ranked = {c.record.geonameid: c for c in rank(index, "Al Baghaliyah", limit=10)}
    assert ranked[2950].score > ranked[171236].score
    assert all(c.score < 1.0 for c in ranked.values())


def test_an_ambiguous_best_links_nothing_and_names_both(dump_gazetteer: Gazetteer) -> None:
    from dataclasses import replace

    index = CandidateIndex(dump_gazetteer)
    best = rank(index, "Begayliya", _context())[0]
    twin = replace(best, record=replace(best.record, geonameid=1), score=best.score - 0.001)
    decision = decide([best, twin])
    assert decision.relation is None and decision.reason.startswith("ambiguous")
    assert str(best.record.geonameid) in decision.reason and "(1)" in decision.reason
    linked = decide([best])
    assert linked.relation and "≥" in linked.reason and best.how in linked.reason
