"""The query engine: a read-only pyoxigraph store loaded from a release or from RDF files.

pyoxigraph answers SPARQL 15-160x faster than rdflib's engine on the same data (shared/facts), so the
server queries here; rdflib stays the tool of the build pipeline. The store keeps the named graphs of a
release apart; the SPARQL default graph is the union of the asserted graphs, never the inferred one,
unless a caller asks for it.

Known deviation: Oxigraph normalises literals as it stores them (oxigraph issue #526, no option to turn
it off): integer-derived datatypes such as xsd:nonNegativeInteger come back as xsd:integer, and numeric
lexical forms become canonical ("05" → "5"). Values compare the same; the dumps keep the original terms.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from conflictkg.parse_errors import located, one_line, oxigraph_complaint
from conflictkg.vocab import INFERRED_GRAPH, asserted_graphs

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


def _manifest_graphs(release_dir: Path) -> list[str]:
    """The graph IRIs a release's manifest lists (none when it has no readable manifest)."""
    try:
        return list(json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))["graphs"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


class StoreError(ValueError):
    """An input file could not be read; ``str()`` is ``file:line:column: message`` where the parser
    gives a position (as the build's SourceError), else ``file: message``."""


class Store:
    """A read-only dataset: named graphs plus a definition of what the default graph is."""

    def __init__(self, default_graphs: Sequence[str] | None = None) -> None:
        self._store = ox.Store()
        self._default_graphs = list(default_graphs) if default_graphs is not None else None

    @property
    def engine(self) -> ox.Store:
        """The underlying pyoxigraph store (for the SPARQL layer)."""
        return self._store

    @classmethod
    def from_release(cls, release_dir: Path) -> Store:
        """Load a release's N-Quads dump; the default graph is the union of the asserted graphs (the fixed
        ones plus the imports the manifest lists)."""
        store = cls(default_graphs=[str(g) for g in asserted_graphs(_manifest_graphs(Path(release_dir)))])
        store.load_file(Path(release_dir) / "conflictkg.nq.gz")
        return store

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> Store:
        """Load arbitrary RDF files; triples land in a graph named after the file, quads keep theirs."""
        store = cls(default_graphs=None)
        for path in paths:
            store.load_file(Path(path), graph=ox.NamedNode(Path(path).resolve().as_uri()))
        return store

    @classmethod
    def open(cls, release_dir: Path | None = None, files: Sequence[Path] = ()) -> Store:
        """Load ``files`` if any are given, else the release: the server and its query workers both
        call this, so they hold the same dataset."""
        if files:
            return cls.from_files(files)
        if release_dir is None:
            raise StoreError("nothing to serve: give RDF files or a release directory")
        if not (Path(release_dir) / "conflictkg.nq.gz").is_file():
            raise StoreError(f"{release_dir}: no release here (conflictkg.nq.gz is missing)")
        return cls.from_release(Path(release_dir))

    def load_file(self, path: Path, graph: ox.NamedNode | None = None) -> None:
        """Parse one file into the store, raising StoreError with file, line and column on bad input."""
        name = path.name.lower()
        compressed = name.endswith(".gz")
        suffix = Path(name[:-3] if compressed else name).suffix
        fmt = RDF_FORMATS.get(suffix)
        if fmt is None:
            raise StoreError(f"{path}: unknown RDF file type {suffix!r} (known: {', '.join(RDF_FORMATS)})")
        try:
            data = path.read_bytes()
            if compressed:
                data = gzip.decompress(data)
            if fmt is ox.RdfFormat.RDF_XML and _NESTED_ENTITY.search(data):
                raise StoreError(
                    f"{path}: an XML entity declaration refers to another entity; refused, since nested "
                    "entities can expand a small file into gigabytes"
                )
            kwargs: dict[str, object] = {"format": fmt, "base_iri": path.resolve().as_uri()}
            if graph is not None and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML):
                kwargs["to_graph"] = graph
            self._store.load(data, **kwargs)
        except StoreError:
            raise
        except SyntaxError as exc:
            message, line, column = oxigraph_complaint(exc)
            raise StoreError(located(path, one_line(message), line, column)) from None
        except (OSError, ValueError, EOFError, zlib.error) as exc:
            raise StoreError(located(path, one_line(str(exc)))) from None

    @property
    def default_graphs(self) -> list[str] | None:
        """Graph IRIs whose union is the default graph, or None for "every graph"."""
        return self._default_graphs

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs held."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph, for the service description and VoID."""
        rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows}  # type: ignore[union-attr]

    def default_graph_size(self) -> int:
        """Triples in the default graph as queries see it (distinct across the merged graphs)."""
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

        ``base_iri`` resolves relative IRIs in the query (the endpoint passes its own URL)."""
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
        return self._store.query(sparql, **kwargs)
