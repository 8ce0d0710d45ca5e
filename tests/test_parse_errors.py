"""Parser complaints read ``file:line:column: message``, whichever parser or command found them."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from conflictkg.parse_errors import located, one_line, oxigraph_complaint


def test_located_leaves_out_what_the_parser_did_not_give() -> None:
    assert located(Path("a.ttl"), "bad", 3, 7) == "a.ttl:3:7: bad"
    assert located("a.ttl", "bad", 3) == "a.ttl:3: bad"
    assert located("a.ttl", "bad") == "a.ttl: bad"


@pytest.mark.parametrize(
    ("content", "fmt", "expected"),
    [
        (b"<urn:a> <urn:b> .\n", ox.RdfFormat.TURTLE, (". is not a valid RDF object", 1, 17)),
        (b'<urn:a> <urn:b> "open\n', ox.RdfFormat.N_TRIPLES, ("Unexpected end of file", 1, 17)),
        (b'{ <urn:a> <urn:b> "x"^^<urn:d', ox.RdfFormat.TRIG, ("Unexpected end of file", 1, 24)),
    ],
    ids=["at-line-column", "between-lines", "between-columns"],
)
def test_oxigraph_complaint_drops_its_position_prefix(content: bytes, fmt: ox.RdfFormat, expected: tuple[str, int, int]) -> None:
    with pytest.raises(SyntaxError) as raised:
        ox.Store().load(content, format=fmt)
    assert oxigraph_complaint(raised.value) == expected


def test_one_line_escapes_control_characters() -> None:
    assert one_line("bad \x1b[2J token\nnext") == "bad \\x1b[2J token\\nnext"
    assert one_line("café ‘quoted’") == "café ‘quoted’"
