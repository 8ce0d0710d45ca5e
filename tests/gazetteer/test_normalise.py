"""Name keys: every spelling of one place meets; different places stay apart."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from conflictkg.gazetteer.normalise import fold_arabic, kind_words, name_keys, transliterate_arabic

BAGHILIYAH = ["Begayliya", "al-Baghiliyah", "Al-Bughayliyah", "Baghiliyah", "al-Baghiliyeh", "Bghailiye",
              "Bughaylīyah", "البغيلية"]
AYYASH = ["Ayash", "'Ayyash", "Aiyash", "‘Ayyāsh", "عياش", "عيّاش"]
DEIR_EZZOR = ["Deir Ezzor", "Deir ez-Zor", "Dayr az Zawr", "Deir al-Zour", "Deir el-Zor", "دير الزور"]


@pytest.mark.parametrize("variants", [BAGHILIYAH, AYYASH, DEIR_EZZOR])
def test_variants_of_one_place_have_near_identical_consonants(variants: list[str]) -> None:
    first = name_keys(variants[0]).consonants
    assert all(fuzz.ratio(first, name_keys(v).consonants) >= 90 for v in variants)
    assert name_keys(variants[-1]).consonants == first  # Arabic script meets the article's spelling


def test_latin_romanisations_fold_to_near_identical_keys() -> None:
    assert {name_keys(v).key for v in DEIR_EZZOR[:-1]} <= {"dayrzur", "dayrzawr"}
    assert {name_keys(v).key for v in AYYASH[:4]} == {"ayac"}


def test_traps_differ_from_the_article_places_across_scripts() -> None:
    assert name_keys("البغالية").consonants != name_keys("Begayliya").consonants
    assert name_keys("Baghliyah").consonants != name_keys("al-Baghiliyah").consonants


def test_arabic_folding() -> None:
    assert fold_arabic("عيّاش") == "عياش"  # shadda
    assert fold_arabic("أإآٱ") == "اااا"  # hamza seats
    assert fold_arabic("ـبغيلية") == "بغيليه"  # tatweel, taa marbuta
    assert fold_arabic("مصطفى") == "مصطفي"  # alef maqsura
    assert transliterate_arabic("دير الزور") == "dyr zwr"


def test_articles_sun_letters_possessives_and_kind_words() -> None:
    assert name_keys("Deir Ezzor's military airport").key == "dayrzur"
    assert name_keys("Ra's al Ayn").key == "rasayn"
    assert name_keys("Deir Ezzor province").key == name_keys("Deir Ezzor").key
    assert kind_words("Deir Ezzor province") == {"province"}


def test_endings_and_vowel_digraphs() -> None:
    forms = ["Baghiliyah", "Baghiliya", "Baghiliyeh", "Baghilie"]
    assert len({name_keys(f).key for f in forms}) == 1
    assert name_keys("Qamishli").key == name_keys("Kamishli").key
    assert name_keys("Souran").key == name_keys("Suran").key
