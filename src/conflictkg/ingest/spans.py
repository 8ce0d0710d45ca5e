"""Evidence spans into a registered report: ``id/span/<slug>/<start>-<end>`` with its two selectors.

Offsets are 0-based, end-exclusive Unicode code points of the raw text, exactly as the evidence check
reads them (pipeline.evidence): the text is never normalised before counting (a non-breaking space is
one code point like any other).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from conflictkg.vocab import ID, OA

CONTEXT = 32
"""Code points of oa:prefix / oa:suffix on each side, as the article's spans have."""


def span_iri(slug: str, start: int, end: int) -> URIRef:
    """``id/span/<slug>/<start>-<end>``: which document, which characters."""
    return ID[f"span/{slug}/{start}-{end}"]


def add_span(graph: Graph, slug: str, text: str, start: int, end: int) -> URIRef:
    """Add the span ``[start, end)`` of report ``slug`` (whose raw text is ``text``) to ``graph``."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}-{end} is outside the text (0-{len(text)})")
    span = span_iri(slug, start, end)
    quote = URIRef(f"{span}/quote")
    position = URIRef(f"{span}/position")
    graph.add((span, RDF.type, OA.SpecificResource))
    graph.add((span, RDFS.label, Literal(f"Evidence span {start}–{end} of report {slug}")))
    graph.add((span, OA.hasSource, ID[f"report/{slug}"]))
    graph.add((span, OA.hasSelector, quote))
    graph.add((span, OA.hasSelector, position))
    graph.add((quote, RDF.type, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, Literal(text[start:end])))
    if start:
        graph.add((quote, OA.prefix, Literal(text[max(0, start - CONTEXT):start])))
    if end < len(text):
        graph.add((quote, OA.suffix, Literal(text[end:end + CONTEXT])))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    graph.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    graph.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    return span
