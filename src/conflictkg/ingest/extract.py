"""Find what a report states, by rule: places, actors, casualty figures, quotations, event cues, dates.

Every finding carries its exact span (code-point offsets into the raw text: patterns run on the text as
it is, non-breaking spaces and curly quotes included, so offsets need no mapping back) and the name of
the rule that produced it. Nothing here downloads anything: the rules, the gazetteer and the graph's own
lexicon (labels and variants of the places and actors already in the graph) are all there is, so the
same inputs always give the same findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from conflictkg.gazetteer.normalise import is_arabic, name_keys
from conflictkg.gazetteer.sources import Gazetteer


@dataclass(frozen=True)
class Finding:
    """One thing the text states, where, and by which rule."""

    kind: str
    """place, actor, figure, quotation, event or date."""
    start: int
    end: int
    text: str
    rule: str
    attrs: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class LexiconEntry:
    """A name of a place or actor already in the graph (or of a gazetteer record)."""

    name: str
    iri: str
    kind: str
    """place or actor"""
    gazetteer: str | None = None
    """The GeoNames/Wikidata IRI the graph links the place to, if any."""


@dataclass
class Lexicon:
    """Names → entities: the graph's places and actors, and the gazetteer's records."""

    graph: dict[str, list[LexiconEntry]] = field(default_factory=dict)
    gazetteer: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """name key → (GeoNames IRI, population) of the records with that name."""

    def add(self, entry: LexiconEntry) -> None:
        """Index a graph name under its comparison key."""
        for key in _keys(entry.name):
            bucket = self.graph.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    def add_gazetteer(self, gazetteer: Gazetteer) -> None:
        """Index every name of every record (the Arabic ones by their folded Arabic form)."""
        for record in gazetteer.records.values():
            for name in record.names:
                for key in _keys(name):
                    bucket = self.gazetteer.setdefault(key, [])
                    if (record.iri, record.population) not in bucket:
                        bucket.append((record.iri, record.population))


def _keys(name: str) -> list[str]:
    keys = name_keys(name)
    if keys.arabic:
        return ["ar:" + keys.arabic.replace(" ", "")]  # البو كمال and البوكمال are one name
    return [keys.key] if len(keys.key) >= 3 else []


# --- sentences -------------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^\n.!?]+(?:[.!?]+[”\"’]?|$)", re.M)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, trimmed of surrounding white space (a quotation may span sentences)."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def sentence_of(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    """The sentence containing ``offset`` (or the nearest one before it)."""
    best = spans[0] if spans else (0, 0)
    for span in spans:
        if span[0] <= offset:
            best = span
        if span[0] <= offset < span[1]:
            return span
    return best


# --- places and actors -----------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_][\w’'‘ʿ-]*|\d+(?:st|nd|rd|th)?", re.U)
_NOT_NAMES = frozenset(
    "the a an on in at of and or but army troops fighters people civilians soldiers monday tuesday wednesday "
    "thursday friday saturday sunday january february march april may june july august september october "
    "november december he she they we it test material said told".split()
)
_JOINERS = frozenset({"al", "el", "ad", "ar", "as", "az", "ash", "at", "an", "ez", "es", "of", "the", "de", "bin", "abu"})


def _candidates(text: str, max_tokens: int = 5) -> Iterator[tuple[int, int, str]]:
    """Token sequences that could be a name: starting with a capital letter or in Arabic script."""
    words = list(_WORD.finditer(text))
    for i, first in enumerate(words):
        token = first.group()
        arabic = is_arabic(token)
        if not arabic and not (token[0].isupper() or token.lower().startswith(("al-", "el-", "ad-", "ar-", "as-", "az-"))):
            continue
        for n in range(min(max_tokens, len(words) - i), 0, -1):
            last = words[i + n - 1]
            gap = text[first.end():last.start()] if n > 1 else ""
            if "\n" in gap or any(ch in gap for ch in ",.;:!?“”\"()"):
                continue
            yield first.start(), last.end(), text[first.start():last.end()]


def find_names(text: str, lexicon: Lexicon) -> list[Finding]:
    """Places and actors named in ``text``: the graph's names first, then the gazetteer's; longest wins."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for start, end, name in _candidates(text):
        if not free(start, end) or name.lower() in _NOT_NAMES:
            continue
        entries = [e for key in _keys(name) for e in lexicon.graph.get(key, ())]
        if entries and any(e.kind == "place" for e in entries) and _inside_longer_name(text, end):
            entries = [e for e in entries if e.kind != "place"]
        if entries:
            words = len(name.split())
            entry = sorted(entries, key=lambda e: (abs(len(e.name.split()) - words), e.kind != "place", e.iri))[0]
            attrs: dict[str, object] = {"iri": entry.iri}
            if entry.gazetteer:
                attrs["gazetteer"] = entry.gazetteer
            found.append(Finding(entry.kind, start, end, name, f"{entry.kind}:graph-lexicon", attrs))
            taken.append((start, end))
            continue
        if _inside_longer_name(text, end):
            continue
        records = [r for key in _keys(name) for r in lexicon.gazetteer.get(key, ())]
        if records and (is_arabic(name) or name[0].isupper()):
            iri, _ = sorted(records, key=lambda r: (-r[1], r[0]))[0]
            rule = "place:gazetteer-name" if len({r[0] for r in records}) == 1 else "place:gazetteer-name-most-populous"
            found.append(Finding("place", start, end, name, rule, {"gazetteer": iri}))
            taken.append((start, end))
    for finding in _units(text):
        if free(finding.start, finding.end):
            found.append(finding)
            taken.append((finding.start, finding.end))
    return sorted(found, key=lambda f: f.start)


_PLACE_WORDS = frozenset("province governorate district city town village neighbourhood neighborhood countryside "
                         "airport base river suburb suburbs".split())


def _inside_longer_name(text: str, end: int) -> bool:
    """'Euphrates Voices Network': a place name followed by another capitalised word is part of a longer
    proper name (an outlet, a group), unless that word is a kind of place ('Deir Ezzor Province')."""
    following = re.match(r"[ \u00a0]([A-Z][a-z]+)", text[end:end + 30])
    return following is not None and following.group(1).lower() not in _PLACE_WORDS


_UNIT = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)|[A-Z][a-z]+)(?:\s(?:[A-Z][a-z]+|al-[A-Z][a-z]+)){0,3}\s"
    r"(?:Brigade|Brigades|Division|Regiment|Battalion|Corps|Guard|Front|Forces|Movement|Army|Battalions|Militia)\b"
)


def _units(text: str) -> Iterator[Finding]:
    for match in _UNIT.finditer(text):
        name = match.group()
        if name.split()[0].lower() in _NOT_NAMES:
            name = name.split(" ", 1)[1]
            start = match.end() - len(name)
        else:
            start = match.start()
        if len(name.split()) >= 2:
            yield Finding("actor", start, match.end(), name, "actor:unit-or-group-pattern", {"name": name})


# --- casualty figures ------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "a hundred": 100,
}
QUANTIFIERS = {
    "at least": "AtLeast", "no fewer than": "AtLeast", "more than": "MoreThan", "over": "MoreThan",
    "around": "Approximately", "about": "Approximately", "nearly": "Approximately", "approximately": "Approximately",
    "some": "Approximately", "roughly": "Approximately", "an estimated": "Approximately",
}
_GROUPS = (r"deaths|bodies|women\s+and\s+children|civilians|soldiers|troops|people|fighters|militants|children|women|residents|"
           r"members|villagers|men|combatants|gunmen|jihadists|recruits|officers")
_NOT_VICTIMS = (r"(?:years|days|hours|months|weeks|minutes|km|kilometres|kilometers|miles|metres|meters|times|"
                r"vehicles|trucks|cars|bombs|shells|rockets|missiles|tanks|houses|buildings|homes|villages|towns|"
                r"points|positions|checkpoints|wounded|others|percent|dollars|pounds|is|was|has|towards|airstrikes|"
                r"strikes|attacks|raids|explosions|areas|districts|neighbourhoods|neighborhoods)\b")
_FIGURE = re.compile(
    r"\b(?:(?P<quant>" + "|".join(q.replace(" ", r"\s+") for q in sorted(QUANTIFIERS, key=len, reverse=True))
    + r")\s+)?"
    r"(?P<count>\d{1,3}(?:,\d{3})*|" + "|".join(_NUMBER_WORDS) + r"|(?P<vague>dozens|several|scores))"
    r"(?:\s+of)?\s+[“\"]?(?P<group>(?:(?!(?:were|was|had|have|and|of|in|on|at)\b)[A-Za-z-]+\s+){0,2}?"
    r"(?:" + _GROUPS + r"|(?P<open>(?!" + _NOT_VICTIMS + r")[a-z]{3,}s)))\b",
    re.I,
)
_DEATH = re.compile(
    r"\b(?:killed|kills|dead|died|deaths?|death toll|bodies|murdered|executed|beheaded|massacred|slain|lost their lives|"
    r"claimed the lives|were killed|killing)\b", re.I)
_WOUNDED_TOO = re.compile(r"\b(?:killed|dead)\s+(?:or|and)\s+(?:wounded|injured)\b", re.I)
_NOT_DEATH = re.compile(r"\b(?:wounded|injured|abducted|kidnapped|displaced|arrested|captured|fled|missing)\b", re.I)


_FAMILY = re.compile(r"\ba family of (?P<count>\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_SUBSET = re.compile(r"\b(?P<count>\d{1,3}(?:,\d{3})*|" + "|".join(_NUMBER_WORDS) + r")\s+were\s+(?P<group>[a-z]{3,})\b")


def _death_context(text: str, spans: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    """The sentence of ``offset`` if it speaks of deaths, or if it begins "Of those"/"Of the …" after one
    that does (a breakdown of a toll); else None."""
    start, end = sentence_of(spans, offset)
    if _DEATH.search(text, start, end):
        return start, end
    if re.match(r"(?:Of|Among) (?:those|them|the \w+)", text[start:end]):
        previous = [s for s in spans if s[1] <= start]
        if previous and _DEATH.search(text, *previous[-1]):
            return start, end
    return None


def _beside_death(text: str, match: re.Match[str], start: int, end: int) -> bool:
    """'killing at least 17 tribal guards', '17 guards were killed': a death word within a few words."""
    before = text[max(start, match.start() - 25):match.start()]
    after = text[match.end():min(end, match.end() + 25)].lstrip("”\"’")
    return bool(_DEATH.search(before) or re.match(r"\s+(?:were|was|had been|have been)?\s*" + _DEATH.pattern[2:], after))


def _count(text: str) -> int:
    text = text.lower()
    return int(text.replace(",", "")) if text[0].isdigit() else _NUMBER_WORDS[text]


def find_figures(text: str) -> list[Finding]:
    """Casualty figures with quantifier, count and victim group, in sentences that speak of deaths."""
    found = []
    spans = sentences(text)
    for match in _FAMILY.finditer(text):
        if _death_context(text, spans, match.start()):
            found.append(Finding("figure", match.start(), match.end(), match.group(), "figure:family-of-n",
                                 {"count": _count(match.group("count")), "quantifier": "Exactly", "group": "family"}))
    for match in _SUBSET.finditer(text):
        context = _death_context(text, spans, match.start())
        if context and re.match(r"(?:Of|Among) ", text[context[0]:context[1]]):
            found.append(Finding("figure", match.start(), match.start("count") + len(match.group("count")),
                                 match.group("count"), "figure:breakdown-count-were-group",
                                 {"count": _count(match.group("count")), "quantifier": "Exactly",
                                  "group": match.group("group")}))
    for match in _FIGURE.finditer(text):
        context = _death_context(text, spans, match.start())
        if context is None:
            continue
        start, end = context
        tail = text[match.end():end]
        harm, death_after = _NOT_DEATH.search(tail), _DEATH.search(tail)
        if harm is not None and (death_after is None or harm.start() < death_after.start()):
            continue
        if match.group("open") and not _beside_death(text, match, start, end):
            continue  # an unlisted plural ("guards") counts only right beside the word for the deaths
        if _WOUNDED_TOO.search(text, match.end(), end):
            continue  # "killed or wounded": not a count of the dead
        quant = match.group("quant")
        vague = match.group("vague")
        count_text = match.group("count").lower()
        group = " ".join(match.group("group").lower().split())
        attrs: dict[str, object] = {"group": "people" if group == "deaths" else group}
        if vague:
            attrs["quantifier"] = {"dozens": "Dozens", "scores": "Dozens", "several": "Several"}[vague.lower()]
        else:
            attrs["count"] = int(count_text.replace(",", "")) if count_text[0].isdigit() else _NUMBER_WORDS[count_text]
            attrs["quantifier"] = QUANTIFIERS[" ".join(quant.lower().split())] if quant else "Exactly"
        rule = "figure:quantifier-count-group" if quant or vague else "figure:count-group"
        found.append(Finding("figure", match.start(), match.end(), match.group(), rule, attrs))
    found.sort(key=lambda f: f.start)
    return _distribute_quantifiers(text, found)


def _distribute_quantifiers(text: str, figures: list[Finding]) -> list[Finding]:
    """'around 40 troops and 130 civilians': the first quantifier governs the coordinated figure."""
    result = list(figures)
    for i in range(1, len(result)):
        before, figure = result[i - 1], result[i]
        between = text[before.end:figure.start]
        if figure.attrs.get("quantifier") == "Exactly" and re.fullmatch(r"\s+and\s+", between) and \
                before.attrs.get("quantifier") not in ("Exactly", "Dozens", "Several"):
            attrs = {**figure.attrs, "quantifier": before.attrs["quantifier"]}
            result[i] = Finding("figure", figure.start, figure.end, figure.text,
                                "figure:coordinated-quantifier", attrs)
    return result


# --- quotations and who said them ---------------------------------------------------------------------

_QUOTE = re.compile(r"“(?P<a>[^”]{3,})”|\"(?P<b>[^\"\n]{3,})\"")
_TITLES = r"(?:Colonel|Col\.|General|Gen\.|Major|Maj\.|Captain|Capt\.|Lieutenant|Brigadier|Sheikh|Dr\.|Mr\.|Ms\.|Mrs\.)"
_NAME = r"(?:[A-Z][a-z’'-]+(?:\s(?:al-|el-|bin\s|abu\s)?[A-Z][a-z’'-]+){1,3})"
_OUTLET = r"(?P<outlet>(?:the\s)?[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,3}|the\s[a-z]+|us|me)"
_SAID = r"(?:told|said|says|added|stated|wrote|explained)"
_SPEAKER_AFTER = re.compile(
    r"^[\s,]*(?:(?:(?:a|an|the)\s[^,.“\"]{2,60}?,\s)?(?:[a-z]+\s){0,3}?(?:" + _TITLES + r"\s)?(?P<name>" + _NAME + r")|"
    r"(?P<pron>he|she)|(?P<anon>(?:a|an|the|one|another)\s[a-z][a-z ’'-]{2,40}?)|(?P<surname>[A-Z][a-z’'-]+))\s" + _SAID +
    r"(?:\s" + _OUTLET + r")?")
_SAID_NAME_AFTER = re.compile(r"^[\s,]*(?:said|says|added)\s(?:" + _TITLES + r"\s)?(?P<name>" + _NAME + r")")
_SPEAKER_BEFORE = re.compile(
    r"(?:(?:" + _TITLES + r"\s)?(?P<name>" + _NAME + r")|(?P<pron>[Hh]e|[Ss]he)|"
    r"(?P<anon>(?:[Aa]n?|[Tt]he|[Oo]ne|[Aa]nother)\s[a-z][a-z -]{2,40}?))"
    r"(?:,\s(?P<appos>[^,“\"]{2,60}),)?\s(?:further\s)?" + _SAID + r"(?:\s" + _OUTLET + r")?(?:\son[^:“\"]{0,60})?\s?:?\s*$")
_REPORTED_SPEECH = re.compile(
    r"(?:^(?:[Tt]he\s)?(?P<lead>[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,4})\s(?:said|says|reported|stated)\b)|"
    r"(?:,\s(?:(?P<pron>he|she)|(?P<tail>[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,3}))\s(?:said|added)\.?$)|"
    r"(?:according to (?:the\s)?(?P<acc>[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,4}))"
)


def reported_speaker(sentence: str, last_named: str | None) -> tuple[str, str] | None:
    """Who a sentence outside quotation marks attributes itself to, and by which rule:
    'X said …', '…, he said.' (the last named speaker), 'according to X'."""
    match = _REPORTED_SPEECH.search(sentence.strip())
    if match is None:
        return None
    if match.group("lead"):
        return match.group("lead"), "claim:reported-speech-lead"
    if match.group("tail"):
        return match.group("tail"), "claim:reported-speech-tail"
    if match.group("acc"):
        return match.group("acc"), "claim:according-to"
    if match.group("pron") and last_named:
        return last_named, "claim:reported-speech-pronoun"
    return None


ANONYMOUS = re.compile(r"anonym|not to be named|who asked not|unnamed|source\b|activist\b|resident\b|official\b")


_REPORTED_NAME = re.compile(r"(?:" + _TITLES + r"\s)?(?P<name>" + _NAME + r"),?\s(?:[^.“\"]{0,40}\s)?" + _SAID + r"\b")


def _last_reported_speaker(text: str, before: int) -> str | None:
    """The last person named as saying something ('General X said …') in the paragraph before ``before``."""
    paragraph = text.rfind("\n\n", 0, before) + 1
    names = [m.group("name") for m in _REPORTED_NAME.finditer(text, paragraph, before)]
    return names[-1] if names else None


def find_quotations(text: str) -> list[Finding]:
    """Verbatim quotations with their speaker (a name, an anonymous description, or 'he' resolved to the
    last named speaker) and the outlet they were told to."""
    found = []
    last_named: str | None = None
    for match in _QUOTE.finditer(text):
        inner = "a" if match.group("a") is not None else "b"
        start, end = match.start(inner), match.end(inner)
        quote = text[start:end].rstrip(",")
        end = start + len(quote)
        if len(quote.split()) < 3:
            continue  # scare quotes around a word or two ("apostates") are not a quotation
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        before = text[line_start:match.start()]
        after = text[match.end():line_end if line_end >= 0 else len(text)]
        speaker = _SPEAKER_BEFORE.search(before)
        rule = "quotation:speaker-before"
        if speaker is None or (speaker.group("name") is None and speaker.group("pron") is None and speaker.group("anon") is None):
            speaker = _SPEAKER_AFTER.match(after) or _SAID_NAME_AFTER.match(after)
            rule = "quotation:speaker-after"
        attrs: dict[str, object] = {"quotation": quote}
        if speaker is not None:
            groups = dict(speaker.groupdict())
            appositive = groups.get("appos")
            if appositive and re.fullmatch(r"(?:" + _TITLES + r"\s)?" + _NAME, appositive):
                groups.update(name=re.sub(r"^" + _TITLES + r"\s", "", appositive), anon=None, pron=None)
            if groups.get("name"):
                attrs["speaker"] = groups["name"]
                last_named = groups["name"]
            elif groups.get("surname"):
                full = [n for n in re.findall(_NAME, text[:match.start()]) if n.split()[-1] == groups["surname"]]
                attrs["speaker"] = full[-1] if full else groups["surname"]
                rule += "+surname"
            elif groups.get("pron") and (_last_reported_speaker(text, match.start()) or last_named):
                attrs["speaker"] = _last_reported_speaker(text, match.start()) or last_named
                rule += "+pronoun"
            elif groups.get("anon"):
                attrs["speaker"] = re.sub(r"^(?:a|an|the|one|another)\s", "", " ".join(groups["anon"].split()), flags=re.I)
                attrs["anonymous"] = True
            if groups.get("outlet"):
                attrs["outlet"] = groups["outlet"].removeprefix("the ")
        else:
            rule = "quotation:no-speaker"
        if "anonym" in text[line_start:match.start()].lower() and "speaker" in attrs and not attrs.get("anonymous"):
            attrs["anonymous"] = attrs["speaker"] != last_named
        found.append(Finding("quotation", start, end, quote, rule, attrs))
    return found


# --- event cues --------------------------------------------------------------------------------------

EVENT_CUES: tuple[tuple[str, str], ...] = (
    (r"recaptur(?:ed|es|ing|e)|retook|retaken|retakes?|regained control of|regain(?:ed)? control|won back|took back", "Recapture"),
    (r"captur(?:ed|es|ing|e)|seiz(?:ed|es|ing|e)|took control of|overran|overrun|storm(?:ed|ing|s)?|fell to", "Capture"),
    (r"car bombs?|car bombings?|suicide bomb(?:s|ings?|ers?)?|bombings?|(?:an |two |three )?explosions?|IEDs?", "Bombing"),
    (r"beheaded|beheadings?|executed|executions?|massacred|massacres?|murdered", "Killing"),
    (r"clash(?:ed|es)|fighting|fought|battles?", "ArmedClash"),
    (r"offensive|counter-assault|campaign", "MilitaryOperation"),
    (r"attack(?:ed|s)?|assault(?:ed|s)?|(?<!a )(?<!the )shell(?:ed|ing|s)?|struck|air ?strikes?|raid(?:ed|s)?|mortar(?: fire| shells?| rounds?)?|"
     r"rocket fire|sniper fire", "Attack"),
)
_CUE = re.compile("|".join(f"(?P<c{i}>\\b(?:{pattern})\\b)" for i, (pattern, _) in enumerate(EVENT_CUES)), re.I)


def find_events(text: str) -> list[Finding]:
    """Event cues mapped to the ontology's classes ('recaptured' → ckg:Recapture, 'car bombs' → ckg:Bombing)."""
    found = []
    for match in _CUE.finditer(text):
        index = next(i for i in range(len(EVENT_CUES)) if match.group(f"c{i}") is not None)
        cls = EVENT_CUES[index][1]
        found.append(Finding("event", match.start(), match.end(), match.group(), f"event:cue-{cls.lower()}",
                             {"class": cls}))
    return found


# --- dates --------------------------------------------------------------------------------------------

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {m: i + 1 for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july",
                                           "august", "september", "october", "november", "december"))}
_MONTHS.update({m[:3]: n for m, n in list(_MONTHS.items())})
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE = re.compile(
    r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b|"
    r"\b(?P<dm>\d{1,2})\s(?P<dm_month>" + _MONTH + r")(?:\s(?P<dm_year>\d{4}))?\b|"
    r"\b(?P<md_month>" + _MONTH + r")\s(?P<md>\d{1,2})(?:,?\s(?P<md_year>\d{4}))?\b|"
    r"\b(?:on\s)?(?:last\s)?(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b|"
    r"\b(?P<rel>yesterday|today|the following day|the next day|the day before|a day (?:after|later|earlier|before))\b|"
    r"\b(?P<ago>a|one|two|three|four|five|six|seven|\d) days? ago\b",
    re.I,
)


def find_dates(text: str, published: date) -> list[Finding]:
    """Date expressions resolved against the publication date; each names its resolution rule.

    A weekday is the latest such day on or before publication; a day and month without a year take the
    publication's year (the year before if that would be after publication); 'the following day' and 'a
    day after' count from the last date resolved before them in the text.
    """
    found = []
    anchor: date | None = None
    for match in _DATE.finditer(text):
        groups = match.groupdict()
        resolved: date | None = None
        rule = ""
        try:
            if groups["iso"]:
                resolved, rule = date.fromisoformat(groups["iso"]), "date:explicit"
            elif groups["dm"] or groups["md"]:
                day = int(groups["dm"] or groups["md"])
                month = _MONTHS[(groups["dm_month"] or groups["md_month"]).lower().rstrip(".")]
                year = groups["dm_year"] or groups["md_year"]
                if year:
                    resolved, rule = date(int(year), month, day), "date:explicit"
                else:
                    resolved = date(published.year, month, day)
                    if resolved > published:
                        resolved = date(published.year - 1, month, day)
                    rule = "date:day-month-year-of-publication"
            elif groups["weekday"]:
                back = (published.weekday() - _WEEKDAYS.index(groups["weekday"].lower())) % 7
                resolved, rule = published - timedelta(days=back), "date:weekday-on-or-before-publication"
            elif groups["ago"]:
                back = 1 if groups["ago"].lower() in ("a", "one") else _count(groups["ago"])
                resolved, rule = published - timedelta(days=back), "date:days-ago-from-publication"
            elif groups["rel"]:
                rel = groups["rel"].lower()
                if rel == "yesterday":
                    resolved, rule = published - timedelta(days=1), "date:yesterday-from-publication"
                elif rel == "today":
                    resolved, rule = published, "date:today-is-publication"
                elif anchor is not None:
                    # "a day after <they stormed it>": what follows happened the day before the anchor
                    step = -1 if rel in ("the day before", "a day earlier", "a day after") else 1
                    resolved, rule = anchor + timedelta(days=step), "date:relative-to-previous-date"
        except ValueError:
            resolved = None
        if resolved is None:
            continue
        anchor = resolved
        if found and (groups["iso"] or groups["dm"] or groups["md"]) and found[-1].attrs.get("weekday") and \
                re.fullmatch(r",?\s", text[found[-1].end:match.start()]):
            found.pop()  # "Sunday 17 January 2016": the explicit date speaks for both
        found.append(Finding("date", match.start(), match.end(), match.group(), rule,
                             {"date": resolved.isoformat(), "expression": match.group(),
                              "weekday": bool(groups["weekday"])}))
    return found


def extract(text: str, published: date, lexicon: Lexicon) -> list[Finding]:
    """Every finding of every kind, in text order (ties: kind)."""
    findings: Iterable[Finding] = (
        *find_names(text, lexicon), *find_figures(text), *find_quotations(text), *find_events(text),
        *find_dates(text, published),
    )
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind))
