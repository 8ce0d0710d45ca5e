"""``/ontology`` and ``/shapes``: documentation pages generated from the graphs, and the graphs as RDF."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph

import pyoxigraph as ox

from conflictkg.vocab import ONTOLOGY_GRAPH, SHAPES_GRAPH
from conflictkg.web.responses import HTML, PAGE_FORMATS, alternates, etag_for, negotiate, not_found, not_modified, rdf_document
from conflictkg.web.site import Site, site_of

router = APIRouter()


def _document(request: Request, name: str, graph_iri: str, graph: Graph, context: dict[str, object]) -> Response:
    """One graph as documentation (HTML) or RDF, negotiated, with ETag and alternates."""
    site = site_of(request)
    fmt = negotiate(request, PAGE_FORMATS)
    if isinstance(fmt, Response):
        return fmt
    etag = etag_for(site.version, fmt)
    headers = {"Vary": "Accept", "ETag": etag, "Link": alternates(request, f"/{name}")}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if len(graph) == 0:
        return not_found(request, f"This server holds no {name} graph ({graph_iri}).")
    if fmt is not HTML:
        quads = site.store.engine.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))
        return rdf_document(request, (q.triple for q in quads), fmt, headers)
    return site.templates.TemplateResponse(request, f"{name}.html", context, headers=headers)


@router.api_route("/ontology", methods=["GET", "HEAD"], include_in_schema=False)
def ontology(request: Request) -> Response:
    """The ontology: classes and their hierarchy, properties, alignments, the event-type scheme."""
    site: Site = site_of(request)
    graph = site.ontology_graph
    context = {"doc": site.ontology_doc} if len(graph) else {}
    return _document(request, "ontology", str(ONTOLOGY_GRAPH), graph, context)


@router.api_route("/shapes", methods=["GET", "HEAD"], include_in_schema=False)
def shapes(request: Request) -> Response:
    """The SHACL shapes: targets, constraints and messages."""
    site: Site = site_of(request)
    graph = site.shapes_graph
    context = {"shapes": site.shapes_doc} if len(graph) else {}
    return _document(request, "shapes", str(SHAPES_GRAPH), graph, context)
