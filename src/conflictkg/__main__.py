"""Allow ``python -m conflictkg`` where the console script is not on PATH."""

from conflictkg.cli import app

app()
