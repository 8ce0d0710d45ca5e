"""Registered reports in the build: each text still has the SHA-256 it was registered with, and no
drafted statement reaches the published graphs unreviewed.

``conflictkg draft`` marks every statement it proposes ``ckg:reviewStatus ckg:Unreviewed``; a person
changes that to ``ckg:Accepted`` or ``ckg:Rejected``. Here rejected statements are dropped, accepted ones
stay in the report's graph, and unreviewed ones either stop the build (listed, so the reviewer knows
what is left) or, only when asked with ``publish_drafts``, move to ``graph/report/<slug>/unreviewed``,
a named graph outside the SPARQL default graph.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.term import Node

from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.sources import Sources
from conflictkg.vocab import CKG, unreviewed_graph


class ReportError(PipelineError):
    """A registered report's text no longer matches its recorded SHA-256, or its metadata is missing."""


class ReviewError(PipelineError):
    """Drafted statements are still unreviewed; ``pending`` lists them as (report slug, statement IRI)."""

    def __init__(self, pending: list[tuple[str, Node]]) -> None:
        self.pending = pending
        lines = "\n".join(f"  {slug}: {node}" for slug, node in pending)
        super().__init__(
            f"{len(pending)} drafted statement(s) are unreviewed; set ckg:reviewStatus to ckg:Accepted or "
            f"ckg:Rejected in the draft, or build with --publish-drafts to publish them apart, marked "
            f"unreviewed:\n{lines}"
        )


@dataclass
class ReviewSummary:
    """What the review step did, per kind of decision."""

    accepted: int = 0
    rejected: int = 0
    unreviewed: int = 0
    unreviewed_graphs: list[URIRef] = field(default_factory=list)


def check_checksums(sources: Sources) -> int:
    """Raise ReportError when a report text's SHA-256 differs from the ``ckg:sha256`` it was registered
    with (the text must stay byte-exact: every span offset depends on it); return the reports checked."""
    for report in sources.files.reports:
        recorded = [str(v) for v in sources.graph(report.graph).objects(report.iri, CKG.sha256)]
        actual = hashlib.sha256(report.text.read_bytes()).hexdigest()
        if not recorded:
            raise ReportError(f"{sources.files.relative(report.text)}: no ckg:sha256 recorded for {report.iri} "
                              "(register reports with `conflictkg add`)")
        if actual not in recorded:
            raise ReportError(f"{sources.files.relative(report.text)}: SHA-256 {actual} differs from the "
                              f"registered {recorded[0]}: the text changed after registration")
    return len(sources.files.reports)


def _statements(graph: Graph, status: URIRef) -> list[Node]:
    return sorted(set(graph.subjects(CKG.reviewStatus, status)), key=str)


def _move(source: Graph, target: Graph, subject: Node) -> None:
    for triple in list(source.triples((subject, None, None))):
        source.remove(triple)
        target.add(triple)


def apply_review(sources: Sources, publish_drafts: bool = False) -> ReviewSummary:
    """Drop rejected drafted statements; refuse unreviewed ones (ReviewError) unless ``publish_drafts``."""
    summary = ReviewSummary()
    pending: list[tuple[str, Node]] = []
    for report in sources.files.reports:
        graph = sources.graph(report.graph)
        summary.accepted += len(_statements(graph, CKG.Accepted))
        for node in _statements(graph, CKG.Rejected):
            _move(graph, Graph(), node)
            summary.rejected += 1
        pending.extend((report.slug, node) for node in _statements(graph, CKG.Unreviewed))
    if pending and not publish_drafts:
        raise ReviewError(pending)
    for slug, node in pending:
        report = next(r for r in sources.files.reports if r.slug == slug)
        target_iri = unreviewed_graph(slug)
        _move(sources.graph(report.graph), sources.graph(target_iri), node)
        if target_iri not in summary.unreviewed_graphs:
            summary.unreviewed_graphs.append(target_iri)
        summary.unreviewed += 1
    return summary
