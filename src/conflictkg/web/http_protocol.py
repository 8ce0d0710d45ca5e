"""uvicorn's HTTP protocol (httptools parser) with what `conflictkg serve` adds to it.

- A response's writes made in one turn of the event loop go out as one (``_CoalescingTransport``).
- A client that half-closes its side after sending the request still gets its answer, as with h11.
- Files are sent with the kernel's ``sendfile``: the protocol offers ASGI's ``http.response.pathsend``
  extension, which Starlette's FileResponse uses for a whole file (the dumps); ranges still stream.
- A graceful shutdown (a retiring process) does not drop a connection accepted an instant before it,
  whose request has not arrived yet: it gets FRESH_CONNECTION_GRACE seconds to come and is answered.
- The access log (``AccessLog``) writes uvicorn's line, to the same standard output, in batches: through
  the logging module it cost about a third of a one-IRI lookup.
- A request that offers an upgrade we do not take (``Upgrade: h2c``, which Java's HttpClient — so Jena —
  sends with every request) is answered as plain HTTP/1.1, body included (RFC 9110 §7.8). httptools stops
  parsing at the end of such a request's headers, so uvicorn would run it with an empty body (uvicorn
  issue 2722): here the request is parsed again without its upgrade offer, and nothing is logged (uvicorn's
  own protocol warns "Unsupported upgrade request." for each such request).
"""

from __future__ import annotations

import asyncio
import contextvars
import http
import os
import select
import sys
import types
from collections.abc import Coroutine, Generator
from typing import Any, ClassVar

import anyio.to_thread
import httptools
from uvicorn.protocols.http.httptools_impl import (
    HttpToolsProtocol,
    RequestResponseCycle,
)
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

PATHSEND = "http.response.pathsend"
FRESH_CONNECTION_GRACE = 0.5
"""Seconds a connection accepted just before a graceful shutdown has to send its request."""
SENDFILE_STALL_SECONDS = 60.0
"""A client that takes nothing for this long while a file is sent is dropped."""


class AccessLog:
    """uvicorn's access line (``INFO:     client - "GET /path?query HTTP/1.1" 200 OK``) on standard
    output, written at most every FLUSH_SECONDS rather than once per request through ``logging``."""

    FLUSH_SECONDS = 0.25
    TARGETS_KEPT = 512
    """Request targets (path and query) kept formatted: a client repeats the same few requests."""
    enabled = False
    _lines: ClassVar[list[str]] = []
    _phrases: ClassVar[dict[int, str]] = {}
    _targets: ClassVar[dict[tuple[str, bytes], str]] = {}

    @classmethod
    def record(cls, scope: Any, status: int, loop: asyncio.AbstractEventLoop) -> None:
        phrase = cls._phrases.get(status)
        if phrase is None:
            try:
                phrase = cls._phrases[status] = f"{status} {http.HTTPStatus(status).phrase}"
            except ValueError:
                phrase = f"{status} "
        key = (scope["path"], scope["query_string"])
        target = cls._targets.get(key)
        if target is None:
            target = get_path_with_query_string(scope)
            if len(cls._targets) >= cls.TARGETS_KEPT:
                cls._targets.clear()
            if len(target) <= 8192:
                cls._targets[key] = target
        if not cls._lines:
            loop.call_later(cls.FLUSH_SECONDS, cls.flush)
        cls._lines.append(f'INFO:     {get_client_addr(scope)} - "{scope["method"]} {target} '
                          f'HTTP/{scope["http_version"]}" {phrase}\n')

    @classmethod
    def flush(cls) -> None:
        """Write the lines kept so far (also called when the process ends)."""
        if cls._lines:
            lines, cls._lines = cls._lines, []
            data = memoryview("".join(lines).encode("utf-8", "replace"))
            try:
                sys.stdout.flush()  # whatever was printed before goes first
                while data:
                    data = data[os.write(1, data):]
            except (OSError, ValueError):
                pass  # standard output is gone: nothing to write to


class _CoalescingTransport:
    """A transport whose writes made in one turn of the event loop go out as one ``write``.

    uvicorn writes a response's status line and headers, then its body, separately: two system calls
    and two TCP segments for every small answer, a fifth of a one-IRI lookup's time. Joined at the end
    of the loop's turn (``call_soon``), they cost one; nothing waits longer than that turn."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending) if len(self._pending) > 1 else self._pending[0]
            self._pending = []
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    async def drain(self) -> None:
        """Write what is pending and wait until the kernel has taken all of it (before ``sendfile``)."""
        self._flush()
        while self._transport.get_write_buffer_size() and not self._transport.is_closing():
            await asyncio.sleep(0.001)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, coalescing the writes of a response (_CoalescingTransport),
    answering a client that half-closes its side after the request, and sending files with sendfile.

    On end-of-input the base class lets the transport close, so an answer still being computed is lost
    (the client reads an empty reply); h11's protocol answers it. Here the connection stays open until
    the answer is written, then closes."""

    EAGER_PATHS: ClassVar[frozenset[str]] = frozenset()
    """Paths whose GET and HEAD requests start eagerly (see :meth:`_start_asgi_task`); the server sets them."""
    _client_done = False
    _had_request = False
    _shutting_down = False
    _refused_upgrade = False

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.logger.warning("Invalid HTTP request received.")
            self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserUpgrade as upgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._parse_without_upgrade(data[upgrade.args[0]:])

    def _parse_without_upgrade(self, rest: bytes) -> None:
        """Parse the request whose headers just ended again, without its upgrade offer, then ``rest``
        (the start of its body, or more)."""
        connection = [t.strip() for name, value in self.headers if name == b"connection" for t in value.split(b",")]
        kept = b", ".join(t for t in connection if t and t.lower() not in (b"upgrade", b"http2-settings"))
        lines = [b"%s %s HTTP/%s" % (self.parser.get_method(), self.url, self.parser.get_http_version().encode())]
        lines += [b"%s: %s" % (name, value) for name, value in self.headers
                  if name not in (b"upgrade", b"connection", b"http2-settings")]
        if kept:
            lines.append(b"connection: " + kept)
        self._refused_upgrade = False
        self.parser = httptools.HttpRequestParser(self)
        self.data_received(b"\r\n".join(lines) + b"\r\n\r\n" + rest)

    def on_body(self, body: bytes) -> None:
        if not self._refused_upgrade:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused_upgrade:
            super().on_message_complete()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]

    def eof_received(self) -> bool | None:
        self._client_done = True
        if self.cycle is not None and not self.cycle.response_complete:
            return True  # keep our side open for the answer
        return None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._client_done:
            self.transport.close()

    def shutdown(self) -> None:
        if self.cycle is None and not self._had_request:
            self._shutting_down = True
            self.loop.call_later(FRESH_CONNECTION_GRACE, super().shutdown)
            return
        super().shutdown()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        """A GET or HEAD of one of :attr:`EAGER_PATHS` runs at once, up to its first wait, in the context
        a task would give it; only what is left after that wait becomes a task (asyncio's eager tasks,
        Python 3.12's ``eager_task_factory``, for these requests only). A one-IRI lookup answered on the
        event loop never waits, so it costs no task and no turn of the loop. The other requests go
        through Starlette's stack, whose anyio needs the task that ``asyncio.current_task`` gives."""
        self._unset_keepalive_if_required()  # an earlier answer, given eagerly in this read, armed it
        self._prepare(cycle)
        scope = cycle.scope
        if scope["method"] not in _EAGER_METHODS or scope["path"] not in self.EAGER_PATHS:
            super()._start_asgi_task(cycle, app)
            return
        context = contextvars.Context() if self.config.reset_contextvars else contextvars.copy_context()
        coroutine = cycle.run_asgi(app)
        try:
            waiting = context.run(coroutine.send, None)
        except StopIteration:
            return
        task = self.loop.create_task(_resumed(coroutine, waiting), context=context)
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)

    def on_headers_complete(self) -> None:
        if self.parser.should_upgrade() and not self._should_upgrade():
            self._refused_upgrade = True  # no cycle yet: _parse_without_upgrade starts it with the body
            return
        self._had_request = True
        super().on_headers_complete()

    def _prepare(self, cycle: RequestResponseCycle) -> None:
        """What this protocol adds to a request before it starts: no keep-alive once shutting down, and a
        ``send`` that writes the access log and takes ``http.response.pathsend``."""
        if self._shutting_down:
            cycle.keep_alive = False
        cycle.scope.setdefault("extensions", {})[PATHSEND] = {}
        send = cycle.send

        async def send_or_sendfile(message: Any) -> None:
            if message["type"] == PATHSEND:
                await _sendfile(cycle, self.transport, message["path"], send)  # type: ignore[arg-type]
                return
            if AccessLog.enabled and not cycle.response_started and message["type"] == "http.response.start":
                AccessLog.record(cycle.scope, message["status"], self.loop)
            await send(message)

        cycle.send = send_or_sendfile  # type: ignore[method-assign]


_EAGER_METHODS = frozenset({"GET", "HEAD"})


async def _resumed(coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
    """The rest of ``coroutine``, already started and now ``waiting`` on a future, as a task's coroutine."""
    await _delegate(coroutine, waiting)


@types.coroutine
def _delegate(coroutine: Coroutine[Any, Any, None], waiting: Any) -> Generator[Any, Any, None]:
    """``yield from coroutine`` for a coroutine that has already yielded ``waiting``: the task waits on
    that first, then every value sent or exception thrown (a cancellation) goes on to the coroutine."""
    while True:
        try:
            sent = yield waiting
        except GeneratorExit:
            coroutine.close()
            raise
        except BaseException as exc:
            try:
                waiting = coroutine.throw(exc)
            except StopIteration:
                return
        else:
            try:
                waiting = coroutine.send(sent)
            except StopIteration:
                return


async def _sendfile(cycle: RequestResponseCycle, transport: _CoalescingTransport, path: str,
                    send: Any) -> None:
    """The body of a started response: the whole file at ``path``, by the kernel, then the end of the
    response through uvicorn's own ``send`` (which checks that Content-Length was met)."""
    if cycle.disconnected:
        return
    await transport.drain()
    sock = transport.get_extra_info("socket")
    try:
        sent = await anyio.to_thread.run_sync(_sendfile_all, sock.fileno(), path)
    except OSError:
        cycle.disconnected = True
        transport.close()
        return
    cycle.expected_content_length -= sent
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _sendfile_all(out: int, path: str) -> int:
    """``sendfile`` the file at ``path`` whole, waiting for a full socket to drain (on a thread: the
    socket is non-blocking); the bytes sent. Raises OSError when the client goes away or stalls."""
    with open(path, "rb") as file:
        return _sendfile_from(out, file.fileno(), os.fstat(file.fileno()).st_size)


def _sendfile_from(out: int, source: int, size: int) -> int:
    offset = 0
    poller = select.poll()
    poller.register(out, select.POLLOUT)
    while offset < size:
        try:
            sent = os.sendfile(out, source, offset, size - offset)
        except BlockingIOError:
            if not poller.poll(SENDFILE_STALL_SECONDS * 1000):
                raise TimeoutError("the client took nothing for a minute") from None
            continue
        if sent == 0:
            break  # the file shrank: uvicorn's Content-Length check reports it
        offset += sent
    return offset

