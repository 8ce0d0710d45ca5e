"""Query evaluation on threads of the server process, with a deadline that really stops work.

pyoxigraph releases the GIL while it evaluates and serialises, so a few threads per server process
evaluate queries while the event loop goes on answering other requests; `conflictkg serve` runs several
such processes over one read-only on-disk store, whose memory they share through the page cache. A
query is handed to a thread once and comes back as one message when its answer is small (parsing,
negotiation and serialisation all happen on the thread), so the hop costs little; and a request whose
answer took under ``FAST_SECONDS`` is answered on the event loop itself the next times it comes (the
store is read-only, so the same request costs the same), which spares a lookup the two hand-offs.

Every job has a deadline covering the wait for a thread, evaluation and streaming. When it passes
before the answer has started, the client gets a 503 that says so; when the answer is already
streaming, the connection is cut (``QueryAborted``), so the chunked body never completes and no client
mistakes a truncated result for a whole one. A thread that is writing a result stops at its next
write. pyoxigraph cannot cancel a query that is still computing (oxigraph issue #1926): a thread still
busy ``STUCK_GRACE`` seconds after its deadline is *stuck*, and the evaluator calls ``on_stuck`` —
under `conflictkg serve` the process stops taking connections, finishes its other requests and exits,
and the supervisor starts a fresh one (web.serving); a watchdog does the same for an answer on the
event loop that overruns. Without ``on_stuck`` (an app embedded in tests) a fresh thread takes the
stuck one's place and the stuck one is left to finish.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from conflictkg.sparql.negotiate import Format, NotAcceptable, choose
from conflictkg.sparql.protocol import READ_ONLY
from conflictkg.sparql.query_text import is_update
from conflictkg.sparql.results import ChunkWriter, formats_for, result_bytes, result_kind, write_result
from conflictkg.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

STUCK_GRACE = 0.5
"""Seconds a thread told to stop may take to notice before it counts as stuck."""

CHUNKS_AHEAD = 4
"""Chunks a streaming thread may serialise ahead of the client: memory stays flat on a huge result."""

FAST_SECONDS = 0.002
"""A request whose whole answer took less than this on a thread is answered on the event loop itself
the next times it comes (the store is read-only: the same request costs the same), saving the two
thread hand-offs that dominate a lookup's time on a busy machine."""

FAST_MEMORY = 4096
"""How many such requests are remembered (least recently used first out)."""


class QueryFailed(Exception):
    """A query could not be answered; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class QueryTimeout(QueryFailed):
    """The query ran past its deadline before its answer started."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


class QueryAborted(Exception):
    """A streaming answer had to be cut off (deadline, or an error after the first bytes were sent).

    The endpoint lets it end the connection, so the client sees an incomplete chunked body."""


@dataclass(frozen=True)
class QueryJob:
    """One query with the dataset the protocol asked for (None: the endpoint's own dataset) and what
    the client accepts (``accept``: the Accept header; ``formats``: ``format`` parameters)."""

    query: str
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    inference: bool = False
    base_iri: str | None = None
    accept: str | None = None
    formats: tuple[str, ...] = ()
    head: bool = False

    @cached_property
    def key(self) -> tuple[object, ...]:
        """What makes two jobs cost the same on a read-only store (the lists made hashable); computed once
        per job, which the endpoint keeps for a repeated GET."""
        return (
            self.query,
            tuple(self.default_graph) if self.default_graph is not None else None,
            tuple(self.named_graphs) if self.named_graphs is not None else None,
            self.inference, self.base_iri, self.accept, self.formats, self.head,
        )


@dataclass
class Answer:
    """The start of an answer: its format, and the whole body (``rest`` is None) or its first chunk."""

    fmt: Format
    body: bytes
    rest: AsyncIterator[bytes] | None = None
    truncated_after: int | None = None
    """The result was cut at this many rows or triples (the endpoint's cap); None when it is whole."""


def refusal(query: str, error: Exception) -> QueryFailed:
    """Why a text is not an acceptable query: an update is refused as such, else the parser speaks."""
    if is_update(query):
        return QueryFailed(403, READ_ONLY)
    return QueryFailed(400, f"SPARQL syntax error: {error}")


class _Cancelled(Exception):
    """Raised inside a thread's writes once its job is cancelled, to unwind pyoxigraph's serialiser."""


_EXPIRED = ("expired",)


class _Job:
    """A job's shared state: the thread posts messages, the event loop reads them in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop, request: QueryJob) -> None:
        self.loop = loop
        self.request = request
        self.cancelled = threading.Event()
        self.credits = threading.Semaphore(CHUNKS_AHEAD)
        self.running = False
        self.finished = False
        self.timer: asyncio.TimerHandle | None = None
        self._items: deque[tuple[Any, ...]] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def post(self, item: tuple[Any, ...]) -> None:
        """From the thread: hand ``item`` to the event loop."""
        self.loop.call_soon_threadsafe(self.deliver, item)

    def deliver(self, item: tuple[Any, ...]) -> None:
        """On the loop: queue ``item`` and wake the reader."""
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self) -> tuple[Any, ...]:
        """The next message from the thread (or the deadline's)."""
        while not self._items:
            self._waiter = self.loop.create_future()
            await self._waiter
        return self._items.popleft()

    def cancel(self) -> None:
        """Tell the thread to stop writing; wake it if it waits for the client."""
        self.cancelled.set()
        self.credits.release(CHUNKS_AHEAD)

    def take_credit(self) -> None:
        """On the thread: wait until the client has taken enough of the stream (or the job is cancelled)."""
        while not self.credits.acquire(timeout=0.1):
            if self.cancelled.is_set():
                raise _Cancelled
        if self.cancelled.is_set():
            raise _Cancelled


class _Sink:
    """Where a thread's ChunkWriter delivers: holds the first chunk back, so a small answer travels as
    one message with its format; past it, each chunk waits for a credit."""

    def __init__(self, job: _Job, fmt: Format) -> None:
        self._job = job
        self._fmt = fmt
        self._first: bytes | None = None
        self.started = False
        self.writer = ChunkWriter(self)
        """The writer that feeds this sink; it knows before the first chunk whether the result is cut."""

    def __call__(self, chunk: bytes) -> None:
        if self._job.cancelled.is_set():
            raise _Cancelled
        if not self.started and self._first is None:
            self._first = chunk
            return
        self._job.take_credit()
        if not self.started:
            self.started = True
            self._job.post(("start", self._fmt, self._first, self.writer.truncated_after))
            self._job.take_credit()
        self._job.post(("chunk", chunk))

    def finish(self, seconds: float) -> None:
        """The result is fully written, in ``seconds``."""
        if self.started:
            self._job.post(("done",))
        else:
            self._job.post(("complete", self._fmt, self._first or b"", seconds, self.writer.truncated_after))


class Evaluator:
    """``threads`` threads evaluating queries against ``store`` within ``timeout`` seconds each."""

    def __init__(
        self, store: Store, *, threads: int = 2, timeout: float = 30.0,
        on_stuck: Callable[[], None] | None = None, max_result_rows: int | None = None,
    ) -> None:
        self.store = store
        self.max_result_rows = max_result_rows
        """Rows or triples per result at most; a cut is marked in the result (sparql.results)."""
        self.size = max(1, threads)
        self.timeout = timeout
        self.on_stuck = on_stuck
        self.stuck = 0
        """Threads left computing a query past its deadline."""
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._fast: OrderedDict[tuple[object, ...], None] = OrderedDict()
        self._inline_since: float | None = None

    def start(self) -> None:
        """Start the threads, and the watchdog of answers given on the event loop."""
        for _ in range(self.size):
            self._add_thread()
        threading.Thread(target=self._watch_inline, name="sparql-watchdog", daemon=True).start()

    def _watch_inline(self) -> None:
        """A request answered on the event loop cannot be interrupted either: should one ever run past the
        deadline (it ran fast before, so only a starved machine could make it), ``on_stuck`` retires the
        process, which the supervisor replaces."""
        while not self._closed:
            time.sleep(min(0.5, self.timeout / 4))
            since = self._inline_since
            if since is not None and time.monotonic() - since > self.timeout:
                self.stuck += 1
                log.error("an inline query ran past the %g s time limit; the event loop is blocked", self.timeout)
                if self.on_stuck is not None:
                    self.on_stuck()
                return

    def close(self) -> None:
        """Let the threads end after their current job (a stuck one is not waited for)."""
        self._closed = True
        for _ in self._threads:
            self._jobs.put(None)

    def _add_thread(self) -> None:
        thread = threading.Thread(target=self._work, name=f"sparql-{len(self._threads)}", daemon=True)
        self._threads.append(thread)
        thread.start()

    async def evaluate(self, request: QueryJob) -> Answer:
        """Evaluate ``request`` on a thread; the answer's format is negotiated there for the result's kind.

        Raises QueryFailed (4xx for the query, 503 past the deadline) or NotAcceptable.
        """
        if self._closed:
            raise QueryFailed(503, "the query service is shutting down; try again")
        key = request.key
        if key in self._fast:
            return self._inline(request, key)
        loop = asyncio.get_running_loop()
        job = _Job(loop, request)
        job.timer = loop.call_later(self.timeout, self._expire, job)
        self._jobs.put(job)
        item = await job.next()
        kind = item[0]
        if kind == "start":
            return Answer(item[1], item[2], self._rest(job), truncated_after=item[3])
        job.timer.cancel()
        if kind == "complete":
            if item[3] < FAST_SECONDS and self.store.local:  # a remote store's next answer may be slow
                self._remember(key)
            return Answer(item[1], item[2], truncated_after=item[4])
        if kind == "error":
            raise item[1]
        if item is _EXPIRED:
            if job.running or job.finished:
                raise QueryTimeout(f"query stopped after the {self.timeout:g} s time limit; simplify it or add a LIMIT")
            raise QueryTimeout(
                f"the server stayed busy with other queries for the whole {self.timeout:g} s time limit; try again"
            )
        raise QueryAborted(str(item[1]))

    def _remember(self, key: tuple[object, ...]) -> None:
        self._fast[key] = None
        if len(self._fast) > FAST_MEMORY:
            self._fast.popitem(last=False)

    def _inline(self, request: QueryJob, key: tuple[object, ...]) -> Answer:
        """Answer a request known to be fast on the event loop: no hand-off, same answers and refusals."""
        self._fast.move_to_end(key)
        self._inline_since = started = time.monotonic()
        body, truncated_after = b"", None
        try:
            result = self._query(request)
            fmt = _negotiated(request.accept, request.formats, result_kind(result))
            if not request.head:
                body, truncated_after = result_bytes(result, fmt.name, self.max_result_rows)
        except SyntaxError as exc:
            raise refusal(request.query, exc) from None
        except NotAcceptable:
            raise
        except Exception as exc:  # as on a thread: any engine failure is the query's
            raise QueryFailed(400, f"query evaluation failed: {exc}") from None
        finally:
            self._inline_since = None
        if time.monotonic() - started > 10 * FAST_SECONDS:
            self._fast.pop(key, None)  # slower than it was: back to the threads
        return Answer(fmt, body, truncated_after=truncated_after)

    async def _rest(self, job: _Job) -> AsyncIterator[bytes]:
        """The chunks after the first; a credit goes back to the thread for each chunk sent."""
        try:
            while True:
                job.credits.release()
                item = await job.next()
                if item[0] == "chunk":
                    yield item[1]
                elif item[0] == "done":
                    return
                elif item is _EXPIRED:
                    raise QueryAborted(f"query stopped after the {self.timeout:g} s time limit while streaming")
                else:
                    raise QueryAborted(str(item[1]))
        finally:
            if job.timer is not None:
                job.timer.cancel()
            if not job.finished:
                job.cancel()  # the client went away or the stream was cut: stop the thread's writes

    def _expire(self, job: _Job) -> None:
        """The deadline passed: stop the job and check later whether its thread let go."""
        job.cancel()
        job.deliver(_EXPIRED)
        if job.running:
            job.loop.call_later(STUCK_GRACE, self._check_stuck, job)

    def _check_stuck(self, job: _Job) -> None:
        if job.finished:
            return
        self.stuck += 1
        log.error("a query is still computing %g s past its %g s time limit: %.200r",
                  STUCK_GRACE, self.timeout, job.request.query)
        if self.on_stuck is not None:
            self.on_stuck()
        elif not self._closed:
            self._add_thread()  # keep the capacity; the stuck thread finishes whenever it does

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if job.cancelled.is_set():
                continue  # expired while waiting for a thread
            job.running = True
            try:
                self._run(job)
            finally:
                job.running = False
                job.finished = True

    def _query(self, request: QueryJob):  # type: ignore[no-untyped-def]
        """Start evaluating the query (the store writes it for its engine's planner: query_rewrite)."""
        return self.store.query(
            request.query,
            default_graph=request.default_graph,
            named_graphs=request.named_graphs,
            include_inferred=request.inference,
            base_iri=request.base_iri,
        )

    def _run(self, job: _Job) -> None:
        """Evaluate, negotiate and serialise one job, posting its answer or its error to the loop.

        pyoxigraph's results must be dropped on the thread that made them, so no exception that
        crosses to the loop keeps this frame (and the result in it) alive: tracebacks are dropped.
        """
        request = job.request
        sink: _Sink | None = None
        failure: Exception | None = None
        started = time.monotonic()
        try:
            result = self._query(request)
            fmt = _negotiated(request.accept, request.formats, result_kind(result))
            if not request.head:
                sink = _Sink(job, fmt)
                write_result(result, fmt.name, sink.writer, self.max_result_rows)
        except SyntaxError as exc:
            failure = refusal(request.query, exc)
        except NotAcceptable as exc:
            failure = NotAcceptable(exc.supported, exc.asked)
        except StoreUnavailable as exc:  # an external store (remote_store): 502/503/504, never a 400
            if sink is not None and sink.started:
                job.post(("abort", exc.message))
                return
            failure = QueryFailed(exc.status, exc.message)
        except Exception as exc:  # the thread must outlive any query; pyoxigraph raises several types
            if job.cancelled.is_set():
                return  # unwound by _Cancelled (pyoxigraph may re-raise it as another type)
            if sink is not None and sink.started:
                job.post(("abort", f"query evaluation failed while streaming: {exc}"))
                return
            failure = QueryFailed(400, f"query evaluation failed: {exc}")
        finally:
            result = None  # noqa: F841 -- dropped here, on its own thread
        if failure is not None:
            job.post(("error", failure))
        elif sink is None:
            job.post(("complete", fmt, b"", time.monotonic() - started, None))
        else:
            sink.finish(time.monotonic() - started)


@lru_cache(maxsize=256)
def _negotiated(accept: str | None, formats: tuple[str, ...], kind: str) -> Format:
    """``choose`` remembered: clients send the same few Accept headers (a refusal is not remembered)."""
    return choose(accept, formats, formats_for(kind))
