"""A lexical look at a query text before the engine sees it: nesting depth, update keywords, SERVICE.

The engine's parser is recursive: a few thousand nested brackets (``{{{…``, ``FILTER((((…``) or ``!``
operators overflow the worker's stack and kill the process, and nested collections or blank-node
lists take time that grows much faster than their length. No real query nests deeper than a few
levels, so a text nested deeper than ``MAX_NESTING`` is refused before it is parsed. The same scan
says whether the text is an update (its first keyword after the prologue), without a second parser,
and whether it calls a remote endpoint with ``SERVICE``, which this endpoint does not do: the server
would otherwise fetch any URL a client names.

The scan masks what cannot contain syntax (strings, comments, the text of IRIs), so ``"{{{"`` or
``<urn:SERVICE>`` count for nothing; brackets inside an IRI still count, because ``1 <((1))> 2`` is
an IRI to a lexer but a comparison to the engine's parser. It is not a parser: a text it lets through
can still be a syntax error.
"""

from __future__ import annotations

import re

MAX_NESTING = 64
"""Deepest bracket nesting (and longest run of ``!``) a query may have."""

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
"""Words that start a SPARQL Update operation (SPARQL 1.1 Update, §3)."""

_MASKED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    r'|"(?:[^"\\\n\r]|\\.)*(?:"|$)'
    r"|'(?:[^'\\\n\r]|\\.)*(?:'|$)"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*"
    r"|\\.",
    re.DOTALL,
)
_OPEN, _CLOSE = "({[", ")}]"
_BRACKETS = _OPEN + _CLOSE
_NOT_RUN = re.compile(r"(?:!(?!=)\s*){%d,}" % (MAX_NESTING + 1))
_PROLOGUE = re.compile(r"\s*(?:BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)", re.IGNORECASE)
_WORD = re.compile(r"\s*([A-Za-z]+)")
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:.-])", re.IGNORECASE)


def masked(query: str) -> str:
    """The text with strings and comments blanked (``""``, a space) and IRIs cut down to their brackets."""

    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("#"):
            return " "
        if token.startswith("\\"):
            return "_"
        if token.startswith("<"):
            return "<" + "".join(c for c in token if c in _BRACKETS) + ">"
        return '""'

    return _MASKED.sub(blank, query)


def nesting_depth(query: str) -> int:
    """The deepest bracket nesting of the text outside strings and comments."""
    return _depth(masked(query))


def _depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
    return deepest


def too_deep(query: str) -> str | None:
    """Why the text nests too deeply for the engine to parse safely, or None."""
    text = masked(query)
    depth = _depth(text)
    if depth > MAX_NESTING:
        return f"the query nests brackets {depth} levels deep; at most {MAX_NESTING} are accepted"
    run = _NOT_RUN.search(text)
    if run is not None:
        return f"the query chains {run.group(0).count('!')} '!' operators; at most {MAX_NESTING} are accepted"
    return None


def is_update(query: str) -> bool:
    """True if the first keyword after the prologue (BASE/PREFIX) starts an update operation."""
    text = masked(query)
    position = 0
    while (prologue := _PROLOGUE.match(text, position)) is not None:
        position = prologue.end()
    word = _WORD.match(text, position)
    return word is not None and word.group(1).upper() in UPDATE_KEYWORDS


def calls_service(query: str) -> bool:
    """True if the text uses the SERVICE keyword (federated query) outside strings, IRIs and comments."""
    return _SERVICE.search(masked(query)) is not None
