"""The landing page and the offline query UI."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from conflictkg.sparql.results import RDF_FORMATS, TABULAR_FORMATS
from conflictkg.web.query_completion import completion_prefixes
from conflictkg.web.site import site_of
from conflictkg.web.terms import TermFactory

router = APIRouter()


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
def landing(request: Request) -> Response:
    """What the dataset is, how big, and where to go next."""
    site = site_of(request)
    terms = TermFactory(site.store, site.addresses)
    overview = site.overview
    examples = [(kind, [terms.term(node) for node in nodes]) for kind, nodes in overview.examples]
    return site.templates.TemplateResponse(
        request,
        "home.html",
        {
            "overview": overview,
            "examples": examples,
            "release": site.release,
            "version": site.version,
            "example_queries": site.examples,
        },
    )


@router.api_route("/query", methods=["GET", "HEAD"], include_in_schema=False)
def query_ui(request: Request) -> Response:
    """A SPARQL editor with the example queries; runs against /sparql with fetch(), no internet needed.

    ``?query=`` (and ``inference=true``) put a shared query in the editor, ``?example=<name>`` an example.
    """
    site = site_of(request)
    return site.templates.TemplateResponse(
        request,
        "query.html",
        {
            "examples": [{"name": e.name, "question": e.question, "text": e.text} for e in site.examples],
            "config": {
                "idBase": site.addresses.id_base,
                "canonicalBase": site.addresses.canonical_base,
                "tableFormats": [f.name for f in TABULAR_FORMATS],
                "graphFormats": [f.name for f in RDF_FORMATS],
                "prefixes": completion_prefixes(),
                "terms": [
                    {"iri": t.iri, "kind": t.kind, "label": t.label, "comment": t.comment} for t in site.completion_terms
                ],
            },
            "initial": request.query_params.get("query", ""),
            "inference": request.query_params.get("inference") == "true",
        },
    )
