"""The ``conflictkg`` command: one sub-command per job, each a thin call into its stage."""

from __future__ import annotations

import typer

from conflictkg import __version__

app = typer.Typer(
    name="conflictkg",
    help="Build, validate, link and serve the conflict knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """conflictkg: news reports of armed conflict as an evidence-anchored knowledge graph."""


@app.command()
def version() -> None:
    """Print the package version."""
    typer.echo(__version__)
