"""The article as evidence: spans located in it, quotes shown in their sentence, the text cut at spans.

Offsets count Unicode code points of the raw article (with its non-breaking spaces), exactly as the
evidence selectors do, so nothing here normalises the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conflictkg.store import Store

_SPANS_QUERY = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX ckg: <https://w3id.org/conflictkg/ontology#>
SELECT DISTINCT ?start ?end WHERE {
  ?selector a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  %s
}"""
_ARTICLE_SPANS = "FILTER NOT EXISTS { ?span oa:hasSelector ?selector ; oa:hasSource ?source . ?source a ckg:Report }"
_DOCUMENT_SPANS = "?span oa:hasSelector ?selector ; oa:hasSource <%s> ."
_HIGHLIGHT = re.compile(r"^(\d{1,9})-(\d{1,9})$")
_SENTENCE_END = re.compile(r'[.!?][”"’)]*\s|\n')


@dataclass(frozen=True)
class Span:
    """A half-open range of code points [start, end)."""

    start: int
    end: int

    @property
    def anchor(self) -> str:
        """The fragment identifier of the span in the article page."""
        return f"span-{self.start}-{self.end}"


@dataclass(frozen=True)
class Excerpt:
    """A quote inside its sentence: the text before it, the quote, the text after it."""

    span: Span
    before: str
    quote: str
    after: str


@dataclass(frozen=True)
class Segment:
    """A run of article text with the same markup: anchors opening here, evidence, highlighted."""

    text: str
    anchors: tuple[Span, ...]
    evidence: bool
    highlighted: bool


def parse_highlight(value: str | None, length: int) -> Span | None:
    """``"283-417"`` as a Span inside a text of ``length`` code points; None if absent or malformed."""
    match = _HIGHLIGHT.match(value or "")
    if match is None:
        return None
    span = Span(int(match.group(1)), int(match.group(2)))
    return span if span.start < span.end <= length else None


def evidence_spans(store: Store, length: int, document: str | None = None) -> list[Span]:
    """The text position selectors of the spans into ``document`` (a registered report's IRI), or, by
    default, into the article (every span whose source is not a registered report)."""
    spans = set()
    where = _DOCUMENT_SPANS % document if document is not None else _ARTICLE_SPANS
    for row in store.query(_SPANS_QUERY % where):  # type: ignore[union-attr]
        try:
            span = Span(int(row["start"].value), int(row["end"].value))
        except ValueError:
            continue
        if 0 <= span.start < span.end <= length:
            spans.add(span)
    return sorted(spans, key=lambda s: (s.start, s.end))


def excerpt(text: str, span: Span) -> Excerpt | None:
    """The sentence(s) around ``span``; None if the span does not fit the text."""
    if not 0 <= span.start < span.end <= len(text):
        return None
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, span.start)]
    begin = starts[-1] if starts else 0
    stop = _SENTENCE_END.search(text, span.end)
    finish = len(text[: stop.end()].rstrip()) if stop else len(text)
    return Excerpt(span, text[begin : span.start], text[span.start : span.end], text[span.end : max(finish, span.end)])


def segments(text: str, spans: list[Span], highlight: Span | None) -> list[Segment]:
    """Cut ``text`` at every span boundary so each piece can be marked up uniformly."""
    cuts = {0, len(text)}
    for span in spans:
        cuts.update((span.start, span.end))
    if highlight is not None:
        cuts.update((highlight.start, highlight.end))
    ordered = sorted(cuts)
    opening: dict[int, list[Span]] = {}
    change: dict[int, int] = {}
    for span in spans:
        opening.setdefault(span.start, []).append(span)
        change[span.start] = change.get(span.start, 0) + 1
        change[span.end] = change.get(span.end, 0) - 1
    pieces = []
    covering = 0  # spans covering the piece that starts here: one sweep, not every span per piece
    for begin, end in zip(ordered, ordered[1:], strict=False):
        covering += change.get(begin, 0)
        pieces.append(
            Segment(
                text=text[begin:end],
                anchors=tuple(opening.get(begin, ())),
                evidence=covering > 0,
                highlighted=highlight is not None and highlight.start <= begin and end <= highlight.end,
            )
        )
    return pieces


def document_page(document: str | None) -> str:
    """The local page showing a span's document: ``/reports/<slug>`` for a registered report, else /article."""
    marker = "/id/report/"
    if document and marker in document:
        return "/reports/" + document.split(marker, 1)[1]
    return "/article"
