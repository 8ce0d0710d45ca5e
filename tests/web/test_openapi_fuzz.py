"""schemathesis over the OpenAPI description of every route: no 5xx, and every refusal says why in words.

The server is `conflictkg serve` on 127.0.0.1 over the fixture release (so /sparql runs in its real
worker pool); schemathesis reads /openapi.json and generates requests for every operation it lists, from
the parameters and bodies described there (web/openapi.py). The hypothesis tests of test_hostile_input
stay: they aim at known weak spots; this covers the whole surface as described.
"""

from __future__ import annotations

import re

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test extra: pip install -e '.[test]'")

EXAMPLES = settings(deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
MESSAGE = re.compile(r"[A-Za-z]{3,} [A-Za-z]{2,}")


@pytest.fixture(scope="module")
def server(fixture_release_server: str) -> str:
    return fixture_release_server


def check(response: object, method: str) -> None:
    """Below 500; a refusal (4xx) carries a sentence."""
    where = f"{method} {response.request.url}"  # type: ignore[attr-defined]
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, f"{where}: {status} {response.text[:300]}"  # type: ignore[attr-defined]
    if status >= 400 and method != "HEAD":
        assert MESSAGE.search(response.text), f"{where}: {status} without a message: {response.text[:200]!r}"  # type: ignore[attr-defined]


def test_every_route_is_described(server: str) -> None:
    described = set(httpx.get(server + "openapi.json", timeout=30).json()["paths"])
    for path in ("/", "/query", "/sparql", "/id/{path}", "/article", "/ontology", "/shapes", "/dumps/", "/dumps/{name}",
                 "/void", "/.well-known/void", "/validation", "/context.jsonld", "/dataset", "/graph/{name}", "/reconcile",
                 "/reconcile/preview", "/reconcile/suggest/{kind}", "/static/{path}"):
        assert path in described, f"{path} is missing from /openapi.json"


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_5xx_and_every_error_says_why(server: str, mode: str) -> None:
    """Every operation of /openapi.json, with requests valid (positive) and invalid (negative) per the description."""
    api = schemathesis.openapi.from_url(server + "openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        if mode == "negative" and operation.method.upper() == "HEAD":
            continue  # the GET twin gets the same invalid requests
        strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))

        @settings(EXAMPLES, max_examples=6 if mode == "positive" else 3)
        @given(case=strategy)
        def run(case: object) -> None:
            check(case.call(base_url=server.rstrip("/"), timeout=30), case.method)  # type: ignore[attr-defined]

        try:
            run()
        except Unsatisfiable:  # nothing invalid to send (no parameters, or only free text)
            assert mode == "negative", f"{operation.method.upper()} {operation.path}: no valid request can be generated"
