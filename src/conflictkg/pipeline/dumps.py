"""The release's RDF dumps, written from sorted canonical N-Triples lines so that millions of triples fit.

Every dump is derived from one form of each named graph: its distinct triples as canonical N-Triples
lines (pyoxigraph's writer), sorted by code point (the bytes of UTF-8 sort the same way). Sorting lines
is cheap at millions of triples and makes every file a function of the content alone:

- blank nodes get RDFC-1.0 canonical labels. The algorithm reads only the quads that mention a blank
  node, so canonicalising those few (the ontology's and shapes' lists) gives the labels a
  canonicalisation of the whole dataset would give, without handing millions of quads to it;
- N-Quads is the merge of the graphs' sorted lines (a graph's lines keep their order once the graph
  name is appended), N-Triples the deduplicated merge of the asserted graphs';
- TriG and Turtle are pyoxigraph's writers fed the sorted lines, graph by graph;
- JSON-LD is written node by node with the published context's prefixes (see :func:`write_json_ld`).

Nothing here holds an rdflib graph of the data: the lines are the only copy in memory.
"""

from __future__ import annotations

import gzip
import heapq
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, groupby
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

GZIP_LEVEL = 6
"""zlib's default: within a few per cent of level 9 on N-Triples, at a third of the time."""

Lines = list[bytes]
"""A graph's distinct triples as N-Triples lines without their line break, sorted."""

_CHUNK = 100_000


def _split(ntriples: bytes) -> set[bytes]:
    return {line for line in ntriples.split(b"\n") if line}


def _has_blank_node(line: bytes) -> bool:
    """True if a line may hold a blank node (``_:`` outside a literal is the only way to write one)."""
    return b"_:" in line


def canonical_lines(graphs: Mapping[URIRef, bytes]) -> dict[URIRef, Lines]:
    """Each graph's N-Triples as sorted distinct lines, blank nodes labelled canonically (RDFC-1.0)
    across all graphs together, so a node shared by two graphs keeps one label."""
    plain: dict[URIRef, set[bytes]] = {}
    blank_quads: list[ox.Quad] = []
    for iri, ntriples in graphs.items():
        lines = _split(ntriples)
        candidates = {line for line in lines if _has_blank_node(line)}
        plain[iri] = lines - candidates
        name = ox.NamedNode(str(iri))
        for quad in ox.parse(b"\n".join(candidates), format=ox.RdfFormat.N_TRIPLES):
            triple = quad.triple
            if any(type(t) is ox.BlankNode for t in (triple.subject, triple.object)):
                blank_quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, name))
            else:
                plain[iri].add(ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES).rstrip(b"\n"))
    if blank_quads:
        dataset = ox.Dataset(blank_quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        for quad in dataset:
            line = ox.serialize([quad.triple], format=ox.RdfFormat.N_TRIPLES).rstrip(b"\n")
            plain[URIRef(quad.graph_name.value)].add(line)  # type: ignore[union-attr]
    return {iri: sorted(lines) for iri, lines in plain.items()}


def merged(runs: Iterable[Lines]) -> Lines:
    """The sorted distinct lines of several sorted lists.

    Concatenated sorted runs are what Python's sort merges fastest (in C, in linear time), far
    quicker than a merge written in Python.
    """
    lines: Lines = []
    for run in runs:
        lines.extend(run)
    lines.sort()
    return [line for line, _ in groupby(lines)]


def write_gzip_lines(path: Path, lines: Iterable[bytes]) -> None:
    """Lines (each followed by a line break) gzipped with no name or time in the header."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                               compresslevel=GZIP_LEVEL) as stream:
        batch: list[bytes] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= _CHUNK:
                stream.write(b"\n".join(batch) + b"\n")
                batch.clear()
        if batch:
            stream.write(b"\n".join(batch) + b"\n")


def write_nquads(path: Path, graphs: Mapping[URIRef, Lines], order: Sequence[URIRef]) -> None:
    """Every graph's lines as one sorted N-Quads file, gzipped.

    A graph's lines stay in order once its name is appended (no line is a prefix of another up to
    the space before the final dot), so the N-Quads lines are the merge of the graphs' lines, a triple
    in several graphs ordered by graph name; merged lazily, no second copy of the lines is made.
    """
    runs = [_tagged(graphs[iri], f"<{iri}> .".encode()) for iri in order]
    write_gzip_lines(path, (line[:-1] + suffix for line, suffix in heapq.merge(*runs)))


def _tagged(lines: Lines, suffix: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each line with the graph-name suffix of its N-Quads form (a function, so each run keeps its own)."""
    for line in lines:
        yield line, suffix


def write_ntriples(path: Path, graphs: Mapping[URIRef, Lines], union_of: Sequence[URIRef]) -> None:
    """The distinct triples of the ``union_of`` graphs as one sorted N-Triples file, gzipped."""
    write_gzip_lines(path, merged(graphs[iri] for iri in union_of))


def parsed(lines: Lines, graph: URIRef | None = None) -> Iterator[ox.Quad]:
    """The statements of sorted lines as quads of ``graph`` (default: the default graph), parsed a chunk
    at a time by pyoxigraph and chained in C: no Python code runs per statement.

    A chunk becomes N-Quads by one replacement: every line ends with `` .`` and N-Triples escapes line
    breaks inside literals, so `` .`` followed by a line break occurs only where a line ends.
    """
    if graph is None:
        suffix, fmt = b"", ox.RdfFormat.N_TRIPLES
    else:
        suffix, fmt = f" <{graph}> .\n".encode(), ox.RdfFormat.N_QUADS

    def chunk(start: int) -> Iterator[ox.Quad]:
        data = b"\n".join(lines[start:start + _CHUNK]) + b"\n"
        return ox.parse(data.replace(b" .\n", suffix) if suffix else data, format=fmt)

    return chain.from_iterable(map(chunk, range(0, len(lines), _CHUNK)))


def write_trig(path: Path, graphs: Mapping[URIRef, Lines], order: Sequence[URIRef], prefixes: dict[str, str]) -> None:
    """TriG of the graphs in ``order``, each graph's triples in line order."""
    ox.serialize(chain.from_iterable(parsed(graphs[iri], iri) for iri in order), path, format=ox.RdfFormat.TRIG,
                 prefixes=prefixes)


def write_turtle(path: Path, lines: Lines, prefixes: dict[str, str]) -> None:
    """One graph as Turtle, triples in line order (so a subject's triples share one block)."""
    ox.serialize(parsed(lines), path, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def rdflib_graph(lines: Lines) -> Graph:
    """A small graph's lines as an rdflib Graph (for VoID's copy of the linksets)."""
    graph = Graph()
    if lines:
        graph.parse(data=b"\n".join(lines) + b"\n", format="nt")
    return graph


# ---------------------------------------------------------------------------------------------------
# JSON-LD
# ---------------------------------------------------------------------------------------------------

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_UNSAFE_SUFFIX = frozenset("/#?:[]@ ")


def compacter(prefixes: dict[str, str]) -> Callable[[str], str]:
    """``prefix:local`` for an IRI under one of ``prefixes`` (the longest namespace) when the local part
    is a plain name, as rdflib's compaction writes it; the full IRI otherwise."""
    namespaces = sorted(((ns, prefix) for prefix, ns in prefixes.items()), key=lambda item: -len(item[0]))
    cache: dict[str, str] = {}

    def compact(iri: str) -> str:
        known = cache.get(iri)
        if known is not None:
            return known
        result = iri
        for namespace, prefix in namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if local and not (_UNSAFE_SUFFIX & set(local)):
                    result = f"{prefix}:{local}"
                break
        if len(cache) < 100_000:
            cache[iri] = result
        return result

    return compact


def _node_id(term: ox.NamedNode | ox.BlankNode, compact: Callable[[str], str]) -> str:
    return compact(term.value) if type(term) is ox.NamedNode else f"_:{term.value}"


_encode = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes a string with


def _value(term: object, compact: Callable[[str], str]) -> tuple[str, tuple[tuple[str, str], ...] | str]:
    """(the value as json.dumps(sort_keys=True) writes it: the sort key, its content)."""
    if type(term) is ox.Literal:
        if term.language:
            pairs = (("@language", term.language), ("@value", term.value))
        elif term.datatype.value == _XSD_STRING:
            text = _encode(term.value)
            return text, text
        else:
            pairs = (("@type", compact(term.datatype.value)), ("@value", term.value))
    else:
        pairs = (("@id", _node_id(term, compact)),)  # type: ignore[arg-type]
    encoded = tuple((_encode(k), _encode(v)) for k, v in pairs)
    return "{" + ", ".join(f"{k}: {v}" for k, v in encoded) + "}", encoded


def _render(content: tuple[tuple[str, str], ...] | str, indent: str) -> str:
    """A value as json.dumps(indent=2) writes it when its line starts at ``indent``."""
    if isinstance(content, str):
        return content
    inner = indent + "  "
    return "{\n" + ",\n".join(f"{inner}{k}: {v}" for k, v in content) + "\n" + indent + "}"


_NODE_INDENT = "      "


def _node_text(subject: object, pairs: list[tuple[ox.NamedNode, object]], compact: Callable[[str], str]) -> str:
    """One node object as json.dumps(node, indent=2, sort_keys=True) writes it, inside the ``@graph`` array."""
    values: dict[str, list[tuple[str, tuple[tuple[str, str], ...] | str]]] = {}
    for predicate, obj in pairs:
        if predicate.value == _RDF_TYPE and type(obj) is not ox.Literal:
            text = _encode(_node_id(obj, compact))  # type: ignore[arg-type]
            values.setdefault("@type", []).append((text, text))
        else:
            values.setdefault(compact(predicate.value), []).append(_value(obj, compact))
    entries = [f'{_NODE_INDENT}"@id": {_encode(_node_id(subject, compact))}']  # type: ignore[arg-type]
    for key in sorted(values):
        items = sorted(set(values[key]))
        if len(items) == 1:
            rendered = _render(items[0][1], _NODE_INDENT)
        else:
            inner = _NODE_INDENT + "  "
            rendered = "[\n" + ",\n".join(inner + _render(c, inner) for _, c in items) + "\n" + _NODE_INDENT + "]"
        entries.append(f"{_NODE_INDENT}{_encode(key)}: {rendered}")
    return "    {\n" + ",\n".join(entries) + "\n    }"


def write_json_ld(path: Path, lines: Lines, context_url: str, prefixes: dict[str, str]) -> None:
    """The graph of ``lines`` as a JSON-LD document referring to the published context by URL.

    One node object per subject (its triples are adjacent in sorted lines), properties and ``@type`` as
    compact IRIs of the context's prefixes, each set of values sorted, and the nodes ordered by their
    text: the bytes rdflib's compaction gives once every array is sorted (``json.dumps`` with
    ``indent=2``, ``sort_keys``), written a node at a time without building the document.
    """
    compact = compacter(prefixes)
    nodes: list[tuple[str, str]] = []
    subject: object = None
    pairs: list[tuple[ox.NamedNode, object]] = []
    for triple in parsed(lines):
        if triple.subject != subject:
            if subject is not None:
                nodes.append(_keyed(subject, pairs, compact))
            subject, pairs = triple.subject, []
        pairs.append((triple.predicate, triple.object))
    if subject is not None:
        nodes.append(_keyed(subject, pairs, compact))
    nodes.sort()
    with path.open("w", encoding="utf-8") as out:
        out.write("{\n  " + json.dumps("@context") + ": " + json.dumps(context_url) + ",\n  \"@graph\": [")
        for index, (_, text) in enumerate(nodes):
            out.write(("\n" if index == 0 else ",\n") + text)
        out.write("\n  ]\n}\n" if nodes else "]\n}\n")


def _keyed(subject: object, pairs: list[tuple[ox.NamedNode, object]], compact: Callable[[str], str]) -> tuple[str, str]:
    """(sort key, the node's text).

    Nodes are ordered by their whole text, and every text starts with the node's unique ``@id``
    followed by a quote: ordering by the quoted ``@id`` is the same order for a fraction of the memory.
    """
    return _encode(_node_id(subject, compact)), _node_text(subject, pairs, compact)  # type: ignore[arg-type]
