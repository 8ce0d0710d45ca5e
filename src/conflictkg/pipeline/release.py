"""A release directory: how to write one atomically, and how to open one.

The server, the store and the tests only ever look at a release through :class:`Release`, so the
layout of ``dist/`` (docs/architecture.md) is read in one place and written in one place.

The same content and creation time give byte-identical files: blank nodes get canonical labels
(pipeline.canonical), line-based dumps are sorted and gzipped without a timestamp, TriG lists the
graphs in a fixed order, and JSON-LD arrays (sets of values) are sorted. With SOURCE_DATE_EPOCH
(build.build_time) two builds of the same inputs therefore publish the same bytes and checksums.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD
from rdflib.term import Node

from conflictkg.checksums import file_sha256
from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.background import Background
from conflictkg.pipeline.canonical import canonical_graph
from conflictkg.pipeline.dumps import (
    Lines,
    canonical_lines,
    graph_lines,
    merged,
    rdflib_graph,
    write_gzip_lines,
    write_json_ld,
    write_nquads,
    write_trig,
    write_turtle,
)
from conflictkg.pipeline.progress import quiet
from conflictkg.pipeline.terms import to_ox
from conflictkg.store import RELEASE_STORE, StoreCounts, build_release_store
from conflictkg.vocab import (
    ALL_GRAPHS,
    BASE,
    CKG,
    DATA_GRAPH,
    DATASET_IRI,
    GRAPH,
    ID,
    IMPORT_GRAPHS,
    INFERRED_GRAPH,
    LINKS_GRAPH,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
    SPDX,
    UNREVIEWED_SUFFIX,
    asserted_graphs,
    bind_prefixes,
    prefix_map,
    release_graphs,
)

MANIFEST = "manifest.json"


class ReleaseError(PipelineError, ValueError):
    """A directory is not a readable release; the message says which file is missing or wrong."""


@dataclass(frozen=True)
class FileEntry:
    """One file of a release as listed in the manifest."""

    path: str
    bytes: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class Release:
    """A release directory opened through its manifest."""

    root: Path
    version: str
    created: str
    files: tuple[FileEntry, ...]
    graphs: dict[str, int]

    @classmethod
    def open(cls, path: Path | str) -> Release:
        """Read ``path/manifest.json``; raise ReleaseError if ``path`` is not a release."""
        root = Path(path)
        manifest_path = root / MANIFEST
        if not root.is_dir():
            raise ReleaseError(f"{root}: not a release directory (it does not exist; run `conflictkg build`)")
        if not manifest_path.is_file():
            raise ReleaseError(f"{root}: not a release directory (no {MANIFEST}; run `conflictkg build`)")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            files = tuple(
                FileEntry(
                    path=str(entry["path"]),
                    bytes=int(entry["bytes"]),
                    sha256=str(entry["sha256"]),
                    media_type=str(entry["media_type"]),
                )
                for entry in manifest["files"]
            )
            release = cls(
                root=root,
                version=str(manifest["version"]),
                created=str(manifest["created"]),
                files=files,
                graphs={str(iri): int(n) for iri, n in manifest["graphs"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ReleaseError(f"{manifest_path}: not a valid release manifest ({exc!r})") from None
        return release

    def verify(self) -> None:
        """Raise ReleaseError naming every file that is missing or whose size or SHA-256 is not the
        manifest's: a damaged or tampered release is refused, never served. Files are hashed in parallel
        (hashing releases the GIL), so this costs about a second per gigabyte on two cores."""
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            problems = [p for p in pool.map(self._check, self.files) if p is not None]
        if problems:
            listing = "\n".join(f"  {problem}" for problem in problems)
            raise ReleaseError(
                f"{self.root}: refused, {len(problems)} file(s) differ from {MANIFEST} (damaged or tampered with):\n"
                f"{listing}\nrebuild the release with `conflictkg build`"
            )

    def _check(self, entry: FileEntry) -> str | None:
        path = self.root / entry.path
        try:
            if path.stat().st_size != entry.bytes:
                return f"{entry.path}: {path.stat().st_size} bytes, the manifest says {entry.bytes}"
            actual = file_sha256(path)
        except OSError as exc:
            return f"{entry.path}: cannot be read ({exc.strerror or exc})"
        if actual != entry.sha256:
            return f"{entry.path}: SHA-256 {actual}, the manifest says {entry.sha256}"
        return None

    def entry(self, name: str) -> FileEntry:
        """The manifest entry of the file ``name`` (a path relative to the release root)."""
        for entry in self.files:
            if entry.path == name:
                return entry
        raise ReleaseError(f"{self.root}: release has no file {name!r}")

    def path(self, name: str) -> Path:
        """Absolute path of a file the manifest lists; unlisted names raise, so no path escapes the root."""
        return self.root / self.entry(name).path

    def queries(self) -> list[Path]:
        """The example queries the release carries (``queries/<name>.rq``), sorted by name."""
        return sorted(self.root / e.path for e in self.files
                      if e.path.startswith(f"{QUERIES_DIR}/") and e.path.endswith(".rq"))


# ---------------------------------------------------------------------------------------------------
# Writing a release
# ---------------------------------------------------------------------------------------------------

DUMPS_BASE = BASE + "dumps/"
"""Where the dumps are published; dcat:downloadURL is this plus the file's path in the release."""

CONTEXT_URL = BASE + "context.jsonld"
"""The published JSON-LD context that conflictkg.jsonld refers to."""

SPARQL_ENDPOINT = URIRef(BASE + "sparql")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
"""Licence of the knowledge graph (the article text itself stays its publisher's)."""

IANA = "https://www.iana.org/assignments/media-types/"

MEDIA_TYPES: dict[str, str] = {
    ".trig": "application/trig",
    ".nq.gz": "application/gzip",
    ".nt.gz": "application/gzip",
    ".rdfp.gz": "application/gzip",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".rq": "application/sparql-query",
}
"""Media type of a release file as served and listed in the manifest (gzip dumps are served as gzip)."""

RDF_DUMPS: dict[str, str] = {
    ".trig": "application/trig",
    ".nq.gz": "application/n-quads",
    ".nt.gz": "application/n-triples",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
}
"""Suffix → media type of the RDF inside, for the files VoID/DCAT describe as distributions."""

ASSERTED_DUMP = "conflictkg.nt.gz"
QUADS_DUMP = "conflictkg.nq.gz"
TRIG_DUMP = "conflictkg.trig"
JSONLD_DUMP = "conflictkg.jsonld"
CONTEXT_FILE = "context.jsonld"
ARTICLE = "article.txt"
VOID_FILE = "void.ttl"
VALIDATION_FILE = "validation.ttl"
QUERIES_DIR = "queries"
"""Where the example (competency) queries go: ``queries/<name>.rq``, one file per data/queries/*.rq."""
REPORTS_DIR = "reports"
"""Where the registered reports' texts go: ``reports/<slug>.txt``, byte-exact."""


def graph_name(iri: URIRef) -> str:
    """The name of a release graph under ``.../graph/`` (``data``, ``report/<slug>``), for graphs/<name>.ttl."""
    text = str(iri)
    return text.removeprefix(str(GRAPH)) if text.startswith(str(GRAPH)) else text.rsplit("/", 1)[-1]


def rdf_dumps(graphs: Iterable[URIRef] = ALL_GRAPHS) -> list[str]:
    """The files VoID/DCAT describe as distributions of the dataset: the RDF dumps, not the metadata."""
    return [TRIG_DUMP, QUADS_DUMP, ASSERTED_DUMP, JSONLD_DUMP, *(f"graphs/{graph_name(g)}.ttl" for g in graphs)]


def statement_graphs(graphs: Iterable[URIRef]) -> list[URIRef]:
    """Of a release's graphs, the asserted ones that hold statements (not the ontology or the shapes)."""
    return [g for g in asserted_graphs(graphs) if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH)]


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return ".".join(("", *name.split(".")[-2:])) if name.endswith(".gz") else "." + name.rsplit(".", 1)[-1]


def media_type(path: str) -> str:
    """The media type a release file is listed and served with."""
    return MEDIA_TYPES.get(_suffix(path), "application/octet-stream")


def json_ld_context() -> dict[str, object]:
    """The published ``@context``: one term per contract prefix of vocab.PREFIXES."""
    return {"@context": prefix_map()}


GraphWriter = Callable[[], bytes]
"""Gives a named graph as N-Triples (any order, duplicates allowed), when the release is written."""


@dataclass(frozen=True)
class ReleaseContent:
    """Everything a release is written from: the five named graphs, the article, the SHACL report and
    the example queries (file name → bytes).

    The graphs come either as ``graphs`` (graph IRI → a function giving its N-Triples: the build's
    way, which never holds the data as rdflib objects) or as an rdflib ``dataset``.
    """

    dataset: Dataset | None
    article: bytes
    validation: Graph | Callable[[], Graph]
    """The SHACL report, or a function giving it once the dumps are written (the build starts writing
    while its validation still runs; the function raises if the data does not conform)."""
    version: str
    created: datetime
    queries: dict[str, bytes] = field(default_factory=dict)
    reports: dict[str, bytes] = field(default_factory=dict)
    """Each registered report's text by slug, published byte-exact as ``reports/<slug>.txt``."""
    extras: Callable[[Path], str] | None = None
    """Writes further files (the changes since the previous release) and gives a line to say about them:
    run by a fresh process (it is pickled to it) once the N-Quads dump is written (which it may read),
    beside the other files; its line is said once the validation is through, and its files are in the
    manifest."""
    progress: Callable[[str], None] = quiet
    """Where the extras' line is said."""
    graphs: Mapping[URIRef, GraphWriter] | None = None
    sizes: Mapping[URIRef, int] = field(default_factory=dict)
    """Distinct triples per graph, filled in by :func:`write_files` once the dumps are written."""

    def graph_iris(self) -> tuple[URIRef, ...]:
        """The graphs this release writes: the fixed five, then each further graph (a report's, an
        import's, the derived one) in IRI order."""
        if self.graphs is not None:
            return release_graphs(self.graphs)
        assert self.dataset is not None, "a release needs graphs or a dataset"
        return release_graphs(g.identifier for g in self.dataset.graphs()
                              if isinstance(g.identifier, URIRef) and len(g))

    def ntriples(self, iri: URIRef) -> bytes:
        """The named graph ``iri`` as N-Triples."""
        if self.graphs is not None:
            writer = self.graphs.get(iri)
            return writer() if writer is not None else b""
        assert self.dataset is not None, "a release needs graphs or a dataset"
        graph = self.dataset.graph(iri)
        return ox.serialize((ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph),  # type: ignore[arg-type]
                            format=ox.RdfFormat.N_TRIPLES)


Beside = tuple["StoreBuild", Background[str] | None]
"""What runs beside the writing of a release until its manifest: the store's build and the extras'."""


def _write_rdf_dumps(directory: Path, lines: Mapping[URIRef, Lines], graphs: Sequence[URIRef],
                     extras: Callable[[Path], str] | None) -> tuple[Beside, Background[None]]:
    """The dataset as N-Quads, TriG, the asserted union as N-Triples, each graph as Turtle.

    The N-Quads dump comes first: the release store is built from it by another process, JSON-LD
    written from it by a fresh one and the ``extras`` run in a third (all returned, to be collected)
    while the other dumps are written.
    """
    prefixes = prefix_map()
    asserted = merged(lines[iri] for iri in asserted_graphs(graphs))
    write_nquads(directory / QUADS_DUMP, lines, graphs)
    counts = StoreCounts(sum(len(lines[iri]) for iri in graphs), len(asserted),
                         {str(iri): len(lines[iri]) for iri in graphs if lines[iri]})
    store = StoreBuild(directory, graphs, counts)
    json_ld = Background(partial(_write_json_ld, directory, graphs), fresh=True)
    more = Background(partial(extras, directory), fresh=True) if extras is not None else None
    try:
        write_gzip_lines(directory / ASSERTED_DUMP, asserted)
        (directory / "graphs").mkdir()
        turtle = [(iri, directory / "graphs" / f"{graph_name(iri)}.ttl") for iri in graphs]
        for iri, path in turtle:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_turtle(path, lines[iri], prefixes)
        write_trig(directory / TRIG_DUMP, turtle)
    except BaseException:
        json_ld.cancel()
        _cancel((store, more))
        raise
    return (store, more), json_ld


def _cancel(beside: Beside) -> None:
    for process in beside:
        if process is not None:
            process.cancel()


def _write_json_ld(directory: Path, graphs: Sequence[URIRef]) -> None:
    """The statement graphs (data, links, reports, imports) as one JSON-LD graph referring to the
    published context, and that context.

    Read back from the N-Quads dump (pipeline.dumps.graph_lines) by a fresh process: a fork of the
    writer touched every line it had inherited and so copied most of its pages (2.15 GB PSS at the
    build's peak at 10⁵ events); the dump holds the same lines, and the JSON-LD of them is the same.
    """
    lines = graph_lines(directory / QUADS_DUMP, statement_graphs(graphs))
    write_json_ld(directory / JSONLD_DUMP, lines, CONTEXT_URL, prefix_map())
    (directory / CONTEXT_FILE).write_text(json.dumps(json_ld_context(), indent=2) + "\n", "utf-8")


def _write_dumps(directory: Path, content: ReleaseContent, lines: Mapping[URIRef, Lines]) -> Beside:
    """The RDF dumps, JSON-LD with its context, the article, the report texts and the example queries;
    returns the release store's build and the extras', still running (see :func:`_write_rdf_dumps`)."""
    beside, json_ld = _write_rdf_dumps(directory, lines, tuple(content.sizes), content.extras)
    try:
        (directory / ARTICLE).write_bytes(content.article)
        if content.queries:
            (directory / QUERIES_DIR).mkdir()
        for name, query in sorted(content.queries.items()):
            (directory / QUERIES_DIR / name).write_bytes(query)
        if content.reports:
            (directory / REPORTS_DIR).mkdir()
        for slug, text in sorted(content.reports.items()):
            (directory / REPORTS_DIR / f"{slug}.txt").write_bytes(text)
        json_ld.result()
    except BaseException:
        json_ld.cancel()
        _cancel(beside)
        raise
    return beside


@dataclass(frozen=True)
class GraphStatistics:
    """The VoID figures of one graph."""

    triples: int
    classes: dict[URIRef, int]
    properties: dict[URIRef, int]
    entities: int

    @classmethod
    def of(cls, graph: Graph) -> GraphStatistics:
        """Count triples; instances per class; triples per property; entities (IRI subjects in id/).

        An entity is a resource whose IRI is in ``void:uriSpace`` (VoID §4.6), so the ontology and
        shapes graphs have none: they describe terms, not conflict data.
        """
        classes: dict[URIRef, set[Node]] = {}
        properties: dict[URIRef, int] = {}
        entities: set[Node] = set()
        for subject, predicate, obj in graph:
            properties[predicate] = properties.get(predicate, 0) + 1
            if predicate == RDF.type and isinstance(obj, URIRef):
                classes.setdefault(obj, set()).add(subject)
            if isinstance(subject, URIRef) and str(subject).startswith(str(ID)):
                entities.add(subject)
        return cls(len(graph), {c: len(s) for c, s in classes.items()}, properties, len(entities))

    @classmethod
    def of_lines(cls, lines: Iterable[bytes]) -> GraphStatistics:
        """The same figures from distinct N-Triples lines (subject and predicate never hold a space)."""
        classes: dict[bytes, int] = {}
        properties: dict[bytes, int] = {}
        entities = 0
        triples = 0
        previous = None
        entity_prefix = f"<{ID}".encode()
        rdf_type = f"<{RDF.type}>".encode()
        for line in lines:
            triples += 1
            subject, predicate, rest = line.split(b" ", 2)
            properties[predicate] = properties.get(predicate, 0) + 1
            if predicate == rdf_type and rest.startswith(b"<"):
                obj = rest[:rest.index(b">") + 1]
                classes[obj] = classes.get(obj, 0) + 1  # lines are distinct: one per (subject, class)
            if subject != previous:
                previous = subject
                if subject.startswith(entity_prefix):
                    entities += 1  # lines are sorted: a subject's lines are adjacent
        return cls(triples, {URIRef(c[1:-1].decode()): n for c, n in classes.items()},
                   {URIRef(p[1:-1].decode()): n for p, n in properties.items()}, entities)


def _describe_statistics(void: Graph, node: URIRef, stats: GraphStatistics) -> None:
    """void:triples, classes, properties, entities and the class and property partitions of ``node``."""
    void.add((node, VOID.triples, Literal(stats.triples, datatype=XSD.nonNegativeInteger)))
    void.add((node, VOID.classes, Literal(len(stats.classes), datatype=XSD.nonNegativeInteger)))
    void.add((node, VOID.properties, Literal(len(stats.properties), datatype=XSD.nonNegativeInteger)))
    void.add((node, VOID.entities, Literal(stats.entities, datatype=XSD.nonNegativeInteger)))
    for cls_iri, count in sorted(stats.classes.items()):
        partition = BNode()
        void.add((node, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls_iri))
        void.add((partition, VOID.entities, Literal(count, datatype=XSD.nonNegativeInteger)))
    for property_iri, count in sorted(stats.properties.items()):
        partition = BNode()
        void.add((node, VOID.propertyPartition, partition))
        void.add((partition, VOID.property, property_iri))
        void.add((partition, VOID.triples, Literal(count, datatype=XSD.nonNegativeInteger)))


def _example_resources(lines: Mapping[URIRef, Lines]) -> list[URIRef]:
    """The most described resource of each main kind (event, place, actor, claim), for void:exampleResource."""
    kinds = {f"<{kind}>".encode(): kind for kind in (CKG.Event, CKG.Place, CKG.Actor, CKG.Claim)}
    rdf_type = f"<{RDF.type}>".encode()
    best: dict[URIRef, tuple[int, str]] = {}
    subject, count, types = b"", 0, []

    def close() -> None:
        if subject.startswith(b"<"):
            iri = subject[1:-1].decode()
            for kind in types:
                if kind not in best or (-count, iri) < best[kind]:
                    best[kind] = (-count, iri)

    for line in merged([lines[DATA_GRAPH], lines[INFERRED_GRAPH]]):
        head, predicate, rest = line.split(b" ", 2)
        if head != subject:
            close()
            subject, count, types = head, 0, []
        count += 1
        if predicate == rdf_type:
            kind = kinds.get(rest[:-2])
            if kind is not None:
                types.append(kind)
    close()
    return [URIRef(best[kind][1]) for kind in kinds.values() if kind in best]


def _describe_linksets(void: Graph, links: Graph) -> None:
    """The links graph's own void:Linkset descriptions, as subsets of the dataset.

    The linker counts its links when it writes them (gazetteer.link); copying its descriptions keeps
    one count in one place. Each linkset also gets the two void:target values its subjectsTarget and
    objectsTarget imply, and the target datasets (GeoNames, Wikidata) come with their void:uriSpace.
    """
    for linkset in sorted(s for s in links.subjects(RDF.type, VOID.Linkset) if isinstance(s, URIRef)):
        void.add((DATASET_IRI, VOID.subset, linkset))
        for predicate, obj in links.predicate_objects(linkset):
            void.add((linkset, predicate, obj))
        for end in (VOID.subjectsTarget, VOID.objectsTarget):
            for target in links.objects(linkset, end):
                void.add((linkset, VOID.target, target))
                if target != DATASET_IRI:
                    for predicate, obj in links.predicate_objects(target):
                        void.add((target, predicate, obj))


def describe_import(void: Graph, iri: URIRef, lines: Lines) -> None:
    """Copy an import graph's description of itself (licence, creator, source, citation) into VoID.

    The import wrote who made the data and under which licence (UCDP GED: CC BY 4.0) into its own
    graph (datasets.ged); VoID is where a reuser looks for it.
    """
    subject = f"<{iri}> ".encode()
    own = rdflib_graph([line for line in lines if line.startswith(subject)])
    for predicate, obj in own.predicate_objects(iri):
        void.add((iri, predicate, obj))


def _describe_distribution(void: Graph, directory: Path, path: str) -> None:
    """One RDF dump as a dcat:Distribution: download URL, media types, size, licence and SHA-256."""
    file = directory / path
    download = URIRef(DUMPS_BASE + path)
    distribution = URIRef(f"{DATASET_IRI}/distribution/{path}")
    checksum = BNode()
    void.add((DATASET_IRI, VOID.dataDump, download))
    void.add((DATASET_IRI, DCAT.distribution, distribution))
    void.add((distribution, RDF.type, DCAT.Distribution))
    void.add((distribution, DCTERMS.title, Literal(path)))
    void.add((distribution, DCAT.downloadURL, download))
    void.add((distribution, DCAT.mediaType, URIRef(IANA + RDF_DUMPS[_suffix(path)])))
    if path.endswith(".gz"):
        void.add((distribution, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    void.add((distribution, DCAT.byteSize, Literal(file.stat().st_size, datatype=XSD.nonNegativeInteger)))
    void.add((distribution, DCTERMS.license, LICENSE))
    void.add((distribution, SPDX.checksum, checksum))
    void.add((checksum, RDF.type, SPDX.Checksum))
    void.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    void.add((checksum, SPDX.checksumValue, Literal(file_sha256(file), datatype=XSD.hexBinary)))


def _void(directory: Path, content: ReleaseContent, lines: Mapping[URIRef, Lines]) -> Graph:
    """VoID + DCAT: the dataset, one subset per named graph and per linkset, one distribution per RDF dump."""
    void = bind_prefixes(Graph())
    dataset = DATASET_IRI
    void.add((dataset, RDF.type, VOID.Dataset))
    void.add((dataset, RDF.type, DCAT.Dataset))
    void.add((dataset, DCTERMS.title, Literal("conflictkg: armed-conflict events reported in the news", lang="en")))
    void.add((dataset, DCTERMS.description, Literal(
        "Events, actors, places, casualty figures and claims of news articles, each attributed to its "
        "source and anchored to the exact span of text that states it.", lang="en")))
    void.add((dataset, DCTERMS.license, LICENSE))
    void.add((dataset, DCTERMS.created, Literal(timestamp(content.created), datatype=XSD.dateTime)))
    void.add((dataset, OWL.versionInfo, Literal(content.version)))
    void.add((dataset, VOID.sparqlEndpoint, SPARQL_ENDPOINT))
    void.add((dataset, VOID.uriSpace, Literal(str(ID))))
    void.add((dataset, VOID.vocabulary, URIRef(str(CKG))))
    for example in _example_resources(lines):
        void.add((dataset, VOID.exampleResource, example))
    graphs = tuple(content.sizes)
    totals = GraphStatistics.of_lines(merged(lines[g] for g in graphs))
    quads = sum(len(lines[g]) for g in graphs)  # void:triples counts each graph's own
    _describe_statistics(void, dataset, replace(totals, triples=quads))
    for iri in graphs:
        void.add((dataset, VOID.subset, iri))
        void.add((iri, RDF.type, VOID.Dataset))
        void.add((iri, DCTERMS.title, Literal(f"{graph_name(iri)} graph", lang="en")))
        _describe_statistics(void, iri, GraphStatistics.of_lines(lines[iri]))
        if str(iri).startswith(str(IMPORT_GRAPHS)):
            describe_import(void, iri, lines[iri])
        if str(iri).endswith(UNREVIEWED_SUFFIX):
            void.add((iri, DCTERMS.description, Literal(
                "Drafted statements published unreviewed on request (--publish-drafts): machine-proposed, "
                "not checked by a person, and not part of the SPARQL default graph.", lang="en")))
    _describe_linksets(void, rdflib_graph(lines[LINKS_GRAPH]))
    for path in rdf_dumps(graphs):
        _describe_distribution(void, directory, path)
    return void


def timestamp(moment: datetime) -> str:
    """xsd:dateTime in UTC to the second, as VoID, the manifest and the changelog give the creation time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _listed_files(directory: Path) -> Iterator[Path]:
    """Every file of the release but the store's, which a forked process may still be writing."""
    for entry in sorted(directory.iterdir()):
        if entry.is_dir() and entry.name != RELEASE_STORE:
            yield from (p for p in entry.rglob("*") if p.is_file())
        elif entry.is_file():
            yield entry


def _write_manifest(directory: Path, content: ReleaseContent) -> None:
    """manifest.json: version, creation time, every file written so far with size, SHA-256 and type."""
    files = [
        {"path": path, "bytes": (directory / path).stat().st_size, "sha256": file_sha256(directory / path),
         "media_type": media_type(path)}
        for path in sorted(p.relative_to(directory).as_posix() for p in _listed_files(directory))
    ]
    manifest = {
        "version": content.version,
        "created": timestamp(content.created),
        "files": files,
        "graphs": {str(g): size for g, size in content.sizes.items()},
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_files(directory: Path, content: ReleaseContent) -> None:
    """Write every release file into an empty ``directory`` (the manifest last: it lists the others).

    Every graph becomes sorted N-Triples lines with canonical blank-node labels first
    (pipeline.dumps), so that the same content and creation time give byte-identical files and manifest.
    The release store is built from the N-Quads dump by another process, and the extras (the changes)
    written by a forked one, while the rest is written. VoID and the extras need no validation: they are
    written before the validation is waited for, while the build's second SHACL pass may still run (at
    10⁵ events a minute of work that would otherwise follow it).
    """
    graphs = content.graph_iris()
    lines = canonical_lines({iri: content.ntriples(iri) for iri in graphs})
    content = replace(content, sizes={iri: len(lines[iri]) for iri in graphs})
    store, more = beside = _write_dumps(directory, content, lines)
    try:
        void = canonical_graph(_void(directory, content, lines))
        (directory / VOID_FILE).write_text(void.serialize(format="turtle"), encoding="utf-8")
        validation = content.validation() if callable(content.validation) else content.validation
        (directory / VALIDATION_FILE).write_text(canonical_graph(validation).serialize(format="turtle"), "utf-8")
        if more is not None:
            content.progress(more.result())
        _write_manifest(directory, content)
    except BaseException:
        _cancel(beside)
        raise
    store.result()


def write_store(directory: Path, graphs: Sequence[str], counts: StoreCounts) -> None:
    """The release's ready store: ``store/``, an on-disk pyoxigraph store of exactly the quads of
    conflictkg.nq.gz, which every server process opens read-only instead of parsing the dump.

    The manifest does not list it: its bytes differ from build to build (database files), it is not a
    download, and the server checks it against the dump's checksum. It is built before the manifest
    is written: the release's ``graphs`` and the ``counts`` of its dump come from the writer.
    """
    build_release_store(directory, graphs, counts)


class StoreBuild:
    """:func:`write_store` in a fresh Python process, started once the N-Quads dump is written, while
    the build writes the other files on the other core.

    A fresh process rather than a fork: a forked copy of a process that has opened RocksDB databases
    (the store's engine) can wait forever on a lock held by a thread that the fork did not copy.
    The release's graphs and counts go to it as one line of JSON on its standard input: as arguments,
    a release with a few thousand report graphs would pass Linux's 128 kB limit on one argument.
    """

    def __init__(self, directory: Path, graphs: Sequence[URIRef], counts: StoreCounts) -> None:
        code = ("import json, pathlib, sys; order = json.loads(sys.stdin.readline()); "
                "from conflictkg.pipeline.release import write_store; from conflictkg.store import StoreCounts; "
                "write_store(pathlib.Path(sys.argv[1]), order['graphs'], StoreCounts.from_json(order['counts']))")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._process = subprocess.Popen([sys.executable, "-c", code, str(directory)], env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        order = {"graphs": [str(g) for g in graphs], "counts": counts.to_json()}
        try:  # left open: communicate() closes it
            self._process.stdin.write(json.dumps(order).encode() + b"\n")  # type: ignore[union-attr]
            self._process.stdin.flush()  # type: ignore[union-attr]
        except BrokenPipeError:  # the process ended first: result() says why
            pass

    def result(self) -> None:
        """Wait for the store; a failure is the build's (ReleaseError with the process's last words)."""
        _, errors = self._process.communicate()
        if self._process.returncode != 0:
            last = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {self._process.returncode}"]
            raise ReleaseError(f"building the release store failed: {last[0]}")

    def cancel(self) -> None:
        """Stop it (the release is not being written after all)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()


def publish(out: Path, write: Callable[[Path], None]) -> None:
    """Run ``write`` into a fresh directory beside ``out``, then swap it in for ``out``.

    Until the swap, ``out`` is untouched, so a failing or interrupted ``write`` (exception, Ctrl-C,
    SIGKILL) leaves the previous release as it was; the half-written directory is removed (after a
    SIGKILL a stray ``.<name>.new-*`` directory stays behind). On Linux the swap is one atomic
    ``renameat2(RENAME_EXCHANGE)``: at every instant ``out`` is either the old or the new release.
    Elsewhere it is two renames (old away, new in), and a previous release left under
    ``.<name>.old-*`` by a kill between them is put back by the next ``recover``.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        write(fresh)
        fresh.chmod(0o755)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if out.exists() and _exchange(fresh, out):
        shutil.rmtree(fresh, ignore_errors=True)  # ``fresh`` now holds the previous release
        return
    retired = None
    if out.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        retired.rmdir()
        out.rename(retired)
    try:
        fresh.rename(out)
    except BaseException:
        if retired is not None:
            retired.rename(out)
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def recover(out: Path) -> bool:
    """Put back a previous release that a kill between publish's two renames left aside; True if it did."""
    out = Path(out)
    if out.exists():
        return False
    retired = sorted(out.parent.glob(f".{out.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if not retired or not (retired[-1] / MANIFEST).is_file():
        return False
    retired[-1].rename(out)
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def write_release(out: Path, content: ReleaseContent) -> Release:
    """Write the release for ``content`` atomically at ``out`` and open it."""
    publish(out, lambda directory: write_files(directory, content))
    return Release.open(out)
