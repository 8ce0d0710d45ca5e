"""N-Triples terms written as text, so an import of 300,000 rows never builds an rdflib graph.

Only what the import writes: IRIs built from our namespaces (slugs are ASCII) and literals from the
imported file, which may hold any character and must be escaped (RDF 1.1 N-Triples, ECHAR).
"""

from __future__ import annotations

from rdflib.namespace import XSD

_XSD_STRING = str(XSD.string)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(value: str) -> str:
    """``<value>``; the caller builds IRIs from slugs, which hold no character N-Triples forbids."""
    return f"<{value}>"


def literal(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    """A quoted literal, escaped; with a datatype IRI or a language tag when given (xsd:string is plain)."""
    text = f'"{value.translate(_ESCAPES)}"'
    if lang:
        return f"{text}@{lang}"
    if datatype and datatype != _XSD_STRING:
        return f"{text}^^<{datatype}>"
    return text


def triple(subject: str, predicate: str, obj: str) -> str:
    """One N-Triples line (terms already written)."""
    return f"{subject} {predicate} {obj} .\n"
