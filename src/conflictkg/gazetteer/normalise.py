"""Name keys that make Arabic script and its many romanisations comparable.

Syrian place names reach us as "Begayliya", "al-Baghiliyah", "Bghailiye" and "البغيلية". Two keys
are derived from any spelling:

- ``key``: a Latin form with the romanisation choices folded (articles, gh/g, q/k, ou/u, ee/i, ei/ay,
  -iyah/-iyeh/-ie endings, doubled letters, e→a, o→u); compared with rapidfuzz for Latin spellings.
- ``skeleton``: the consonants only (vowels, y, w and h dropped). Arabic script writes few vowels, so
  this is the bridge between Arabic and Latin spellings and the retrieval key of the index.

Nothing here is lossless: keys are for finding and ranking candidates, never for display.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]")
_TATWEEL = "\u0640"

_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",
        "ک": "ك",
        "ؤ": "و",
        "ئ": "ي",
        "ۆ": "و",
    }
)
"""Alef/hamza seats, taa marbuta, alef maqsura and Persian letter forms onto one letter each."""

_ARABIC_TO_LATIN = {
    "ا": "a",
    "ب": "b",
    "ت": "t",
    "ث": "t",
    "ج": "j",
    "ح": "h",
    "خ": "x",
    "د": "d",
    "ذ": "d",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "c",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "g",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "و": "w",
    "ي": "y",
    "ء": "",
    "پ": "b",
    "چ": "c",
    "گ": "g",
    "ڤ": "f",
}
"""Arabic letters onto the Latin key alphabet (``c`` = sh, ``x`` = kh), matching the Latin folding."""

_ARTICLES = frozenset(
    "al el il ul l ad ed ar er as es az ez ash esh ach ech at et an en ath adh ag".split()
)
"""The Arabic article as romanised, with or without sun-letter assimilation."""

_GENERIC_WORDS = frozenset(
    """province governorate muhafazah mohafazat district city town village suburb neighborhood
    neighbourhood quarter military airport airbase air base camp tower depot weapons radio broadcast
    station the of river""".split()
)
"""Words that say what kind of place a label names, not which one; they guide typing, not matching."""

_LATIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"sch|sh|ch|ş|š", "c"),
        (r"kh|ḫ|ẖ", "x"),
        (r"gh|ġ|ğ", "g"),
        (r"dj|dsch|dzh", "j"),
        (r"th", "t"),
        (r"dh", "d"),
        (r"ph", "f"),
        (r"q", "k"),
        (r"ck", "k"),
        (r"ou|oo|ū", "u"),
        (r"ee", "i"),
        (r"(ei|ai|ey)", "ay"),
        (r"(iyyah|iyyeh|iyah|iyeh|iyya|iye|iyya|iya|ieh|ie|iah|ia)$", "iya"),
        (r"(eh|ah|a)$", "a"),
        (r"e", "a"),
        (r"o", "u"),
        (r"(.)\1+", r"\1"),
    )
)
"""Romanisation choices folded in order: digraphs first, then vowels, then endings, then doubles."""

_POSSESSIVE = re.compile(
    r"['’]s(?=\s+(?:" + "|".join(sorted(_GENERIC_WORDS)) + r")\b)"
)
"""English possessive before a kind word ("Deir Ezzor's military airport"); "Ra's al-Ayn" keeps its ayn."""

_SUN_ARTICLE = re.compile(r"^[aeiu]l?([dtsznrlc])\1(?=.{2})")
"""A fused, assimilated article: "Ezzor" (ez-Zor), "Assafira" (as-Safira)."""


@dataclass(frozen=True, slots=True)
class NameKeys:
    """The comparison keys of one spelling."""

    key: str
    skeleton: str
    arabic: str
    """The folded Arabic form (article removed) when the spelling was in Arabic script, else ''."""
    consonants: str
    """The key as Arabic script would write it: short a/e/o dropped, i→y, u→w; for cross-script."""


def is_arabic(text: str) -> bool:
    """True when the text contains Arabic-script letters."""
    return bool(_ARABIC_LETTER.search(text))


def fold_arabic(text: str) -> str:
    """Strip diacritics and tatweel, unify alef/hamza forms, taa marbuta and alef maqsura."""
    text = unicodedata.normalize("NFC", text)
    text = _ARABIC_MARKS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_ARABIC_FOLD)


def _arabic_words(text: str) -> list[str]:
    """Folded Arabic words with the article ال removed from each."""
    words = []
    for word in re.split(r"[\s\-_,.]+", fold_arabic(text)):
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        if word:
            words.append(word)
    return words


def transliterate_arabic(text: str) -> str:
    """Arabic script to the Latin key alphabet, consonants and long vowels only."""
    return " ".join(
        "".join(_ARABIC_TO_LATIN.get(ch, "") for ch in word) for word in _arabic_words(text)
    )


def _latin_tokens(text: str) -> list[str]:
    """Lower-case ASCII tokens with apostrophes, ayn/hamza marks and punctuation removed."""
    text = _POSSESSIVE.sub("", unicodedata.normalize("NFC", text).lower())
    for ch in "ʿʾ‘’'`´ʼ":
        text = text.replace(ch, "")
    text = text.replace("ş", "sh").replace("ğ", "gh").replace("ġ", "gh")
    text = unidecode(text).lower()
    text = text.replace("'", "").replace("`", "")
    return [t for t in re.split(r"[^a-z0-9]+", text) if t]


def _fold_token(token: str) -> str:
    match = _SUN_ARTICLE.match(token)
    if match:
        token = token[match.end() - 1 :]
    for pattern, repl in _LATIN_RULES:
        token = pattern.sub(repl, token)
    return token


def _skeleton(key: str) -> str:
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouywh ]", "", key))


def _consonantal(key: str) -> str:
    text = re.sub(r"[aeo]", "", key).replace("i", "y").replace("u", "w")
    text = re.sub(r"h$", "", text)
    return re.sub(r"(.)\1+", r"\1", text)


def meaningful_tokens(tokens: list[str]) -> list[str]:
    """Drop articles (unless that leaves nothing) and generic kind words such as "province"."""
    kept = [t for t in tokens if t not in _GENERIC_WORDS]
    if not kept:
        kept = tokens
    without_articles = [t for t in kept if t not in _ARTICLES]
    return without_articles or kept


@lru_cache(maxsize=65536)
def name_keys(name: str) -> NameKeys:
    """Both keys for any spelling, Arabic or Latin script."""
    if is_arabic(name):
        arabic = " ".join(_arabic_words(name))
        latin = transliterate_arabic(name)
        key = "".join(re.sub(r"(.)\1+", r"\1", w) for w in latin.split())
        return NameKeys(key=key, skeleton=_skeleton(key), arabic=arabic, consonants=_consonantal(key))
    tokens = meaningful_tokens(_latin_tokens(name))
    key = "".join(_fold_token(t) for t in tokens)
    return NameKeys(key=key, skeleton=_skeleton(key), arabic="", consonants=_consonantal(key))


def kind_words(name: str) -> set[str]:
    """The generic kind words a label contains ("province", "airport"...), for type hints."""
    return {t for t in _latin_tokens(name) if t in _GENERIC_WORDS}
