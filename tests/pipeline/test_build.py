"""`build` runs every stage in order, stops at the first refusal with nothing published, and lets a
linker add to the links graph before validation."""

from __future__ import annotations

import gc
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from conflictkg import __version__
from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.build import build, build_time, is_current
from conflictkg.pipeline.evidence import EvidenceError
from conflictkg.pipeline.release import Release
from conflictkg.pipeline.sources import SourceError, Sources
from conflictkg.pipeline.validate import ValidationFailed
from conflictkg.pipeline.progress import Stages
from conflictkg.vocab import CKG, DATA_GRAPH, ID, INFERRED_GRAPH, LINKS_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH

AYYASH = ID["place/ayyash"]
GAZETTEER_ENTRY = URIRef("urn:example:gazetteer:ayyash-2")


def test_build_reports_each_stage(project: Path) -> None:
    said: list[str] = []
    release = build(project, progress=said.append)
    assert release.root == project / "dist"
    assert [line.split(" ")[0] for line in said] == [
        "loaded", "evidence:", "SHACL", "OWL", "derived:", "SHACL:", "SHACL:", "changes", "wrote", "stage"]
    assert said[3] == "OWL RL: 5 inferred triples"
    assert said[5:7] == ["SHACL: asserted data conforms", "SHACL: asserted + inferred data conforms"]
    assert said[7].startswith("changes since nothing (first release): +")
    assert said[-2] == (f"wrote release {release.version} to {project / 'dist'}; "
                        f"kept as {project / 'releases' / release.version}")


def test_build_ends_with_a_timing_summary(project: Path) -> None:
    """Seconds and peak memory per stage, then the total: where a long build spent its time."""
    said: list[str] = []
    stages = Stages()
    build(project, progress=said.append, stages=stages)
    table = said[-1].splitlines()
    names = ["load", "review", "link", "evidence", "validate", "reason", "derive", "re-validate", "write release"]
    assert [t.name for t in stages.timings] == names
    assert [row.split("  ")[0].strip() for row in table[1:]] == [*names, "total"]
    assert table[-1].endswith("MB") and all(t.seconds >= 0 and t.peak_rss > 0 for t in stages.timings)


def test_the_collector_is_as_it_was_after_a_build_whatever_its_outcome(project: Path) -> None:
    """A build collects garbage in batches and freezes what its stages keep (pipeline.build); the
    process gets Python's collector back as it was, frozen objects included, after a release or a refusal."""
    gc.unfreeze()
    thresholds = gc.get_threshold()
    build(project)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (thresholds, 0)
    events = project / "data" / "events.ttl"
    events.write_text(events.read_text("utf-8") + "\n<urn:broken", "utf-8")
    with pytest.raises(SourceError):
        build(project)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (thresholds, 0)


def test_evidence_mismatch_stops_the_build(project: Path) -> None:
    events = project / "data" / "events.ttl"
    events.write_text(events.read_text("utf-8").replace('oa:exact "IS fighters captured Ayash"',
                                                         'oa:exact "IS fighters seized Ayash"'), "utf-8")
    with pytest.raises(EvidenceError, match="IS fighters seized Ayash"):
        build(project)
    assert not (project / "dist").exists()


def test_broken_turtle_stops_the_build(project: Path) -> None:
    (project / "data" / "links.ttl").write_text("<urn:a> <urn:b> .\n", "utf-8")
    with pytest.raises(SourceError, match=r"links\.ttl:1:"):
        build(project)
    assert not (project / "dist").exists()


def test_a_linker_adds_to_the_links_graph(project: Path) -> None:
    def gazetteer(sources: Sources) -> Graph:
        assert (AYYASH, None, None) in sources.graph(LINKS_GRAPH)
        links = Graph()
        links.add((AYYASH, SKOS.closeMatch, GAZETTEER_ENTRY))
        return links

    release = build(project, linkers=[gazetteer])
    assert release.graphs[str(LINKS_GRAPH)] == 2
    links = Graph().parse(release.path("graphs/links.ttl"))
    assert (AYYASH, SKOS.closeMatch, GAZETTEER_ENTRY) in links


def test_linked_triples_are_validated_and_attributed_to_the_linker(project: Path) -> None:
    def careless_linker(sources: Sources) -> Graph:
        links = Graph()
        links.add((ID["place/new"], CKG.locatedIn, ID["place/new"]))
        links.add((ID["place/new"], RDF.type, CKG.Place))
        return links

    with pytest.raises(ValidationFailed) as raised:
        build(project, linkers=[careless_linker])
    [result] = raised.value.validation.results
    assert result.files == (f"linker {careless_linker.__qualname__}",)
    assert not (project / "dist").exists()


def test_a_graph_a_step_edits_in_place_is_validated_as_left(project: Path) -> None:
    """The SHACL dataset is built beside linking from the graphs as loaded; a linker that edits a live
    graph instead of returning triples is validated on what it left, not on what was loaded."""
    def editing_linker(sources: Sources) -> Graph:
        sources.graph(DATA_GRAPH).remove((None, CKG.evidence, None))
        return Graph()

    with pytest.raises(ValidationFailed) as raised:
        build(project, linkers=[editing_linker])
    assert {result.path for result in raised.value.validation.results} == {"ckg:evidence"}


def test_build_time_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1452945600")
    assert build_time().isoformat() == "2016-01-16T12:00:00+00:00"


@pytest.mark.slow
def test_real_project_builds(real_release: Release) -> None:
    """The project's own ontology, shapes and article data make a release with every graph filled."""
    for graph in (ONTOLOGY_GRAPH, SHAPES_GRAPH, DATA_GRAPH, INFERRED_GRAPH):
        assert real_release.graphs[str(graph)] > 0, graph
    assert real_release.version.startswith(f"{__version__}+")


def test_a_release_is_current_until_an_input_changes(project: Path, tmp_path: Path) -> None:
    out = project / "dist"
    assert not is_current(project, out), "no release yet"
    build(project, out)
    assert is_current(project, out)
    article = project / "data" / "article.txt"
    article.write_bytes(article.read_bytes() + b"\n")
    assert not is_current(project, out), "an edited input makes the release stale"


def test_a_release_without_its_project_is_current(project: Path, tmp_path: Path) -> None:
    release = build(project, tmp_path / "copied" / "dist")
    assert is_current(tmp_path / "copied", release.root)


@pytest.mark.parametrize("value", ["yesterday", "1452945600.5", "-1", "1e9", "١٤٥٢٩٤٥٦٠٠", "99999999999999999999"])
def test_a_malformed_source_date_epoch_fails_the_build(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """reproducible-builds.org: a set but malformed SOURCE_DATE_EPOCH is an error, never "now"."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(PipelineError, match="^SOURCE_DATE_EPOCH="):
        build_time()


def test_an_empty_source_date_epoch_means_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " ")
    assert abs(build_time().timestamp() - time.time()) < 60


@pytest.mark.usefixtures("sparql_texts_parsed_once")
@pytest.mark.parametrize("which", ["fixture", pytest.param("real", marks=pytest.mark.slow)])
def test_fast_and_reference_engines_publish_the_same_release(which: str, fixture_project: Path,
                                                             tmp_path: Path) -> None:
    """pyshacl-turbo + the rule reasoner and pySHACL + owlrl: byte-identical releases (same manifest,
    which lists every file's SHA-256)."""
    root = fixture_project if which == "fixture" else Path(__file__).resolve().parents[2]
    created = datetime(2026, 1, 16, 12, 0, tzinfo=UTC)
    fast = build(root, tmp_path / "fast", created=created, engines="fast")
    reference = build(root, tmp_path / "reference", created=created, engines="reference")
    assert (fast.root / "manifest.json").read_bytes() == (reference.root / "manifest.json").read_bytes()
    assert fast.graphs[str(INFERRED_GRAPH)] > 0


def _untyped_agent(project: Path, shape: str) -> None:
    """Add ``shape`` (Turtle) to the fixture's shapes and make an event's agent an untyped actor (which
    OWL RL's range of ckg:agent makes a ckg:Actor)."""
    shapes = project / "shapes" / "shapes.ttl"
    shapes.write_text(shapes.read_text("utf-8") + "\n" + shape + "\n", "utf-8")
    events = project / "data" / "events.ttl"
    events.write_text(events.read_text("utf-8").replace("ckg:agent id:actor\\/army ;", "ckg:agent id:actor\\/untyped ;"),
                      "utf-8")


@pytest.mark.parametrize("fork", ["fork", "no fork"])
def test_a_violation_that_inference_would_hide_fails_the_build(project: Path, fork: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The first SHACL pass (asserted data) runs beside reasoning, and still gates the build.

    An agent without a type breaks a shape asking for a ckg:Actor in the asserted data; OWL RL's range
    of ckg:agent makes it one, so the second pass alone would pass.
    """
    if fork == "no fork":
        monkeypatch.setenv("CONFLICTKG_NO_FORK", "1")
    _untyped_agent(project, "shapes:AgentShape a sh:NodeShape ; sh:targetObjectsOf ckg:agent ;\n"
                   '    sh:class ckg:Actor ; sh:message "An agent is a ckg:Actor." .')
    with pytest.raises(ValidationFailed) as raised:
        build(project)
    assert [(r.focus, r.message) for r in raised.value.validation.results] == [
        ("actor:untyped", "An agent is a ckg:Actor.")]
    assert not (project / "dist").exists()


def test_an_unchanged_rebuild_reuses_the_validation_kept_by_checksum(project: Path) -> None:
    """Both SHACL passes are kept by the inputs' checksum: an unchanged rebuild skips them and publishes
    the same files; any changed input validates again."""
    first_said: list[str] = []
    first = build(project, project / "one", created=datetime(2026, 1, 1, tzinfo=UTC), progress=first_said.append)
    again: list[str] = []
    second = build(project, project / "two", created=datetime(2026, 1, 1, tzinfo=UTC), progress=again.append)
    assert not any("kept by checksum" in line for line in first_said)
    assert [line for line in again if "kept by checksum" in line] == [
        line for line in again if line.startswith("SHACL: ")]
    assert len([line for line in again if "kept by checksum" in line]) == 2
    assert first.files == second.files

    events = project / "data" / "events.ttl"
    events.write_text(events.read_text("utf-8").replace('"IS captures Ayash"', '"IS takes Ayash"'), "utf-8")
    changed: list[str] = []
    build(project, project / "three", progress=changed.append)
    assert not any("kept by checksum" in line for line in changed)


@pytest.mark.parametrize("fork", ["fork", "no fork"])
def test_a_violation_only_inference_brings_leaves_the_previous_release(project: Path, fork: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The second SHACL pass runs while the release is written: when it fails, nothing is published and
    the previous release stays as it was.

    An untyped agent passes a shape forbidding it to be a ckg:Actor until OWL RL's range of ckg:agent
    makes it one.
    """
    before = build(project)
    manifest = (before.root / "manifest.json").read_bytes()
    if fork == "no fork":
        monkeypatch.setenv("CONFLICTKG_NO_FORK", "1")
    _untyped_agent(project, "shapes:NotAnActor a sh:NodeShape ; sh:targetNode <https://w3id.org/conflictkg/id/actor/untyped> ;\n"
                   '    sh:not [ sh:class ckg:Actor ] ; sh:message "Test: the untyped agent is no actor." .')
    with pytest.raises(ValidationFailed) as raised:
        build(project)
    assert [(r.focus, r.message) for r in raised.value.validation.results] == [
        ("actor:untyped", "Test: the untyped agent is no actor.")]
    assert (project / "dist" / "manifest.json").read_bytes() == manifest
    assert not list(project.glob(".dist.new-*"))
