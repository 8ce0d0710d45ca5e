"""`conflictkg serve`'s process model: a supervisor that forks ``query_workers`` server processes.

The supervisor binds the socket, imports the app's code and forks the server processes, so they start
in milliseconds and share the imported code's memory. Each process builds the app, evaluates SPARQL on
its own threads and answers HTTP with uvicorn (httptools parser, uvloop: about 3x the requests per
second of the pure-Python h11 parser here).

The data: the first processes open the read-only on-disk store (memory shared through the page cache),
so the first answer comes within seconds. With ``in_memory`` the supervisor meanwhile loads the data
into an in-memory store on a thread (joins there run about ten times faster than on RocksDB), and
computes from it what the processes would each compute on first use (web.prepared: the landing page's
counts, the reconciliation service); once that thread has ended, it forks a new set of processes that
share this one copy copy-on-write (the store is never written, so its pages stay shared), and the first
set finishes its requests and exits. A process forked while the loader thread still runs serves the
on-disk store and never touches the half-loaded one.

The supervisor replaces a process that ends, which is how a query the engine cannot cancel is stopped:
when a query thread is stuck past its deadline (sparql.execute), ``retire`` makes its process stop
accepting connections, finish the requests it has (at most ``GRACEFUL_SECONDS``) and exit; the other
processes go on answering, and the replacement is forked from the supervisor at once.
"""

from __future__ import annotations

import gc
import logging
import logging.config
import multiprocessing
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn

import uvicorn
from uvicorn.config import LOGGING_CONFIG

import conflictkg.web.app as web_app
from conflictkg.sparql.endpoint import PATHS as SPARQL_PATHS
from conflictkg.store import Store, StoreError, StoreSummary, on_disk_location
from conflictkg.web.config import ServerConfig
from conflictkg.web.http_protocol import AccessLog, HttpProtocol
from conflictkg.web.prepared import Prepared, prepare

log = logging.getLogger("uvicorn.error")

GRACEFUL_SECONDS = 5.0
"""How long a retiring process may take to finish its other requests."""

EXIT_RETIRED = 75
"""Exit status of a retired process."""

EXIT_STARTUP_FAILED = 3
"""Exit status of a process that could not build its app: the supervisor stops rather than loop."""

RESTART_BURST = 10
"""Replacements within RESTART_WINDOW seconds beyond which the supervisor waits a second between them."""
RESTART_WINDOW = 10.0

READY_SECONDS = 60.0
"""How long the supervisor waits for the in-memory processes to be ready before retiring the others."""

_POLL_SECONDS = 0.05


def retire() -> None:
    """End this server process gracefully (uvicorn's SIGTERM handling: stop accepting, finish the
    requests in flight), and for certain a little later: a stuck thread cannot be joined."""
    log.error("a query could not be stopped: this server process retires; the supervisor starts a fresh one")
    threading.Thread(target=_exit_later, name="retire", daemon=True).start()
    os.kill(os.getpid(), signal.SIGTERM)


def _exit_later() -> None:
    time.sleep(GRACEFUL_SECONDS + 2.0)
    AccessLog.flush()
    os._exit(EXIT_RETIRED)


MEMORY_PER_QUAD = 400
"""Bytes an in-memory pyoxigraph store takes per quad (measured: 1.25 GB for 3.35 M quads)."""

MEMORY_SHARE = 0.25
"""The share of the machine's RAM the data may take in memory when the command does not say."""


def fits_in_memory(store_path: Path | None) -> bool:
    """Whether the data of the on-disk store at ``store_path`` takes under MEMORY_SHARE of this machine's
    RAM once in memory (the default of ``--in-memory/--on-disk``)."""
    summary = StoreSummary.read(store_path) if store_path is not None else None
    if summary is None:
        return False
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return False
    return summary.quads * MEMORY_PER_QUAD < total * MEMORY_SHARE


def on_disk_store(release_dir: Path | None, files: Sequence[Path], cache_dir: Path | None) -> Path | None:
    """The on-disk store of the data (found, or built once), found by a fresh process: opening RocksDB
    starts its background threads, and the supervisor must hold no thread when it forks (a forked
    helper is no way out: forking a process that has threads can deadlock the child). Raises
    StoreError as Store.open."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(on_disk_location, release_dir, list(files), cache_dir, True).result()


def load_in_memory(config: ServerConfig) -> Store:
    """The configured data parsed into an in-memory store, with the counts of its on-disk store (the
    same data), so no server process counts 3 M triples at start-up."""
    store = Store.open(config.release_dir, config.files, None, in_memory=True)
    if config.store_path is not None:
        store.summary = StoreSummary.read(config.store_path)
    return store


def prepared_for(store: Store, config: ServerConfig) -> Prepared | None:
    """web.prepared for ``store``; None if it fails (each process then computes it on first use)."""
    started = time.monotonic()
    try:
        prepared = prepare(store, config)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the pages report it when they compute it
        log.warning("could not prepare the landing page and reconciliation ahead (%s): each process will "
                    "on first use", exc)
        return None
    log.info("prepared the landing page and reconciliation in %.1f s", time.monotonic() - started)
    return prepared


@dataclass
class _Child:
    pid: int
    store: Store | None
    """The in-memory store it shares (None: it opened the on-disk one)."""
    started: float


class Supervisor:
    """Forks and replaces the server processes; switches them to the in-memory store once it is loaded."""

    def __init__(self, config: ServerConfig, sock: socket.socket) -> None:
        self.config = config
        self.sock = sock
        self.size = max(1, config.query_workers)
        self.store: Store | None = None
        """The in-memory store new processes share; None until loaded (they open the on-disk store)."""
        self.prepared: Prepared | None = None
        """What was computed ahead from ``store`` (web.prepared)."""
        self.children: dict[int, _Child] = {}
        self.retiring: set[int] = set()
        self.stopping = False
        self.failed = False
        self._restarts: list[float] = []
        self._loaded: Store | None = None
        self._loaded_prepared: Prepared | None = None
        self._ready: tuple[int, int] | None = None
        """While switching: a pipe on which each new process writes a byte once its app is built."""
        self._load_error: BaseException | None = None

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT; 0 after a clean stop, 1 when a process could not start."""
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._stop)
        loader = None
        if self.config.in_memory and self.config.store_path is None:
            self.store = load_in_memory(self.config)  # no on-disk store to answer from meanwhile
            self.prepared = prepared_for(self.store, self.config)
        for _ in range(self.size):
            self._fork()
        if self.config.in_memory and self.store is None:
            loader = threading.Thread(target=self._load, name="load-in-memory", daemon=True)
            started = time.monotonic()
            log.info("loading the data into memory (the processes answer from the on-disk store meanwhile)")
            loader.start()
        try:
            while not self.stopping and not self.failed:
                self._reap()
                if loader is not None and not loader.is_alive():
                    loader.join()
                    loader = None
                    self._switch(time.monotonic() - started)
                time.sleep(_POLL_SECONDS)
        finally:
            self._shutdown()
        return 1 if self.failed else 0

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def _load(self) -> None:
        try:
            self._loaded = load_in_memory(self.config)
        except BaseException as exc:  # reported by the main thread; the on-disk processes go on
            self._load_error = exc
            return
        self._loaded_prepared = prepared_for(self._loaded, self.config)

    def _switch(self, seconds: float) -> None:
        """Fork processes sharing the loaded store, then retire the ones serving the on-disk store."""
        if self._loaded is None:
            log.error("loading the data into memory failed (%s); serving the on-disk store", self._load_error)
            return
        self.store, self.prepared = self._loaded, self._loaded_prepared
        self._loaded = self._loaded_prepared = None
        log.info("data loaded into memory in %.1f s; starting the server processes that share it", seconds)
        old = list(self.children)
        self._ready = os.pipe()
        try:
            for _ in range(self.size):
                self._fork()
        finally:
            os.close(self._ready[1])
        _wait_ready(self._ready[0], self.size, READY_SECONDS)
        os.close(self._ready[0])
        self._ready = None
        for pid in old:
            self._retire(pid)
        log.info("switched the server processes to the data in memory")

    def _retire(self, pid: int) -> None:
        self.retiring.add(pid)
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    def _fork(self) -> None:
        threads = _native_threads()
        if len(threads) > 1 and self.store is not None:
            log.warning("forking with other threads alive in the supervisor: %s", ", ".join(threads[1:]))
        pid = os.fork()
        if pid == 0:
            ready = None
            if self._ready is not None:
                os.close(self._ready[0])
                ready = self._ready[1]
            _serve_child(self.sock, self.config, self.store, self.prepared, ready)
        self.children[pid] = _Child(pid, self.store, time.monotonic())

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self.children.pop(pid, None)
            if child is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if pid in self.retiring:
                self.retiring.discard(pid)
                continue
            if code == EXIT_STARTUP_FAILED:
                log.error("a server process could not start (exit %d): stopping", code)
                self.failed = True
                return
            if self.stopping:
                continue
            self._pace()
            log.info("server process %d ended (exit %d); starting a fresh one", pid, code)
            self._fork()

    def _pace(self) -> None:
        """A process that keeps ending must not make the supervisor fork in a tight loop."""
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < RESTART_WINDOW] + [now]
        if len(self._restarts) > RESTART_BURST:
            time.sleep(1.0)

    def _shutdown(self) -> None:
        """SIGTERM every process (each finishes its requests), then SIGKILL whatever is left."""
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + GRACEFUL_SECONDS + 3.0
        while self.children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(_POLL_SECONDS)
            else:
                self.children.pop(pid, None)
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _native_threads() -> list[str]:
    """The names of this process's threads, the main one first (Python's and those of native libraries)."""
    try:
        tasks = sorted(os.listdir("/proc/self/task"), key=lambda t: t != str(os.getpid()))
        return [Path(f"/proc/self/task/{t}/comm").read_text(encoding="utf-8").strip() for t in tasks]
    except OSError:
        return [threading.current_thread().name]


def _end_child(*_: object) -> None:
    """SIGTERM or SIGINT in a server process while uvicorn is not handling them: end, via SystemExit."""
    raise SystemExit(0)


def _wait_ready(fd: int, count: int, seconds: float) -> None:
    """Wait until ``count`` bytes came on ``fd``, every writer closed it, or ``seconds`` passed."""
    deadline = time.monotonic() + seconds
    received = 0
    while received < count and (left := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            return
        data = os.read(fd, count)
        if not data:
            return  # every new process wrote its byte or ended
        received += len(data)


def _serve_child(sock: socket.socket, config: ServerConfig, store: Store | None, prepared: Prepared | None = None,
                 ready: int | None = None) -> NoReturn:
    """One server process: build the app over ``store`` (or the on-disk store), with what was ``prepared``
    from it, and serve until told."""
    code = 0
    try:
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, _end_child)  # uvicorn installs its own while it serves, and raises the
            # signal again once it has stopped: then this ends the process, through the finally below
        AccessLog.enabled = config.access_log
        HttpProtocol.EAGER_PATHS = frozenset(SPARQL_PATHS)
        try:
            if store is None:  # the on-disk store, even while the in-memory copy is being loaded
                config = replace(config, in_memory=False)
            app = web_app.create_app(config, on_stuck=retire, store=store, prepared=prepared)
        except (StoreError, OSError, ValueError) as exc:
            log.error("the server process could not open the data: %s", exc)
            os._exit(EXIT_STARTUP_FAILED)
        gc.freeze()  # the app lives as long as the process: the collector need not walk it again
        if ready is not None:  # the supervisor retires the processes this one replaces
            os.write(ready, b".")
            os.close(ready)
        server = uvicorn.Server(uvicorn.Config(
            app,
            log_config=None,  # configured once by the supervisor
            # a process switched out for the in-memory one finishes its queries within their own time limit
            timeout_graceful_shutdown=int(max(GRACEFUL_SECONDS, config.query_timeout) + 1),
            access_log=False,  # written by HttpProtocol (AccessLog), much faster
            http=HttpProtocol,
            loop="uvloop",
            lifespan="on",
        ))
        server.run(sockets=[sock])
        if not server.started:
            code = EXIT_STARTUP_FAILED
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # a process must end here, never return into the supervisor's loop
        log.error("server process failed: %r", exc)
        code = 1
    finally:
        AccessLog.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run(config: ServerConfig, host: str, port: int) -> None:
    """Serve ``config`` on ``host:port`` with ``config.query_workers`` supervised processes until stopped."""
    logging.config.dictConfig(LOGGING_CONFIG)
    sock = uvicorn.Config(web_app.create_app, host=host, port=port).bind_socket()
    try:
        code = Supervisor(config, sock).run()
    finally:
        sock.close()
    if code:
        raise SystemExit(code)
