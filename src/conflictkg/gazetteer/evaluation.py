"""A labelled set of (name variant → GeoNames id) built from real GeoNames records, and its scoring.

Held-out variants: a deterministic third of each record's Latin and Arabic alternate names is taken
out of the index, so that no query string is in the index verbatim. A deterministic sixth of the
records is taken out whole: querying their names must link nothing, and those whose names resemble
a record still indexed are the confusable pairs (a linker that links them is wrong). Every query
carries its record's admin1 area as context, as the article gives a province for each place; the
name-only figures are reported beside them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from conflictkg.gazetteer.index import CandidateIndex
from conflictkg.gazetteer.match import PlaceContext, decide, rank
from conflictkg.gazetteer.normalise import is_arabic, name_keys
from conflictkg.gazetteer.sources import Gazetteer, GazetteerRecord


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    """A spelling, the record it names (None: not in the index), and the context given with it."""

    name: str
    gold: int | None
    context: PlaceContext
    arabic: bool
    confusable: bool = False


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 of one linker on one labelled set."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    positives: int


def _bucket(text: str, modulo: int) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest(), 16) % modulo


def build_labelled_set(full: Gazetteer) -> tuple[Gazetteer, list[LabelledQuery]]:
    """The reduced gazetteer to index and the queries against it (see the module docstring)."""
    dropped = {gid for gid, rec in full.records.items() if rec.feature_class == "P" and _bucket(str(gid), 6) == 0}
    held: dict[int, list[str]] = {}
    for gid, rec in full.records.items():
        if gid in dropped:
            continue
        held[gid] = [n for n in rec.names[1:] if _bucket(n, 3) == 0 and name_keys(n).key]
    held_strings = {n for names in held.values() for n in names}
    kept: dict[int, GazetteerRecord] = {}
    for gid, rec in full.records.items():
        if gid in dropped:
            continue
        names = tuple(n for n in rec.names if n not in held_strings) or (rec.name,)
        kept[gid] = replace(rec, names=names)
    reduced = Gazetteer(kept, list(full.sources))
    index = CandidateIndex(reduced)
    queries: list[LabelledQuery] = []
    for gid, names in held.items():
        rec = full.records[gid]
        ctx = PlaceContext(kind="settlement" if rec.feature_class == "P" else None, admin1=rec.admin1_code or None)
        queries.extend(LabelledQuery(n, gid, ctx, is_arabic(n)) for n in names if n not in kept[gid].names)
    for gid in sorted(dropped):
        rec = full.records[gid]
        ctx = PlaceContext(kind="settlement", admin1=rec.admin1_code or None)
        for name in rec.names:
            if not name_keys(name).key:
                continue
            best = rank(index, name, PlaceContext(), limit=1)
            confusable = bool(best) and best[0].name_score >= 0.8
            queries.append(LabelledQuery(name, None, ctx, is_arabic(name), confusable))
    return reduced, queries


Linker = Callable[[LabelledQuery], int | None]
"""Given a query, the GeoNames id it links to, or None."""


def ckg_linker(index: CandidateIndex, *, use_context: bool = True) -> Linker:
    """This package's linker: normalised keys, context scoring and the decision thresholds."""

    def link(q: LabelledQuery) -> int | None:
        decision = decide(rank(index, q.name, q.context if use_context else PlaceContext()))
        return decision.candidate.record.geonameid if decision.relation and decision.candidate else None

    return link


def exact_match_linker(gazetteer: Gazetteer) -> Linker:
    """Peer: case-insensitive exact string match, linked only when exactly one record has the name."""
    by_name: dict[str, set[int]] = {}
    for rec in gazetteer.records.values():
        for name in rec.names:
            by_name.setdefault(name.casefold(), set()).add(rec.geonameid)

    def link(q: LabelledQuery) -> int | None:
        ids = by_name.get(q.name.casefold(), set())
        return next(iter(ids)) if len(ids) == 1 else None

    return link


def plain_rapidfuzz_linker(gazetteer: Gazetteer, cutoff: float = 90.0) -> Linker:
    """Peer: rapidfuzz WRatio on unnormalised names, best match above the cutoff, no context."""
    names: list[str] = []
    ids: list[int] = []
    for rec in gazetteer.records.values():
        for name in rec.names:
            names.append(name)
            ids.append(rec.geonameid)

    def link(q: LabelledQuery) -> int | None:
        hit = process.extractOne(q.name, names, scorer=fuzz.WRatio, score_cutoff=cutoff)
        return ids[hit[2]] if hit else None

    return link


def evaluate(linker: Linker, queries: list[LabelledQuery]) -> Scores:
    """Micro-averaged precision/recall/F1; a link to the wrong record is a false positive."""
    tp = fp = 0
    positives = sum(1 for q in queries if q.gold is not None)
    for q in queries:
        got = linker(q)
        if got is None:
            continue
        if got == q.gold:
            tp += 1
        else:
            fp += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / positives if positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, positives)
