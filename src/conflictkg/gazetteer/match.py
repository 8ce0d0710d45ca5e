"""Scoring candidates: name similarity first, then what the context says about the place.

Names alone cannot tell al-Baghiliyah near Deir ez-Zor from Al Baghaliyah near Homs; the article can,
because it puts the place in Deir Ezzor province. A candidate in another admin1 area, of the wrong
kind of feature, or far from the known parent loses most of its score, with a reason that says so.

The name carries almost all of a score and context only gates it or adds a little, so scores rank
instead of saturating; the link decision (``decide``) compares the best score with a threshold per
kind of name comparison and with the runner-up, numbers fitted on held-out GeoNames names by
``evaluation.calibrate``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from conflictkg.gazetteer.index import CandidateIndex, IndexEntry
from conflictkg.gazetteer.normalise import NameKeys, kind_words, name_keys
from conflictkg.gazetteer.sources import GazetteerRecord

KIND_FEATURE_CLASSES: dict[str, frozenset[str]] = {
    "settlement": frozenset("P"),
    "neighbourhood": frozenset("P"),
    "admin": frozenset("A"),
    "facility": frozenset("S"),
    "landmark": frozenset("ST"),
    "river": frozenset("H"),
}
"""Which GeoNames feature classes each kind of place may be."""

KIND_WORD_CODES: dict[str, frozenset[str]] = {
    "province": frozenset({"ADM1"}),
    "governorate": frozenset({"ADM1"}),
    "muhafazah": frozenset({"ADM1"}),
    "district": frozenset({"ADM2"}),
    "airport": frozenset({"AIRP", "AIRB", "AIRF", "AIRQ"}),
    "airbase": frozenset({"AIRB"}),
    "camp": frozenset({"MILB", "CMP"}),
    "river": frozenset({"STM"}),
}
"""Feature codes a kind word in a label asks for."""


def codes_for_label(label: str) -> frozenset[str]:
    """The GeoNames feature codes the kind words of a label point to ("Deir Ezzor province" → ADM1)."""
    codes: set[str] = set()
    for word in kind_words(label):
        codes |= KIND_WORD_CODES.get(word, frozenset())
    return frozenset(codes)


CROSS_SCRIPT = 0.95
"""Arabic script drops short vowels (Baghaliyah and Baghliyah both write بغلية): never a perfect match."""
SAME_NAME = 1.0
"""The very string (case aside) is one of the record's names."""
SAME_FOLDED = 0.99
"""Equal once diacritics, ayn marks, spacing (Latin) or hamza seats, taa marbuta... (Arabic) are folded."""
SAME_KEY = 0.97
"""Equal romanised keys ("Dayr az Zawr", "Deir ez-Zor"): a romanisation choice, not a different name."""
SIMILAR_CAP = 0.96
"""A name that is only similar never reaches an equal one."""

WRONG_KIND = 0.5
OTHER_ADMIN1 = 0.5
OTHER_COUNTRY = 0.5
FAR_FROM_PARENT = 0.6
OTHER_FEATURE_CODE = 0.9
"""A feature code other than the label's kind word asks for ("province" but a PPL): a mild doubt."""
AREA_NOT_ASKED = 0.95
"""An administrative area when the label names no kind: "Deir Ezzor" is the city, not its governorate."""

NAME_WEIGHT = 0.97
"""Share of the score the name carries; the rest is small context and prior evidence, so that scores
rank (two records equal by name are still told apart) and never saturate at 1."""
FIT_BONUS = 0.01
"""Each of: in the expected admin1 area; within the radius of the known parent or point."""
KIND_BONUS = 0.005
"""The feature class fits the kind of place asked for."""
CODE_BONUS = 0.02
"""The feature code is the one the label's kind word asks for ("province" → ADM1)."""
POPULATION_BONUS = 0.005
"""At most (a population of 10 million), growing with log10: the better-known place of a name ranks first."""


@dataclass(frozen=True, slots=True)
class PlaceContext:
    """What is known about a place besides its name."""

    kind: str | None = None
    country: str | None = None
    admin1: str | None = None
    """GeoNames admin1 key of the containing province, e.g. "SY.07"."""
    near: tuple[float, float] | None = None
    """(lat, lon) of the place itself or of its nearest known parent."""
    radius_km: float = 30.0
    near_label: str = ""
    feature_codes: frozenset[str] = frozenset()
    """GeoNames feature codes the label's kind words ask for ("province" → ADM1); empty: no preference."""
    feature_classes: frozenset[str] = frozenset()
    """Only records of these GeoNames feature classes are candidates (a reconciliation type); empty: all."""


@dataclass
class Candidate:
    """A gazetteer record ranked for a query, with the reasons for its score."""

    record: GazetteerRecord
    score: float
    name_score: float
    matched_name: str
    how: str = "romanised key"
    """How the names were compared: "Latin", "Arabic script" or "cross-script"."""
    reasons: list[str] = field(default_factory=list)


def name_similarity(query: NameKeys, entry: NameKeys) -> tuple[float, str]:
    """Similarity in 0..1 of two spellings by their keys, and how they were compared.

    Equal folded forms score SAME_FOLDED and equal keys SAME_KEY; anything else at most SIMILAR_CAP,
    and a comparison across scripts at most CROSS_SCRIPT.
    """
    if query.arabic and entry.arabic:
        if query.arabic == entry.arabic:
            return SAME_FOLDED, "Arabic script"
        return min(fuzz.ratio(query.arabic, entry.arabic) / 100, SIMILAR_CAP), "Arabic script"
    if not query.arabic and not entry.arabic:
        if query.plain == entry.plain:
            return SAME_FOLDED, "Latin"
        if query.key == entry.key:
            return SAME_KEY, "Latin"
        score = fuzz.ratio(query.key, entry.key) / 100
        if query.skeleton == entry.skeleton and len(query.skeleton) >= 2:
            score = max(score, (1 + score) / 2)
        return min(score, SIMILAR_CAP), "Latin"
    score = max(fuzz.ratio(query.consonants, entry.consonants), fuzz.ratio(query.key, entry.key)) / 100
    score *= CROSS_SCRIPT
    if len(query.consonants) < 3:
        score *= 0.9
    return score, "cross-script"


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _best_name(
    query: NameKeys, text: str, record: GazetteerRecord, entries: list[IndexEntry]
) -> tuple[float, str, str]:
    how = "Arabic script" if query.arabic else "Latin"
    literal = text.strip().casefold()
    if literal and (same := next((n for n in record.names if n.casefold() == literal), None)):
        return SAME_NAME, same, how
    if same := next((n for n in record.names if _folded_equal(query, name_keys(n))), None):
        return SAME_FOLDED, same, how
    best: tuple[float, str, str] | None = None
    for entry in entries:
        score, how = name_similarity(query, entry.keys)
        if best is None or score > best[0]:
            best = (score, entry.name, how)
    assert best is not None
    return best


def _folded_equal(query: NameKeys, other: NameKeys) -> bool:
    if query.arabic:
        return query.arabic == other.arabic
    return bool(query.plain) and query.plain == other.plain


def _population_prior(population: int) -> float:
    return POPULATION_BONUS * min(1.0, math.log10(1 + max(population, 0)) / 7)


def score_candidate(
    query: NameKeys, record: GazetteerRecord, entries: list[IndexEntry], context: PlaceContext, text: str = ""
) -> Candidate:
    """Name similarity, gated by feature kind, country, admin1 area and distance, plus small priors.

    The name carries NAME_WEIGHT of the score; a context that contradicts the record multiplies it
    down; a context that fits and the population add a little, never enough to lift a weak name.
    """
    name_score, matched, how = _best_name(query, text, record, entries)
    score = name_score * NAME_WEIGHT
    bonus = 0.0
    reasons = [f"name {name_score:.2f} against {matched!r} ({how})"]
    feature = f"{record.feature_class}.{record.feature_code}".rstrip(".")
    if context.kind and context.kind in KIND_FEATURE_CLASSES:
        if record.feature_class in KIND_FEATURE_CLASSES[context.kind]:
            bonus += KIND_BONUS
            reasons.append(f"feature {feature} fits a {context.kind}")
        else:
            score *= WRONG_KIND
            reasons.append(f"feature {feature} is not a {context.kind}")
    if context.feature_codes and record.feature_code:
        if record.feature_code in context.feature_codes:
            bonus += CODE_BONUS
            reasons.append(f"feature code {record.feature_code} as the label says")
        else:
            score *= OTHER_FEATURE_CODE
            wanted = "/".join(sorted(context.feature_codes))
            reasons.append(f"feature code {record.feature_code}, label asks for {wanted}")
    elif not context.feature_codes and context.kind in (None, "settlement") and record.feature_class == "A" \
            and record.feature_code.startswith("ADM"):
        score *= AREA_NOT_ASKED
        reasons.append(f"an administrative area ({record.feature_code}) where the label names no kind")
    if context.country and record.country and record.country != context.country:
        score *= OTHER_COUNTRY
        reasons.append(f"in country {record.country}, expected {context.country}")
    if context.admin1 and record.admin1_code:
        if record.admin1_code == context.admin1:
            bonus += FIT_BONUS
            reasons.append(f"in admin1 {record.admin1_code} as expected")
        else:
            score *= OTHER_ADMIN1
            reasons.append(f"in admin1 {record.admin1_code}, expected {context.admin1}")
    if context.near and record.latitude is not None and record.longitude is not None:
        distance = haversine_km(context.near, (record.latitude, record.longitude))
        where = f" from {context.near_label}" if context.near_label else ""
        if distance <= context.radius_km:
            bonus += FIT_BONUS
            reasons.append(f"{distance:.0f} km{where}, within {context.radius_km:.0f} km")
        elif distance > 3 * context.radius_km:
            score *= FAR_FROM_PARENT
            reasons.append(f"{distance:.0f} km{where}, too far")
        else:
            score *= 1 - 0.2 * (distance - context.radius_km) / (2 * context.radius_km)
            reasons.append(f"{distance:.0f} km{where}, farther than {context.radius_km:.0f} km")
    if record.population:
        bonus += _population_prior(record.population)
        reasons.append(f"population {record.population:,}")
    return Candidate(record, min(score + bonus, 1.0), name_score, matched, how, reasons)


def rank(index: CandidateIndex, name: str, context: PlaceContext | None = None, limit: int = 5) -> list[Candidate]:
    """The best candidates for a name, highest score first (ties: larger population, then lower id)."""
    context = context or PlaceContext()
    if not context.feature_codes and (codes := codes_for_label(name)):
        context = replace(context, feature_codes=codes)
    query = name_keys(name)
    if not query.key:
        return []
    scored = [
        score_candidate(query, index.record(gid), entries, context, name)
        for gid, entries in index.candidates(name).items()
        if not context.feature_classes or index.record(gid).feature_class in context.feature_classes
    ]
    scored.sort(key=lambda c: (-c.score, -c.record.population, c.record.geonameid))
    return scored[:limit]


LINK_THRESHOLDS: dict[str, float] = {"Latin": 0.865, "Arabic script": 0.835, "cross-script": 0.805}
"""Score at or above which the best candidate is linked, by how its name was compared; calibrated on
the calibration split of evaluation.build_labelled_set (bench/bench_gazetteer.py prints the fit)."""
AMBIGUITY_MARGIN = 0.01
"""The best must lead the runner-up (another record) by this much, else it is a namesake the context
could not separate and nothing is linked; calibrated with LINK_THRESHOLDS."""
EXACT_NAME = SAME_KEY
"""A link whose name is equal at least by key is skos:exactMatch; a merely similar one skos:closeMatch."""
EXACT_THRESHOLD = LINK_THRESHOLDS["Latin"]
"""The lowest score that can be an exact match (used where no decision is made, e.g. to resolve `within`)."""
CLOSE_THRESHOLD = min(LINK_THRESHOLDS.values())
"""The lowest score any link can have."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The linker's verdict for one place: 'exact', 'close' or None, and why."""

    relation: str | None
    candidate: Candidate | None
    reason: str


def decide(
    candidates: list[Candidate], thresholds: dict[str, float] | None = None, margin: float | None = None
) -> Decision:
    """Link the best candidate when its score reaches the threshold for how its name was compared and
    it leads the runner-up by the margin; otherwise say why not (weak, or ambiguous between two)."""
    thresholds = thresholds or LINK_THRESHOLDS
    margin = AMBIGUITY_MARGIN if margin is None else margin
    if not candidates:
        return Decision(None, None, "no gazetteer record has a similar name")
    best = candidates[0]
    threshold = thresholds[best.how]
    runner = next((c for c in candidates[1:] if c.record.geonameid != best.record.geonameid), None)
    lead = best.score - runner.score if runner else best.score
    who = f"{best.record.name} ({best.record.geonameid})"
    if best.score < threshold:
        return Decision(None, best, f"best candidate {who} scored {best.score:.3f} < {threshold:.3f} "
                        f"({best.how} threshold)")
    if runner is not None and lead < margin:
        return Decision(None, best, f"ambiguous: {who} {best.score:.3f} vs {runner.record.name} "
                        f"({runner.record.geonameid}) {runner.score:.3f}, less than {margin:.3f} apart")
    relation = "exact" if best.name_score >= EXACT_NAME else "close"
    ahead = (f"{lead:.3f} ahead of {runner.record.name} ({runner.record.geonameid})" if runner
             else "no other candidate")
    return Decision(relation, best, f"score {best.score:.3f} ≥ {threshold:.3f} ({best.how}), {ahead}; "
                    f"name {'equal' if relation == 'exact' else 'similar'} ({best.name_score:.2f})")
