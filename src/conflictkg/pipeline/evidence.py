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

from collections.abc import Callable, Mapping
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


_MANY = object()
"""Marks a property given more than one value: like a missing one, it is no single value."""

QUOTE, POSITION = 1, 2
_KINDS = {str(OA.TextQuoteSelector): QUOTE, str(OA.TextPositionSelector): POSITION}
_VALUES = frozenset(str(p) for p in (OA.start, OA.end, OA.exact, OA.prefix, OA.suffix))
EVIDENCE_PREDICATES = frozenset({str(OA.hasSelector), str(OA.hasSource), str(RDF.type), *_VALUES})
"""The predicates whose triples the check reads; a streaming loader hands over only these."""


class SpanTable:
    """The evidence triples of a graph, gathered in one pass, and the check of each span against the text.

    It is filled triple by triple (:meth:`add`), so that a loader streaming millions of triples keeps
    only the few it needs: selectors, their kinds, offsets and quotes. Terms may be rdflib's or another
    library's; ``to_rdflib`` turns one into rdflib's when a value is read or a span reported.
    """

    def __init__(self, to_rdflib: Callable[[object], Node] = lambda term: term,  # type: ignore[return-value]
                 key: Callable[[object], str] = str) -> None:
        self._to_rdflib = to_rdflib
        self._key = key
        """How a node sorts: its IRI (or blank node label), as str() gives it for an rdflib node."""
        self._selectors: dict[object, set[object]] = {}
        self._kinds: dict[object, int] = {}
        self._values: dict[tuple[object, str], object] = {}
        self._sources: dict[object, set[Node]] = {}

    def add(self, subject: object, predicate: str, obj: object) -> None:
        """Record one triple (``predicate`` as an IRI string); triples the check does not read are ignored."""
        if predicate == _HAS_SELECTOR:
            self._selectors.setdefault(subject, set()).add(obj)
        elif predicate == _HAS_SOURCE:
            self._sources.setdefault(subject, set()).add(self._to_rdflib(obj))
        elif predicate == _TYPE:
            kind = _KINDS.get(self._key(obj))
            if kind:
                self._kinds[subject] = self._kinds.get(subject, 0) | kind
        elif predicate in _VALUES:
            key = (subject, predicate)
            known = self._values.get(key)
            if known is None:
                self._values[key] = obj
            elif known is not _MANY and known != obj:
                self._values[key] = _MANY

    def add_graph(self, graph: Graph) -> SpanTable:
        """Record every evidence triple of an rdflib graph."""
        for predicate in (OA.hasSelector, OA.hasSource, OA.start, OA.end, OA.exact, OA.prefix, OA.suffix):
            for subject, obj in graph.subject_objects(predicate):
                self.add(subject, str(predicate), obj)
        for kind in (OA.TextQuoteSelector, OA.TextPositionSelector):
            for subject in graph.subjects(RDF.type, kind):
                self._kinds[subject] = self._kinds.get(subject, 0) | _KINDS[str(kind)]
        return self

    def spans(self) -> list[object]:
        """Every resource that has an ``oa:hasSelector``, in a stable order (by its rdflib form)."""
        return sorted(self._selectors, key=self._key)

    def _single(self, subject: object, predicate: URIRef) -> Node | None:
        value = self._values.get((subject, str(predicate)))
        return None if value is None or value is _MANY else self._to_rdflib(value)

    def _of_kind(self, span: object, kind: int) -> list[object]:
        chosen = (s for s in self._selectors.get(span, ()) if self._kinds.get(s, 0) & kind)
        return sorted(chosen, key=self._key)

    def check(self, span: object, article: str) -> list[SpanMismatch]:
        """The ways ``span``'s selectors disagree with ``article`` (empty when the span is exact)."""
        quotes, positions = self._of_kind(span, QUOTE), self._of_kind(span, POSITION)
        name = self._to_rdflib(span)
        if len(quotes) != 1 or len(positions) != 1:
            return [SpanMismatch(name, "selectors", "one TextQuoteSelector and one TextPositionSelector",
                                 f"{len(quotes)} quote and {len(positions)} position selector(s)")]
        quote, position = quotes[0], positions[0]
        start = _offset(self._single(position, OA.start))
        end = _offset(self._single(position, OA.end))
        exact = self._single(quote, OA.exact)
        if start is None or end is None or not 0 <= start <= end <= len(article):
            return [SpanMismatch(name, "position", f"integer offsets with 0 <= start <= end <= {len(article)}",
                                 f"start={start}, end={end}")]
        if exact is None:
            return [SpanMismatch(name, "oa:exact", "exactly one oa:exact", "none or several")]
        problems = []
        if article[start:end] != str(exact):
            problems.append(SpanMismatch(name, f"text at {start}..{end}", str(exact), article[start:end]))
        prefix = self._single(quote, OA.prefix)
        if prefix is not None and article[max(0, start - len(prefix)):start] != str(prefix):
            problems.append(SpanMismatch(name, "oa:prefix", str(prefix), article[max(0, start - len(prefix)):start]))
        suffix = self._single(quote, OA.suffix)
        if suffix is not None and article[end:end + len(suffix)] != str(suffix):
            problems.append(SpanMismatch(name, "oa:suffix", str(suffix), article[end:end + len(suffix)]))
        return problems

    def mismatches(self, article: str, texts: Mapping[Node, str] | None = None) -> list[SpanMismatch]:
        """All spans whose selectors disagree with their document.

        ``texts`` maps report IRIs to their raw text; a span whose ``oa:hasSource`` is one of them is
        checked against that text, any other span against ``article``.
        """
        texts = texts or {}
        problems = []
        for span in self.spans():
            documents = sorted((s for s in self._sources.get(span, ()) if s in texts), key=str)
            if len(documents) > 1:
                problems.append(SpanMismatch(self._to_rdflib(span), "oa:hasSource", "one document",
                                             ", ".join(map(str, documents))))
                continue
            problems.extend(self.check(span, texts[documents[0]] if documents else article))
        return problems

    def require_match(self, article: str, texts: Mapping[Node, str] | None = None) -> int:
        """Raise EvidenceError listing every mismatching span; return the number of spans checked."""
        mismatches = self.mismatches(article, texts)
        if mismatches:
            raise EvidenceError(mismatches)
        return len(self._selectors)


_HAS_SELECTOR = str(OA.hasSelector)
_HAS_SOURCE = str(OA.hasSource)
_TYPE = str(RDF.type)


def _offset(node: Node | None) -> int | None:
    if isinstance(node, Literal) and isinstance(node.toPython(), int):
        return int(node.toPython())
    return None


def spans(graph: Graph) -> list[Node]:
    """Every resource that has an ``oa:hasSelector``, in a stable order."""
    return sorted(set(graph.subjects(OA.hasSelector, None)), key=str)


def find_mismatches(graph: Graph, article: str, texts: Mapping[Node, str] | None = None) -> list[SpanMismatch]:
    """All spans in ``graph`` whose selectors disagree with their document (empty when every span is exact)."""
    return SpanTable().add_graph(graph).mismatches(article, texts)


def check_evidence(graph: Graph, article: str, texts: Mapping[Node, str] | None = None) -> int:
    """Raise EvidenceError listing every mismatching span; return the number of spans checked."""
    return SpanTable().add_graph(graph).require_match(article, texts)
