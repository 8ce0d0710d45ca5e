"""The query engine: a read-only pyoxigraph store opened from a release or built from RDF files.

pyoxigraph answers SPARQL 15-160x faster than rdflib's engine on the same data (shared/facts), so the
server queries here; rdflib stays the tool of the build pipeline. The store keeps the named graphs of a
release apart; the SPARQL default graph is the union of the asserted graphs, never the inferred one,
unless a caller asks for it.

A release carries its store on disk (``store/``, written by ``build_store``): every server process
opens it read-only, so 3 M triples cost one copy in the page cache instead of one parse and one copy
per process. RDF files (and a release without ``store/``) get the same treatment through a cache
directory: the store is built once, keyed by the files' checksums, and reused while they are unchanged.
Without a cache directory the data is parsed into memory, as tests and small files want.

Known deviation: Oxigraph normalises literals as it stores them (oxigraph issue #526, no option to turn
it off): integer-derived datatypes such as xsd:nonNegativeInteger come back as xsd:integer, and numeric
lexical forms become canonical ("05" → "5"). Values compare the same; the dumps keep the original terms.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from conflictkg.checksums import file_sha256
from conflictkg.parse_errors import located, one_line, oxigraph_complaint
from conflictkg.query_rewrite import plan_for_oxigraph
from conflictkg.vocab import INFERRED_GRAPH, asserted_graphs

RELEASE_DUMP = "conflictkg.nq.gz"
"""The release file the store holds exactly the quads of."""
RELEASE_STORE = "store"
"""The release's on-disk store directory."""
SUMMARY_FILE = "conflictkg-store.json"
"""Inside a store directory: what it was built from and its counts (RocksDB ignores foreign files)."""
STORE_FORMAT = 1
"""Bumped when the layout or the summary changes, so that older cached stores are rebuilt."""

progress: Callable[[str], None] = lambda message: None  # noqa: E731
"""Told when a cached store is being built (minutes for millions of triples); the CLI prints it."""

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}
"""File suffix → parser. A trailing ``.gz`` is decompressed first."""


_NESTED_ENTITY = re.compile(rb"<!ENTITY\s+%?\s*[^\s>]+\s+(?:\"[^\"]*&|'[^']*&)")
"""An XML entity whose value refers to another entity: how an expansion ("billion laughs") bomb starts."""


def release_default_graphs(release_dir: Path) -> list[str]:
    """The graphs whose union is a release's default graph: its asserted graphs (the fixed four plus each
    report's and import's graph its manifest lists)."""
    return [str(g) for g in asserted_graphs(_manifest_graphs(Path(release_dir)))]


def _manifest_graphs(release_dir: Path) -> list[str]:
    """The graph IRIs a release's manifest lists (none when it has no readable manifest)."""
    try:
        return list(json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))["graphs"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


class StoreError(ValueError):
    """An input file could not be read; ``str()`` is ``file:line:column: message`` where the parser
    gives a position (as the build's SourceError), else ``file: message``."""


class StoreUnavailable(Exception):
    """An external store (remote_store) could not answer: unreachable, too slow, or failing.

    ``status`` is what a front-end answers with (502 unreachable or failing, 503 busy, 504 too slow) and
    ``message`` says which store and why, for the client to read."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class StoreSummary:
    """What an on-disk store was built from and what it holds, saved beside its data.

    ``source`` identifies the input (the release dump's SHA-256, or a digest of the files), so a stale
    store is never served; the counts spare every server process a count over 3 M triples at start-up.
    """

    format: int
    source: str
    quads: int
    default_triples: int
    graph_triples: dict[str, int]

    @classmethod
    def read(cls, directory: Path) -> StoreSummary | None:
        """The summary of the store in ``directory``; None if there is none or it is unreadable."""
        try:
            data = json.loads((directory / SUMMARY_FILE).read_text(encoding="utf-8"))
            counts = StoreCounts.from_json(data)
            summary = cls(int(data["format"]), str(data["source"]), counts.quads, counts.default_triples,
                          counts.graph_triples)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return summary if summary.format == STORE_FORMAT else None

    def write(self, directory: Path) -> None:
        """Save the summary into the store directory (the last step of a build)."""
        (directory / SUMMARY_FILE).write_text(json.dumps(asdict(self), indent=1, sort_keys=True) + "\n", "utf-8")


@dataclass(frozen=True)
class StoreCounts:
    """What a store holds, known to whoever wrote its input (the release writer knows each graph's
    distinct lines): given to :func:`build_store`, they spare two SPARQL counts over every quad (13 s of
    CPU at 10⁵ events). Trusted only if ``quads`` is the number of quads the store ended up with."""

    quads: int
    default_triples: int
    graph_triples: dict[str, int]

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoreCounts:
        return cls(int(data["quads"]), int(data["default_triples"]),
                   {str(k): int(v) for k, v in data["graph_triples"].items()})


class Store:
    """A read-only dataset: named graphs plus a definition of what the default graph is."""

    local = True
    """Queries are answered in this process (a remote_store.RemoteStore waits on the network instead, so
    the query threads never answer its requests on the event loop)."""

    def __init__(
        self,
        default_graphs: Sequence[str] | None = None,
        *,
        engine: ox.Store | None = None,
        summary: StoreSummary | None = None,
        location: Path | None = None,
    ) -> None:
        self._store = engine if engine is not None else ox.Store()
        self._default_graphs = list(default_graphs) if default_graphs is not None else None
        self.summary = summary
        """Counts saved with an on-disk store; None for a store parsed into memory."""
        self.location = location
        """The directory of an on-disk store (which other processes may open read-only); None in memory."""

    @property
    def engine(self) -> ox.Store:
        """The underlying pyoxigraph store (for the SPARQL layer)."""
        return self._store

    @classmethod
    def from_release(cls, release_dir: Path, cache_dir: Path | None = None) -> Store:
        """The release's store; the default graph is the union of the asserted graphs (the fixed four plus
        each report's and import's graph the manifest lists, vocab.is_asserted).

        Its ``store/`` is opened read-only when it was built from this release's dump. A release without
        one (or with a stale one) has its store built once into ``cache_dir``; with no cache directory
        the dump is parsed into memory.
        """
        release_dir = Path(release_dir)
        defaults = release_default_graphs(release_dir)
        dump = release_dir / RELEASE_DUMP
        source = _release_source(release_dir)
        on_disk = release_dir / RELEASE_STORE
        summary = StoreSummary.read(on_disk)
        if summary is not None and summary.source == source:
            return cls.read_only(on_disk, defaults, summary)
        if cache_dir is not None:
            directory, summary = _cached(cache_dir, source, [(dump, None)], defaults)
            return cls.read_only(directory, defaults, summary)
        store = cls(default_graphs=defaults)
        store.load_file(dump)
        return store

    @classmethod
    def from_files(cls, paths: Iterable[Path], cache_dir: Path | None = None) -> Store:
        """Load arbitrary RDF files; triples land in a graph named after the file, quads keep theirs.

        With ``cache_dir`` the store is built on disk once per set of file contents and opened read-only.
        """
        paths = [Path(p) for p in paths]
        if cache_dir is not None:
            inputs = [(p, ox.NamedNode(p.resolve().as_uri())) for p in paths]
            directory, cached = _cached(cache_dir, _files_source(paths), inputs, None)
            return cls.read_only(directory, None, cached)
        store = cls(default_graphs=None)
        for path in paths:
            store.load_file(path, graph=ox.NamedNode(path.resolve().as_uri()))
        return store

    @classmethod
    def read_only(cls, directory: Path, default_graphs: Sequence[str] | None, summary: StoreSummary | None) -> Store:
        """Open an on-disk store read-only (any number of processes may, sharing the page cache)."""
        try:
            engine = ox.Store.read_only(str(directory))
        except OSError as exc:
            raise StoreError(f"{directory}: cannot open the store ({one_line(str(exc))})") from None
        return cls(default_graphs, engine=engine, summary=summary, location=Path(directory))

    @classmethod
    def reopen(cls, directory: Path, default_graphs: Sequence[str] | None) -> Store:
        """Open again, read-only, an on-disk store another process found or built (its ``location``)."""
        return cls.read_only(directory, default_graphs, StoreSummary.read(Path(directory)))

    @classmethod
    def open(
        cls, release_dir: Path | None = None, files: Sequence[Path] = (), cache_dir: Path | None = None,
        *, in_memory: bool = False,
    ) -> Store:
        """Load ``files`` if any are given, else the release: every server process calls this, so they
        all hold the same dataset (with ``cache_dir``, the same on-disk store).

        ``in_memory`` parses the data into this process's memory even when an on-disk store exists:
        joins run about ten times faster there than on the read-only RocksDB store (measured at 10 k
        events), at the cost of a private copy (~1 GB per 3 M triples) in every process.
        """
        if files:
            return cls.from_files(files, None if in_memory else cache_dir)
        if release_dir is None:
            raise StoreError("nothing to serve: give RDF files or a release directory")
        if not (Path(release_dir) / RELEASE_DUMP).is_file():
            raise StoreError(f"{release_dir}: no release here ({RELEASE_DUMP} is missing)")
        if in_memory:
            store = cls(default_graphs=release_default_graphs(Path(release_dir)))
            store.load_file(Path(release_dir) / RELEASE_DUMP)
            return store
        return cls.from_release(Path(release_dir), cache_dir)

    def load_file(self, path: Path, graph: ox.NamedNode | None = None) -> None:
        """Parse one file into the store, raising StoreError with file, line and column on bad input.

        The file is streamed: at 3 M triples reading it whole first was faster by a few seconds but
        peaked 0.5 GB higher (1.9 GB against 1.4 GB)."""
        _load(self._store.load, path, graph)

    @property
    def default_graphs(self) -> list[str] | None:
        """Graph IRIs whose union is the default graph, or None for "every graph"."""
        return self._default_graphs

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs held."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def triples(self, graph: str) -> Iterator[ox.Triple]:
        """The triples of one named graph (small graphs: the ontology, the shapes)."""
        return (quad.triple for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph, for the service description and VoID."""
        if self.summary is not None:
            return dict(self.summary.graph_triples)
        return self._count_graphs()

    def _count_graphs(self) -> dict[str, int]:
        rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows}  # type: ignore[union-attr]

    def default_graph_size(self) -> int:
        """Triples in the default graph as queries see it (distinct across the merged graphs)."""
        if self.summary is not None:
            return self.summary.default_triples
        return self._count_default()

    def _count_default(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT * { ?s ?p ?o } }"))  # type: ignore[arg-type]
        return int(rows[0]["n"].value)

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        include_inferred: bool = False,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a query; explicit ``default_graph``/``named_graphs`` (the protocol's dataset) win.

        The text is first written for Oxigraph's planner (query_rewrite: same answers, LATERAL joins and
        hoisted patterns); should the engine refuse that form, the text as written is evaluated, so a
        SyntaxError is always about the caller's own text. ``base_iri`` resolves relative IRIs in the
        query (the endpoint passes its own URL)."""
        kwargs: dict[str, object] = {"base_iri": base_iri}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        elif self._default_graphs is None:
            kwargs["use_default_graph_as_union"] = True
        else:
            graphs = list(self._default_graphs)
            if include_inferred:
                graphs.append(str(INFERRED_GRAPH))
            kwargs["default_graph"] = [ox.NamedNode(g) for g in graphs]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        planned = plan_for_oxigraph(sparql)
        if planned is not sparql:
            try:
                return self._store.query(planned, **kwargs)
            except SyntaxError:
                pass
        return self._store.query(sparql, **kwargs)


def on_disk_location(
    release_dir: Path | None, files: Sequence[Path], cache_dir: Path | None, announce: bool = False
) -> Path | None:
    """The directory of the on-disk store of this data (found, or built once), for a process that must
    not open RocksDB itself (which starts threads): `conflictkg serve` runs this in a fresh process
    (web.serving). ``announce`` prints a store build's progress to standard error. Raises StoreError."""
    global progress
    if announce:
        progress = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    return Store.open(release_dir, files, cache_dir).location


def _format_of(path: Path) -> tuple[ox.RdfFormat, bool]:
    """The parser for ``path`` and whether it is gzipped; StoreError for an unknown suffix."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    suffix = Path(name[:-3] if compressed else name).suffix
    fmt = RDF_FORMATS.get(suffix)
    if fmt is None:
        raise StoreError(f"{path}: unknown RDF file type {suffix!r} (known: {', '.join(RDF_FORMATS)})")
    return fmt, compressed


def _load(loader, path: Path, graph: ox.NamedNode | None) -> None:  # type: ignore[no-untyped-def]
    """Feed one file to ``loader`` (``Store.load`` or ``Store.bulk_load``), mapping every failure to a
    StoreError that names the file and, where the parser gives one, the position.

    The file is streamed, except RDF/XML, whose entity declarations are checked on the bytes first.
    """
    fmt, compressed = _format_of(path)
    try:
        kwargs: dict[str, object] = {"format": fmt, "base_iri": path.resolve().as_uri()}
        if graph is not None and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML):
            kwargs["to_graph"] = graph
        if fmt is ox.RdfFormat.RDF_XML:
            data = path.read_bytes()
            if compressed:
                data = gzip.decompress(data)
            if fmt is ox.RdfFormat.RDF_XML and _NESTED_ENTITY.search(data):
                raise StoreError(
                    f"{path}: an XML entity declaration refers to another entity; refused, since nested "
                    "entities can expand a small file into gigabytes"
                )
            loader(data, **kwargs)
            return
        stream: IO[bytes]
        with (gzip.open(path, "rb") if compressed else path.open("rb")) as stream:
            loader(stream, **kwargs)
    except StoreError:
        raise
    except SyntaxError as exc:
        message, line, column = oxigraph_complaint(exc)
        raise StoreError(located(path, one_line(message), line, column)) from None
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        raise StoreError(located(path, one_line(str(exc)))) from None


def build_store(
    directory: Path, inputs: Sequence[tuple[Path, ox.NamedNode | None]], source: str,
    default_graphs: Sequence[str] | None, counts: StoreCounts | None = None,
) -> StoreSummary:
    """Build an on-disk store at ``directory`` (which must not exist) from ``inputs`` (file, graph for
    its triples), compact it and save its summary (``counts`` when given and right, else counted).
    Raises StoreError on bad input, leaving nothing."""
    directory = Path(directory)
    try:
        summary = _fill(ox.Store(str(directory)), inputs, source, default_graphs, counts)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    summary.write(directory)
    return summary


def _fill(
    engine: ox.Store, inputs: Sequence[tuple[Path, ox.NamedNode | None]], source: str,
    default_graphs: Sequence[str] | None, counts: StoreCounts | None,
) -> StoreSummary:
    """Bulk-load ``inputs`` into the empty on-disk ``engine`` and count it; the database closes when this
    returns (its last reference goes), so it can then be opened read-only."""
    for path, graph in inputs:
        _load(engine.bulk_load, Path(path), graph)
    engine.optimize()
    engine.flush()
    quads = len(engine)
    if counts is not None and counts.quads == quads:
        return StoreSummary(STORE_FORMAT, source, quads, counts.default_triples, dict(counts.graph_triples))
    counted = Store(default_graphs, engine=engine)
    return StoreSummary(STORE_FORMAT, source, quads, counted._count_default(), counted._count_graphs())


def build_release_store(release_dir: Path, graphs: Sequence[str] | None = None,
                        counts: StoreCounts | None = None) -> StoreSummary:
    """Write ``store/`` into a release directory from its N-Quads dump.

    ``graphs`` are the release's graphs (by default those its manifest lists: the build, which writes
    the manifest last, gives them), ``counts`` what the writer knows the dump holds.
    """
    release_dir = Path(release_dir)
    names = graphs if graphs is not None else _manifest_graphs(release_dir)
    default_graphs = [str(g) for g in asserted_graphs(names)]
    return build_store(
        release_dir / RELEASE_STORE, [(release_dir / RELEASE_DUMP, None)], _release_source(release_dir),
        default_graphs, counts,
    )


def _release_source(release_dir: Path) -> str:
    """What a release's store must have been built from: the dump's SHA-256 (from the manifest when it
    lists it, so opening a release does not read the whole dump)."""
    try:
        manifest = json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["files"]:
            if entry["path"] == RELEASE_DUMP:
                return f"{RELEASE_DUMP}:{entry['sha256']}"
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        return f"{RELEASE_DUMP}:{file_sha256(release_dir / RELEASE_DUMP)}"
    except OSError as exc:
        raise StoreError(located(release_dir / RELEASE_DUMP, one_line(str(exc)))) from None


def _files_source(paths: Sequence[Path]) -> str:
    """Files are identified by where they are (their graph IRIs) and what they hold."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            checksum = file_sha256(path)
        except OSError as exc:
            raise StoreError(located(path, one_line(str(exc)))) from None
        digest.update(f"{path.resolve().as_uri()}\0{checksum}\n".encode())
    return f"files:{digest.hexdigest()}"


def _cached(
    cache_dir: Path, source: str, inputs: Sequence[tuple[Path, ox.NamedNode | None]],
    default_graphs: Sequence[str] | None,
) -> tuple[Path, StoreSummary]:
    """The cached store for ``source``, built first when absent (in a temporary directory, renamed into
    place when complete, so a concurrent or interrupted build never leaves a half store to be used)."""
    key = hashlib.sha256(f"{STORE_FORMAT}\0{ox.__version__}\0{source}".encode()).hexdigest()[:32]
    target = Path(cache_dir) / key
    summary = StoreSummary.read(target)
    if summary is not None and summary.source == source:
        return target, summary
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache_dir))
    started = time.perf_counter()
    progress(f"loading {', '.join(str(p) for p, _ in inputs)} into an on-disk store at {target} "
             "(once: it is reused while they are unchanged)")
    try:
        summary = build_store(scratch / "store", inputs, source, default_graphs)
        progress(f"store ready: {summary.quads} quads in {time.perf_counter() - started:.1f} s")
        shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(scratch / "store", target)
        except OSError:
            raced = StoreSummary.read(target)  # another process finished the same build first
            if raced is None or raced.source != source:
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target, summary
