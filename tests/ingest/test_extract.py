"""The drafting rules: each finding has the exact code-point span of the raw text and names its rule."""

from __future__ import annotations

from datetime import date

from conflictkg.ingest.extract import Lexicon, LexiconEntry, find_dates, find_figures, find_names, find_quotations

PUBLISHED = date(2016, 1, 18)  # a Monday


def test_figures_keep_quantifier_count_and_group_with_exact_offsets() -> None:
    text = "TEST.\u00a0At\u00a0least 40 soldiers and around 130 civilians were killed; dozens of women and children died."
    figures = find_figures(text)
    assert [(f.text, f.attrs.get("count"), f.attrs["quantifier"], f.attrs["group"]) for f in figures] == [
        ("At\u00a0least 40 soldiers", 40, "AtLeast", "soldiers"),
        ("around 130 civilians", 130, "Approximately", "civilians"),
        ("dozens of women and children", None, "Dozens", "women and children"),
    ]
    assert all(text[f.start:f.end] == f.text for f in figures)


def test_a_coordinated_figure_inherits_the_quantifier() -> None:
    [_, second] = find_figures("Around 40 troops and 130 civilians had been murdered.")
    assert (second.attrs["count"], second.attrs["quantifier"], second.rule) == (130, "Approximately",
                                                                                 "figure:coordinated-quantifier")


def test_figures_need_deaths_not_other_harm() -> None:
    assert find_figures("About 400 civilians were abducted.") == []
    assert find_figures("More than 150 people arrived in the town.") == []
    assert [f.attrs["count"] for f in find_figures("12 people were killed and 300 residents were abducted.")] == [12]


def test_quotations_with_speaker_outlet_pronoun_and_anonymity() -> None:
    text = ('“We hold the base,” Colonel Test Person told Test Wire. "The road is open," he said.\n'
            'An activist who asked not to be named told Test Wire: “Dozens were killed.”')
    quotes = find_quotations(text)
    assert [(q.text, q.attrs.get("speaker"), q.attrs.get("outlet"), bool(q.attrs.get("anonymous"))) for q in quotes] == [
        ("We hold the base", "Test Person", "Test Wire", False),
        ("The road is open", "Test Person", None, False),
        ("Dozens were killed.", "activist who asked not to be named", "Test Wire", True),
    ]
    assert all(text[q.start:q.end] == q.text for q in quotes)


def test_dates_resolve_against_publication_with_their_rule() -> None:
    text = "On Sunday, a day after the attack on Saturday; on 16 January; yesterday; the following day."
    found = [(f.text, f.attrs["date"], f.rule) for f in find_dates(text, PUBLISHED)]
    assert found == [
        ("On Sunday", "2016-01-17", "date:weekday-on-or-before-publication"),
        ("a day after", "2016-01-16", "date:relative-to-previous-date"),
        ("on Saturday", "2016-01-16", "date:weekday-on-or-before-publication"),
        ("16 January", "2016-01-16", "date:day-month-year-of-publication"),
        ("yesterday", "2016-01-17", "date:yesterday-from-publication"),
        ("the following day", "2016-01-18", "date:relative-to-previous-date"),
    ]


def test_places_by_graph_lexicon_in_both_scripts_and_units_by_pattern() -> None:
    lexicon = Lexicon()
    place = "https://w3id.org/conflictkg/id/place/ayyash"
    for name in ("Ayyash", "Ayash", "عياش"):
        lexicon.add(LexiconEntry(name, place, "place", "https://sws.geonames.org/7632486/"))
    text = "The 104th Airborne Brigade entered عياش and Ayash; the Ayash Test Network said so."
    names = find_names(text, lexicon)
    assert [(f.kind, f.text, f.rule) for f in names] == [
        ("actor", "104th Airborne Brigade", "actor:unit-or-group-pattern"),
        ("place", "عياش", "place:graph-lexicon"),
        ("place", "Ayash", "place:graph-lexicon"),
    ]
    assert names[1].attrs == {"iri": place, "gazetteer": "https://sws.geonames.org/7632486/"}


def test_days_ago_and_a_pronoun_after_reported_speech() -> None:
    assert [(f.text, f.attrs["date"]) for f in find_dates("The hospital fell two days ago.", PUBLISHED)] == [
        ("two days ago", "2016-01-16")]
    text = 'General Test Person said the attack failed. "We held every position," he told Test Radio.'
    [quote] = find_quotations(text)
    assert (quote.attrs["speaker"], quote.attrs["outlet"], quote.rule) == (
        "Test Person", "Test Radio", "quotation:speaker-after+pronoun")


def test_arabic_names_match_with_or_without_the_space() -> None:
    lexicon = Lexicon()
    lexicon.add(LexiconEntry("البو كمال", "https://sws.geonames.org/174448/", "place"))
    [found] = find_names("قصف على البوكمال", lexicon)
    assert found.text == "البوكمال"
