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
    with pytest.raises(StoreError, match="bad.ttl"):
        Store.from_files([bad])
