"""`conflictkg serve`'s process model: a supervisor and ``query_workers`` server processes.

The supervisor (uvicorn's) binds the socket and starts the server processes; each builds the app
(``app_from_environment``), opens the same read-only on-disk store (memory shared through the page
cache) and evaluates SPARQL on its own threads. The supervisor restarts a process that ends, which is
how a query the engine cannot cancel is stopped: when a query thread is stuck past its deadline
(sparql.execute), ``retire`` makes its process stop accepting connections, finish the requests it has
(at most ``GRACEFUL_SECONDS``) and exit; the other processes go on answering meanwhile.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig
from conflictkg.web.server_log import uvicorn_log_config

log = logging.getLogger(__name__)

CONFIG_VARIABLE = "CONFLICTKG_SERVER_CONFIG"
"""Environment variable carrying the ServerConfig (JSON) from the command to the server processes."""

GRACEFUL_SECONDS = 5.0
"""How long a retiring process may take to finish its other requests."""

EXIT_RETIRED = 75
"""Exit status of a retired process (any but uvicorn's 3, which stops the whole server)."""

HEALTHCHECK_SECONDS = 60
"""How long the supervisor waits for a process to answer its ping before killing it as hung. uvicorn's
5 s default kills processes that are still importing on a busy machine, and restarts them for ever."""


def retire() -> None:
    """End this server process gracefully (uvicorn's SIGTERM handling: stop accepting, finish the
    requests in flight), and for certain a little later: a stuck thread cannot be joined."""
    log.error("a query could not be stopped: this server process retires; the supervisor starts a fresh one")
    threading.Thread(target=_exit_later, name="retire", daemon=True).start()
    os.kill(os.getpid(), signal.SIGTERM)


def _exit_later() -> None:
    time.sleep(GRACEFUL_SECONDS + 2.0)
    os._exit(EXIT_RETIRED)


def app_from_environment() -> FastAPI:
    """The app of one server process (uvicorn's factory), configured by the supervisor's environment."""
    return create_app(ServerConfig.from_json(os.environ[CONFIG_VARIABLE]), on_stuck=retire)


def run(config: ServerConfig, host: str, port: int) -> None:
    """Serve ``config`` on ``host:port`` with ``config.query_workers`` supervised processes until stopped."""
    os.environ[CONFIG_VARIABLE] = config.to_json()
    server_config = uvicorn.Config(
        f"{__name__}:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=max(1, config.query_workers),
        log_level="info",
        log_config=uvicorn_log_config(),
        timeout_graceful_shutdown=int(GRACEFUL_SECONDS),
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
        access_log=config.access_log,
        http="h11",  # httptools answers nothing to Jena's h2c upgrade offer (a GET with Upgrade: h2c)
    )
    sock = server_config.bind_socket()
    try:
        Multiprocess(server_config, sockets=[sock]).run()
    finally:
        sock.close()
