"""The dumps written from sorted N-Triples lines are what the rdflib-based writers gave, at any size."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from conflictkg.pipeline import dumps
from conflictkg.pipeline.dumps import (
    canonical_lines,
    compacter,
    graph_lines,
    merged,
    parsed,
    write_json_ld,
    write_nquads,
    write_trig,
    write_turtle,
)
from conflictkg.pipeline.sources import load
from conflictkg.vocab import DATA_GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH, prefix_map

REAL_PROJECT = Path(__file__).resolve().parents[2]
A, B = URIRef("https://w3id.org/conflictkg/graph/a"), URIRef("https://w3id.org/conflictkg/graph/b")


def test_blank_node_labels_are_those_of_the_whole_dataset_canonicalised() -> None:
    """RDFC-1.0 on the quads with blank nodes only gives the labels of the whole dataset, shared by graphs."""
    graphs = {
        A: b'_:x <http://e/p> "1" .\n_:x <http://e/q> _:y .\n<http://e/s> <http://e/p> <http://e/o> .\n',
        B: b'_:y <http://e/r> <http://e/s> .\n<http://e/s> <http://e/p> "_:not a blank node" .\n',
    }
    lines = canonical_lines(graphs)
    whole = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(iri)))
                       for iri, data in graphs.items() for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    whole.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    expected = {iri: sorted(ox.serialize([q.triple], format=ox.RdfFormat.N_TRIPLES).rstrip(b"\n")
                            for q in whole if q.graph_name.value == str(iri)) for iri in graphs}
    assert lines == expected
    assert b'<http://e/s> <http://e/p> "_:not a blank node" .' in lines[B]


def test_n_quads_lines_are_sorted_across_graphs(tmp_path: Path) -> None:
    lines = canonical_lines({A: b'<http://e/s> <http://e/p> "x"@en .\n<http://e/s> <http://e/p> "x" .\n',
                             B: b'<http://e/s> <http://e/p> "x" .\n'})
    write_nquads(tmp_path / "q.nq.gz", lines, (A, B))
    written = gzip.decompress((tmp_path / "q.nq.gz").read_bytes()).splitlines()
    assert written == sorted(written) and len(written) == 3
    assert sorted(written) == sorted(line[:-1] + f"<{iri}> .".encode() for iri in (A, B) for line in lines[iri])
    assert merged([lines[A], lines[B]]) == lines[A]


@pytest.mark.parametrize("read", [1 << 24, 7, 1])
def test_graph_lines_read_back_are_the_merged_lines_of_those_graphs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    read: int) -> None:
    """What the JSON-LD writer reads from the N-Quads dump: the sorted distinct triples of the graphs
    asked for, whatever size the file is read by: a triple in two of them once, a graph not asked for
    left out, a literal that looks like a graph name and an end of line kept whole, blank nodes."""
    monkeypatch.setattr(dumps, "READ_BYTES", read)
    c = URIRef("https://w3id.org/conflictkg/graph/c")
    lines = canonical_lines({
        A: b'<http://e/s> <http://e/p> "x"@en .\n<http://e/s> <http://e/p> "x" .\n_:b <http://e/p> "1" .\n',
        B: b'<http://e/s> <http://e/p> "x" .\n<http://e/t> <http://e/p> "v <https://w3id.org/conflictkg/graph/a> ." .\n',
        c: b'<http://e/s> <http://e/p> "only in c" .\n<http://e/a> <http://e/p> <http://e/o> .\n',
    })
    write_nquads(tmp_path / "q.nq.gz", lines, (A, B, c))
    assert list(graph_lines(tmp_path / "q.nq.gz", (A, B))) == merged([lines[A], lines[B]])
    assert list(graph_lines(tmp_path / "q.nq.gz", (c,))) == lines[c]
    assert list(graph_lines(tmp_path / "q.nq.gz", ())) == []


def test_json_ld_from_the_dump_is_the_json_ld_of_the_lines(tmp_path: Path) -> None:
    lines = canonical_lines(TRIG_GRAPHS)
    write_nquads(tmp_path / "q.nq.gz", lines, tuple(TRIG_GRAPHS))
    context = "https://w3id.org/conflictkg/context.jsonld"
    write_json_ld(tmp_path / "lines.jsonld", merged([lines[A], lines[B]]), context, prefix_map())
    write_json_ld(tmp_path / "dump.jsonld", graph_lines(tmp_path / "q.nq.gz", (A, B)), context, prefix_map())
    assert (tmp_path / "dump.jsonld").read_bytes() == (tmp_path / "lines.jsonld").read_bytes()


TRIG_GRAPHS = {
    A: b'_:x <http://e/p> "line one\\nline two\\ttab" .\n_:x <http://e/q> _:y .\n'
       b'<https://w3id.org/conflictkg/id/event/e1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
       b'<https://w3id.org/conflictkg/ontology#Attack> .\n'
       b'<https://w3id.org/conflictkg/id/event/e1> <http://www.w3.org/2000/01/rdf-schema#label> "Attack"@en .\n'
       b'<https://w3id.org/conflictkg/id/event/e1> <http://www.w3.org/2000/01/rdf-schema#label> "{ } ."@ar .\n',
    B: b'_:y <http://e/r> <http://e/s> .\n<http://e/s> <http://e/p> "x" .\n',
    URIRef("https://w3id.org/conflictkg/graph/empty"): b"",
}


@pytest.mark.parametrize(("read", "prefixes"), [(1 << 24, prefix_map()), (7, prefix_map()), (1, {})])
def test_trig_from_turtle_files_is_what_the_trig_writer_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              read: int, prefixes: dict[str, str]) -> None:
    """TriG assembled from the graphs' Turtle files is byte for byte pyoxigraph's TriG writer fed the
    same lines and prefixes: multi-line subject blocks, blank nodes shared by graphs, escaped line breaks
    and tabs in literals, braces in a literal, an empty graph (no block), whatever size the files are
    read by, with or without prefixes."""
    monkeypatch.setattr(dumps, "READ_BYTES", read)
    lines = canonical_lines(TRIG_GRAPHS)
    turtle = [(iri, tmp_path / f"{index}.ttl") for index, iri in enumerate(lines)]
    for iri, path in turtle:
        write_turtle(path, lines[iri], prefixes)
    write_trig(tmp_path / "assembled.trig", turtle)
    quads = [quad for iri in lines for quad in parsed(lines[iri], iri)]
    expected = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes)
    assert (tmp_path / "assembled.trig").read_bytes() == expected
    assert b"\t\t" in expected and b"\\n" in expected  # a continued block, an escaped line break


def test_trig_refuses_turtle_files_with_other_prefixes(tmp_path: Path) -> None:
    lines = canonical_lines(TRIG_GRAPHS)
    write_turtle(tmp_path / "a.ttl", lines[A], {"e": "http://e/"})
    write_turtle(tmp_path / "b.ttl", lines[B], {"f": "http://e/"})
    with pytest.raises(ValueError, match="other prefixes"):
        write_trig(tmp_path / "x.trig", [(A, tmp_path / "a.ttl"), (B, tmp_path / "b.ttl")])


def test_compact_iris_follow_the_context_prefixes() -> None:
    compact = compacter(prefix_map())
    assert compact("https://w3id.org/conflictkg/id/place/ayyash") == "place:ayyash"
    assert compact("https://w3id.org/conflictkg/id/place/ayyash/geometry") == (
        "https://w3id.org/conflictkg/id/place/ayyash/geometry")
    assert compact("https://sws.geonames.org/170794/") == "https://sws.geonames.org/170794/"


def test_the_longest_namespace_wins_whatever_it_ends_with() -> None:
    """As rdflib's compaction: the longest namespace the IRI starts with, also one not ending in / or #
    (the compacter finds those others by another way), and no shorter one when its local part is not
    a plain name."""
    compact = compacter({"id": "https://example.org/id/", "ev": "https://example.org/id/ev",
                         "evt": "https://example.org/id/event/", "frag": "https://example.org/v#"})
    assert compact("https://example.org/id/event/7") == "evt:7"
    assert compact("https://example.org/id/evil") == "ev:il"
    assert compact("https://example.org/id/ev") == "https://example.org/id/ev"  # no local name left
    assert compact("https://example.org/id/evx/1") == "https://example.org/id/evx/1"
    assert compact("https://example.org/v#name") == "frag:name"
    assert compact("https://example.org/other") == "https://example.org/other"


def _rdflib_json_ld(graph: Graph) -> dict:  # type: ignore[type-arg]
    """What the release wrote before: rdflib's compaction, every array sorted (release._unordered_arrays_sorted)."""
    def tidy(value: object, ordered: bool = False) -> object:
        if isinstance(value, list):
            items = [tidy(item) for item in value]
            return items if ordered else sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        if isinstance(value, dict):
            return {k: tidy(v, ordered=k == "@list") for k, v in sorted(value.items())}
        return value

    document = json.loads(graph.serialize(format="json-ld", context=prefix_map(), auto_compact=True))
    nodes = document.get("@graph", [document] if "@id" in document else [])
    for node in nodes:
        node.pop("@context", None)
    return {"@context": "https://w3id.org/conflictkg/context.jsonld", "@graph": tidy(nodes)}


@pytest.mark.slow
def test_json_ld_is_rdflib_compaction_with_sorted_arrays(tmp_path: Path) -> None:
    sources = load(REAL_PROJECT)
    lines = canonical_lines({g: sources.ntriples(g) for g in (DATA_GRAPH, LINKS_GRAPH)})
    union = merged([lines[DATA_GRAPH], lines[LINKS_GRAPH]])
    write_json_ld(tmp_path / "x.jsonld", union, "https://w3id.org/conflictkg/context.jsonld", prefix_map())
    written = (tmp_path / "x.jsonld").read_text("utf-8")
    expected = _rdflib_json_ld(sources.union(DATA_GRAPH, LINKS_GRAPH))
    assert written == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_json_ld_of_escaped_tagged_and_typed_literals_is_rdflib_compaction(tmp_path: Path) -> None:
    """Literals N-Triples writes with escapes (quote, backslash, line break, tab, control characters),
    language tags, datatypes and repeated values: the same bytes as rdflib's compaction; a blank node
    keeps its canonical label as its @id."""
    graph = Graph().parse(format="turtle", data=r"""
        @prefix ckg: <https://w3id.org/conflictkg/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/conflictkg/id/claim/test-1> a ckg:Claim ;
            ckg:quotation "He said \"we will return\"\nthen left\ta\u0001b\u007Fc \\ end", "plain", "déjà vu"@fr ;
            ckg:count "12"^^xsd:nonNegativeInteger, "013"^^xsd:nonNegativeInteger ;
            ckg:about <https://w3id.org/conflictkg/id/event/test-2> .
        <https://w3id.org/conflictkg/id/event/test-2> a ckg:Event, ckg:Attack ; ckg:label "Attack on a test town"@en .
        """)
    lines = canonical_lines({A: graph.serialize(format="nt", encoding="utf-8")})
    write_json_ld(tmp_path / "x.jsonld", lines[A], "https://w3id.org/conflictkg/context.jsonld", prefix_map())
    written = (tmp_path / "x.jsonld").read_text("utf-8")
    reread = Graph().parse(data=b"\n".join(lines[A]) + b"\n", format="nt")
    assert written == json.dumps(_rdflib_json_ld(reread), indent=2, ensure_ascii=False) + "\n"
    assert '\\"we will return\\"\\nthen left\\ta\\u0001b\x7fc \\\\ end' in written  # JSON leaves DEL bare
    blank = canonical_lines({A: b'_:x <https://w3id.org/conflictkg/ontology#about> <https://w3id.org/conflictkg/id/event/e> .\n'})
    write_json_ld(tmp_path / "b.jsonld", blank[A], "https://w3id.org/conflictkg/context.jsonld", prefix_map())
    assert json.loads((tmp_path / "b.jsonld").read_text("utf-8"))["@graph"] == [
        {"@id": "_:c14n0", "ckg:about": {"@id": "event:e"}}]


def test_the_ontology_and_shapes_keep_their_blank_nodes_distinct() -> None:
    sources = load(REAL_PROJECT)
    lines = canonical_lines({g: sources.ntriples(g) for g in (ONTOLOGY_GRAPH, SHAPES_GRAPH)})
    reread = Graph().parse(data=b"\n".join(lines[SHAPES_GRAPH]) + b"\n", format="nt")
    assert len(reread) == len(lines[SHAPES_GRAPH]) == len(sources.graph(SHAPES_GRAPH))
