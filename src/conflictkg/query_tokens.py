"""The tokens of a SPARQL query text, for the rewrites made to a text before an engine sees it
(query_rewrite for the engines' planners, remote_store for an external store).

Strings, IRIs and comments are single tokens, so nothing inside them is mistaken for syntax; comments
are dropped. A property path written without spaces (``rdfs:subClassOf*``, ``a/rdfs:label``) is one
token, as is a function name before its arguments. It is a scanner, not a parser: it lives below the
store so that both the store layer and sparql/ can use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*"
    r"|[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+"
    r"|[A-Za-z_][A-Za-z0-9_\-]*(?=\s*\()"  # a function name before its arguments
    r"|[^\s{}()\[\].;,\"'<>#?$]+(?:\.[^\s{}()\[\].;,\"'<>#?$]+)*"
    r"|\S",
    re.DOTALL,
)


@dataclass
class Token:
    """One token: its text and where it stands in the query (``query[start:end] == text``)."""

    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        """The text in capitals, for comparing keywords (SPARQL's are case-insensitive)."""
        return self.text.upper()


def tokenize(query: str) -> list[Token]:
    """The tokens of ``query`` in order, comments left out."""
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(query) if not m.group(0).startswith("#")]
