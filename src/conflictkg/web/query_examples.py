"""The example (competency) queries offered in the query UI, read from ``*.rq`` files.

A query file's first comment line is the question it answers; the rest is the query, shown verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ExampleQuery:
    """A named query and the question it answers."""

    name: str
    question: str
    text: str


def load_examples(directory: Path | None) -> tuple[ExampleQuery, ...]:
    """Every readable ``*.rq`` file in ``directory`` (none if it is absent), sorted by file name."""
    if directory is None or not directory.is_dir():
        return ()
    examples = []
    for path in sorted(directory.glob("*.rq")):
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
