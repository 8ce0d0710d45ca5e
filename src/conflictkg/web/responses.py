"""Response building shared by the pages: negotiation between HTML and RDF, ETags, Link headers, 404s."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from conflictkg.sparql.negotiate import Format, NotAcceptable, choose
from conflictkg.sparql.results import RDF_FORMATS, serialize_rdf
from conflictkg.web.addresses import public_origin
from conflictkg.web.site import site_of

HTML = Format("html", "text/html", aliases=("application/xhtml+xml",), short_names=("htm",), charset=True)
DOCUMENT_RDF_FORMATS: tuple[Format, ...] = tuple(f for f in RDF_FORMATS if f.name in ("turtle", "jsonld", "ntriples", "rdfxml"))
"""The RDF forms every resource is offered in (graph-only syntaxes; no TriG/N-Quads for one description)."""
PAGE_FORMATS: tuple[Format, ...] = (HTML, *DOCUMENT_RDF_FORMATS)
"""HTML first: a client with no preference (``*/*``) gets the page."""

_SHORT = {"turtle": "ttl", "jsonld": "jsonld", "ntriples": "nt", "rdfxml": "rdf", "html": "html"}


def short_name(fmt: Format) -> str:
    """The ``?format=`` value advertised for ``fmt``."""
    return _SHORT.get(fmt.name, fmt.name)


def negotiate(request: Request, formats: Iterable[Format]) -> Format | Response:
    """The format to answer with, or a 406 listing what is supported."""
    offered = tuple(formats)
    try:
        return choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
    except NotAcceptable as exc:
        listing = "\n".join(f"  {f.media_type}  (?format={short_name(f)})" for f in offered)
        return PlainTextResponse(
            f"cannot produce {exc.asked!r}; supported media types:\n{listing}\n", status_code=406, headers={"Vary": "Accept"}
        )


def prefers_html(request: Request) -> bool:
    """True when the client would rather read HTML than RDF (browsers, or an explicit ?format=html)."""
    try:
        return choose(request.headers.get("accept"), request.query_params.getlist("format"), PAGE_FORMATS) is HTML
    except NotAcceptable:
        return False


def alternates(request: Request, path: str, formats: Iterable[Format] = DOCUMENT_RDF_FORMATS) -> str:
    """A Link header naming each RDF form of the document at ``path`` (absolute, on the client's origin)."""
    origin = public_origin(request)
    target = origin + quote(path, safe="/-._~:@!$&'()*+,;=")
    return ", ".join(f'<{target}?format={short_name(f)}>; rel="alternate"; type="{f.media_type}"' for f in formats)


def etag_for(version: str, fmt: Format) -> str:
    """A strong ETag: the release version and the representation."""
    return f'"{version}-{short_name(fmt)}"'


def not_modified(request: Request, etag: str) -> bool:
    """True if If-None-Match names ``etag`` (or ``*``); weak comparison, as RFC 9110 asks for GET."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


@dataclass(frozen=True)
class Representation:
    """The negotiated form of a document and the headers (Vary, ETag, Link) every answer about it carries."""

    fmt: Format
    headers: dict[str, str]


def negotiate_document(request: Request, formats: Iterable[Format], version: str, path: str) -> Representation | Response:
    """The representation to write for the document at ``path``, or the whole answer when that is a 406
    (no format fits) or a 304 (the client's copy, named by If-None-Match, is current).

    Negotiation comes before any lookup, so a conditional request costs no query.
    """
    fmt = negotiate(request, formats)
    if isinstance(fmt, Response):
        return fmt
    etag = etag_for(version, fmt)
    headers = {"Vary": "Accept", "ETag": etag, "Link": alternates(request, path)}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Representation(fmt, headers)


def rdf_document(triples: Iterable[ox.Triple], fmt: Format, headers: Mapping[str, str]) -> Response:
    """Serialise triples in ``fmt`` with the given headers."""
    return Response(serialize_rdf(triples, fmt.name), media_type=fmt.content_type, headers=dict(headers))


def not_found(request: Request, message: str) -> Response:
    """404 as an HTML page for browsers, as plain text for everyone else."""
    if prefers_html(request):
        site = site_of(request)
        return site.templates.TemplateResponse(
            request, "not_found.html", {"message": message, "path": request.url.path}, status_code=404, headers={"Vary": "Accept"}
        )
    return PlainTextResponse(message + "\n", status_code=404, headers={"Vary": "Accept"})
