"""The release's RDF dumps, written from sorted canonical N-Triples lines so that millions of triples fit.

Every dump is derived from one form of each named graph: its distinct triples as canonical N-Triples
lines (pyoxigraph's writer), sorted by code point (the bytes of UTF-8 sort the same way). Sorting lines
is cheap at millions of triples and makes every file a function of the content alone:

- blank nodes get RDFC-1.0 canonical labels. The algorithm reads only the quads that mention a blank
  node, so canonicalising those few (the ontology's and shapes' lists) gives the labels a
  canonicalisation of the whole dataset would give, without handing millions of quads to it;
- N-Quads is the merge of the graphs' sorted lines (a graph's lines keep their order once the graph
  name is appended), N-Triples the deduplicated merge of the asserted graphs' (:func:`merged`);
- Turtle is pyoxigraph's writer fed the sorted lines, graph by graph, and TriG those Turtle files in
  graph blocks;
- JSON-LD is written node by node with the published context's prefixes (see :func:`write_json_ld`).

Nothing here holds an rdflib graph of the data: the lines are the only copy in memory.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, groupby, islice
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from zlib_ng import gzip_ng

GZIP_LEVEL = 6
"""zlib's default level, compressed by zlib-ng (gzip_ng): the 100 k-event N-Quads dump (980 MB) became
38.0 MB in 5.0 s CPU, where the standard library's zlib gave 40.6 MB in 9.2 s (level 3: 50.3 MB, 3.5 s)."""

Lines = list[bytes]
"""A graph's distinct triples as N-Triples lines without their line break, sorted."""

_CHUNK = 100_000


def _sorted_lines(ntriples: bytes) -> Lines:
    """The distinct lines of N-Triples, sorted.

    Sorted before they are made distinct: lines in the order a file or writer gave them are mostly in
    runs that Python's sort merges (1.2 s for the 3.3 M lines of 10⁵ events), where the same lines
    taken from a set, in hash order, took 5.7 s more.
    """
    lines = ntriples.split(b"\n")
    lines.sort()
    return [line for line, _ in groupby(lines) if line]


def _blank_node_candidates(ntriples: bytes, lines: Lines) -> set[bytes]:
    """The lines that may hold a blank node (``_:`` outside a literal is the only way to write one);
    none without looking at each line when ``_:`` occurs nowhere (the usual case for data)."""
    if b"_:" not in ntriples:
        return set()
    return {line for line in lines if b"_:" in line}


def canonical_lines(graphs: Mapping[URIRef, bytes]) -> dict[URIRef, Lines]:
    """Each graph's N-Triples as sorted distinct lines, blank nodes labelled canonically (RDFC-1.0)
    across all graphs together, so a node shared by two graphs keeps one label."""
    plain: dict[URIRef, Lines] = {}
    relabelled: dict[URIRef, Lines] = {}
    blank_quads: list[ox.Quad] = []
    for iri, ntriples in graphs.items():
        lines = _sorted_lines(ntriples)
        candidates = _blank_node_candidates(ntriples, lines)
        plain[iri] = [line for line in lines if line not in candidates] if candidates else lines
        relabelled[iri] = []
        name = ox.NamedNode(str(iri))
        for quad in ox.parse(b"\n".join(candidates), format=ox.RdfFormat.N_TRIPLES):
            triple = quad.triple
            if any(type(t) is ox.BlankNode for t in (triple.subject, triple.object)):
                blank_quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, name))
            else:
                relabelled[iri].append(ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES).rstrip(b"\n"))
    if blank_quads:
        dataset = ox.Dataset(blank_quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        for quad in dataset:
            line = ox.serialize([quad.triple], format=ox.RdfFormat.N_TRIPLES).rstrip(b"\n")
            relabelled[URIRef(quad.graph_name.value)].append(line)  # type: ignore[union-attr]
    return {iri: merged([lines, relabelled[iri]]) if relabelled[iri] else lines for iri, lines in plain.items()}


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


READ_BYTES = 1 << 24
"""How much of a file written before is read back at a time (16 MiB): a gzipped dump, decompressed, or
a graph's Turtle for TriG."""


def gzip_line_blocks(path: Path) -> Iterator[list[bytes]]:
    """A gzipped file's lines without their line break, :data:`READ_BYTES` at a time (empty lines kept)."""
    with gzip_ng.open(path, "rb") as stream:
        rest = b""
        while chunk := stream.read(READ_BYTES):
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            yield lines
        if rest:
            yield [rest]


def graph_lines(nquads: Path, graphs: Iterable[URIRef]) -> Iterator[bytes]:
    """The distinct triples of ``graphs`` in a release's N-Quads dump (written by :func:`write_nquads`),
    as sorted N-Triples lines: what :func:`merged` gives of their lines, read back from the file.

    Each quad's graph is its last term (an IRI: no space in it); a triple's N-Quads lines sort as its
    N-Triples line does against every other triple's (the graph comes after the whole triple), and the
    same triple in two of ``graphs`` gives adjacent lines, kept once.
    """
    wanted = {f"<{iri}>".encode() for iri in graphs}
    last = b""
    for block in gzip_line_blocks(nquads):
        for line in block:
            if not line:
                continue
            triple, graph, _ = line.rsplit(b" ", 2)
            if graph in wanted and triple != last:
                last = triple
                yield triple + b" ."


def write_gzip_lines(path: Path, lines: Iterable[bytes]) -> None:
    """Lines (each followed by a line break) gzipped with no name or time in the header."""
    def chunks() -> Iterator[bytes]:
        batch: list[bytes] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= _CHUNK:
                yield b"\n".join(batch) + b"\n"
                batch.clear()
        if batch:
            yield b"\n".join(batch) + b"\n"

    write_gzip_chunks(path, chunks())


def write_gzip_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """Bytes gzipped with no name or time in the header."""
    with path.open("wb") as raw, gzip_ng.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                  compresslevel=GZIP_LEVEL) as stream:
        for chunk in chunks:
            stream.write(chunk)


def write_nquads(path: Path, graphs: Mapping[URIRef, Lines], order: Sequence[URIRef]) -> None:
    """Every graph's lines as one sorted N-Quads file, gzipped.

    A graph's lines stay in order once its name is appended (no line is a prefix of another up to
    the space before the final dot), so the N-Quads lines of a range of triples are those of each
    graph's lines in that range, sorted. The ranges are cut at every _CHUNK-th line of the largest
    graph and found in the others by bisection: each range is made and sorted in C (sorted runs,
    merged by Python's sort), 9 s of CPU less than a merge line by line at 10⁵ events, with no
    second copy of all the lines.
    """
    runs = [(graphs[iri], f" <{iri}> .\n".encode()) for iri in order]
    largest = max((lines for lines, _ in runs), key=len, default=[])
    bounds: list[bytes | None] = [*largest[_CHUNK::_CHUNK], None]

    def ranges() -> Iterator[bytes]:
        starts = [0] * len(runs)
        for bound in bounds:
            quads: list[bytes] = []
            for index, (lines, suffix) in enumerate(runs):
                start = starts[index]
                end = len(lines) if bound is None else bisect_left(lines, bound, start)
                if end > start:
                    text = (b"\n".join(lines[start:end]) + b"\n").replace(b" .\n", suffix)
                    quads.extend(text.split(b"\n")[:-1])
                starts[index] = end
            if quads:
                quads.sort()
                yield b"\n".join(quads) + b"\n"

    write_gzip_chunks(path, ranges())


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


def write_trig(path: Path, turtle: Sequence[tuple[URIRef, Path]]) -> None:
    """TriG of graphs already written as Turtle files with the same prefixes, in the order given: the
    prefixes once, then each file's statements in a block named by its graph, indented by a tab.

    The bytes pyoxigraph's TriG writer gives for the same lines and prefixes, without serialising the
    graphs a second time (18 s of CPU at 10⁵ events). Each Turtle line may be indented as it is: the
    writer escapes line breaks inside literals, so every line break in a file ends a line of syntax.
    """
    first: tuple[Path, bytes] | None = None
    with path.open("wb") as out:
        for iri, source in turtle:
            if not source.stat().st_size:  # no statements (the writer gives an empty file): no block
                continue
            with source.open("rb") as file:
                prefixes = _prefix_lines(file)
                if first is None:
                    first = source, prefixes
                    out.write(prefixes)
                elif prefixes != first[1]:
                    raise ValueError(f"{source} was written with other prefixes than {first[0]}")
                _write_block(out, iri, file)


def _prefix_lines(file: BinaryIO) -> bytes:
    """The ``@prefix`` lines a Turtle file opens with, leaving ``file`` at its first statement."""
    prefixes = []
    while True:
        start = file.tell()
        line = file.readline()
        if not line.startswith(b"@prefix "):
            file.seek(start)
            return b"".join(prefixes)
        prefixes.append(line)


def _write_block(out: BinaryIO, iri: URIRef, statements: BinaryIO) -> None:
    """``<iri> {``, each remaining line of ``statements`` indented, ``}``."""
    chunk = statements.read(READ_BYTES)
    out.write(f"<{iri}> {{\n\t".encode())
    while chunk:
        following = statements.read(READ_BYTES)
        indented = chunk.replace(b"\n", b"\n\t")
        out.write(indented if following else indented[:-1])  # the last line break opens no line
        chunk = following
    out.write(b"}\n")


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
_UNSAFE_SUFFIX = frozenset("/#?:[]@ ")


def compacter(prefixes: dict[str, str]) -> Callable[[str], str]:
    """``prefix:local`` for an IRI under one of ``prefixes`` (the longest namespace) when the local part
    is a plain name, as rdflib's compaction writes it; the full IRI otherwise."""
    by_namespace = {ns: prefix for prefix, ns in prefixes.items()}
    # a namespace ending in "/" or "#" is found by looking up the IRI's leading parts that end there
    # (most IRIs are subjects seen once: trying each namespace in turn was a fifth of the JSON-LD dump)
    others = sorted((ns for ns in by_namespace if not ns.endswith(("/", "#"))), key=len, reverse=True)
    cache: dict[str, str] = {}

    def namespace_of(iri: str) -> str | None:
        """The longest namespace ``iri`` starts with."""
        other = next((ns for ns in others if iri.startswith(ns)), None)
        end = len(iri)
        while (cut := max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))) >= 0:
            if iri[:cut + 1] in by_namespace:
                return iri[:cut + 1] if other is None or cut + 1 >= len(other) else other
            end = cut
        return other

    def compact(iri: str) -> str:
        known = cache.get(iri)
        if known is not None:
            return known
        result = iri
        namespace = namespace_of(iri)
        if namespace is not None:
            local = iri[len(namespace):]
            if local and not (_UNSAFE_SUFFIX & set(local)):
                result = f"{by_namespace[namespace]}:{local}"
        if len(cache) < 100_000:
            cache[iri] = result
        return result

    return compact


_encode = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes a string with

Value = tuple[str, tuple[tuple[str, str], ...] | str]
"""A value as json.dumps(sort_keys=True) writes it: (the sort key, its content)."""


def _node_id(token: str, compact: Callable[[str], str]) -> str:
    """The ``@id`` of a subject or object as written in a line: ``<iri>`` compacted, ``_:label`` as is."""
    return compact(token[1:-1]) if token[0] == "<" else token


def _string(lexical: str, line: str) -> str:
    """A literal's lexical form as written in ``line`` (N-Triples, pyoxigraph's writer), JSON-encoded.

    pyoxigraph escapes every character JSON escapes (quote, backslash, control characters) with a
    backslash, and JSON escapes none that it writes bare: without a backslash the N-Triples form is the
    JSON form. With one, the line is parsed for the literal's value.
    """
    if "\\" not in lexical:
        return f'"{lexical}"'
    [quad] = ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES)
    return _encode(quad.object.value)


def _value(token: str, line: str, compact: Callable[[str], str]) -> Value:
    """An object as written in ``line`` as a JSON-LD value: a string, a value object or a node reference."""
    if token[0] != '"':
        encoded: tuple[tuple[str, str], ...] = (('"@id"', _encode(_node_id(token, compact))),)
    else:
        end = token.rindex('"')
        text, suffix = _string(token[1:end], line), token[end + 1:]
        if not suffix:
            return text, text
        if suffix[0] == "@":
            encoded = (('"@language"', _encode(suffix[1:])), ('"@value"', text))
        else:
            encoded = (('"@type"', _encode(compact(suffix[3:-1]))), ('"@value"', text))
    return "{" + ", ".join(f"{k}: {v}" for k, v in encoded) + "}", encoded


def _render(content: tuple[tuple[str, str], ...] | str, indent: str) -> str:
    """A value as json.dumps(indent=2) writes it when its line starts at ``indent``."""
    if type(content) is str:
        return content
    inner = indent + "  "
    return "{\n" + ",\n".join(f"{inner}{k}: {v}" for k, v in content) + "\n" + indent + "}"


_NODE_INDENT = "      "
_RDF_TYPE_TOKEN = f"<{_RDF_TYPE}>"


def _node_text(node_id: str, values: dict[str, list[Value]]) -> str:
    """One node object as json.dumps(node, indent=2, sort_keys=True) writes it, inside the ``@graph`` array."""
    entries = [f'{_NODE_INDENT}"@id": {_encode(node_id)}']
    for key in sorted(values):
        items = sorted(set(values[key]))
        if len(items) == 1:
            content = items[0][1]
            rendered = content if type(content) is str else _render(content, _NODE_INDENT)
        else:
            inner = _NODE_INDENT + "  "
            rendered = "[\n" + ",\n".join(inner + _render(c, inner) for _, c in items) + "\n" + _NODE_INDENT + "]"
        entries.append(f"{_NODE_INDENT}{_encode(key)}: {rendered}")
    return "    {\n" + ",\n".join(entries) + "\n    }"


def write_json_ld(path: Path, lines: Iterable[bytes], context_url: str, prefixes: dict[str, str]) -> None:
    """The graph of ``lines`` (sorted distinct N-Triples lines, a list or a stream: :func:`graph_lines`)
    as a JSON-LD document referring to the published context by URL.

    One node object per subject (its triples are adjacent in sorted lines), properties and ``@type`` as
    compact IRIs of the context's prefixes, each set of values sorted, and the nodes ordered by their
    text: the bytes rdflib's compaction gives once every array is sorted (``json.dumps`` with
    ``indent=2``, ``sort_keys``), written a node at a time without building the document.

    The lines are read as text (pyoxigraph's N-Triples: no space inside a subject or predicate, an
    object up to the final `` .``), and the JSON of each object is kept for its next use: types, places
    and actors recur thousands of times.
    """
    compact = compacter(prefixes)
    nodes: list[tuple[str, str]] = []
    known: dict[str, Value] = {}
    keys: dict[str, str] = {}
    subject = ""
    values: dict[str, list[Value]] = {}

    def close() -> None:
        node_id = _node_id(subject, compact)
        # nodes are ordered by their whole text, which starts with the unique quoted @id and a quote
        nodes.append((_encode(node_id), _node_text(node_id, values)))

    stream = iter(lines)
    while batch := list(islice(stream, _CHUNK)):
        for line in b"\n".join(batch).decode("utf-8").split("\n"):
            head, predicate, rest = line.split(" ", 2)
            if head != subject:
                if subject:
                    close()
                subject, values = head, {}
            token = rest[:-2]
            if predicate == _RDF_TYPE_TOKEN and token[0] != '"':
                text = _encode(_node_id(token, compact))
                values.setdefault("@type", []).append((text, text))
                continue
            value = known.get(token)
            if value is None:
                value = _value(token, line, compact)
                if len(known) < 200_000:
                    known[token] = value
            key = keys.get(predicate)
            if key is None:
                key = keys[predicate] = compact(predicate[1:-1])
            values.setdefault(key, []).append(value)
    if subject:
        close()
    nodes.sort()
    with path.open("w", encoding="utf-8") as out:
        out.write("{\n  " + json.dumps("@context") + ": " + json.dumps(context_url) + ",\n  \"@graph\": [")
        for index, (_, text) in enumerate(nodes):
            out.write(("\n" if index == 0 else ",\n") + text)
        out.write("\n  ]\n}\n" if nodes else "]\n}\n")
