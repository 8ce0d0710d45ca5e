"""Name keys that make Arabic script and its many romanisations comparable.

Syrian place names reach us as "Begayliya", "al-Baghiliyah", "Bghailiye" and "البغيلية". Two keys
are derived from any spelling:

- ``key``: a Latin form with the romanisation choices folded (articles, gh/g, q/k, ou/u, ee/i, ei/ay,
  -iyah/-iyeh/-ie endings, doubled letters, e→a, o→u); compared with rapidfuzz for Latin spellings.
- ``skeleton``: the consonants only (vowels, y, w and h dropped). Arabic script writes few vowels, so
  this is the bridge between Arabic and Latin spellings and the retrieval key of the index.

Arabic script reaches the Latin alphabet through anyascii (which also knows the Persian and Sorani
Kurdish letters: "ھەولێر" → "hewler", Hawler/Erbil) and then the same romanisation folding as any
Latin spelling, so that "شوكة" and "Shawkat" meet on one key alphabet.

Nothing here is lossless: keys are for finding and ranking candidates, never for display.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
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

_KURDISH_FOLD = str.maketrans({"ھ": "ه", "ە": "ه", "ڵ": "ل", "ڕ": "ر", "ێ": "ي", "ڤ": "ف"})
"""Sorani letters onto the Arabic letters an Arabic writer would use, for Arabic-to-Arabic comparison."""

_ARTICLES = frozenset(
    "al el il ul l ad ed ar er as es az ez ash esh ach ech at et an en ath adh ag ehl ehn ehr ehs ehz ehd eht ehsh"
    .split()
)
"""The Arabic article as romanised, with or without sun-letter assimilation (and Russian-style "Ehz-")."""

_GENERIC_WORDS = frozenset(
    """province governorate muhafazah mohafazat muhafazat district city town village suburb neighborhood
    neighbourhood quarter military airport airbase air base camp tower depot weapons radio broadcast
    station the of river fort castle markaz nahiyat nahiyah nahiya qada qadaa mintaqat""".split()
)
"""Words that say what kind of place a label names, not which one; they guide typing, not matching.
Administrative words of Iraqi and Syrian records ("Markaz", "Nahiyat" = centre, sub-district) too."""

_ARABIC_GENERIC_WORDS = frozenset({"محافظه", "ناحيه", "مركز", "قضاء", "منطقه"})
"""The same for Arabic script (folded forms): governorate, sub-district, centre, district, area."""

_LATIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"sch|sh|ch|ş|š", "c"),
        (r"kh|ḫ|ẖ", "x"),
        (r"gh|ġ|ğ", "g"),
        (r"dj|dsch|dzh|dz|zh", "j"),
        (r"j(?=[^aeiouy]|$)", "y"),
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
    plain: str
    """Latin spellings: lower-case ASCII letters and digits only ("Dayr az-Zūr" → "dayrazzur"); else ''."""
    arabic: str
    """The folded Arabic form (article removed) when the spelling was in Arabic script, else ''."""
    consonants: str
    """The key as Arabic script would write it: short a/e/o dropped, i→y, u→w; for cross-script."""


def is_arabic(text: str) -> bool:
    """True when the text contains Arabic-script letters."""
    return bool(_ARABIC_LETTER.search(text))


def _strip_marks(text: str) -> str:
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text)).replace(_TATWEEL, "")


def fold_arabic(text: str) -> str:
    """Strip diacritics and tatweel, unify alef/hamza forms, taa marbuta, alef maqsura, Persian and
    Kurdish letter forms."""
    return _strip_marks(text).translate(_ARABIC_FOLD).translate(_KURDISH_FOLD)


def _without_article(words: list[str]) -> list[str]:
    """Arabic words without the article ال and without generic words (unless nothing else is left)."""
    out = []
    kept = [w for w in words if w.translate(_ARABIC_FOLD) not in _ARABIC_GENERIC_WORDS] or words
    for word in kept:
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        if word:
            out.append(word)
    return out


def _arabic_words(text: str) -> list[str]:
    """Folded Arabic words with the article ال removed from each."""
    return _without_article(re.split(r"[\s\-_,.]+", fold_arabic(text)))


_LETTER_KEYS = {"sh": "c", "ch": "c", "kh": "x", "gh": "g", "th": "t", "dh": "d", "zh": "j", "q": "k", "e": "a",
                "o": "u"}
"""anyascii's rendering of one letter onto the key alphabet of ``_LATIN_RULES`` (c = sh, x = kh)."""


def _arabic_letters(text: str) -> list[list[str]]:
    """Per word (article removed), each letter as anyascii writes it, but alef as the long vowel "a"
    (anyascii drops it) and a final taa marbuta (or the ha it is often written as) as the ending "a",
    as Latin spellings write it ("-ah", "-eh", "-a")."""
    unified = _strip_marks(text).translate(_ARABIC_FOLD)
    words = []
    for word in _without_article(re.split(r"[\s\-_,.]+", unified)):
        letters = ["a" if ch == "ا" else re.sub(r"[^a-z]", "", anyascii(ch).lower()) for ch in word]
        if word[-1] in "ةه" and len(word) > 2:
            letters[-1] = "a"
        if any(letters):
            words.append([x for x in letters if x])
    return words


def transliterate_arabic(text: str) -> str:
    """Arabic script to lower-case Latin letter by letter (anyascii), article, ayn and hamza dropped.

    Alef and hamza forms are unified first; Kurdish vowel letters are kept, since they write the vowels
    Arabic leaves out ("ھەولێر" → "hewler").
    """
    return " ".join("".join(word) for word in _arabic_letters(text))


def _arabic_key(text: str) -> str:
    """The Latin key of an Arabic-script name, built letter by letter so that two letters never make
    a digraph (ك + ه is "kh" in anyascii's output but not the letter خ)."""
    tokens = []
    for word in _arabic_letters(text):
        token = "".join(_LETTER_KEYS.get(x, x) for x in word)
        tokens.append(re.sub(r"(.)\1+", r"\1", token))
    return "".join(tokens)


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
        key = _arabic_key(name)
        return NameKeys(key, _skeleton(key), "", arabic, _consonantal(key))
    tokens = meaningful_tokens(_latin_tokens(name))
    key = "".join(_fold_token(t) for t in tokens)
    return NameKeys(key, _skeleton(key), plain_fold(name), "", _consonantal(key))


def plain_fold(name: str) -> str:
    """Case, diacritics, ayn/hamza marks, spaces and punctuation removed: "Dayr az-Zūr" → "dayrazzur"."""
    return re.sub(r"[^a-z0-9]", "", unidecode(unicodedata.normalize("NFC", name)).lower())


def kind_words(name: str) -> set[str]:
    """The generic kind words a label contains ("province", "airport"...), for type hints."""
    return {t for t in _latin_tokens(name) if t in _GENERIC_WORDS}
