"""Scoring candidates: name similarity first, then what the context says about the place.

Names alone cannot tell al-Baghiliyah near Deir ez-Zor from Al Baghaliyah near Homs; the article can,
because it puts the place in Deir Ezzor province. A candidate in another admin1 area, of the wrong
kind of feature, or far from the known parent loses most of its score, with a reason that says so.
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
"""Consonants lose short vowels (Baghaliyah and Baghliyah both write بغلية): never a perfect match."""
WRONG_KIND = 0.5
OTHER_ADMIN1 = 0.5
OTHER_COUNTRY = 0.5
FAR_FROM_PARENT = 0.6
OTHER_FEATURE_CODE = 0.9
"""A feature code other than the label's kind word asks for ("province" but a PPL): a mild doubt."""
CONTEXT_BONUS = 0.03


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


@dataclass
class Candidate:
    """A gazetteer record ranked for a query, with the reasons for its score."""

    record: GazetteerRecord
    score: float
    name_score: float
    matched_name: str
    reasons: list[str] = field(default_factory=list)


def name_similarity(query: NameKeys, entry: NameKeys) -> tuple[float, str]:
    """Similarity in 0..1 of two spellings, and how it was compared."""
    if query.arabic and entry.arabic:
        return fuzz.ratio(query.arabic, entry.arabic) / 100, "Arabic script"
    if not query.arabic and not entry.arabic:
        score = fuzz.ratio(query.key, entry.key) / 100
        if query.skeleton == entry.skeleton and len(query.skeleton) >= 2:
            score = max(score, (1 + score) / 2)
        return score, "romanised key"
    score = fuzz.ratio(query.consonants, entry.consonants) / 100 * CROSS_SCRIPT
    if len(query.consonants) < 3:
        score *= 0.9
    return score, "cross-script consonants"


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _best_name(query: NameKeys, entries: list[IndexEntry]) -> tuple[float, IndexEntry, str]:
    best: tuple[float, IndexEntry, str] | None = None
    for entry in entries:
        score, how = name_similarity(query, entry.keys)
        if best is None or score > best[0]:
            best = (score, entry, how)
    assert best is not None
    return best


def score_candidate(
    query: NameKeys, record: GazetteerRecord, entries: list[IndexEntry], context: PlaceContext
) -> Candidate:
    """Name similarity adjusted by feature kind, country, admin1 area and distance."""
    name_score, entry, how = _best_name(query, entries)
    score = name_score
    reasons = [f"name {name_score:.2f} against {entry.name!r} ({how})"]
    if context.kind and context.kind in KIND_FEATURE_CLASSES:
        allowed = KIND_FEATURE_CLASSES[context.kind]
        feature = f"{record.feature_class}.{record.feature_code}".rstrip(".")
        if record.feature_class in allowed:
            score += CONTEXT_BONUS
            reasons.append(f"feature {feature} fits a {context.kind}")
        else:
            score *= WRONG_KIND
            reasons.append(f"feature {feature} is not a {context.kind}")
    if context.feature_codes and record.feature_code:
        if record.feature_code in context.feature_codes:
            score += CONTEXT_BONUS
            reasons.append(f"feature code {record.feature_code} as the label says")
        else:
            score *= OTHER_FEATURE_CODE
            wanted = "/".join(sorted(context.feature_codes))
            reasons.append(f"feature code {record.feature_code}, label asks for {wanted}")
    if context.country and record.country and record.country != context.country:
        score *= OTHER_COUNTRY
        reasons.append(f"in country {record.country}, expected {context.country}")
    if context.admin1 and record.admin1_code:
        if record.admin1_code == context.admin1:
            score += CONTEXT_BONUS
            reasons.append(f"in admin1 {record.admin1_code} as expected")
        else:
            score *= OTHER_ADMIN1
            reasons.append(f"in admin1 {record.admin1_code}, expected {context.admin1}")
    if context.near and record.latitude is not None and record.longitude is not None:
        distance = haversine_km(context.near, (record.latitude, record.longitude))
        where = f" from {context.near_label}" if context.near_label else ""
        if distance <= context.radius_km:
            score += CONTEXT_BONUS
            reasons.append(f"{distance:.0f} km{where}, within {context.radius_km:.0f} km")
        elif distance > 3 * context.radius_km:
            score *= FAR_FROM_PARENT
            reasons.append(f"{distance:.0f} km{where}, too far")
        else:
            score *= 1 - 0.2 * (distance - context.radius_km) / (2 * context.radius_km)
            reasons.append(f"{distance:.0f} km{where}, farther than {context.radius_km:.0f} km")
    return Candidate(record, min(score, 1.0), name_score, entry.name, reasons)


def rank(index: CandidateIndex, name: str, context: PlaceContext | None = None, limit: int = 5) -> list[Candidate]:
    """The best candidates for a name, highest score first (ties: larger population first)."""
    context = context or PlaceContext()
    if not context.feature_codes and (codes := codes_for_label(name)):
        context = replace(context, feature_codes=codes)
    query = name_keys(name)
    if not query.key:
        return []
    scored = [
        score_candidate(query, index.record(gid), entries, context)
        for gid, entries in index.candidates(name).items()
    ]
    scored.sort(key=lambda c: (-c.score, -c.record.population, c.record.geonameid))
    return scored[:limit]


EXACT_THRESHOLD = 0.92
"""At or above: skos:exactMatch."""
CLOSE_THRESHOLD = 0.85
"""At or above (and below EXACT_THRESHOLD): skos:closeMatch. Below: no link."""
AMBIGUITY_MARGIN = 0.03
"""A runner-up this close to the best is a namesake the context could not separate."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The linker's verdict for one place: 'exact', 'close' or None, and why."""

    relation: str | None
    candidate: Candidate | None
    reason: str


def decide(candidates: list[Candidate]) -> Decision:
    """Apply the thresholds; an ambiguous best (runner-up within the margin) is demoted one level."""
    if not candidates:
        return Decision(None, None, "no gazetteer record has a similar name")
    best = candidates[0]
    runner = next((c for c in candidates[1:] if c.record.geonameid != best.record.geonameid), None)
    ambiguous = runner is not None and best.score - runner.score < AMBIGUITY_MARGIN
    if best.score >= EXACT_THRESHOLD and not ambiguous:
        return Decision("exact", best, f"score {best.score:.2f} ≥ {EXACT_THRESHOLD}")
    if best.score >= EXACT_THRESHOLD or (best.score >= CLOSE_THRESHOLD and not ambiguous):
        note = (f"; runner-up {runner.record.name} ({runner.record.geonameid}) at {runner.score:.2f}"
                if ambiguous and runner else "")
        return Decision("close", best, f"score {best.score:.2f} in [{CLOSE_THRESHOLD}, {EXACT_THRESHOLD}){note}")
    if best.score >= CLOSE_THRESHOLD and runner is not None:
        return Decision(
            None, best, f"ambiguous: {best.record.name} ({best.record.geonameid}) {best.score:.2f} vs "
            f"{runner.record.name} ({runner.record.geonameid}) {runner.score:.2f}"
        )
    return Decision(None, best, f"best candidate {best.record.name} ({best.record.geonameid}) scored "
                    f"{best.score:.2f} < {CLOSE_THRESHOLD}")
