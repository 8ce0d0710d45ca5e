"""Inputs are found by the documented layout, loaded into the contract's named graphs, and a syntax
error names file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.pipeline.sources import ProjectFiles, SourceError, check_query, load, parse_turtle
from conflictkg.vocab import DATA_GRAPH, ID, INFERRED_GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH


def test_locate_splits_links_from_data(project: Path) -> None:
    files = ProjectFiles.locate(project)
    assert files.ontology == project / "ontology" / "conflictkg.ttl"
    assert [p.name for p in files.shapes] == ["shapes.ttl"]
    assert [p.name for p in files.data] == ["events.ttl"]
    assert files.links == project / "data" / "links.ttl"
    assert files.article == project / "data" / "article.txt"


def test_links_file_is_optional(project: Path) -> None:
    (project / "data" / "links.ttl").unlink()
    assert ProjectFiles.locate(project).links is None
    assert len(load(project).graph(LINKS_GRAPH)) == 0


@pytest.mark.parametrize("missing", ["ontology/conflictkg.ttl", "data/article.txt", "shapes/shapes.ttl"])
def test_missing_input_is_named(project: Path, missing: str) -> None:
    (project / missing).unlink()
    with pytest.raises(SourceError, match=Path(missing).parent.name):
        ProjectFiles.locate(project)


def test_each_file_lands_in_its_graph(project: Path) -> None:
    sources = load(project)
    sizes = {g: len(sources.graph(g)) for g in (ONTOLOGY_GRAPH, SHAPES_GRAPH, DATA_GRAPH, LINKS_GRAPH)}
    assert sizes == {ONTOLOGY_GRAPH: 32, SHAPES_GRAPH: 22, DATA_GRAPH: 48, LINKS_GRAPH: 1}
    assert len(sources.graph(INFERRED_GRAPH)) == 0
    assert sources.article.startswith("المعركة")


def test_origins_name_the_files_a_node_is_described_in(project: Path) -> None:
    sources = load(project)
    assert sources.origins_of(ID["place/ayyash"]) == ["data/events.ttl", "data/links.ttl"]
    assert sources.origins_of(ID["event/capture-ayyash"]) == ["data/events.ttl"]


BROKEN = {
    "missing object": ("@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:p .\n", 3, 11, "objectList expected"),
    "unbound prefix": ("@prefix ex: <http://e/> .\n\nex:a ex:b ex:c ;\n   foo:p ex:d .\n", 4, 4, 'Prefix "foo:"'),
    "missing dot": ("@prefix ex: <http://e/> .\nex:a ex:b ex:c\nex:x ex:y ex:z .\n", 3, 1, "expected '.'"),
    "space in IRI": ("@prefix ex: <http://e/> .\nex:a ex:b <http://a b> .\n", 2, 11, "Invalid IRI code point"),
    "ill-typed literal": (
        "@prefix ex: <http://e/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a ex:b   "x"^^xsd:integer .\n', 3, 13, "ill-typed literal",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_syntax_error_names_file_line_and_column(tmp_path: Path, case: str) -> None:
    text, line, column, reason = BROKEN[case]
    broken = tmp_path / "broken.ttl"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        parse_turtle(broken)
    error = raised.value
    assert (error.path, error.line, error.column) == (broken, line, column)
    assert str(error).startswith(f"{broken}:{line}:{column}: ")
    assert reason in str(error)


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "latin1.ttl"
    broken.write_bytes('<urn:a> <urn:b> "caf\u00e9" .\n'.encode("latin-1"))
    with pytest.raises(SourceError, match="UTF-8"):
        parse_turtle(broken)


def test_version_depends_only_on_the_inputs(project: Path) -> None:
    first = ProjectFiles.locate(project).version()
    assert first == ProjectFiles.locate(project).version()
    assert first.startswith("0.1.0+") and len(first.split("+")[1]) == 12
    (project / "data" / "article.txt").write_text("changed", encoding="utf-8")
    assert ProjectFiles.locate(project).version() != first


def test_union_is_a_fresh_graph_of_the_named_graphs(project: Path) -> None:
    sources = load(project)
    merged = sources.union(DATA_GRAPH, LINKS_GRAPH)
    assert set(merged) == set(sources.graph(DATA_GRAPH)) | set(sources.graph(LINKS_GRAPH))
    merged.add((ID["place/new"], ID["place/p"], ID["place/o"]))  # changing the union leaves the sources alone
    assert (ID["place/new"], None, None) not in sources.graph(DATA_GRAPH)
    assert ID["place/ayyash"].n3(merged.namespace_manager) == "place:ayyash"


def test_version_changes_with_an_example_query(project: Path) -> None:
    before = ProjectFiles.locate(project).version()
    (project / "data" / "queries" / "recaptured-places.rq").write_text("# Changed?\nASK {}\n", encoding="utf-8")
    assert ProjectFiles.locate(project).version() != before


def test_example_queries_must_be_utf8_sparql(tmp_path: Path) -> None:
    """The query UI leaves out what it cannot read, so the build refuses it, with line and column."""
    good, broken, latin1 = tmp_path / "good.rq", tmp_path / "broken.rq", tmp_path / "latin1.rq"
    good.write_text("# Which?\nSELECT * { ?s ?p ?o }", encoding="utf-8")
    broken.write_text("# Which?\nSELECT * {", encoding="utf-8")
    latin1.write_bytes("# Caf\xe9?\nASK {}".encode("latin-1"))
    check_query(good)
    with pytest.raises(SourceError) as refused:
        check_query(broken)
    assert (refused.value.line, refused.value.column) == (2, 11) and "not a SPARQL query" in str(refused.value)
    assert "\n" not in str(refused.value)
    with pytest.raises(SourceError, match="UTF-8"):
        check_query(latin1)
