"""Score the drafting rules against hand-made gold annotations: precision and recall per kind.

Gold files (tests/fixtures/reports/gold/<name>.json) give each annotation by its text and occurrence
rather than by offsets, so they stay readable; offsets are found in the raw text here. A finding
matches a gold annotation of its kind when the spans overlap and the attributes that matter agree:
count and quantifier for figures, the speaker for quotations, the class for event cues, the resolved
day for dates. Places are scored twice: as mentions (span), and by their gazetteer identifier.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from conflictkg.ingest.extract import Finding, Lexicon, extract

KINDS = ("place", "figure", "quotation", "event", "date")


@dataclass(frozen=True)
class Gold:
    """One gold annotation with its offsets in the raw text."""

    kind: str
    start: int
    end: int
    attrs: dict[str, object]


@dataclass
class Score:
    """Counts for one kind; precision and recall from them."""

    true_positives: int = 0
    predicted: int = 0
    gold: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0


def load_gold(text: str, path: Path) -> tuple[date, list[Gold]]:
    """The publication date and the annotations of a gold file, located in ``text``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for item in data["annotations"]:
        occurrences = [m.start() for m in re.finditer(re.escape(item["text"]), text)]
        if not occurrences:
            raise ValueError(f"{path.name}: {item['text']!r} is not in the text")
        wanted = occurrences if item.get("occurrence") == "all" else [occurrences[int(item.get("occurrence", 1)) - 1]]
        for start in wanted:
            attrs = {k: v for k, v in item.items() if k not in ("kind", "text", "occurrence")}
            found.append(Gold(item["kind"], start, start + len(item["text"]), attrs))
    return date.fromisoformat(data["published"]), found


def _agrees(finding: Finding, gold: Gold) -> bool:
    if finding.kind != gold.kind or finding.end <= gold.start or gold.end <= finding.start:
        return False
    a, g = finding.attrs, gold.attrs
    if gold.kind == "figure":
        return a.get("count") == g.get("count") and a.get("quantifier") == g["quantifier"] and \
            str(g["group"]).split()[-1] in str(a.get("group", ""))
    if gold.kind == "quotation":
        return str(g["speaker"]).lower() in str(a.get("speaker", "")).lower() or \
            str(a.get("speaker", "x")).lower() in str(g["speaker"]).lower()
    if gold.kind == "event":
        return a.get("class") == g["class"]
    if gold.kind == "date":
        return a.get("date") == g["date"]
    return True


def score(text: str, published: date, gold: list[Gold], lexicon: Lexicon) -> dict[str, Score]:
    """Per kind, plus ``place-id`` (gazetteer identifiers of matched places), for one report."""
    findings = [f for f in extract(text, published, lexicon) if f.kind in KINDS]
    scores = {kind: Score() for kind in (*KINDS, "place-id")}
    unmatched = list(gold)
    for finding in findings:
        scores[finding.kind].predicted += 1
        match = next((g for g in unmatched if _agrees(finding, g)), None)
        if match is None:
            scores[finding.kind].false_alarms.append(f"{finding.text!r} {finding.attrs}")
            continue
        unmatched.remove(match)
        scores[finding.kind].true_positives += 1
        if finding.kind == "place" and finding.attrs.get("gazetteer"):
            identifier = scores["place-id"]
            identifier.predicted += 1
            if finding.attrs["gazetteer"] == match.attrs.get("gazetteer"):
                identifier.true_positives += 1
            else:
                identifier.false_alarms.append(f"{finding.text!r} → {finding.attrs['gazetteer']}")
    for item in gold:
        scores[item.kind].gold += 1
        if item.kind == "place" and item.attrs.get("gazetteer"):
            scores["place-id"].gold += 1
    for item in unmatched:
        scores[item.kind].misses.append(f"{text[item.start:item.end]!r} {item.attrs}")
    return scores


def combine(per_report: list[dict[str, Score]]) -> dict[str, Score]:
    """Micro-averaged totals over reports."""
    total = {kind: Score() for kind in (*KINDS, "place-id")}
    for scores in per_report:
        for kind, s in scores.items():
            t = total[kind]
            t.true_positives += s.true_positives
            t.predicted += s.predicted
            t.gold += s.gold
            t.misses += s.misses
            t.false_alarms += s.false_alarms
    return total
