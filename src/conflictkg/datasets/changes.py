"""What changed between two releases, recorded in the newer one; every release kept side by side.

Each build writes into its release (before the manifest, so the files are listed and checksummed):

- ``changes/diff.rdfp.gz``: the quads added (``A``) and deleted (``D``) since the previous release, in
  RDF Patch form (one N-Quads statement per line after its letter), between ``TX`` and ``TC``.
- ``changes/changelog.ttl``: the release as a ``dcat:Dataset`` version with ``dcat:previousVersion``,
  the reason given at build time (``skos:changeNote``), and per graph the triples added and removed;
  the previous release's IRIs (``id/…`` subjects) that disappeared are listed with ``ckg:vanished``.
- ``changes/summary.json``: the same figures for programs (and for ``/changes``).

After the release is published, ``archive`` keeps a copy under ``releases/<version>/`` (hard links, so
it costs no space), where ``/changes`` lists them and ``/release/<version>/sparql`` queries them.

The diff walks the two releases' sorted N-Quads dumps side by side, so it holds no dump in memory.
Blank nodes carry canonical labels per release (pipeline.canonical): a change elsewhere in the ontology
or shapes may relabel them, and their quads then show as removed and added.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, SKOS, XSD
from zlib_ng import gzip_ng

from conflictkg.pipeline.dumps import GZIP_LEVEL, gzip_line_blocks
from conflictkg.vocab import BASE, CKG, GRAPH, ID, bind_prefixes

QUADS_DUMP = "conflictkg.nq.gz"
CHANGES_DIR = "changes"
DIFF_FILE = f"{CHANGES_DIR}/diff.rdfp.gz"
CHANGELOG_FILE = f"{CHANGES_DIR}/changelog.ttl"
SUMMARY_FILE = f"{CHANGES_DIR}/summary.json"
RELEASES_DIR = "releases"
DCAT_VERSION = URIRef(str(DCAT) + "version")
DCAT_PREVIOUS_VERSION = URIRef(str(DCAT) + "previousVersion")
"""dcat:version and dcat:previousVersion (DCAT 3; rdflib's DCAT namespace predates them)."""
RELEASE_BASE = BASE + "release/"
"""``https://w3id.org/conflictkg/release/<version>``: the IRI of one release in the changelog."""


def release_iri(version: str) -> URIRef:
    """The IRI of release ``version`` (``+`` kept: it is allowed in an IRI path)."""
    return URIRef(RELEASE_BASE + version)


@dataclass
class ReleaseChanges:
    """The figures of one release's changes since its predecessor."""

    version: str
    created: str
    reason: str
    previous: str | None
    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    vanished: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"version": self.version, "created": self.created, "reason": self.reason, "previous": self.previous,
                "added": self.added, "removed": self.removed, "vanished": self.vanished}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ReleaseChanges:
        return cls(str(data["version"]), str(data["created"]), str(data.get("reason") or ""),
                   str(data["previous"]) if data.get("previous") else None,
                   {str(k): int(v) for k, v in dict(data.get("added") or {}).items()},  # type: ignore[call-overload]
                   {str(k): int(v) for k, v in dict(data.get("removed") or {}).items()},  # type: ignore[call-overload]
                   [str(v) for v in list(data.get("vanished") or [])])  # type: ignore[call-overload]


Block = tuple[list[bytes], list[bytes]]
"""The lines deleted and the lines added in one range of the dumps, each sorted."""


class _Unsorted(Exception):
    """A dump's lines are out of order: the diff is made from sets instead."""


def _blocks(path: Path | None, checked: bool = True) -> Iterator[list[bytes]]:
    """A dump's non-empty lines without their line break, as bytes (UTF-8 bytes sort as the text does),
    a block at a time; with ``checked``, raises _Unsorted at the first block out of order."""
    if path is None or not path.is_file():
        return
    last = b""
    for lines in gzip_line_blocks(path):
        yield _in_order(lines, last) if checked else _non_empty(lines)
        last = lines[-1] if lines else last


def _non_empty(lines: list[bytes]) -> list[bytes]:
    if b"" in lines:
        lines[:] = [line for line in lines if line]
    return lines


def _in_order(lines: list[bytes], last: bytes) -> list[bytes]:
    lines = _non_empty(lines)
    if lines and (lines[0] < last or sorted(lines) != lines):
        raise _Unsorted
    return lines


def _difference(old: list[bytes], new: list[bytes]) -> Block:
    if old == new:
        return [], []
    before, after = set(old), set(new)
    return sorted(before - after), sorted(after - before)


def _merge_diff(previous: Path | None, current: Path) -> Iterator[Block]:
    """The deleted and added lines range by range, walking both sorted dumps once (each read once, a
    block at a time, checked for order on the way): each block of the current dump is compared, in C,
    with the previous dump's lines up to its last line. Raises _Unsorted at the first block out of order."""
    old_blocks = _blocks(previous)
    pending: list[bytes] = []
    more = True
    for new in _blocks(current):
        if not new:
            continue
        bound = new[-1]
        while more and (not pending or pending[-1] <= bound):
            block = next(old_blocks, None)
            more = block is not None
            pending.extend(block or ())
        cut = bisect_right(pending, bound)
        old, pending = pending[:cut], pending[cut:]
        yield _difference(old, new)
    yield pending, []
    for old in old_blocks:
        yield old, []


def _set_diff(previous: Path | None, current: Path) -> Iterator[Block]:
    old = {line for block in _blocks(previous, checked=False) for line in block}
    new = {line for block in _blocks(current, checked=False) for line in block}
    yield sorted(old - new), sorted(new - old)


def _patch_lines(block: Block) -> bytes:
    """A block as RDF Patch lines (``A``/``D``, a space, the quad), in the order of the quads."""
    deleted, added = block
    if not deleted or not added:
        op, lines = (b"D ", deleted) if deleted else (b"A ", added)
        return op + (b"\n" + op).join(lines) + b"\n" if lines else b""
    tagged = sorted([(line, b"D ") for line in deleted] + [(line, b"A ") for line in added])
    return b"".join(op + line + b"\n" for line, op in tagged)


def diff_lines(previous: Path | None, current: Path) -> Iterator[tuple[str, str]]:
    """``("A", line)`` / ``("D", line)`` for each quad added or deleted, in the order of the quads,
    walking both sorted dumps once.

    The dumps are written sorted (pipeline.release); should either not be, the diff falls back to sets.
    """
    try:
        found = list(_merge_diff(previous, current))
    except _Unsorted:
        found = list(_set_diff(previous, current))
    patch = b"".join(_patch_lines(block) for block in found).decode()
    return ((line[0], line[2:]) for line in patch.splitlines())


def _graph_of(line: bytes) -> bytes:
    """The graph IRI of a release's N-Quads line (its last term; every quad of a release is in a named graph)."""
    body = line.rstrip().removesuffix(b".").rstrip()
    start = body.rfind(b" <")
    return body[start + 2:-1] if body.endswith(b">") and start > 0 else b""


def _subject_of(line: bytes) -> bytes:
    return line[1:line.index(b">")] if line.startswith(b"<") else b""


def _graphs_of(lines: list[bytes]) -> Counter[bytes]:
    """How many of N-Quads ``lines`` are in each graph: the lines' ends from their last `` <`` counted
    first (one slice a line, in a comprehension), each distinct end read as :func:`_graph_of` reads a line."""
    ends = Counter([line[line.rfind(b" <"):] for line in lines])
    found: Counter[bytes] = Counter()
    for end, count in ends.items():
        found[_graph_of(b"<>" + end) if end.startswith(b" <") else b""] += count
    return found


def _still_subjects(gone: set[bytes], lines: list[bytes]) -> set[bytes]:
    """The IRIs of ``gone`` that are the subject of one of the sorted N-Quads ``lines`` (a subject's lines
    follow each other: one bisection each)."""
    found = set()
    for subject in gone:
        start = b"<" + subject + b"> "
        index = bisect_left(lines, start)
        if index < len(lines) and lines[index].startswith(start):
            found.add(subject)
    return found


def _write_diff(directory: Path, previous_dump: Path | None, version: str, previous_version: str | None,
                diff: Iterator[Block]) -> tuple[Counter[bytes], Counter[bytes], set[bytes]]:
    """changes/diff.rdfp.gz from ``diff``; the quads added and removed per graph and the subjects removed."""
    added: Counter[bytes] = Counter()
    removed: Counter[bytes] = Counter()
    gone: set[bytes] = set()
    entity = str(ID).encode()
    with gzip_ng.GzipFile(directory / DIFF_FILE, "wb", mtime=0, compresslevel=GZIP_LEVEL) as raw:
        raw.write(f"H id <{release_iri(version)}> .\n".encode())
        if previous_version:
            raw.write(f"H prev <{release_iri(previous_version)}> .\n".encode())
        raw.write(b"TX .\n")
        for block in diff:
            raw.write(_patch_lines(block))
            deleted, new = block
            added.update(_graphs_of(new))
            removed.update(_graphs_of(deleted))
            gone.update(subject for subject in map(_subject_of, deleted) if subject.startswith(entity))
        raw.write(b"TC .\n")
    return added, removed, gone


def write_changes(directory: Path, previous_dir: Path | None, version: str, created: str, reason: str) -> ReleaseChanges:
    """Write changes/ into the release being built in ``directory`` (its dumps already written).

    The dumps are read as bytes, a block at a time, their order checked while they are compared; a dump
    found out of order is diffed again from sets (the diff file is written afresh). The build runs this
    in a fresh process that reads the dump back rather than in a fork that holds the release's lines: a
    fork keeps a private copy of every page the build writes after forking (1.3 GB at 10⁵ events).
    """
    previous_version = _version_of(previous_dir) if previous_dir is not None else None
    changes = ReleaseChanges(version, created, reason, previous_version)
    (directory / CHANGES_DIR).mkdir(exist_ok=True)
    previous_dump = previous_dir / QUADS_DUMP if previous_dir is not None else None
    current = directory / QUADS_DUMP
    ordered = True
    try:
        added, removed, gone = _write_diff(directory, previous_dump, version, previous_version,
                                           _merge_diff(previous_dump, current))
    except _Unsorted:
        ordered = False
        added, removed, gone = _write_diff(directory, previous_dump, version, previous_version,
                                           _set_diff(previous_dump, current))
    blocks = _blocks(current, checked=False) if gone else iter(())
    for block in blocks:
        gone -= _still_subjects(gone, block) if ordered else set(map(_subject_of, block))
        if not gone:
            break
    changes.added = {g.decode(): n for g, n in sorted(added.items())}
    changes.removed = {g.decode(): n for g, n in sorted(removed.items())}
    changes.vanished = sorted(s.decode() for s in gone)
    (directory / SUMMARY_FILE).write_text(json.dumps(changes.to_json(), indent=2) + "\n", encoding="utf-8")
    (directory / CHANGELOG_FILE).write_text(changelog(changes).serialize(format="turtle"), encoding="utf-8")
    return changes


def changelog(changes: ReleaseChanges) -> Graph:
    """The RDF changelog of one release (see the module doc)."""
    graph = bind_prefixes(Graph())
    release = release_iri(changes.version)
    graph.add((release, RDF.type, DCAT.Dataset))
    graph.add((release, RDF.type, PROV.Entity))
    graph.add((release, DCAT_VERSION, Literal(changes.version)))
    graph.add((release, DCTERMS.isVersionOf, URIRef(BASE + "dataset")))
    if changes.created:
        graph.add((release, DCTERMS.created, Literal(changes.created, datatype=XSD.dateTime)))
    if changes.reason:
        graph.add((release, SKOS.changeNote, Literal(changes.reason, lang="en")))
    if changes.previous:
        graph.add((release, DCAT_PREVIOUS_VERSION, release_iri(changes.previous)))
        graph.add((release, PROV.wasRevisionOf, release_iri(changes.previous)))
    for graph_iri in sorted(set(changes.added) | set(changes.removed)):
        name = graph_iri[len(str(GRAPH)):].replace("/", "-") if graph_iri.startswith(str(GRAPH)) else "default"
        node = URIRef(f"{release}/changes/{name}")
        graph.add((release, CKG.graphChange, node))
        if graph_iri:
            graph.add((node, CKG.changedGraph, URIRef(graph_iri)))
        graph.add((node, CKG.triplesAdded, Literal(changes.added.get(graph_iri, 0), datatype=XSD.nonNegativeInteger)))
        graph.add((node, CKG.triplesRemoved, Literal(changes.removed.get(graph_iri, 0), datatype=XSD.nonNegativeInteger)))
    for iri in changes.vanished:
        graph.add((release, CKG.vanished, URIRef(iri)))
    return graph


def _version_of(release_dir: Path) -> str | None:
    try:
        return str(json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def previous_release(out: Path, releases: Path, version: str) -> Path | None:
    """The release the new one is compared with: the current ``out`` when its version differs, else the
    one ``out`` itself was compared with (a rebuild of the same inputs keeps the same predecessor)."""
    current = _version_of(out)
    if current is None:
        return None
    if current != version:
        return out
    summary = read_summary(out)
    if summary is not None and summary.previous and (releases / summary.previous / "manifest.json").is_file():
        return releases / summary.previous
    return None


def read_summary(release_dir: Path) -> ReleaseChanges | None:
    """The changes summary of a release, None when it has none (built before changes were recorded)."""
    try:
        return ReleaseChanges.from_json(json.loads((release_dir / SUMMARY_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def archive(out: Path, releases: Path) -> Path:
    """Keep the release ``out`` as ``releases/<version>/`` (hard links where possible), replacing an older copy."""
    version = _version_of(out)
    if version is None:
        raise ValueError(f"{out}: not a release (no manifest)")
    releases.mkdir(parents=True, exist_ok=True)
    target = releases / version
    fresh = Path(tempfile.mkdtemp(prefix=f".{version}.new-", dir=releases))
    try:
        shutil.copytree(out, fresh, copy_function=_link_or_copy, dirs_exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        os.replace(fresh, target)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return target


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def list_releases(releases: Path) -> list[ReleaseChanges]:
    """Every archived release with its changes, newest first (by creation time, then version)."""
    found = []
    if releases.is_dir():
        for directory in releases.iterdir():
            if directory.name.startswith(".") or not (directory / "manifest.json").is_file():
                continue
            summary = read_summary(directory)
            if summary is None:
                manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
                summary = ReleaseChanges(str(manifest["version"]), str(manifest.get("created", "")), "", None)
            found.append(summary)
    return sorted(found, key=lambda r: (r.created, r.version), reverse=True)
