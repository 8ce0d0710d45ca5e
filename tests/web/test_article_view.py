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
