"""One build: load → link → check evidence → validate → reason → re-validate → write the release.

Each stage raises a PipelineError subclass with a message for the data author; nothing is written
unless every stage passed, and the release directory is swapped in atomically (release.publish).

Linking (issue 4) slots in after loading: a ``LinkStep`` receives the loaded sources and returns the
triples to add to the links graph, which are then validated, reasoned over and published like the
curated links.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, URIRef

from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.derive import derive
from conflictkg.pipeline.evidence import check_evidence
from conflictkg.pipeline.reason import infer
from conflictkg.pipeline.reports import apply_review, check_checksums
from conflictkg.pipeline.release import Release, ReleaseContent, ReleaseError, write_release
from conflictkg.pipeline.sources import ProjectFiles, SourceError, Sources, load
from conflictkg.pipeline.validate import Validation, require_conformance, validate
from conflictkg.vocab import (
    DERIVED_GRAPH,
    INFERRED_GRAPH,
    LINKS_GRAPH,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
)

LinkStep = Callable[[Sources], Graph]
"""A linker: given the loaded project, the triples to add to the links graph."""

Progress = Callable[[str], None]

_EPOCH = re.compile(r"[0-9]{1,20}")


def _quiet(_: str) -> None:
    """Default progress sink: say nothing."""


def build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible-builds.org), so a rebuild can keep its date.

    The specification asks a build to fail on a malformed value rather than fall back to the clock:
    a release silently stamped "now" would not be the reproducible one that was asked for. An empty
    value counts as unset.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(tz=UTC).replace(microsecond=0)
    if not _EPOCH.fullmatch(epoch):
        raise PipelineError(
            f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a number of seconds since 1970-01-01 "
            "(ASCII digits only); unset it or give e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)"
        )
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise PipelineError(f"SOURCE_DATE_EPOCH={epoch[:40]!r} is beyond the dates this build can write") from None


def link(sources: Sources, linkers: Sequence[LinkStep]) -> None:
    """Add each linker's triples to the links graph, recording the linker as their origin."""
    for linker in linkers:
        name = getattr(linker, "__qualname__", None) or type(linker).__name__
        sources.add(LINKS_GRAPH, linker(sources), f"linker {name}")


def _validate(sources: Sources, data_graphs: Sequence[URIRef]) -> Validation:
    """SHACL over the union of ``data_graphs`` with the loaded shapes and ontology."""
    return validate(
        [sources.graph(iri) for iri in data_graphs],
        sources.graph(SHAPES_GRAPH),
        sources.graph(ONTOLOGY_GRAPH),
        sources.origins_of,
    )


def _statement_graphs(sources: Sources) -> tuple[URIRef, ...]:
    """The asserted graphs that hold statements: data, links and each report's (not ontology or shapes)."""
    return tuple(g for g in sources.asserted_graphs() if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH))


def validate_asserted(sources: Sources) -> Validation:
    """SHACL over data + links + the reports' graphs with the ontology; what `conflictkg validate` runs."""
    return _validate(sources, _statement_graphs(sources))


def build(
    root: Path | str = ".",
    out: Path | str | None = None,
    *,
    linkers: Sequence[LinkStep] = (),
    progress: Progress = _quiet,
    created: datetime | None = None,
    publish_drafts: bool = False,
) -> Release:
    """Build the project at ``root`` into the release directory ``out`` (default ``root/dist``).

    ``created`` stamps the release; by default build_time(), so SOURCE_DATE_EPOCH makes it repeatable.
    Unreviewed drafted statements stop the build unless ``publish_drafts`` moves them to graphs of
    their own, outside the default graph (pipeline.reports).
    """
    root = Path(root)
    out = Path(out) if out is not None else root / "dist"
    sources = load(root)
    triples = sum(len(sources.graph(g)) for g in sources.asserted_graphs())
    progress(f"loaded {triples} triples from {len(list(sources.files.graph_files()))} files")
    check_checksums(sources)
    review = apply_review(sources, publish_drafts)
    if sources.files.reports:
        progress(f"reports: {len(sources.files.reports)} registered, drafted statements {review.accepted} accepted, "
                 f"{review.rejected} rejected, {review.unreviewed} published unreviewed")
    link(sources, linkers)
    statements = _statement_graphs(sources)
    spans = check_evidence(sources.union(*statements, *review.unreviewed_graphs), sources.article, sources.texts)
    progress(f"evidence: {spans} spans match their documents")
    validation = require_conformance(validate_asserted(sources))
    progress("SHACL: asserted data conforms")
    inferred = infer([sources.graph(g) for g in (ONTOLOGY_GRAPH, *statements)])
    sources.add(INFERRED_GRAPH, inferred, "OWL RL reasoner")
    progress(f"OWL RL: {len(inferred)} inferred triples")
    derived = derive(sources.union(*statements, INFERRED_GRAPH))
    sources.add(DERIVED_GRAPH, derived, "derivation rules (pipeline.derive)")
    if len(derived):
        progress(f"derived: {len(derived)} triples of casualty bounds and source grades")
    require_conformance(_validate(sources, (*statements, INFERRED_GRAPH, DERIVED_GRAPH)))
    progress("SHACL: asserted + inferred data conforms")
    content = ReleaseContent(
        dataset=sources.dataset,
        article=sources.files.article.read_bytes(),
        validation=validation.report,
        version=sources.files.version(),
        created=created or build_time(),
        queries={path.name: path.read_bytes() for path in sources.files.queries},
        reports={report.slug: report.text.read_bytes() for report in sources.files.reports},
    )
    release = write_release(out, content)
    progress(f"wrote release {release.version} to {out}")
    return release


def is_current(root: Path | str, out: Path | str) -> bool:
    """True when ``out`` holds a release built from the inputs ``root`` has now.

    ``conflictkg serve`` rebuilds otherwise, so that an edited data file is never served stale. With no
    project under ``root`` (a release copied elsewhere), an existing release is current by definition.
    """
    try:
        release = Release.open(out)
    except ReleaseError:
        return False
    try:
        return release.version == ProjectFiles.locate(root).version()
    except SourceError:
        return True
