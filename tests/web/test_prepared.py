"""What `conflictkg serve` computes ahead for its processes (web.prepared): the same as they would compute
on first use, and then not computed again by them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import conflictkg.web.prepared as prepared_module
import conflictkg.web.site as site_module
from conflictkg.store import Store
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig
from conflictkg.web.prepared import prepare
from conflictkg.web.serving import prepared_for

QUERIES = json.dumps({"q0": {"query": "Ayyash", "limit": 3}, "q1": {"query": "Syrian Army", "type": "Actor"},
                      "q2": {"query": "Deir ez-Zor"}})


def _config(release_dir: Path) -> ServerConfig:
    return ServerConfig(release_dir=release_dir, query_workers=1)


def _store(release_dir: Path) -> Store:
    return Store.open(release_dir, (), None, in_memory=True)


def test_an_app_given_what_was_prepared_answers_as_one_computing_it_itself(
    release_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lazy = TestClient(create_app(_config(release_dir), store=_store(release_dir)))
    expected_reconcile = lazy.get("/reconcile", params={"queries": QUERIES}).json()
    expected_suggest = lazy.get("/reconcile/suggest/entity", params={"prefix": "Ay"}).json()
    expected_landing = lazy.get("/")
    assert expected_landing.status_code == 200

    store = _store(release_dir)
    prepared = prepare(store, _config(release_dir))

    def computed_again(*_: object) -> None:
        raise AssertionError("computed again in the process")

    monkeypatch.setattr(prepared_module, "entities_from_store", computed_again)
    monkeypatch.setattr(site_module, "overview", computed_again)
    app = create_app(_config(release_dir), store=store, prepared=prepared)
    client = TestClient(app)
    assert client.get("/reconcile", params={"queries": QUERIES}).json() == expected_reconcile
    assert any(result["result"] for result in expected_reconcile.values())
    assert client.get("/reconcile/suggest/entity", params={"prefix": "Ay"}).json() == expected_suggest
    assert expected_suggest["result"], "the fixture has entities starting with Ay"
    landing = client.get("/")
    assert landing.status_code == 200
    assert app.state.site.overview == lazy.app.state.site.overview  # type: ignore[attr-defined]
    for kind, count in prepared.overview.kind_counts:
        assert f"{count:,}" in landing.text, kind


def test_when_preparing_fails_the_processes_compute_it_on_first_use(
    release_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> None:
        raise OSError("gazetteer cache unreadable")

    monkeypatch.setattr("conflictkg.web.serving.prepare", broken)
    store = _store(release_dir)
    with caplog.at_level(logging.WARNING, logger="uvicorn.error"):
        assert prepared_for(store, _config(release_dir)) is None
    assert "gazetteer cache unreadable" in caplog.text and "on first use" in caplog.text
    client = TestClient(create_app(_config(release_dir), store=store, prepared=None))
    assert client.get("/reconcile", params={"queries": QUERIES}).status_code == 200
    assert client.get("/").status_code == 200
