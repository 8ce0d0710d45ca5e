"""The small example graph of the SPARQL and serving tests: an attack on a village, labelled in two
languages, and filler triples enough that a four-way cross join runs far longer than any test timeout."""

from __future__ import annotations

from pathlib import Path

FILLER = 600
"""Filler triples: enough that a four-way cross join runs far longer than any test timeout."""

EXAMPLE = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:attack a ex:Attack ; rdfs:label "Attack on Ayyash"@en , "هجوم"@ar ; ex:killed 150 ; ex:place ex:ayyash .
ex:ayyash a ex:Village ; rdfs:label "Ayyash" .
"""


def write_example(path: Path) -> Path:
    """Write EXAMPLE and the FILLER triples to ``path`` as Turtle."""
    filler = "".join(f"<urn:filler:{i}> <urn:filler:p> {i} .\n" for i in range(FILLER))
    path.write_text(EXAMPLE + filler, encoding="utf-8")
    return path
