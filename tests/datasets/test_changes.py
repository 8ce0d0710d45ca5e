"""Versioned releases: each records its changes since the previous one; all are kept side by side."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SKOS

from conflictkg.datasets import changes
from conflictkg.datasets.changes import (
    DCAT_PREVIOUS_VERSION,
    diff_lines,
    list_releases,
    read_summary,
    release_iri,
    write_changes,
)
from conflictkg.pipeline import dumps
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


@pytest.mark.parametrize("read", [7, 64, 1 << 20])
def test_diff_by_blocks_is_the_difference_of_the_dumps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       read: int) -> None:
    """Whatever size the dumps are read by, the diff is every deleted and added quad in the order of the
    quads, the summary counts them per graph, and an IRI that is still a subject elsewhere has not vanished."""
    monkeypatch.setattr(dumps, "READ_BYTES", read)
    rng = random.Random(read)
    graphs = ["<https://w3id.org/conflictkg/graph/data>", "<https://w3id.org/conflictkg/graph/inferred>"]
    universe = [f"<{ID}event/e{n:03d}> <p:{n % 3}> \"v {n} <x> .\" {graphs[n % 2]} ." for n in range(300)]
    universe += [f"<{ID}actor/a{n}> <p:x> <o:{n}> {graphs[0]} ." for n in range(5)]
    old_lines = sorted(rng.sample(universe, 200) + universe[-5:] + [f"<{ID}actor/a0> <p:y> <o:0> {graphs[1]} ."])
    new_lines = sorted(set(rng.sample(universe[:-5], 200)) | {universe[-5], universe[-3]})
    old, new = _nq(tmp_path / "old.nq.gz", old_lines), _nq(tmp_path / "new.nq.gz", new_lines)
    expected = sorted([(line, "D") for line in set(old_lines) - set(new_lines)]
                      + [(line, "A") for line in set(new_lines) - set(old_lines)])
    assert list(diff_lines(old, new)) == [(op, line) for line, op in expected]
    directory = tmp_path / "release"
    directory.mkdir()
    shutil.copy(new, directory / "conflictkg.nq.gz")
    previous = tmp_path / "previous"
    previous.mkdir()
    shutil.copy(old, previous / "conflictkg.nq.gz")
    (previous / "manifest.json").write_text('{"version": "v1"}')
    summary = write_changes(directory, previous, "v2", "2026-01-17T12:00:00Z", "test")
    assert summary.added == {g[1:-1]: sum(1 for line, op in expected if op == "A" and line.endswith(f"{g} ."))
                             for g in graphs if any(op == "A" and line.endswith(f"{g} .") for line, op in expected)}
    assert sum(summary.removed.values()) == sum(1 for _, op in expected if op == "D")
    subjects = {line[1:line.index(">")] for line in new_lines}
    vanished = sorted({line[1:line.index(">")] for line, op in expected if op == "D"} - subjects)
    assert summary.vanished == vanished
    assert {f"{ID}actor/a1", f"{ID}actor/a3", f"{ID}actor/a4"} <= set(vanished)
    assert f"{ID}actor/a0" not in vanished  # one of its quads removed, another kept


def test_a_dump_out_of_order_in_a_later_block_falls_back_to_sets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dumps, "READ_BYTES", 40)
    lines = [f"<a:{n:02d}> <p:x> <o:1> <g:1> ." for n in range(20)]
    old = tmp_path / "old.nq.gz"
    old.write_bytes(gzip.compress(("\n".join(lines[:15] + lines[16:] + lines[15:16]) + "\n").encode()))
    new = _nq(tmp_path / "new.nq.gz", lines[1:])
    assert list(diff_lines(old, new)) == [("D", lines[0])]


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
