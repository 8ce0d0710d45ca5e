"""Locate a project's input files and load them into named graphs, remembering where each triple came from.

The layout is fixed by docs/architecture.md: ``ontology/conflictkg.ttl``, ``shapes/*.ttl``, ``data/*.ttl``
(``data/links.ttl`` is the links graph, the rest the data graph) and ``data/article.txt``. A syntax error
in any file is reported as ``file:line:column: message`` so that the author can jump to it; the origin of
every triple is kept so the SHACL report can say which file a failing node was written in.

Each file is parsed twice: by rdflib (the build's graph model) and by pyoxigraph, a strict parser that
refuses what rdflib lets through with only a logged warning (an IRI with a space, say) and that would
otherwise break the dumps for every other RDF parser.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import _TripleType
from rdflib.term import Node

from conflictkg import __version__
from conflictkg.parse_errors import located, oxigraph_complaint
from conflictkg.pipeline import PipelineError
from conflictkg.vocab import DATA_GRAPH, GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, asserted_graphs, bind_prefixes

ONTOLOGY_FILE = Path("ontology/conflictkg.ttl")
SHAPES_DIR = Path("shapes")
DATA_DIR = Path("data")
LINKS_FILE = DATA_DIR / "links.ttl"
ARTICLE_FILE = DATA_DIR / "article.txt"
QUERIES_DIR = DATA_DIR / "queries"
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
        return cls(root, ontology, shapes, data, links if links.is_file() else None, article, queries, imports)

    def graph_files(self) -> Iterator[tuple[URIRef, Path]]:
        """Each RDF input with the named graph it loads into, in a fixed order."""
        yield ONTOLOGY_GRAPH, self.ontology
        for path in self.shapes:
            yield SHAPES_GRAPH, path
        for path in self.data:
            yield DATA_GRAPH, path
        if self.links is not None:
            yield LINKS_GRAPH, self.links
        for path in self.imports:
            yield GRAPH[f"import/{import_name(path)}"], path

    def all_files(self) -> list[Path]:
        """Every input file, RDF, article and example queries, in a fixed order."""
        return [path for _, path in self.graph_files()] + [self.article, *self.queries]

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


@dataclass
class Sources:
    """The loaded project: the dataset of asserted graphs, the article text and each triple's origin."""

    files: ProjectFiles
    dataset: Dataset
    article: str
    origins: dict[tuple[URIRef, _TripleType], str] = field(default_factory=dict)

    def graph(self, iri: URIRef) -> Graph:
        """The named graph ``iri`` of the dataset."""
        return self.dataset.graph(iri)

    def asserted_graphs(self) -> tuple[URIRef, ...]:
        """The fixed asserted graphs plus the import (and other extra) graphs loaded (vocab.asserted_graphs)."""
        return asserted_graphs(g.identifier for g in self.dataset.graphs() if len(g))

    def data_graphs(self) -> tuple[URIRef, ...]:
        """The asserted graphs that hold data (not the ontology or shapes): validated and reasoned over."""
        return tuple(g for g in self.asserted_graphs() if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH))

    def union(self, *iris: URIRef) -> Graph:
        """A fresh graph with the triples of the named graphs ``iris`` (see :func:`union`)."""
        return union(self.dataset.graph(iri) for iri in iris)

    def add(self, graph: URIRef, triples: Graph, origin: str) -> None:
        """Add triples to a named graph, recording ``origin`` (a file or a step) for those not yet there."""
        target = self.dataset.graph(graph)
        for triple in triples:
            self.origins.setdefault((graph, triple), origin)
            target.add(triple)

    def origins_of(self, node: Node) -> list[str]:
        """The files in which ``node`` is described (as subject), else those that mention it at all."""
        as_subject = sorted({o for (_, (s, _, _)), o in self.origins.items() if s == node})
        if as_subject:
            return as_subject
        return sorted({o for (_, (s, p, o_)), o in self.origins.items() if node in (p, o_)})


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


def load(root: Path | str = ".") -> Sources:
    """Locate and parse every input of the project at ``root`` into a Dataset of asserted named graphs."""
    files = ProjectFiles.locate(root)
    dataset = bind_prefixes(Dataset())
    try:
        article = files.article.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(files.article, f"cannot read as UTF-8 text: {exc}") from None
    sources = Sources(files=files, dataset=dataset, article=article)
    for graph_iri, path in files.graph_files():
        sources.add(graph_iri, parse_turtle(path), files.relative(path))
    for query in files.queries:
        check_query(query)
    return sources
