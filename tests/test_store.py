"""The engine keeps inferred triples out of the default graph unless asked, and reports bad files."""

import gzip
from pathlib import Path

import pytest

from conflictkg.store import Store, StoreError
from conflictkg.vocab import DATA_GRAPH, INFERRED_GRAPH


def _release_like(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
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


def test_a_release_store_on_disk_is_opened_read_only_with_its_counts(tmp_path: Path) -> None:
    from conflictkg.store import RELEASE_STORE, build_release_store

    release = _release_like(tmp_path)
    summary = build_release_store(release)
    assert summary.quads == 2 and summary.default_triples == 1
    assert summary.graph_triples == {str(DATA_GRAPH): 1, str(INFERRED_GRAPH): 1}
    store = Store.from_release(release)
    assert store.summary == summary and (release / RELEASE_STORE).is_dir()
    assert _values(store.query("SELECT ?o { <urn:a> <urn:p> ?o }")) == {"asserted"}
    assert _values(store.query("SELECT ?o { <urn:a> <urn:p> ?o }", include_inferred=True)) == {"asserted", "inferred"}
    assert store.graph_sizes() == summary.graph_triples and store.default_graph_size() == 1
    with pytest.raises(Exception, match="read-write"):
        store.engine.update("INSERT DATA { <urn:x> <urn:x> <urn:x> }")
    second = Store.from_release(release)  # another server process opens the same directory
    assert len(second.engine) == 2


def test_a_release_store_keeps_the_counts_its_writer_gives_when_they_add_up(tmp_path: Path) -> None:
    """The build writes the store before the manifest: it names the release's graphs and gives the counts
    it knows (no SPARQL count over every quad); counts whose total is not the store's are counted again."""
    from conflictkg.store import RELEASE_STORE, StoreCounts, StoreSummary, build_release_store

    release = _release_like(tmp_path / "given")
    report = "https://w3id.org/conflictkg/graph/report/test-wire"
    with gzip.open(release / "conflictkg.nq.gz", "ab") as dump:
        dump.write(f'<urn:a> <urn:p> "asserted" <{report}> .\n<urn:b> <urn:p> "reported" <{report}> .\n'.encode())
    given = StoreCounts(4, 2, {str(DATA_GRAPH): 1, str(INFERRED_GRAPH): 1, report: 2})
    summary = build_release_store(release, [str(DATA_GRAPH), str(INFERRED_GRAPH), report], given)
    assert (summary.quads, summary.default_triples, summary.graph_triples) == (4, 2, given.graph_triples)
    counted = Store([str(DATA_GRAPH), report], engine=Store.from_release(release).engine)
    assert counted._count_default() == 2 and counted._count_graphs() == given.graph_triples
    assert StoreSummary.read(release / RELEASE_STORE) == summary

    wrong = _release_like(tmp_path / "wrong")
    summary = build_release_store(wrong, [str(DATA_GRAPH), str(INFERRED_GRAPH)], StoreCounts(3, 9, {"x": 3}))
    assert (summary.quads, summary.default_triples) == (2, 1)
    assert summary.graph_triples == {str(DATA_GRAPH): 1, str(INFERRED_GRAPH): 1}


def test_a_stale_release_store_is_not_served(tmp_path: Path) -> None:
    from conflictkg.store import build_release_store

    release = _release_like(tmp_path)
    build_release_store(release)
    (release / "conflictkg.nq.gz").write_bytes(gzip.compress(f'<urn:b> <urn:p> "new" <{DATA_GRAPH}> .\n'.encode()))
    store = Store.from_release(release)
    assert store.summary is None  # parsed into memory from the dump instead
    assert _values(store.query("SELECT ?o { <urn:b> <urn:p> ?o }")) == {"new"}


def test_files_are_built_once_into_the_cache_and_rebuilt_when_they_change(tmp_path: Path) -> None:
    data = tmp_path / "data.nt.gz"
    data.write_bytes(gzip.compress(b"<urn:a> <urn:p> <urn:b> .\n<urn:a> <urn:p> <urn:c> .\n"))
    cache = tmp_path / "cache"
    first = Store.from_files([data], cache_dir=cache)
    assert first.summary is not None and first.summary.quads == 2 and first.default_graph_size() == 2
    assert first.graph_names() == [data.resolve().as_uri()]
    entries = sorted(cache.iterdir())
    assert len(entries) == 1
    stamp = (entries[0] / "CURRENT").stat().st_mtime_ns
    again = Store.from_files([data], cache_dir=cache)
    assert sorted(cache.iterdir()) == entries and (entries[0] / "CURRENT").stat().st_mtime_ns == stamp
    assert len(again.engine) == 2
    data.write_bytes(gzip.compress(b"<urn:a> <urn:p> <urn:b> .\n"))
    assert len(Store.from_files([data], cache_dir=cache).engine) == 1


def test_a_broken_file_leaves_no_cached_store(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:p> .\n")
    cache = tmp_path / "cache"
    with pytest.raises(StoreError, match=r"bad\.ttl:1:17: \. is not a valid RDF object$"):
        Store.from_files([bad], cache_dir=cache)
    assert list(cache.iterdir()) == []


def test_a_release_without_its_store_is_cached_like_files(tmp_path: Path) -> None:
    release = _release_like(tmp_path / "release")
    store = Store.from_release(release, cache_dir=tmp_path / "cache")
    assert store.summary is not None and store.default_graph_size() == 1
    assert _values(store.query("SELECT ?o { <urn:a> <urn:p> ?o }")) == {"asserted"}


def test_in_memory_parses_even_when_an_on_disk_store_exists(tmp_path: Path) -> None:
    from conflictkg.store import build_release_store

    release = _release_like(tmp_path)
    build_release_store(release)
    store = Store.open(release, in_memory=True)
    assert store.summary is None and store.default_graph_size() == 1
    data = tmp_path / "data.nt"
    data.write_text("<urn:a> <urn:p> <urn:b> .\n")
    cache = tmp_path / "cache"
    assert Store.open(files=[data], cache_dir=cache, in_memory=True).summary is None and not cache.exists()
