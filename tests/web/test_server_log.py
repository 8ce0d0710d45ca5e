"""`conflictkg serve` logging: uvicorn's two per-request upgrade warnings are dropped, nothing else is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from conflictkg.web.server_log import UpgradeNoiseFilter, uvicorn_log_config

NO_WEBSOCKETS = (
    "No supported WebSocket library detected. Please use \"pip install 'uvicorn[standard]'\", "
    "or install 'websockets' or 'wsproto' manually."
)


def _record(message: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.error", level, __file__, 1, message, None, None)


@pytest.mark.parametrize("message", ["Unsupported upgrade request.", NO_WEBSOCKETS])
def test_the_two_upgrade_warnings_are_dropped(message: str) -> None:
    assert UpgradeNoiseFilter().filter(_record(message)) is False


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ("Invalid HTTP request received.", logging.WARNING),
        ("Unsupported upgrade request. (but logged as an error)", logging.ERROR),
        ("Started server process [1]", logging.INFO),
        ("Exception in ASGI application", logging.ERROR),
    ],
)
def test_every_other_record_is_kept(message: str, level: int) -> None:
    assert UpgradeNoiseFilter().filter(_record(message, level)) is True


def test_the_log_config_is_uvicorns_with_the_filter_on_its_error_logger() -> None:
    from uvicorn.config import LOGGING_CONFIG

    config = uvicorn_log_config()
    assert config["filters"]["upgrade_noise"] == {"()": UpgradeNoiseFilter}
    assert config["loggers"]["uvicorn.error"]["filters"] == ["upgrade_noise"]
    assert "filters" not in LOGGING_CONFIG["loggers"]["uvicorn.error"]  # uvicorn's own default is untouched
    assert config["handlers"] == LOGGING_CONFIG["handlers"] and config["formatters"] == LOGGING_CONFIG["formatters"]


def test_a_jena_style_upgrade_offer_is_answered_and_not_logged(
    tmp_path: Path, serve_subprocess: Callable[[list[str], Path], AbstractContextManager[str]]
) -> None:
    data = tmp_path / "one.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n")
    log = tmp_path / "server.log"
    with serve_subprocess([str(data), "--workers", "1"], log) as base:
        response = httpx.get(
            base + "sparql",
            params={"query": "ASK { ?s ?p ?o }"},
            headers={"Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABkAAQAoAAAAAIAAAAA",
                     "Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200 and response.json()["boolean"] is True
    text = log.read_text()
    assert "GET /sparql?query=" in text  # the access log still runs
    assert "upgrade request" not in text.lower() and "WebSocket" not in text
