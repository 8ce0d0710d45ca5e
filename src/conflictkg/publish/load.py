"""Load a release into an external store, graph by graph, and switch to it as atomically as the store allows.

1. The release is verified against its manifest and its N-Quads dump split into one N-Triples file per
   named graph (streamed through a temporary directory; nothing is held whole in memory).
2. Each graph is uploaded under a new, release-specific name (``<graph>/release/<version>``) with Graph
   Store PUT, and its triple count, read back from the store, must equal the manifest's.
3. The switch: with a SPARQL Update endpoint, one request MOVEs every staged graph onto its real name
   (which replaces the previous release's graph), drops the previous release's graphs that the new one
   no longer has, and rewrites the publication record; the store applies it as one transaction where it
   can (Oxigraph does). Without one, each real graph is replaced with PUT (graph by graph, not atomic)
   and the staged copies deleted.
4. The real graphs' counts are checked again.

The publication record (graph ``PUBLICATION_GRAPH``) lists the live release's graphs and version, so
that the next publish knows what to drop. A failure before the switch deletes the staged graphs and
leaves the live release as it was.
"""

from __future__ import annotations

import gzip
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from conflictkg.pipeline.release import Release
from conflictkg.publish.graph_store import GraphStore, PublishError
from conflictkg.remote_store import DATASET, VERSION_INFO, VOID_SUBSET
from conflictkg.vocab import PUBLICATION_GRAPH as _PUBLICATION_GRAPH

PUBLICATION_GRAPH = str(_PUBLICATION_GRAPH)


@dataclass(frozen=True)
class Published:
    """What a publish did: the version now live, triples per graph, graphs dropped."""

    version: str
    graphs: dict[str, int]
    dropped: tuple[str, ...]


def staging_name(graph: str, version: str) -> str:
    """The release-specific name a graph is uploaded under before the switch."""
    return f"{graph}/release/{urllib.parse.quote(version, safe='')}"


def split_by_graph(release: Release, directory: Path) -> dict[str, Path]:
    """Write each named graph of the release's N-Quads dump as N-Triples into ``directory``."""
    files: dict[str, Path] = {}
    handles: dict[str, BinaryIO] = {}
    try:
        with gzip.open(release.path("conflictkg.nq.gz"), "rb") as dump:
            for quad in ox.parse(dump, format=ox.RdfFormat.N_QUADS):
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise PublishError(f"{release.root}: a quad outside any named graph: {quad}")
                graph = quad.graph_name.value
                if graph not in handles:
                    files[graph] = directory / f"graph-{len(files)}.nt"
                    handles[graph] = files[graph].open("wb")
                handles[graph].write(f"{quad.triple} .\n".encode())
    except (SyntaxError, OSError, EOFError) as exc:
        raise PublishError(f"{release.path('conflictkg.nq.gz')}: cannot be read: {exc}") from None
    finally:
        for handle in handles.values():
            handle.close()
    for graph in release.graphs:
        if graph not in files:  # an empty graph in the manifest
            files[graph] = directory / f"graph-{len(files)}.nt"
            files[graph].write_bytes(b"")
    return files


def _live_graphs(store: GraphStore) -> set[str]:
    """The graphs the publication record names as live (none before the first publish)."""
    data = store.get(PUBLICATION_GRAPH)
    if not data:
        return set()
    return {t.object.value for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
            if t.predicate.value == VOID_SUBSET and isinstance(t.object, ox.NamedNode)}


def _record(release: Release) -> str:
    """The publication record as N-Triples: the dataset, its live graphs and its version."""
    dataset = ox.NamedNode(DATASET)
    triples = [f"{dataset} <{VOID_SUBSET}> {ox.NamedNode(g)} ." for g in sorted(release.graphs)]
    triples.append(f"{dataset} <{VERSION_INFO}> {ox.Literal(release.version)} .")
    return "\n".join(triples) + "\n"


def publish_release(
    release_dir: Path, store: GraphStore, progress: Callable[[str], None] = lambda _: None
) -> Published:
    """Load the release at ``release_dir`` into ``store`` and make it the live one (see the module doc)."""
    release = Release.open(release_dir)
    release.verify()
    previous = _live_graphs(store)
    staged: list[str] = []
    with tempfile.TemporaryDirectory(prefix="conflictkg-publish-") as directory:
        files = split_by_graph(release, Path(directory))
        try:
            for graph, path in sorted(files.items()):
                stage = staging_name(graph, release.version)
                store.put(stage, path)
                staged.append(stage)
                found, expected = store.count(stage), release.graphs.get(graph)
                if expected is not None and found != expected:
                    raise PublishError(f"{graph}: the store holds {found} triples after loading, the release has {expected}")
                progress(f"loaded {graph} as {stage}: {found} triples")
            dropped = tuple(sorted(previous - set(files)))
            if store.update_url is not None:
                moves = " ;\n".join(f"MOVE SILENT {ox.NamedNode(staging_name(g, release.version))} TO {ox.NamedNode(g)}"
                                    for g in sorted(files))
                drops = "".join(f" ;\nDROP SILENT GRAPH {ox.NamedNode(g)}" for g in dropped)
                record = f" ;\nDROP SILENT GRAPH <{PUBLICATION_GRAPH}> ;\nINSERT DATA {{ GRAPH <{PUBLICATION_GRAPH}> {{ {_record(release)} }} }}"
                store.update(moves + drops + record)
                staged.clear()
            else:
                for graph, path in sorted(files.items()):
                    store.put(graph, path)
                for graph in dropped:
                    store.delete(graph)
                record_file = Path(directory) / "record.nt"
                record_file.write_text(_record(release), encoding="utf-8")
                store.put(PUBLICATION_GRAPH, record_file)
            progress(f"switched to release {release.version}" + (f"; dropped {', '.join(dropped)}" if dropped else ""))
        finally:
            for stage in staged:
                store.delete(stage)
    counts = {graph: store.count(graph) for graph in sorted(files)}
    wrong = {g: (n, release.graphs[g]) for g, n in counts.items() if g in release.graphs and n != release.graphs[g]}
    if wrong:
        raise PublishError("after the switch the store's counts differ from the release: " +
                           "; ".join(f"{g}: {n} in the store, {m} in the release" for g, (n, m) in wrong.items()))
    progress(f"verified {len(counts)} graphs, {sum(counts.values())} triples")
    return Published(release.version, counts, dropped)
