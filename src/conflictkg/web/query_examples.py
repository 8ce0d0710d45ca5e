"""The example (competency) queries offered in the query UI, read from ``*.rq`` files.

The files are the release's ``queries/<name>.rq`` (copied from data/queries by the build), so the UI
shows the questions of the very data it serves. A query file's first comment line is the question it
answers; the rest is the query, shown verbatim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ExampleQuery:
    """A named query and the question it answers."""

    name: str
    question: str
    text: str


def load_examples(paths: Iterable[Path]) -> tuple[ExampleQuery, ...]:
    """Every readable ``*.rq`` file of ``paths``, sorted by file name; unreadable files are left out."""
    examples = []
    for path in sorted(p for p in paths if p.suffix == ".rq"):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        examples.append(ExampleQuery(path.stem, _question(text) or path.stem.replace("-", " "), text))
    return tuple(examples)


def _question(text: str) -> str | None:
    """The first comment line, without its ``#``."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            question = stripped.lstrip("#").strip()
            if question:
                return question
        elif stripped:
            return None
    return None
