"""Long stages say how far they are (count, rate, ETA); a build ends with where its time went."""

from __future__ import annotations

import pytest

from conflictkg.pipeline.progress import Meter, Stages


def test_meter_prints_count_share_rate_and_eta() -> None:
    said: list[str] = []
    meter = Meter("reason", 1000, "triples", said.append, every=0.0)
    meter.started -= 10.0  # as if it had run for ten seconds
    meter.advance(250)
    [line] = said
    assert line.startswith("  reason: 250/1,000 triples (25%), ")
    assert "/s, ETA 30s" in line


def test_meter_without_a_total_says_how_long_so_far() -> None:
    meter = Meter("link", None, "triples", lambda _: None)
    meter.advance(5)
    assert "5 triples" in meter.line() and "so far" in meter.line()


def test_meter_is_quiet_between_intervals() -> None:
    said: list[str] = []
    meter = Meter("load", 10, "bytes", said.append, every=3600.0)
    for _ in range(10):
        meter.advance()
    assert said == []


def test_stages_are_timed_even_when_they_fail() -> None:
    stages = Stages()
    with stages.stage("load"):
        pass
    with pytest.raises(RuntimeError), stages.stage("validate"):
        raise RuntimeError("broken")
    assert [t.name for t in stages.timings] == ["load", "validate"]
    table = stages.summary().splitlines()
    assert table[0].split() == ["stage", "seconds", "CPU", "s", "peak", "RSS"]
    assert table[-1].startswith("total")
    data = stages.as_dict()
    assert [s["name"] for s in data["stages"]] == ["load", "validate"]  # type: ignore[index]
    assert data["peak_rss"] > 0
