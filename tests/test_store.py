"""The engine keeps inferred triples out of the default graph unless asked, and reports bad files."""

import gzip
from pathlib import Path

import pytest

from conflictkg.store import Store, StoreError
from conflictkg.vocab import DATA_GRAPH, INFERRED_GRAPH


def _release_like(tmp_path: Path) -> Path:
    nq = (
        f'<urn:a> <urn:p> "asserted" <{DATA_GRAPH}> .\n'
        f'<urn:a> <urn:p> "inferred" <{INFERRED_GRAPH}> .\n'
    )
    (tmp_path / "conflictkg.nq.gz").write_bytes(gzip.compress(nq.encode()))
    return tmp_path


def _values(result) -> set[str]:
    return {row["o"].value for row in result}


def test_default_graph_is_asserted_only(tmp_path: Path) -> None:
    store = Store.from_release(_release_like(tmp_path))
    assert _values(store.query("SELECT ?o { <urn:a> <urn:p> ?o }")) == {"asserted"}


def test_inference_can_be_included(tmp_path: Path) -> None:
    store = Store.from_release(_release_like(tmp_path))
    found = _values(store.query("SELECT ?o { <urn:a> <urn:p> ?o }", include_inferred=True))
    assert found == {"asserted", "inferred"}


def test_broken_turtle_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:p> .\n")
    with pytest.raises(StoreError, match=r"^.*bad\.ttl:1:17: \. is not a valid RDF object$"):
        Store.from_files([bad])


def test_corrupt_gzip_is_a_store_error(tmp_path: Path) -> None:
    import gzip

    good = gzip.compress(b"<urn:a> <urn:b> <urn:c> .\n")
    path = tmp_path / "corrupt.ttl.gz"
    path.write_bytes(good[:12] + b"\x00garbage\xff" * 4 + good[-8:])
    with pytest.raises(StoreError, match="corrupt.ttl.gz: .*decompress"):
        Store.from_files([path])


def test_rdf_xml_with_nested_entities_is_refused_plain_entities_load(tmp_path: Path) -> None:
    head = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
    body = '<rdf:Description rdf:about="urn:a"><e:p>&{};</e:p></rdf:Description></rdf:RDF>'
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text('<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>' + head + body.format("b"))
    with pytest.raises(StoreError, match="refers to another entity"):
        Store.from_files([bomb])
    plain = tmp_path / "plain.owl"
    plain.write_text('<!DOCTYPE r [<!ENTITY owl "http://www.w3.org/2002/07/owl#">]>' + head + body.format("owl"))
    assert len(Store.from_files([plain]).engine) == 1


def test_parser_messages_reach_the_terminal_without_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "escape.nt"
    path.write_bytes(b"<urn:a> <urn:b> \x1b[2J .\n")
    with pytest.raises(StoreError) as refused:
        Store.from_files([path])
    assert str(refused.value).isprintable() and "\\x1b" in str(refused.value)
