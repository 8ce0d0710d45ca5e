"""Dereferencing ``/id/...``: one URL per resource, HTML or RDF by negotiation; and the article itself."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from conflictkg.web.article_view import evidence_spans, parse_highlight, segments
from conflictkg.web.describe import describe
from conflictkg.web.resource_view import build_page
from conflictkg.web.responses import HTML, PAGE_FORMATS, negotiate_document, not_found, rdf_document
from conflictkg.web.site import site_of
from conflictkg.web.terms import TermFactory

router = APIRouter()
PAGE_INCOMING = 500
"""Links to a resource an HTML page lists (its RDF descriptions list all): the rest are counted and
offered as a query. Served from an external store (`serve --store`) a page lists them all, as before:
the cap costs two more requests to that store per page."""


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
def resource(request: Request, path: str) -> Response:
    """The description of ``<canonical base>id/<path>``: HTML page, Turtle, JSON-LD, N-Triples or RDF/XML."""
    site = site_of(request)
    local = "/id/" + path
    answer = negotiate_document(request, PAGE_FORMATS, site.version, local)
    if isinstance(answer, Response):
        return answer
    iri = site.addresses.iri_for_path("id/" + path)
    capped = answer.fmt is HTML and site.store.local  # an external store keeps its one CONSTRUCT per page
    description = describe(site.store, iri, PAGE_INCOMING if capped else None)
    if not description.found:
        return not_found(request, f"No resource {iri} in this dataset.")
    if answer.fmt is not HTML:
        return rdf_document(description.asserted, answer.fmt, answer.headers)
    page = build_page(site.store, TermFactory(site.store, site.addresses), description, site.article, site.text_of)
    return site.templates.TemplateResponse(request, "resource.html", {"page": page, "local": local}, headers=answer.headers)


@router.api_route("/article", methods=["GET", "HEAD"], include_in_schema=False)
def article(request: Request, highlight: str | None = None) -> Response:
    """The article with every evidence span anchored (``#span-283-417``) and one optionally highlighted."""
    site = site_of(request)
    if site.article is None:
        return not_found(request, "This server has no article text (serve a release to get one).")
    text = site.article
    spans = evidence_spans(site.store, len(text))
    chosen = parse_highlight(highlight, len(text))
    return site.templates.TemplateResponse(
        request,
        "article.html",
        {"segments": segments(text, spans, chosen), "highlight": chosen, "span_count": len(spans),
         "title": "The article", "span_base": "/id/span/"},
        headers={"ETag": f'"{site.version}-article-{chosen.anchor if chosen else "plain"}"'},
    )


@router.api_route("/reports/{slug}", methods=["GET", "HEAD"], include_in_schema=False)
def report(request: Request, slug: str, highlight: str | None = None) -> Response:
    """A registered report's raw text with its evidence spans anchored, like the article."""
    site = site_of(request)
    text = site.reports.get(slug)
    if text is None:
        return not_found(request, f"No registered report {slug!r} in this release.")
    iri = site.addresses.iri_for_path(f"id/report/{slug}")
    spans = evidence_spans(site.store, len(text), iri)
    chosen = parse_highlight(highlight, len(text))
    return site.templates.TemplateResponse(
        request,
        "article.html",
        {"segments": segments(text, spans, chosen), "highlight": chosen, "span_count": len(spans),
         "title": f"Report {slug}", "span_base": f"/id/span/{slug}/", "report_page": f"/id/report/{slug}"},
        headers={"ETag": f'"{site.version}-report-{slug}-{chosen.anchor if chosen else "plain"}"'},
    )
