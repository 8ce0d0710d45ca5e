"""The release's files: ``/dumps/`` (listing and downloads with ranges), VoID and the SHACL report."""

from __future__ import annotations

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse

from conflictkg.pipeline.release import ReleaseError
from conflictkg.sparql.results import serialize_rdf
from conflictkg.remote_store import RemoteStore
from conflictkg.store import RDF_FORMATS as PARSERS
from conflictkg.vocab import GRAPH
from conflictkg.web.responses import DOCUMENT_RDF_FORMATS, HTML, negotiate_document, not_found, not_modified, rdf_document
from conflictkg.web.site import site_of

router = APIRouter()

VOID_FILE = "void.ttl"
VALIDATION_FILE = "validation.ttl"
CONTEXT_FILE = "context.jsonld"
_RANGE_START = re.compile(r"\s*([0-9]+)\s*-")
STORE_DUMPS = "/dumps/graphs/"
"""Served from an external store without the release's files: ``/dumps/graphs/<name>.nt`` per graph."""
NTRIPLES = "application/n-triples"
GRAPHS = str(GRAPH)


class DumpResponse(FileResponse):
    """A release file streamed from disk in 1 MiB reads (Starlette's 64 KB chunks cost a thread hop
    each: 2-3x slower on a 500 MB dump here); ranges and conditional requests as FileResponse."""

    chunk_size = 1024 * 1024


@router.api_route("/dumps", methods=["GET", "HEAD"], include_in_schema=False)
def dumps_root() -> Response:
    """The listing lives at ``/dumps/``."""
    return RedirectResponse("/dumps/", status_code=308)


@router.api_route("/dumps/", methods=["GET", "HEAD"], include_in_schema=False)
def dumps(request: Request) -> Response:
    """The files of the release with size, SHA-256 and media type; served from an external store without
    the release's files, each graph of the store's release (streamed from the store)."""
    site = site_of(request)
    release = site.release
    files = sorted(release.files, key=lambda f: f.path) if release is not None else []
    graphs = []
    if release is None and isinstance(site.store, RemoteStore):
        graphs = [(g.removeprefix(GRAPHS), g, n) for g, n in sorted(site.store.graph_sizes().items()) if g.startswith(GRAPHS)]
    return site.templates.TemplateResponse(
        request, "dumps.html", {"release": release, "files": files, "graphs": graphs, "version": site.version})


@router.api_route(STORE_DUMPS + "{name:path}.nt", methods=["GET", "HEAD"], include_in_schema=False)
def store_graph_dump(request: Request, name: str) -> Response:
    """One graph of an external store's release as N-Triples, streamed from the store (no release files)."""
    site = site_of(request)
    graph = GRAPHS + name
    if site.release is not None or not isinstance(site.store, RemoteStore):
        return dump_file(request, f"{STORE_DUMPS.removeprefix('/dumps/')}{name}.nt")
    if graph not in site.store.graph_names():
        return not_found(request, f"The store's release has no graph {name!r}; see /dumps/.")
    etag = f'"{site.version}:{name}"'
    if not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    headers = {"ETag": etag}
    if request.method == "HEAD":
        return Response(media_type=NTRIPLES, headers=headers)
    return StreamingResponse(site.store.graph_dump(graph), media_type=NTRIPLES, headers=headers)


@router.api_route("/dumps/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
def dump_file(request: Request, name: str) -> Response:
    """One release file; ranges and conditional requests are honoured, the ETag is its SHA-256."""
    site = site_of(request)
    if site.release is None and isinstance(site.store, RemoteStore):
        return not_found(request, "This server serves an external store without its release's files: "
                                  "the dumps are its graphs, listed at /dumps/.")
    if site.release is None:
        return not_found(request, "This server serves RDF files, not a release: there are no dumps.")
    try:
        entry = site.release.entry(name)
        path = site.release.path(name)
    except ReleaseError:
        return not_found(request, f"The release has no file {name!r}; see /dumps/.")
    if not path.is_file():
        return not_found(request, f"The release lists {name!r} but the file is missing.")
    etag = f'"{entry.sha256}"'
    if not_modified(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    size = path.stat().st_size
    if _starts_past_end(request.headers.get("range"), size):
        return PlainTextResponse(
            f"the requested range starts beyond the end of {name} ({size} bytes)\n",
            status_code=416,
            headers={"Content-Range": f"bytes */{size}", "ETag": etag},
        )
    return DumpResponse(path, media_type=entry.media_type, headers={"ETag": etag}, filename=None)


def _starts_past_end(header: str | None, size: int) -> bool:
    """True if a bytes Range header has a range starting at or past ``size``: the 416 case.

    Starlette answers it with an empty body; this lets the 416 say why. Other malformed ranges are left
    to Starlette (400 with its message, or the whole file).
    """
    if not header:
        return False
    unit, _, ranges = header.partition("=")
    if unit.strip().lower() != "bytes":
        return False
    starts = [match.group(1) for part in ranges.split(",") if (match := _RANGE_START.match(part))]
    return any(len(start) > 18 or int(start) >= size for start in starts)


def _release_rdf(request: Request, name: str, path_in_url: str) -> Response:
    """A release file that is RDF (VoID, validation report), re-serialised by negotiation."""
    site = site_of(request)
    answer = negotiate_document(request, (*DOCUMENT_RDF_FORMATS, HTML), site.version, path_in_url)
    if isinstance(answer, Response):
        return answer
    if site.release is None:
        return not_found(request, f"This server serves RDF files, not a release: there is no {name}.")
    try:
        data = site.release.path(name).read_bytes()
        triples = [q.triple for q in ox.parse(data, format=PARSERS[".ttl"], base_iri=site.addresses.canonical_base)]
    except (ReleaseError, OSError, SyntaxError, ValueError):
        return not_found(request, f"The release has no readable {name}.")
    if answer.fmt is HTML:
        text = serialize_rdf(triples, "turtle").decode("utf-8")
        return site.templates.TemplateResponse(
            request, "rdf_source.html", {"name": name, "path": path_in_url, "turtle": text}, headers=answer.headers
        )
    return rdf_document(triples, answer.fmt, answer.headers)


@router.api_route("/void", methods=["GET", "HEAD"], include_in_schema=False)
def void(request: Request) -> Response:
    """The VoID/DCAT description of the dataset."""
    return _release_rdf(request, VOID_FILE, "/void")


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], include_in_schema=False)
def well_known_void(request: Request) -> Response:
    """The VoID description at its well-known address (RFC 8615, VoID §7)."""
    return _release_rdf(request, VOID_FILE, "/.well-known/void")


@router.api_route("/validation", methods=["GET", "HEAD"], include_in_schema=False)
def validation(request: Request) -> Response:
    """The SHACL validation report of the release."""
    return _release_rdf(request, VALIDATION_FILE, "/validation")


@router.api_route("/context.jsonld", methods=["GET", "HEAD"], include_in_schema=False)
def jsonld_context(request: Request) -> Response:
    """The published JSON-LD ``@context`` the JSON-LD dump refers to (https://w3id.org/conflictkg/context.jsonld)."""
    return dump_file(request, CONTEXT_FILE)


@router.api_route("/dataset", methods=["GET", "HEAD"], include_in_schema=False)
def dataset(request: Request) -> Response:
    """The dataset IRI (https://w3id.org/conflictkg/dataset) is described by the VoID document."""
    return RedirectResponse("/void", status_code=303, headers={"Vary": "Accept"})


@router.api_route("/graph/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def named_graph(request: Request, name: str) -> Response:
    """A named-graph IRI (https://w3id.org/conflictkg/graph/<name>) leads to that graph's Turtle dump."""
    site = site_of(request)
    dump = f"graphs/{name}.ttl"
    if site.release is None and isinstance(site.store, RemoteStore):
        return RedirectResponse(f"{STORE_DUMPS}{name}.nt", status_code=303)
    if site.release is None or dump not in {f.path for f in site.release.files}:
        return not_found(request, f"There is no graph {name!r} in this release; see /dumps/.")
    return RedirectResponse(f"/dumps/{dump}", status_code=303)
