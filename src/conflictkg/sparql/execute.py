"""Query evaluation off the event loop, in a pool of worker processes, with a timeout that stops work.

Each worker (``conflictkg.sparql.worker``) loads its own copy of the store and answers one query at a
time. The server never evaluates SPARQL on its event loop, so a slow query cannot make other clients
wait; and since pyoxigraph cannot cancel a query, a query past its deadline is stopped by killing its
worker, which is then replaced in the background. The deadline covers waiting for a free worker,
evaluation and streaming the result: a result still streaming at the deadline is cut off (the client
sees an incomplete response, never a silently truncated one).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Coroutine, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import conflictkg
from conflictkg.sparql import worker as wire

log = logging.getLogger(__name__)

START_TIMEOUT = 300.0
"""Seconds a new worker may take to load the store before the pool gives up on it."""


class QueryFailed(Exception):
    """A query could not be answered; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class QueryTimeout(QueryFailed):
    """The query ran past its deadline and its worker was stopped."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


def worker_lost(cause: BaseException) -> QueryFailed:
    """The answer when a worker's pipe breaks (it crashed or was killed): 503, and the pool replaces it."""
    return QueryFailed(503, f"the query worker ended unexpectedly ({cause}); try again")


class ExecutorError(RuntimeError):
    """The pool could not start (a worker failed to load the data)."""


@dataclass(frozen=True)
class QueryJob:
    """One query with the dataset the protocol asked for (None: the endpoint's own dataset)."""

    query: str
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    inference: bool = False
    base_iri: str | None = None


class _Worker:
    """The server's handle on one worker process and its framed pipe."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def send(self, tag: bytes, payload: bytes = b"") -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(wire.HEADER.pack(tag, len(payload)) + payload)
        await self.process.stdin.drain()

    async def receive(self) -> tuple[bytes, bytes]:
        assert self.process.stdout is not None
        header = await self.process.stdout.readexactly(wire.HEADER.size)
        tag, length = wire.HEADER.unpack(header)
        return tag, await self.process.stdout.readexactly(length)

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()


class Evaluation:
    """A query that parsed on a worker and waits to be told its format (or to be abandoned)."""

    def __init__(self, executor: QueryExecutor, worker: _Worker, kind: str, deadline: float) -> None:
        self._executor = executor
        self._worker: _Worker | None = worker
        self.kind = kind
        self._deadline = deadline

    async def abandon(self) -> None:
        """Drop the result without reading it; the worker goes back to the pool."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        try:
            await worker.send(wire.CANCEL)
        except (ConnectionError, OSError):
            self._executor.discard(worker)
            return
        self._executor.release(worker)

    async def stream(self, format_name: str) -> AsyncIterator[bytes]:
        """Yield the result serialised as ``format_name``; raises QueryFailed/QueryTimeout."""
        worker, self._worker = self._worker, None
        if worker is None:
            raise QueryFailed(503, "this result has already been consumed")
        finished = False
        try:
            try:
                await worker.send(wire.FORMAT, json.dumps({"format": format_name}).encode())
            except (ConnectionError, OSError) as exc:
                raise worker_lost(exc) from None
            while True:
                tag, payload = await self._executor.receive(worker, self._deadline)
                if tag == wire.CHUNK:
                    yield payload
                elif tag == wire.DONE:
                    finished = True
                    return
                elif tag == wire.ERROR:
                    finished = True
                    error = json.loads(payload)
                    raise QueryFailed(int(error["status"]), str(error["message"]))
        finally:
            if finished:
                self._executor.release(worker)
            else:
                self._executor.discard(worker)


class QueryExecutor:
    """A pool of ``size`` worker processes holding the dataset named by ``release_dir``/``files``."""

    def __init__(
        self,
        release_dir: Path | None,
        files: Sequence[Path],
        *,
        size: int = 2,
        timeout: float = 30.0,
        max_result_rows: int | None = None,
    ) -> None:
        self._spec = json.dumps(
            {
                "release_dir": str(release_dir) if release_dir else None,
                "files": [str(f) for f in files],
                "max_result_rows": max_result_rows,
            }
        )
        self.size = max(1, size)
        self.timeout = timeout
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._pending: set[asyncio.Task[None]] = set()
        self._closed = False
        self.startup_seconds: list[float] = []
        """Seconds each worker took from spawn to READY (process start, imports, loading the store)."""

    async def start(self) -> None:
        """Start every worker and wait until all have loaded the store."""
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)), return_exceptions=True)
        failures = [w for w in workers if isinstance(w, BaseException)]
        for w in workers:
            if isinstance(w, _Worker):
                self._idle.put_nowait(w)
        if failures:
            await self.close()
            raise ExecutorError(f"query workers failed to start: {failures[0]}")

    async def close(self) -> None:
        """Stop every worker and any replacement still starting."""
        self._closed = True
        for task in list(self._pending):
            task.cancel()
        for w in list(self._workers):
            await w.kill()
        self._workers.clear()

    async def evaluate(self, job: QueryJob) -> Evaluation:
        """Parse ``job`` on a free worker; returns once the result's kind is known."""
        if self._closed:
            raise QueryFailed(503, "the query service is shutting down")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.timeout)
        except TimeoutError:
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for {self.timeout:g} s; try again later"
            ) from None
        try:
            try:
                await worker.send(wire.QUERY, json.dumps(asdict(job)).encode())
            except (ConnectionError, OSError) as exc:
                raise worker_lost(exc) from None
            tag, payload = await self.receive(worker, deadline)
        except BaseException:
            self.discard(worker)
            raise
        if tag == wire.KIND:
            return Evaluation(self, worker, json.loads(payload)["kind"], deadline)
        self.release(worker)
        if tag == wire.ERROR:
            error = json.loads(payload)
            raise QueryFailed(int(error["status"]), str(error["message"]))
        raise QueryFailed(503, f"query worker sent an unexpected message {tag!r}")

    async def receive(self, worker: _Worker, deadline: float) -> tuple[bytes, bytes]:
        """Next message from ``worker`` before ``deadline``; the caller discards the worker on error."""
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            return await asyncio.wait_for(worker.receive(), max(remaining, 0.0))
        except TimeoutError:
            raise QueryTimeout(
                f"query stopped after the {self.timeout:g} s time limit; simplify it or add a LIMIT"
            ) from None
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise worker_lost(exc) from None

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring, and for tests that kill one)."""
        return [w.process.pid for w in self._workers if w.process.returncode is None]

    def release(self, worker: _Worker) -> None:
        """Return a worker that finished its query cleanly to the pool."""
        if self._closed or worker.process.returncode is not None:
            self.discard(worker)
        else:
            self._idle.put_nowait(worker)

    def discard(self, worker: _Worker) -> None:
        """Kill a worker whose state is unknown (timed out, abandoned mid-stream) and start a new one."""
        self._workers.discard(worker)
        if worker.process.returncode is None:
            worker.process.kill()
        self._background(self._reap(worker))
        if not self._closed:
            self._background(self._replace())

    def _background(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run ``coroutine`` as a task the pool keeps a reference to (so it is not collected) until done."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @staticmethod
    async def _reap(worker: _Worker) -> None:
        await worker.process.wait()

    async def _replace(self) -> None:
        try:
            self._idle.put_nowait(await self._spawn())
        except (ExecutorError, OSError) as exc:
            log.error("could not replace a query worker: %s", exc)

    async def _spawn(self) -> _Worker:
        started = time.perf_counter()
        package_root = str(Path(conflictkg.__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "conflictkg.sparql.worker",
            self._spec,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        worker = _Worker(process)
        self._workers.add(worker)
        try:
            tag, payload = await asyncio.wait_for(worker.receive(), START_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError) as exc:
            self._workers.discard(worker)
            await worker.kill()
            raise ExecutorError(f"a query worker did not start ({exc!r})") from None
        if tag != wire.READY:
            self._workers.discard(worker)
            await worker.kill()
            raise ExecutorError(json.loads(payload).get("message", "a query worker failed to load the data"))
        if self._closed:
            await worker.kill()
            raise ExecutorError("the pool closed while a worker was starting")
        self.startup_seconds.append(time.perf_counter() - started)
        return worker
