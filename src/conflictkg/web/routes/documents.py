"""``/ontology`` and ``/shapes``: documentation pages generated from the graphs, and the graphs as RDF."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph, URIRef

from conflictkg.vocab import ONTOLOGY_GRAPH, SHAPES_GRAPH
from conflictkg.web.responses import HTML, PAGE_FORMATS, negotiate_document, not_found, rdf_document
from conflictkg.web.site import site_of

router = APIRouter()


def _document(
    request: Request, name: str, graph_iri: URIRef, graph: Graph, context: Callable[[], dict[str, object]]
) -> Response:
    """One graph as documentation (template ``<name>.html``) or RDF, negotiated, with ETag and alternates.

    ``context`` builds the template's context; it is only called when an HTML page is written.
    """
    site = site_of(request)
    answer = negotiate_document(request, PAGE_FORMATS, site.version, f"/{name}")
    if isinstance(answer, Response):
        return answer
    if len(graph) == 0:
        return not_found(request, f"This server holds no {name} graph ({graph_iri}).")
    if answer.fmt is not HTML:
        return rdf_document(site.store.triples(str(graph_iri)), answer.fmt, answer.headers)
    return site.templates.TemplateResponse(request, f"{name}.html", context(), headers=answer.headers)


@router.api_route("/ontology", methods=["GET", "HEAD"], include_in_schema=False)
def ontology(request: Request) -> Response:
    """The ontology: classes and their hierarchy, properties, alignments, the event-type scheme."""
    site = site_of(request)
    return _document(request, "ontology", ONTOLOGY_GRAPH, site.ontology_graph, lambda: {"doc": site.ontology_doc})


@router.api_route("/shapes", methods=["GET", "HEAD"], include_in_schema=False)
def shapes(request: Request) -> Response:
    """The SHACL shapes: targets, constraints and messages."""
    site = site_of(request)
    return _document(request, "shapes", SHAPES_GRAPH, site.shapes_graph, lambda: {"shapes": site.shapes_doc})
