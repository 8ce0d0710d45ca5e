"""RDF terms and subject blocks written as text, in Turtle and N-Triples at once.

The generator writes millions of triples; building rdflib graphs for them would cost minutes and
gigabytes. Each term is a pair ``(n-triples form, turtle form)`` built once, and a subject with its
predicate-object pairs is written as one Turtle block and as N-Triples lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TextIO

from conflictkg.vocab import PREFIXES

Term = tuple[str, str]
"""``(n-triples form, turtle form)`` of one RDF term."""

_SAFE_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-/]*[A-Za-z0-9_]|[A-Za-z0-9_]")
_NAMESPACES: dict[str, str] = {name: str(ns) for name, ns in PREFIXES.items()}


def iri(full: str) -> Term:
    """An IRI outside the contract prefixes (written in full in both syntaxes)."""
    return f"<{full}>", f"<{full}>"


def name(prefix: str, local: str) -> Term:
    """An IRI ``prefix:local`` of vocab.PREFIXES; a ``/`` in the local part is escaped for Turtle."""
    full = _NAMESPACES[prefix] + local
    if not _SAFE_LOCAL.fullmatch(local):
        return f"<{full}>", f"<{full}>"
    return f"<{full}>", f"{prefix}:{local.replace('/', chr(92) + '/')}"


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def string(text: str) -> Term:
    """A plain (xsd:string) literal."""
    quoted = _quoted(text)
    return quoted, quoted


def lang(text: str, tag: str = "en") -> Term:
    """A language-tagged literal."""
    quoted = f"{_quoted(text)}@{tag}"
    return quoted, quoted


def typed(lexical: str, datatype: Term) -> Term:
    """A literal with a datatype given as a Term."""
    quoted = _quoted(lexical)
    return f"{quoted}^^{datatype[0]}", f"{quoted}^^{datatype[1]}"


RDF_TYPE = name("rdf", "type")
RDFS_LABEL = name("rdfs", "label")
RDFS_COMMENT = name("rdfs", "comment")
XSD_DATE = name("xsd", "date")
XSD_DECIMAL = name("xsd", "decimal")
XSD_NNI = name("xsd", "nonNegativeInteger")
WKT = name("geo", "wktLiteral")


def turtle_prefixes(out: TextIO, names: Iterable[str]) -> None:
    """``@prefix`` lines for the given contract prefixes."""
    for prefix in names:
        out.write(f"@prefix {prefix}: <{_NAMESPACES[prefix]}> .\n")
    out.write("\n")


class TripleWriter:
    """Writes subject blocks to one Turtle file and one N-Triples file, counting triples."""

    def __init__(self, turtle: TextIO, ntriples: TextIO) -> None:
        self.turtle = turtle
        self.ntriples = ntriples
        self.triples = 0

    def subject(self, subject: Term, pairs: Sequence[tuple[Term, Term]]) -> None:
        """Write ``subject`` with its (predicate, object) pairs; consecutive equal predicates share a line."""
        nt_s = subject[0]
        self.ntriples.write("".join(f"{nt_s} {p[0]} {o[0]} .\n" for p, o in pairs))
        self.triples += len(pairs)
        parts: list[str] = []
        previous: Term | None = None
        for p, o in pairs:
            if p == previous:
                parts[-1] += f" , {o[1]}"
            else:
                parts.append(f"{p[1] if p != RDF_TYPE else 'a'} {o[1]}")
                previous = p
        self.turtle.write(subject[1] + " " + " ;\n    ".join(parts) + " .\n\n")
