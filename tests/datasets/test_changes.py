"""Versioned releases: each records its changes since the previous one; all are kept side by side."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import SKOS

from conflictkg.datasets.changes import DCAT_PREVIOUS_VERSION, diff_lines, list_releases, read_summary, release_iri
from conflictkg.pipeline.build import build
from conflictkg.vocab import CKG, DATA_GRAPH, ID

FIXTURE_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "pipeline" / "project"
T0 = datetime(2026, 1, 16, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 1, 17, 12, 0, tzinfo=UTC)


def _nq(path: Path, lines: list[str]) -> Path:
    path.write_bytes(gzip.compress("".join(sorted(line + "\n" for line in lines)).encode()))
    return path


def test_diff_walks_sorted_dumps(tmp_path: Path) -> None:
    g = "<https://w3id.org/conflictkg/graph/data>"
    old = _nq(tmp_path / "old.nq.gz", [f"<a:1> <p:x> <o:1> {g} .", f"<a:2> <p:x> <o:2> {g} ."])
    new = _nq(tmp_path / "new.nq.gz", [f"<a:2> <p:x> <o:2> {g} .", f"<a:3> <p:x> \"three\" {g} ."])
    assert list(diff_lines(old, new)) == [("D", f"<a:1> <p:x> <o:1> {g} ."), ("A", f"<a:3> <p:x> \"three\" {g} .")]
    assert list(diff_lines(None, new)) == [("A", line) for line in sorted(
        [f"<a:2> <p:x> <o:2> {g} .", f"<a:3> <p:x> \"three\" {g} ."])]


def test_unsorted_dumps_fall_back_to_sets(tmp_path: Path) -> None:
    old = tmp_path / "old.nq.gz"
    old.write_bytes(gzip.compress(b"<b:1> <p:x> <o:1> <g:1> .\n<a:1> <p:x> <o:1> <g:1> .\n"))
    new = _nq(tmp_path / "new.nq.gz", ["<a:1> <p:x> <o:1> <g:1> ."])
    assert list(diff_lines(old, new)) == [("D", "<b:1> <p:x> <o:1> <g:1> .")]


def test_second_release_records_its_changes_and_the_first_stays_queryable(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECT, root)
    first = build(root, created=T0, reason="first release")
    assert read_summary(first.root).previous is None  # type: ignore[union-attr]
    events = root / "data/events.ttl"
    events.write_text(events.read_text().replace("rdfs:label", 'rdfs:label "renamed for the test"@en ; rdfs:comment', 1))
    second = build(root, created=T1, reason="label corrected")
    assert second.version != first.version
    summary = read_summary(second.root)
    assert summary is not None
    assert (summary.previous, summary.reason) == (first.version, "label corrected")
    assert summary.added.get(str(DATA_GRAPH), 0) >= 1
    assert second.entry("changes/diff.rdfp.gz").sha256  # listed in the manifest
    patch = gzip.decompress((second.root / "changes/diff.rdfp.gz").read_bytes()).decode().splitlines()
    assert patch[0].startswith("H id <") and patch[2] == "TX ." and patch[-1] == "TC ."
    assert any(line.startswith("A ") and "renamed for the test" in line for line in patch)
    changelog = Graph().parse(second.root / "changes/changelog.ttl")
    release = release_iri(second.version)
    assert (release, DCAT_PREVIOUS_VERSION, release_iri(first.version)) in changelog
    assert (release, SKOS.changeNote, Literal("label corrected", lang="en")) in changelog
    change = next(n for n in changelog.objects(release, CKG.graphChange)
                  if (n, CKG.changedGraph, DATA_GRAPH) in changelog)
    assert int(changelog.value(change, CKG.triplesAdded)) == summary.added[str(DATA_GRAPH)]
    # both releases are kept side by side, newest first
    releases = root / "releases"
    assert [r.version for r in list_releases(releases)] == [second.version, first.version]
    assert json.loads((releases / first.version / "manifest.json").read_text())["version"] == first.version


def test_vanished_iris_are_listed(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECT, root)
    extra = root / "data/extra.ttl"
    extra.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/conflictkg/id/actor/test-only-actor> rdfs:label \"Test-only actor (invented)\"@en .\n")
    first = build(root, created=T0)
    extra.unlink()
    second = build(root, created=T1, reason="actor removed")
    summary = read_summary(second.root)
    assert summary is not None and summary.previous == first.version
    assert str(ID["actor/test-only-actor"]) in summary.vanished
    changelog = Graph().parse(second.root / "changes/changelog.ttl")
    assert (release_iri(second.version), CKG.vanished, ID["actor/test-only-actor"]) in changelog


def test_cli_build_records_the_reason(tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from conflictkg.cli import app

    root = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECT, root)
    result = CliRunner().invoke(app, ["build", "--root", str(root), "--no-default", "--reason", "first import"])
    assert result.exit_code == 0, result.output
    summary = read_summary(root / "dist")
    assert summary is not None and summary.reason == "first import"
    assert "changes since nothing (first release)" in result.output
    assert (root / "releases" / summary.version / "changes/changelog.ttl").is_file()
