"""The ``conflictkg`` command: one sub-command per job, each a thin call into its stage."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from conflictkg import __version__
from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.build import build, validate_asserted
from conflictkg.pipeline.sources import load

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


ROOT_OPTION = typer.Option(Path("."), "--root", help="Project root holding ontology/, shapes/ and data/.")


def _fail(exc: Exception) -> NoReturn:
    """Print a pipeline error for the person who can fix the input, and exit 1 without a traceback."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


@app.command("build")
def build_command(
    root: Path = ROOT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Release directory to write (default: ROOT/dist)."),
) -> None:
    """Load, check evidence, validate, reason and write a release directory atomically."""
    try:
        build(root, out, progress=typer.echo)
    except (PipelineError, OSError) as exc:
        _fail(exc)


@app.command("validate")
def validate_command(root: Path = ROOT_OPTION) -> None:
    """Validate data and links against the SHACL shapes; exit 0 if they conform, 1 otherwise."""
    try:
        validation = validate_asserted(load(root))
    except (PipelineError, OSError) as exc:
        _fail(exc)
    typer.echo(validation.describe(), err=not validation.conforms)
    if not validation.conforms:
        raise typer.Exit(1)
