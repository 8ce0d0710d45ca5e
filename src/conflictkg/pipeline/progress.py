"""Stage timing and progress for the build: what runs, how far it is, how long each stage took.

At 100,000 events a build runs for minutes; a user watching it needs to see which stage is running,
how many items it has done, at what rate and when it will end, and afterwards where the time and the
memory went. :class:`Stages` measures each stage (wall seconds and the process's peak resident set
so far) and prints a summary table; :class:`Meter` reports count, rate and ETA of a long loop at most
every few seconds, so the output stays readable in a log.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Progress = Callable[[str], None]
"""Where progress lines go (``typer.echo`` on the command line, nothing in library use)."""


def quiet(_: str) -> None:
    """A progress sink that says nothing."""


def peak_rss_bytes() -> int:
    """The peak resident set size of this process so far, plus that of its largest finished child
    (a stage run in a forked process): an upper bound of what the build held at once."""
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux kilobytes
    return sum(resource.getrusage(who).ru_maxrss * scale
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def cpu_seconds() -> float:
    """CPU seconds of this process (all threads) and of its children that have ended."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f}s"
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


@dataclass
class Meter:
    """Count, rate and ETA of one long loop, printed at most every ``every`` seconds."""

    stage: str
    total: int | None
    unit: str
    progress: Progress
    every: float = 5.0
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    _last: float = field(default_factory=time.monotonic)

    def advance(self, count: int = 1) -> None:
        """Record ``count`` more items; print a line if the last one is old enough."""
        self.done += count
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self.progress(self.line(now))

    def line(self, now: float | None = None) -> str:
        """``stage: done/total unit, rate/s, ETA`` (no ETA without a total)."""
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        rate = self.done / elapsed
        if self.total:
            eta = (self.total - self.done) / rate if rate > 0 else float("inf")
            share = min(100.0, 100.0 * self.done / self.total)
            left = _duration(eta) if eta != float("inf") else "?"
            return f"  {self.stage}: {self.done:,}/{self.total:,} {self.unit} ({share:.0f}%), {rate:,.0f}/s, ETA {left}"
        return f"  {self.stage}: {self.done:,} {self.unit}, {rate:,.0f}/s, {_duration(elapsed)} so far"


@dataclass(frozen=True)
class StageTiming:
    """One finished stage: its name, wall and CPU seconds (all threads) and the peak RSS when it ended.

    On a shared machine wall time grows with the other load; CPU time says what the stage itself cost
    (a stage run in a forked child counts where the child is collected).
    """

    name: str
    seconds: float
    cpu: float
    peak_rss: int


@dataclass
class Stages:
    """The stages of one build, timed in order."""

    progress: Progress = quiet
    timings: list[StageTiming] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` and record it once it ends (also when it fails)."""
        started, cpu = time.monotonic(), cpu_seconds()
        try:
            yield
        finally:
            self.timings.append(StageTiming(name, time.monotonic() - started, cpu_seconds() - cpu,
                                            peak_rss_bytes()))

    def meter(self, stage: str, total: int | None, unit: str) -> Meter:
        """A meter for a long loop of this build, printing through its progress sink."""
        return Meter(stage, total, unit, self.progress)

    def summary(self) -> str:
        """A table of stage wall and CPU seconds and peak RSS, with the totals."""
        width = max((len(t.name) for t in self.timings), default=5)
        lines = [f"{'stage':<{width}}  {'seconds':>8}  {'CPU s':>8}  {'peak RSS':>9}"]
        for t in self.timings:
            lines.append(f"{t.name:<{width}}  {t.seconds:8.1f}  {t.cpu:8.1f}  {t.peak_rss / 2**20:7.0f}MB")
        wall, cpu = sum(t.seconds for t in self.timings), sum(t.cpu for t in self.timings)
        lines.append(f"{'total':<{width}}  {wall:8.1f}  {cpu:8.1f}  {peak_rss_bytes() / 2**20:7.0f}MB")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The timings as JSON-ready data (for bench/ and ``conflictkg build --timings``)."""
        return {
            "stages": [{"name": t.name, "seconds": round(t.seconds, 3), "cpu": round(t.cpu, 3),
                        "peak_rss": t.peak_rss} for t in self.timings],
            "seconds": round(sum(t.seconds for t in self.timings), 3),
            "cpu": round(sum(t.cpu for t in self.timings), 3),
            "peak_rss": peak_rss_bytes(),
        }
