"""Locate a project's input files and load them into named graphs, remembering where each triple came from.

The layout is fixed by docs/architecture.md: ``ontology/conflictkg.ttl``, ``shapes/*.ttl``, ``data/*.ttl``
(``data/links.ttl`` is the links graph, the rest the data graph) and ``data/article.txt``. A syntax error
in any file is reported as ``file:line:column: message`` so that the author can jump to it; the origin of
each graph remembers the files it was loaded from so the SHACL report can say which file a failing
node was written in.

Each file is read by pyoxigraph's streaming parser, a strict parser that refuses what rdflib lets through
with only a logged warning (an IRI with a space, say) and that would otherwise break the dumps for every
other RDF parser; it costs about a second per million triples and no memory. rdflib (the reference
model) parses a file only when asked for its graph, when the file has blank nodes, or to word an error.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from conflictkg import __version__
from conflictkg.parse_errors import located, oxigraph_complaint
from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.evidence import EVIDENCE_PREDICATES, SpanTable
from conflictkg.pipeline.progress import Meter, Progress, quiet
from conflictkg.pipeline.terms import to_ox, to_rdflib
from conflictkg.vocab import (
    DATA_GRAPH,
    GRAPH,
    ID,
    LINKS_GRAPH,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
    asserted_graphs,
    bind_prefixes,
    report_graph,
)

ONTOLOGY_FILE = Path("ontology/conflictkg.ttl")
SHAPES_DIR = Path("shapes")
DATA_DIR = Path("data")
LINKS_FILE = DATA_DIR / "links.ttl"
ARTICLE_FILE = DATA_DIR / "article.txt"
QUERIES_DIR = DATA_DIR / "queries"
REPORTS_DIR = DATA_DIR / "reports"
REPORT_TEXT = "report.txt"
"""Each registered report is ``data/reports/<slug>/report.txt`` (byte-exact) plus its ``*.ttl`` files."""
IMPORTS_DIR = DATA_DIR / "imports"
IMPORT_SUFFIXES = (".nt.gz", ".nt", ".ttl")
"""Imported datasets (``conflictkg import``): ``data/imports/<name><suffix>`` loads into graph/import/<name>."""


class SourceError(PipelineError):
    """An input file is missing or cannot be parsed; ``str()`` is ``file:line:column: message``."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.reason = message
        super().__init__(located(path, message, line, column))


@dataclass(frozen=True)
class ReportFiles:
    """One registered report: its byte-exact text and the Turtle files of its named graph."""

    slug: str
    text: Path
    rdf: tuple[Path, ...]

    @property
    def iri(self) -> URIRef:
        """The report resource ``id/report/<slug>``, which its spans name with ``oa:hasSource``."""
        return ID[f"report/{self.slug}"]

    @property
    def graph(self) -> URIRef:
        """Its named graph ``graph/report/<slug>``."""
        return report_graph(self.slug)


def locate_reports(root: Path) -> tuple[ReportFiles, ...]:
    """Every ``data/reports/<slug>/`` with a report.txt, by slug; a directory without one is an error."""
    found = []
    base = root / REPORTS_DIR
    for directory in sorted(p for p in base.glob("*") if p.is_dir() and not p.name.startswith(".")):
        text = directory / REPORT_TEXT
        if not text.is_file():
            raise SourceError(directory, f"a report directory needs its text as {REPORT_TEXT}")
        found.append(ReportFiles(directory.name, text, tuple(sorted(directory.glob("*.ttl")))))
    return tuple(found)


@dataclass(frozen=True)
class ProjectFiles:
    """The input files of a project, found under ``root``."""

    root: Path
    ontology: Path
    shapes: tuple[Path, ...]
    data: tuple[Path, ...]
    links: Path | None
    article: Path
    queries: tuple[Path, ...] = ()
    """The example queries (data/queries/*.rq) the release carries for the query UI."""
    reports: tuple[ReportFiles, ...] = ()
    """The registered reports (data/reports/<slug>/), each loaded into a named graph of its own."""
    imports: tuple[Path, ...] = ()
    """Imported datasets (data/imports/<name>.nt.gz|.nt|.ttl), each its own asserted graph."""

    @classmethod
    def locate(cls, root: Path | str = ".") -> ProjectFiles:
        """Find the inputs under ``root``; a missing ontology, shapes, data or article is a SourceError."""
        root = Path(root)
        ontology = root / ONTOLOGY_FILE
        article = root / ARTICLE_FILE
        shapes = tuple(sorted((root / SHAPES_DIR).glob("*.ttl")))
        data = tuple(sorted(p for p in (root / DATA_DIR).glob("*.ttl") if p.name != LINKS_FILE.name))
        links = root / LINKS_FILE
        for required in (ontology, article):
            if not required.is_file():
                raise SourceError(required, "missing input file")
        if not shapes:
            raise SourceError(root / SHAPES_DIR, "no shapes (*.ttl) found")
        if not data:
            raise SourceError(root / DATA_DIR, "no data (*.ttl other than links.ttl) found")
        queries = tuple(sorted((root / QUERIES_DIR).glob("*.rq")))
        imports = tuple(sorted(p for p in (root / IMPORTS_DIR).glob("*") if p.is_file() and import_name(p)))
        return cls(root, ontology, shapes, data, links if links.is_file() else None, article, queries,
                   locate_reports(root), imports)

    def graph_files(self) -> Iterator[tuple[URIRef, Path]]:
        """Each RDF input with the named graph it loads into, in a fixed order."""
        yield ONTOLOGY_GRAPH, self.ontology
        for path in self.shapes:
            yield SHAPES_GRAPH, path
        for path in self.data:
            yield DATA_GRAPH, path
        if self.links is not None:
            yield LINKS_GRAPH, self.links
        for report in self.reports:
            for path in report.rdf:
                yield report.graph, path
        for path in self.imports:
            yield GRAPH[f"import/{import_name(path)}"], path

    def all_files(self) -> list[Path]:
        """Every input file, RDF, article, report texts and example queries, in a fixed order."""
        texts = [report.text for report in self.reports]
        return [path for _, path in self.graph_files()] + [self.article, *texts, *self.queries]

    def relative(self, path: Path) -> str:
        """A path as written relative to the project root (POSIX form), for messages and hashing."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def fingerprint(self) -> str:
        """SHA-256 over the inputs' relative paths and bytes: the same inputs give the same fingerprint."""
        digest = hashlib.sha256()
        for path in sorted(self.all_files(), key=self.relative):
            content = path.read_bytes()
            digest.update(self.relative(path).encode() + b"\0" + str(len(content)).encode() + b"\0")
            digest.update(content)
        return digest.hexdigest()

    def version(self) -> str:
        """``<package version>+<first 12 hex of the input fingerprint>``, the release version and ETag."""
        return f"{__version__}+{self.fingerprint()[:12]}"


def import_name(path: Path) -> str | None:
    """The import name of ``data/imports/<name>.nt.gz`` (or .nt, .ttl); None for other files (temporary ones)."""
    if path.name.startswith("."):
        return None
    for suffix in IMPORT_SUFFIXES:
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return None


def open_rdf(path: Path) -> BinaryIO:
    """An RDF input file for reading, decompressed when it ends in ``.gz`` (imports are N-Triples.gz);
    N-Triples is Turtle, so one parser reads both."""
    return gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # type: ignore[return-value]


def union(graphs: Iterable[Graph]) -> Graph:
    """A fresh graph with every triple of ``graphs`` and the contract prefixes bound.

    Fresh, because owlrl and pyshacl add triples to the graph they are handed: working on a union
    keeps the loaded graphs exactly as their authors wrote them.
    """
    merged = bind_prefixes(Graph())
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


@dataclass(frozen=True)
class FilePart:
    """A Turtle file without blank nodes, read again (by a streaming parser) whenever it is needed.

    Holding millions of triples as rdflib objects costs gigabytes and minutes; re-reading the file
    costs pyoxigraph about a second per million triples and no memory.
    """

    path: Path
    origin: str
    triples: int
    types: dict[ox.NamedNode, list[object]] | None = field(default=None, compare=False, repr=False)
    """The subjects of each asserted class, gathered while loading (see :meth:`Sources.described`)."""
    subjects: frozenset[object] | None = field(default=None, compare=False, repr=False)
    """Every subject the file describes, so a lookup of a few resources reads only the files that have them."""

    def may_describe(self, nodes: set[object]) -> bool:
        """False only if the file surely has none of ``nodes`` as a subject."""
        return self.subjects is None or not self.subjects.isdisjoint(nodes)

    def ox_triples(self) -> Iterator[ox.Quad]:
        """The file's triples (as quads in the default graph: no copy per triple); a gzipped import is
        decompressed as it is read."""
        base = self.path.resolve().as_uri()
        if self.path.name.endswith(".gz"):
            return ox.parse(open_rdf(self.path), format=ox.RdfFormat.TURTLE, base_iri=base)
        return ox.parse(path=self.path, format=ox.RdfFormat.TURTLE, base_iri=base)

    def ntriples(self) -> bytes:
        return ox.serialize(self.ox_triples(), format=ox.RdfFormat.N_QUADS)


@dataclass(frozen=True)
class GraphPart:
    """Triples held as an rdflib graph: a file with blank nodes (ontology and shapes lists, whose labels
    must stay the same in every later use) or the output of a linker."""

    graph: Graph
    origin: str

    @property
    def triples(self) -> int:
        return len(self.graph)

    def ox_triples(self) -> Iterator[ox.Triple]:
        for s, p, o in self.graph:
            yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]

    def ntriples(self) -> bytes:
        return ox.serialize(self.ox_triples(), format=ox.RdfFormat.N_TRIPLES)


@dataclass(frozen=True)
class NTriplesPart:
    """Triples held as N-Triples bytes (the reasoner's output): compact, and read by every engine."""

    data: bytes
    origin: str
    triples: int

    def ox_triples(self) -> Iterator[ox.Quad]:
        return ox.parse(self.data, format=ox.RdfFormat.N_TRIPLES)

    def ntriples(self) -> bytes:
        return self.data


Part = FilePart | GraphPart | NTriplesPart


def _ox_key(term: object) -> str:
    """A pyoxigraph node as str() writes the rdflib one: its IRI or blank node label."""
    return term.value  # type: ignore[attr-defined,no-any-return]


@dataclass
class Sources:
    """The loaded project: each named graph as the parts it was loaded from, and the article text.

    A graph is kept as its parts (files, rdflib graphs, N-Triples) rather than one rdflib Dataset so
    that a build of millions of triples streams them into the engines that need them (pyshacl-turbo,
    the rule reasoner, pyoxigraph's writers). :meth:`graph` still gives an rdflib Graph, built on first
    use, for the code that wants rdflib's model (linkers, the reference engines, small projects).
    """

    files: ProjectFiles
    article: str
    parts: dict[URIRef, list[Part]] = field(default_factory=dict)
    spans: SpanTable = field(default_factory=lambda: SpanTable(to_rdflib, key=_ox_key))  # type: ignore[arg-type]
    """The evidence triples of the data and report graphs, gathered while loading (pipeline.evidence)."""
    texts: dict[URIRef, str] = field(default_factory=dict)
    """Each registered report's raw text by its IRI (``id/report/<slug>``), for the evidence check."""
    _graphs: dict[URIRef, Graph] = field(default_factory=dict, repr=False)

    def graph(self, iri: URIRef) -> Graph:
        """The named graph ``iri`` as an rdflib Graph (built on first use, then kept up to date by add).

        It is the live graph: once built, what is added to or removed from it is what the later stages
        validate, reason over and publish (they read it instead of the files it came from).
        """
        if iri not in self._graphs:
            graph = bind_prefixes(Graph(identifier=iri))
            for part in self.parts.get(iri, ()):
                _add_part(graph, part)
            self._graphs[iri] = graph
        return self._graphs[iri]

    @property
    def dataset(self) -> Dataset:
        """A Dataset with a copy of every named graph (built on each use: small projects and tests)."""
        dataset = bind_prefixes(Dataset())
        for iri in self.parts:
            target = dataset.graph(iri)
            for triple in self.graph(iri):
                target.add(triple)
        return dataset

    def asserted_graphs(self) -> tuple[URIRef, ...]:
        """The graphs of the SPARQL default graph: the fixed four plus every report (and import) graph."""
        return asserted_graphs(iri for iri in self.graph_iris() if self.size(iri))

    def graph_iris(self) -> list[URIRef]:
        """Every named graph loaded or created by a step (a linker, the review of drafts), in that order."""
        return [*self.parts, *(iri for iri in self._graphs if iri not in self.parts)]

    def union(self, *iris: URIRef) -> Graph:
        """A fresh graph with the triples of the named graphs ``iris`` (see :func:`union`).

        Built from the sources without building (and keeping) each graph's own rdflib copy.
        """
        merged = bind_prefixes(Graph())
        for iri in iris:
            for part in self.content(iri):
                _add_part(merged, part)
        return merged

    def described(self, iris: Iterable[URIRef], classes: Iterable[URIRef]) -> Graph:
        """A fresh graph with the triples of the resources typed (as asserted) with one of ``classes`` in
        the named graphs ``iris``, and of the nodes those triples point to.

        What a step that works on a few kinds of resources (a linker reading places) needs, in three
        streaming passes instead of an rdflib copy of millions of triples.
        """
        iris = tuple(iris)
        rdf_type = ox.NamedNode(str(RDF.type))
        wanted = {ox.NamedNode(str(c)) for c in classes}
        chosen: set[object] = set()
        for iri in iris:
            for part in self.content(iri):
                if isinstance(part, FilePart) and part.types is not None:
                    chosen.update(s for c in wanted for s in part.types.get(c, ()))
                else:
                    chosen.update(t.subject for t in part.ox_triples() if t.predicate == rdf_type and t.object in wanted)
        graph = bind_prefixes(Graph())
        targets: set[object] = set()
        for triple in self._about(iris, chosen):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
            if type(triple.object) is not ox.Literal:
                targets.add(triple.object)
        for triple in self._about(iris, targets - chosen):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def selected(self, iris: Iterable[URIRef], predicates: Iterable[URIRef],
                 keep: Callable[[ox.Triple | ox.Quad], bool] | None = None) -> Graph:
        """A fresh graph with the triples of the named graphs ``iris`` whose predicate is one of
        ``predicates`` (and that ``keep`` accepts, if given): what a step that reads a few predicates
        (derivation, same-event linking) needs, in one streaming pass instead of an rdflib copy of
        millions of triples."""
        wanted = {ox.NamedNode(str(p)) for p in predicates}
        graph = bind_prefixes(Graph())
        for iri in iris:
            for triple in self.ox_triples(iri):
                if triple.predicate in wanted and (keep is None or keep(triple)):
                    graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def _about(self, iris: Iterable[URIRef], subjects: set[object]) -> Iterator[ox.Triple | ox.Quad]:
        """The triples of ``iris`` whose subject is one of ``subjects``, reading only the files that have them."""
        for iri in iris:
            for part in self.content(iri):
                if not isinstance(part, FilePart) or part.may_describe(subjects):
                    yield from (t for t in part.ox_triples() if t.subject in subjects)

    def add(self, graph: URIRef, triples: Graph, origin: str) -> None:
        """Add triples to a named graph, recording ``origin`` (a file or a step) as where they come from."""
        copy = Graph()
        for triple in triples:
            copy.add(triple)
        self._add_part(graph, GraphPart(copy, origin))

    def add_ntriples(self, graph: URIRef, data: bytes, count: int, origin: str) -> None:
        """Add ``count`` triples given as N-Triples to a named graph (large outputs such as inferences)."""
        self._add_part(graph, NTriplesPart(data, origin, count))

    def append(self, graph: URIRef, part: Part) -> None:
        """Add a part as it is: one another process's copy of these sources received (pipeline.build)."""
        self._add_part(graph, part)

    def _add_part(self, graph: URIRef, part: Part) -> None:
        self.parts.setdefault(graph, []).append(part)
        if graph in self._graphs:
            _add_part(self._graphs[graph], part)

    def content(self, iri: URIRef) -> list[Part]:
        """The parts to read the named graph ``iri`` from: its rdflib graph once built, else its sources."""
        if iri in self._graphs:
            return [GraphPart(self._graphs[iri], "(in memory)")]
        return self.parts.get(iri, [])

    def size(self, *iris: URIRef) -> int:
        """How many triples the named graphs ``iris`` hold (a triple written twice counts twice)."""
        return sum(part.triples for iri in iris for part in self.content(iri))

    def ox_triples(self, iri: URIRef) -> Iterator[ox.Triple | ox.Quad]:
        """Every triple of the named graph ``iri`` as pyoxigraph terms, part by part (duplicates kept);
        read from a file they come as quads of the default graph, which have the same three terms."""
        for part in self.content(iri):
            yield from part.ox_triples()

    def ntriples(self, iri: URIRef) -> bytes:
        """The named graph ``iri`` as N-Triples, part by part (duplicates kept, unsorted)."""
        return b"".join(part.ntriples() for part in self.content(iri))

    def origins_for(self, nodes: Iterable[Node]) -> dict[Node, list[str]]:
        """For each node, the files (or steps) in which it is described as subject, else those that
        mention it at all; one pass over the sources for all nodes together."""
        wanted = {to_ox(node): node for node in nodes}
        described: dict[Node, set[str]] = {node: set() for node in wanted.values()}
        mentioned: dict[Node, set[str]] = {node: set() for node in wanted.values()}
        for parts in self.parts.values():
            for part in parts:
                for triple in part.ox_triples():
                    subject = wanted.get(triple.subject)
                    if subject is not None:
                        described[subject].add(part.origin)
                    for term in (triple.predicate, triple.object):
                        node = wanted.get(term)
                        if node is not None:
                            mentioned[node].add(part.origin)
        return {node: sorted(described[node] or mentioned[node]) for node in wanted.values()}

    def origins_of(self, node: Node) -> list[str]:
        """The files in which ``node`` is described (as subject), else those that mention it at all."""
        return self.origins_for([node])[node]


def _add_part(graph: Graph, part: Part) -> None:
    """Add the triples of ``part`` to an rdflib graph."""
    if isinstance(part, GraphPart):
        for triple in part.graph:
            graph.add(triple)
    else:
        for triple in part.ox_triples():
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))


_LINE = re.compile(r"at line (\d+)")


@contextmanager
def _quiet_rdflib_term_warnings() -> Iterator[None]:
    """rdflib logs ill-typed literals with a traceback; we report them ourselves, so mute that logger."""
    logger = logging.getLogger("rdflib.term")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _rdflib_error(path: Path, text: str, exc: Exception) -> SourceError:
    """Turn an rdflib parser exception into file:line:column, reading the position the parser reports."""
    message = str(exc)
    index = getattr(exc, "_i", None)
    why = getattr(exc, "_why", None)
    if isinstance(index, int):
        while index < len(text) and text[index].isspace():  # rdflib stops before the offending token
            index += 1
        line, column = _position(text, index)
        return SourceError(path, f"bad syntax ({why})" if why else message.splitlines()[0], line, column)
    found = _LINE.search(message)
    return SourceError(path, message.splitlines()[0] if message else type(exc).__name__,
                       int(found.group(1)) if found else None)


def _strict_check(path: Path, content: bytes, fmt: ox.RdfFormat) -> None:
    """Parse with pyoxigraph; its errors carry an exact position, which we pass on."""
    try:
        for _ in ox.parse(content, format=fmt, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as exc:
        raise SourceError(path, *oxigraph_complaint(exc)) from None


def _ill_typed(path: Path, text: str, graph: Graph) -> None:
    """Refuse a literal whose lexical form does not fit its datatype (``"x"^^xsd:integer``)."""
    for _, _, obj in graph:
        if isinstance(obj, Literal) and obj.ill_typed:
            index = text.find(f'"{obj}"')
            line, column = _position(text, index) if index >= 0 else (None, None)
            raise SourceError(path, f'ill-typed literal "{obj}"^^<{obj.datatype}>', line, column)


def parse_turtle(path: Path) -> Graph:
    """Parse one Turtle file (or N-Triples, gzipped or not, for imports), raising SourceError with file,
    line and column on any syntax error."""
    ntriples = path.name.endswith((".nt", ".nt.gz"))
    try:
        content = path.read_bytes()
        if path.name.endswith(".gz"):
            content = gzip.decompress(content)
        text = content.decode("utf-8")
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read as UTF-8 text: {exc}") from None
    graph = Graph()
    with _quiet_rdflib_term_warnings():
        try:
            graph.parse(data=text, format="nt" if ntriples else "turtle", publicID=path.resolve().as_uri())
        except Exception as exc:  # rdflib raises BadSyntax, ValueError, … depending on the fault
            raise _rdflib_error(path, text, exc) from None
    _strict_check(path, content, ox.RdfFormat.N_TRIPLES if ntriples else ox.RdfFormat.TURTLE)
    _ill_typed(path, text, graph)
    return graph


def check_query(path: Path) -> None:
    """Refuse an example query the query UI could not offer: not UTF-8, empty, or not a SPARQL query.

    The release carries the file byte-exact and the UI silently leaves out what it cannot read, so a
    broken example must stop the build, with the parser's line and column. It is parsed by running it
    on an empty store (pyoxigraph has no parse-only call; the evaluation has nothing to read).
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read as UTF-8 text: {exc}") from None
    if not text.strip():
        raise SourceError(path, "the example query is empty")
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        message = " ".join((getattr(exc, "msg", None) or str(exc)).split())
        if len(message) > 200:
            message = message[:200] + "…"
        position = re.match(r"error at (\d+):(\d+): ", message)
        if position is None:
            raise SourceError(path, f"not a SPARQL query: {message}") from None
        raise SourceError(
            path, f"not a SPARQL query: {message[position.end():]}", int(position.group(1)), int(position.group(2))
        ) from None


_XSD = str(XSD)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_UNCHECKED = frozenset({str(XSD.string), str(RDF.langString)})


class _FileScan:
    """One streaming pass over a Turtle file: count triples, note blank nodes, find an ill-typed literal
    and hand the evidence triples to the span table."""

    def __init__(self, spans: SpanTable | None) -> None:
        self.spans = spans
        self.triples = 0
        self.blank_nodes = False
        self.ill_typed = False
        self.types: dict[ox.NamedNode, list[object]] = {}
        self.subjects: set[object] = set()
        self._checked: dict[tuple[str, str], bool] = {}

    def scan(self, path: Path, meter: Meter | None) -> None:
        spans, evidence, checked, types = self.spans, EVIDENCE_PREDICATES, self._checked, self.types
        rdf_type, subjects = _RDF_TYPE, self.subjects
        with open_rdf(path) as stream:
            counted = _CountingReader(stream, meter)
            for quad in ox.parse(counted, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
                self.triples += 1
                subject, predicate, obj = quad.subject, quad.predicate, quad.object
                subjects.add(subject)
                if type(obj) is ox.Literal:
                    datatype = obj.datatype.value
                    if datatype not in _UNCHECKED and datatype.startswith(_XSD):
                        key = (obj.value, datatype)
                        well = checked.get(key)
                        if well is None:
                            well = checked[key] = not Literal(obj.value, datatype=URIRef(datatype)).ill_typed
                        if not well:
                            self.ill_typed = True
                elif type(obj) is ox.BlankNode:
                    self.blank_nodes = True
                if type(subject) is ox.BlankNode:
                    self.blank_nodes = True
                if predicate == rdf_type:
                    kind = types.get(obj)  # type: ignore[call-overload]
                    if kind is None:
                        types[obj] = kind = []  # type: ignore[index]
                    kind.append(subject)
                if spans is not None and predicate.value in evidence:
                    spans.add(subject, predicate.value, obj)
        if meter is not None:
            counted.flush()


class _CountingReader(io.RawIOBase):
    """A file read through, advancing a meter by the bytes the parser has taken."""

    def __init__(self, stream: BinaryIO, meter: Meter | None) -> None:
        self._stream = stream
        self._meter = meter
        self._pending = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._stream.readinto(buffer)  # type: ignore[attr-defined]
        if self._meter is not None and count:
            self._pending += count
            if self._pending >= 1 << 22:
                self.flush()
        return count or 0

    def flush(self) -> None:
        if self._meter is not None and self._pending:
            self._meter.advance(self._pending)
            self._pending = 0


def _load_file(path: Path, spans: SpanTable | None, meter: Meter | None) -> _FileScan:
    """Check one Turtle file in a streaming pass; return its triple count and whether it has blank nodes.

    A file the strict parser refuses, or with an ill-typed literal, is parsed again by
    :func:`parse_turtle` so that the error is the one a data author has always been given
    (rdflib's reading first, then pyoxigraph's, with file, line and column).
    """
    scan = _FileScan(spans)
    try:
        scan.scan(path, meter)
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(path, f"cannot read: {exc}") from None
    except SyntaxError as exc:
        if path.stat().st_size <= _REPARSE_LIMIT:
            parse_turtle(path)
        raise SourceError(path, *oxigraph_complaint(exc)) from None
    if scan.ill_typed:
        parse_turtle(path)
    return scan


_REPARSE_LIMIT = 8 << 20
"""Files up to this size are re-read by rdflib on a syntax error, for its wording of the fault; a
larger one gets pyoxigraph's (also with line and column) without a minute of rdflib parsing."""


def read_text(path: Path) -> str:
    """A source text decoded as UTF-8 and nothing else: offsets count code points of exactly these bytes."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read as UTF-8 text: {exc}") from None


def load(root: Path | str = ".", progress: Progress = quiet) -> Sources:
    """Locate and check every input of the project at ``root``, and index its named graphs by part.

    Each RDF file is read once by pyoxigraph's streaming parser (strict syntax, a literal that does
    not fit its datatype, the evidence triples); a file with blank nodes is kept as an rdflib graph,
    so that its blank nodes keep one label through validation, reasoning and the release. Literals keep
    their lexical form exactly as written everywhere (see pipeline.terms).
    """
    files = ProjectFiles.locate(root)
    try:
        article = files.article.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(files.article, f"cannot read as UTF-8 text: {exc}") from None
    sources = Sources(files=files, article=article)
    for report in files.reports:
        sources.texts[report.iri] = read_text(report.text)
    statement_files = {DATA_GRAPH, *(report.graph for report in files.reports)}
    graph_files = list(files.graph_files())
    meter = Meter("load", sum(path.stat().st_size for _, path in graph_files), "bytes", progress)
    for graph_iri, path in graph_files:
        spans = sources.spans if graph_iri in statement_files else None
        scan = _load_file(path, spans, meter)
        origin = files.relative(path)
        if scan.blank_nodes:
            if path.stat().st_size <= _REPARSE_LIMIT:
                parse_turtle(path)  # rdflib refuses blank-node nesting its model (and RDFC-1.0) cannot handle
            graph = Graph()
            _add_part(graph, FilePart(path, origin, scan.triples))
            sources._add_part(graph_iri, GraphPart(graph, origin))
        else:
            sources._add_part(graph_iri, FilePart(path, origin, scan.triples, scan.types, frozenset(scan.subjects)))
    for query in files.queries:
        check_query(query)
    return sources
