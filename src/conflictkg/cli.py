"""The ``conflictkg`` command: one sub-command per job, each a thin call into its stage."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from conflictkg import __version__
from conflictkg.vocab import BASE

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


@app.command()
def serve(
    files: list[Path] = typer.Argument(None, help="RDF files to serve instead of the release."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port."),
    workers: int = typer.Option(2, min=1, help="Query worker processes (each holds a copy of the data)."),
    timeout: float = typer.Option(30.0, min=0.1, help="Seconds a SPARQL query may run before it is stopped."),
    cors_origin: list[str] = typer.Option(["*"], help="Allowed CORS origin (repeatable)."),
    release: Path = typer.Option(Path("dist"), help="Release directory served when no files are given."),
    base: str = typer.Option(BASE, help="Canonical IRI base the server's own host stands for."),
) -> None:
    """Serve the release (or the given RDF files) read-only: SPARQL endpoint and linked data."""
    import uvicorn

    from conflictkg.store import StoreError
    from conflictkg.web.app import create_app
    from conflictkg.web.config import ServerConfig

    if not files and not (release / "conflictkg.nq.gz").is_file():
        _fail(f"no release in {release}/ (conflictkg.nq.gz is missing): run `conflictkg build` first, or pass RDF files")
    config = ServerConfig(
        release_dir=None if files else release,
        files=list(files or []),
        canonical_base=base,
        cors_origins=cors_origin,
        query_timeout=timeout,
        query_workers=workers,
    )
    try:
        application = create_app(config)
    except StoreError as exc:
        _fail(str(exc))
    uvicorn.run(application, host=host, port=port, log_level="info")


def _fail(message: str) -> NoReturn:
    """Print a one-line error and exit non-zero (no traceback)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
