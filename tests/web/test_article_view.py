"""Evidence spans in the raw article: sentences around quotes, cutting at span boundaries, highlights."""

from conflictkg.web.article_view import Span, excerpt, parse_highlight, segments

TEXT = "First sentence. The army\u00a0recaptured Ayash. Last one."


def test_excerpt_is_the_sentence_around_the_quote() -> None:
    start = TEXT.index("recaptured")
    found = excerpt(TEXT, Span(start, start + len("recaptured")))
    assert found is not None
    assert (found.before, found.quote, found.after) == ("The army\u00a0", "recaptured", " Ayash.")
    assert excerpt(TEXT, Span(5, len(TEXT) + 1)) is None


def test_segments_cover_the_text_exactly_and_mark_spans() -> None:
    spans = [Span(16, 42), Span(25, 35)]
    pieces = segments(TEXT, spans, Span(25, 35))
    assert "".join(p.text for p in pieces) == TEXT
    assert [a for p in pieces for a in p.anchors] == spans
    assert "".join(p.text for p in pieces if p.highlighted) == TEXT[25:35]
    assert "".join(p.text for p in pieces if p.evidence) == TEXT[16:42]


def test_highlight_parameter_is_checked() -> None:
    assert parse_highlight("3-9", 10) == Span(3, 9)
    for bad in ("9-3", "3-11", "x-y", "", None, "3-9\r\nSet-Cookie: a"):
        assert parse_highlight(bad, 10) is None


def test_sentence_ends_after_a_closing_quotation_mark() -> None:
    text = "He said: “We recaptured it.” Then more."
    start = text.index("We")
    found = excerpt(text, Span(start, start + 2))
    assert found is not None and found.after.endswith("it.”")


def test_segments_mark_what_spans_cover_on_many_overlapping_spans() -> None:
    """The sweep gives each piece what the definition says: anchored where spans start, evidence where
    some span covers it (overlapping, nested, touching and repeated spans of a seeded random text)."""
    import random

    rng = random.Random(3)
    text = "".join(rng.choice("ab .\u00a0") for _ in range(400))
    spans = sorted({Span(a, a + rng.randrange(1, 60)) for a in (rng.randrange(380) for _ in range(120))},
                   key=lambda s: (s.start, s.end))
    pieces = segments(text, spans, Span(100, 140))
    assert "".join(p.text for p in pieces) == text
    begin = 0
    for piece in pieces:
        end = begin + len(piece.text)
        assert piece.anchors == tuple(s for s in spans if s.start == begin)
        assert piece.evidence == any(s.start <= begin and end <= s.end for s in spans)
        assert piece.highlighted == (100 <= begin and end <= 140)
        begin = end
