"""Candidate lookup over a gazetteer's name keys.

Three exact lookups (folded Arabic, Latin key, consonant skeleton) find the easy cases; rapidfuzz
over all Latin keys and all consonantal keys (the cross-script bridge) finds near spellings. An
index is built once per gazetteer fingerprint and kept in a small in-process cache: building it for
Syria (a few thousand records) takes well under a second (see bench/bench_gazetteer.py), while the
slow part, parsing dump files, is already cached on disk by ``sources.load_gazetteer``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from conflictkg.gazetteer.normalise import NameKeys, name_keys
from conflictkg.gazetteer.sources import Gazetteer, GazetteerRecord

FUZZY_CUTOFF = 70.0
"""rapidfuzz ratio (0-100) under which a Latin key is not even a candidate."""


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One name of one record, with its keys."""

    geonameid: int
    name: str
    keys: NameKeys


class CandidateIndex:
    """Name keys → entries, for one gazetteer."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.entries: list[IndexEntry] = []
        self._by_key: dict[str, list[int]] = {}
        self._by_skeleton: dict[str, list[int]] = {}
        self._by_arabic: dict[str, list[int]] = {}
        for rec in gazetteer.records.values():
            seen: set[tuple[str, str]] = set()
            for name in rec.names:
                keys = name_keys(name)
                if not keys.key or (keys.key, keys.arabic) in seen:
                    continue  # a spelling that differs only in what the keys fold away adds no candidate
                seen.add((keys.key, keys.arabic))
                pos = len(self.entries)
                self.entries.append(IndexEntry(rec.geonameid, name, keys))
                self._by_key.setdefault(keys.key, []).append(pos)
                if keys.skeleton:
                    self._by_skeleton.setdefault(keys.skeleton, []).append(pos)
                if keys.arabic:
                    self._by_arabic.setdefault(keys.arabic, []).append(pos)
        self._latin_positions = [i for i, e in enumerate(self.entries) if not e.keys.arabic]
        self._latin_keys = [self.entries[i].keys.key for i in self._latin_positions]
        self._consonants = [e.keys.consonants for e in self.entries]

    def record(self, geonameid: int) -> GazetteerRecord:
        """The record behind an entry."""
        return self.gazetteer.records[geonameid]

    def candidates(self, name: str, limit: int = 50) -> dict[int, list[IndexEntry]]:
        """Entries that may name the same place as ``name``, grouped by GeoNames id."""
        keys = name_keys(name)
        positions: set[int] = set()
        if keys.arabic:
            positions.update(self._by_arabic.get(keys.arabic, ()))
        positions.update(self._by_key.get(keys.key, ()))
        if keys.skeleton:
            positions.update(self._by_skeleton.get(keys.skeleton, ()))
        if keys.key and not keys.arabic:
            for _, _, i in process.extract(
                keys.key, self._latin_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=limit
            ):
                positions.add(self._latin_positions[i])
        if keys.consonants:
            for _, _, i in process.extract(
                keys.consonants, self._consonants, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=limit
            ):
                positions.add(i)
        grouped: dict[int, list[IndexEntry]] = {}
        for pos in positions:
            entry = self.entries[pos]
            grouped.setdefault(entry.geonameid, []).append(entry)
        return grouped


_CACHE: OrderedDict[str, CandidateIndex] = OrderedDict()
_CACHE_SIZE = 4


def index_for(gazetteer: Gazetteer) -> CandidateIndex:
    """The index of a gazetteer, built on first use and reused while its fingerprint is unchanged."""
    key = gazetteer.fingerprint()
    index = _CACHE.get(key)
    if index is None:
        index = CandidateIndex(gazetteer)
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return index
