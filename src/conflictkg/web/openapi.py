"""The OpenAPI description at /openapi.json: every route the server answers, with its parameters.

The pages and /sparql read their parameters from the request themselves (the SPARQL protocol allows
repeated and form-encoded parameters that FastAPI's signature binding cannot express), so FastAPI alone
would describe them with no parameters, and leaves the pages out. This module describes every route,
adds the parameters each one reads (``PARAMETERS``), the request bodies /sparql and /reconcile take,
and the refusals every route may answer (a 4xx with a plain-text message). It is what schemathesis
fuzzes in tests/web/test_openapi_fuzz.py.
"""

from __future__ import annotations

import copy
import re
import warnings
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

ALIASES = {"/sparql/"}
"""Routes that repeat another one (a trailing slash): answered, not described twice."""


def _query(name: str, description: str, *, array: bool = False, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = enum
    if array:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            **({"style": "form", "explode": True} if array else {})}


FORMAT = _query("format", "A media type or short name (ttl, jsonld, nt, rdf, html, json, xml, csv, tsv...) that overrides Accept.")
SPARQL_PARAMETERS = [
    _query("query", "A SPARQL 1.1 query (without it, GET answers the Service Description)."),
    _query("default-graph-uri", "Graph IRIs whose merge is the default graph of this query.", array=True),
    _query("named-graph-uri", "Graph IRIs the query may name with GRAPH.", array=True),
    _query("inference", "true to add the OWL RL inferences to the default graph.", enum=["true", "false"]),
    FORMAT,
]
PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "/sparql": SPARQL_PARAMETERS,
    "/": [],
    "/query": [_query("query", "Query text to put in the editor."), _query("example", "Name of an example query to open.")],
    "/id/{path}": [FORMAT],
    "/article": [_query("highlight", "Characters to mark, as start-end (code points).")],
    "/ontology": [FORMAT],
    "/shapes": [FORMAT],
    "/void": [FORMAT],
    "/.well-known/void": [FORMAT],
    "/validation": [FORMAT],
    "/dataset": [FORMAT],
    "/reconcile": [
        _query("queries", "A JSON object of reconciliation queries (batch)."),
        _query("query", "One reconciliation query: a name, or a JSON query object."),
        _query("callback", "JSONP callback name."),
    ],
}
SPARQL_BODY = {
    "content": {
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
            "query": {"type": "string"}, "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"},
            "inference": {"type": "string"}, "format": {"type": "string"}}}},
        "application/sparql-query": {"schema": {"type": "string"}},
    },
}
RECONCILE_BODY = {
    "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
        "queries": {"type": "string"}, "query": {"type": "string"}, "callback": {"type": "string"}}}}},
}
REFUSAL = {"description": "Refused: the plain-text body says why.", "content": {"text/plain": {"schema": {"type": "string"}}}}
STATIC = {
    "get": {
        "operationId": "get_static",
        "summary": "The pages' own scripts and styles",
        "parameters": [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The file."}, "404": REFUSAL},
    }
}


SPARQL_OPERATIONS: dict[str, Any] = {
    method: {"summary": f"SPARQL 1.1 Protocol query ({method.upper()}); read-only",
             "responses": {"200": {"description": "the result in the negotiated format"}}}
    for method in ("get", "post")
}
"""/sparql as the OpenAPI description sees it (sparql.endpoint answers it below FastAPI's routing)."""


def describe(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app``: every route, its parameters and bodies, unique operation ids."""
    routes = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path not in ALIASES:
            described = copy.copy(route)
            described.path, described.include_in_schema = context.path, True
            routes.append(described)
    with warnings.catch_warnings():  # one route answering several methods shares an id; renamed below
        warnings.simplefilter("ignore")
        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=routes)
    paths: dict[str, dict[str, Any]] = document.setdefault("paths", {})
    paths.setdefault("/sparql", SPARQL_OPERATIONS)  # answered by a raw ASGI endpoint, not a FastAPI route
    for path, operations in paths.items():
        for method, operation in operations.items():
            operation["operationId"] = f"{method}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_') or 'root'}"
            known = {p["name"] for p in operation.get("parameters", [])}
            extra = [p for p in PARAMETERS.get(path, []) if p["name"] not in known]
            if extra:
                operation["parameters"] = [*operation.get("parameters", []), *extra]
            if method == "post" and path == "/sparql":
                operation["requestBody"] = SPARQL_BODY
            if method == "post" and path == "/reconcile":
                operation["requestBody"] = RECONCILE_BODY
            operation.setdefault("responses", {})["4XX"] = REFUSAL
    paths["/static/{path}"] = STATIC
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve ``describe(app)`` at /openapi.json (computed once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
