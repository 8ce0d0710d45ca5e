"""RDF terms between rdflib (the build's reference model) and pyoxigraph (its fast parsers and writers).

Both directions keep the lexical form and datatype of a literal exactly as written: pyoxigraph's
parser and serialisers do not normalise (only its Store does, which the build never validates), and
rdflib keeps the lexical form it is given. A blank node keeps its label, so a node read from rdflib
and written by pyoxigraph stays one node.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
XSD_STRING = str(XSD.string)
LANG_STRING = str(RDF.langString)


def to_ox(term: Node) -> OxTerm:
    """The pyoxigraph term for an rdflib one (a blank node keeps its label)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: OxTerm) -> Node:
    """The rdflib term for a pyoxigraph one; ``"x"^^xsd:string`` becomes the plain literal ``"x"``.

    The lexical form is kept as written (``normalize=False``): rdflib would otherwise rewrite, say,
    ``"…T12:55:00Z"^^xsd:dateTime`` as ``"…T12:55:00+00:00"``, a different term from the one in the
    file, and a linker copying it would add a second value next to the original.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"not an RDF term: {term!r}")
