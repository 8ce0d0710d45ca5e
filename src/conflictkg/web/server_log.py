"""uvicorn's logging for `conflictkg serve`, less the two warnings every Jena request would cause.

Jena's HTTP client offers HTTP/2 on every request (``Connection: Upgrade, HTTP2-Settings``,
``Upgrade: h2c``). uvicorn ignores the offer and answers in HTTP/1.1, which is right, but logs
"Unsupported upgrade request." and, lacking a WebSocket library, "No supported WebSocket library
detected..." for each such request; passing ``ws="none"`` does not stop either. A query log full of
them hides the warnings that matter, so exactly those two messages are dropped and nothing else.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

UPGRADE_NOISE: tuple[str, ...] = (
    "Unsupported upgrade request.",
    "No supported WebSocket library detected.",
)
"""The start of each message dropped (the second goes on with installation advice)."""


class UpgradeNoiseFilter(logging.Filter):
    """Drops uvicorn's per-request warnings about an upgrade it does not support; keeps every other record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False (drop) for the two upgrade warnings, True otherwise."""
        return not (record.levelno == logging.WARNING and str(record.msg).startswith(UPGRADE_NOISE))


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with UpgradeNoiseFilter on its ``uvicorn.error`` logger."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["upgrade_noise"] = {"()": UpgradeNoiseFilter}
    config["loggers"]["uvicorn.error"]["filters"] = ["upgrade_noise"]
    return config
