"""Check that every evidence span quotes the article exactly where it says it does.

A span (docs/architecture.md) carries an ``oa:TextPositionSelector`` (``oa:start``, ``oa:end``: 0-based,
end-exclusive Unicode code points of the raw article) and an ``oa:TextQuoteSelector`` (``oa:exact``,
``oa:prefix``, ``oa:suffix``). Python ``str`` indexes by code point, so slicing the decoded text (never
normalised: the article has non-breaking spaces) is exactly the W3C definition. Every
mismatch is collected, not just the first, so one build shows the author all spans to fix.

Spans say which document they index with ``oa:hasSource``: a registered report (``id/report/<slug>``,
whose text is ``data/reports/<slug>/report.txt``) is checked against its own text, any other source
against the article, so the first article's spans keep working unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from conflictkg.pipeline import PipelineError
from conflictkg.vocab import OA


@dataclass(frozen=True)
class SpanMismatch:
    """One span whose selectors disagree with the article."""

    span: Node
    what: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.span}: {self.what}: expected {self.expected!r}, found {self.found!r}"


class EvidenceError(PipelineError):
    """Some spans do not match the article; ``mismatches`` lists them all."""

    def __init__(self, mismatches: list[SpanMismatch]) -> None:
        self.mismatches = mismatches
        lines = "\n".join(f"  {m}" for m in mismatches)
        super().__init__(f"{len(mismatches)} evidence span(s) do not match the article:\n{lines}")


def _single(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = list(graph.objects(subject, predicate))
    return values[0] if len(values) == 1 else None


def _selectors(graph: Graph, span: Node, kind: URIRef) -> list[Node]:
    return sorted((s for s in graph.objects(span, OA.hasSelector) if (s, RDF.type, kind) in graph), key=str)


def _offset(node: Node | None) -> int | None:
    if isinstance(node, Literal) and isinstance(node.toPython(), int):
        return int(node.toPython())
    return None


def _check_span(graph: Graph, article: str, span: Node) -> list[SpanMismatch]:
    quotes = _selectors(graph, span, OA.TextQuoteSelector)
    positions = _selectors(graph, span, OA.TextPositionSelector)
    if len(quotes) != 1 or len(positions) != 1:
        return [SpanMismatch(span, "selectors", "one TextQuoteSelector and one TextPositionSelector",
                             f"{len(quotes)} quote and {len(positions)} position selector(s)")]
    quote, position = quotes[0], positions[0]
    start = _offset(_single(graph, position, OA.start))
    end = _offset(_single(graph, position, OA.end))
    exact = _single(graph, quote, OA.exact)
    if start is None or end is None or not 0 <= start <= end <= len(article):
        return [SpanMismatch(span, "position", f"integer offsets with 0 <= start <= end <= {len(article)}",
                             f"start={start}, end={end}")]
    if exact is None:
        return [SpanMismatch(span, "oa:exact", "exactly one oa:exact", "none or several")]
    problems = []
    if article[start:end] != str(exact):
        problems.append(SpanMismatch(span, f"text at {start}..{end}", str(exact), article[start:end]))
    prefix = _single(graph, quote, OA.prefix)
    if prefix is not None and article[max(0, start - len(prefix)):start] != str(prefix):
        problems.append(SpanMismatch(span, "oa:prefix", str(prefix), article[max(0, start - len(prefix)):start]))
    suffix = _single(graph, quote, OA.suffix)
    if suffix is not None and article[end:end + len(suffix)] != str(suffix):
        problems.append(SpanMismatch(span, "oa:suffix", str(suffix), article[end:end + len(suffix)]))
    return problems


def spans(graph: Graph) -> list[Node]:
    """Every resource that has an ``oa:hasSelector``, in a stable order."""
    return sorted(set(graph.subjects(OA.hasSelector, None)), key=str)


def find_mismatches(graph: Graph, article: str, texts: Mapping[Node, str] | None = None) -> list[SpanMismatch]:
    """All spans in ``graph`` whose selectors disagree with their document (empty when every span is exact).

    ``texts`` maps report IRIs to their raw text; a span whose ``oa:hasSource`` is one of them is
    checked against that text, any other span against ``article``.
    """
    texts = texts or {}
    problems = []
    for span in spans(graph):
        sources = [s for s in graph.objects(span, OA.hasSource) if s in texts]
        if len(sources) > 1:
            problems.append(SpanMismatch(span, "oa:hasSource", "one document", ", ".join(sorted(map(str, sources)))))
            continue
        text = texts[sources[0]] if sources else article
        problems.extend(_check_span(graph, text, span))
    return problems


def check_evidence(graph: Graph, article: str, texts: Mapping[Node, str] | None = None) -> int:
    """Raise EvidenceError listing every mismatching span; return the number of spans checked."""
    mismatches = find_mismatches(graph, article, texts)
    if mismatches:
        raise EvidenceError(mismatches)
    return len(spans(graph))
