"""web.http_protocol's eager start: a GET or HEAD of /sparql runs at once, up to its first wait; what is
left after that wait is an ordinary task (cancellable, its exceptions its own). Pipelined requests on a
live server are in tests/web/test_serving.py."""

from __future__ import annotations

import asyncio
import contextvars
from types import SimpleNamespace
from typing import Any

import pytest

from conflictkg.web.http_protocol import AccessLog, HttpProtocol

REQUEST = contextvars.ContextVar("request", default="none")


class _Cycle:
    """What the protocol reads of uvicorn's RequestResponseCycle: the scope, send, run_asgi."""

    def __init__(self, method: str, path: str, body: Any) -> None:
        self.scope: dict[str, Any] = {"method": method, "path": path}
        self._body = body
        self.keep_alive = True
        self.response_started = False
        self.sent: list[dict[str, Any]] = []

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    async def run_asgi(self, app: object) -> None:
        await self._body()
        await self.send({"type": "http.response.start", "status": 200, "headers": []})


def _protocol(loop: asyncio.AbstractEventLoop) -> HttpProtocol:
    protocol = HttpProtocol.__new__(HttpProtocol)  # only what _start_asgi_task reads
    protocol.loop = loop
    protocol.tasks = set()
    protocol.config = SimpleNamespace(reset_contextvars=False)
    protocol.EAGER_PATHS = frozenset({"/sparql"})
    protocol.timeout_keep_alive_task = None
    return protocol


def test_uvicorn_still_starts_each_request_through_the_method_overridden() -> None:
    """The eager start, the access log and sendfile hang on it (uvicorn >= 0.45, pyproject.toml): an
    uvicorn that renamed it would run every request without them."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert callable(vars(HttpToolsProtocol).get("_start_asgi_task"))
    assert "_start_asgi_task" in vars(HttpProtocol)


def test_an_answer_that_never_waits_is_given_at_once_without_a_task(monkeypatch: pytest.MonkeyPatch) -> None:
    """...with what the protocol adds to every request: the access log line, and no keep-alive timer
    left from an answer given earlier in the same read (pipelined requests)."""
    logged: list[int] = []
    monkeypatch.setattr(AccessLog, "enabled", True)
    monkeypatch.setattr(AccessLog, "record", lambda scope, status, loop: logged.append(status))
    loop = asyncio.new_event_loop()
    try:
        protocol, done = _protocol(loop), []
        timer = protocol.timeout_keep_alive_task = loop.call_later(60, lambda: None)

        async def answer() -> None:
            REQUEST.set("lookup")
            done.append(REQUEST.get())

        cycle = _Cycle("GET", "/sparql", answer)
        protocol._start_asgi_task(cycle, None)  # type: ignore[arg-type]
        assert done == ["lookup"] and not protocol.tasks
        assert cycle.sent == [{"type": "http.response.start", "status": 200, "headers": []}]
        assert logged == [200]
        assert timer.cancelled() and protocol.timeout_keep_alive_task is None
        assert REQUEST.get() == "none"  # it ran in a context of its own, as a task would
    finally:
        loop.close()


@pytest.mark.parametrize("method, path", [("POST", "/sparql"), ("GET", "/"), ("GET", "/sparql/x")])
def test_other_requests_start_as_tasks(method: str, path: str) -> None:
    async def main() -> list[str]:
        protocol, done = _protocol(asyncio.get_running_loop()), []

        async def answer() -> None:
            done.append("answered")

        protocol._start_asgi_task(_Cycle(method, path, answer), None)  # type: ignore[arg-type]
        assert done == [] and len(protocol.tasks) == 1  # not run yet: a task, as uvicorn starts it
        await asyncio.gather(*protocol.tasks)
        return done

    assert asyncio.run(main()) == ["answered"]


def test_an_answer_that_waits_is_finished_by_a_task_in_the_same_context() -> None:
    async def main() -> list[object]:
        loop = asyncio.get_running_loop()
        protocol, seen = _protocol(loop), []
        ready: asyncio.Future[str] = loop.create_future()

        async def answer() -> None:
            REQUEST.set("slow")
            seen.append(await ready)
            await asyncio.sleep(0)
            seen.append(REQUEST.get())

        protocol._start_asgi_task(_Cycle("HEAD", "/sparql", answer), None)  # type: ignore[arg-type]
        (task,) = protocol.tasks
        assert seen == [] and not task.done()
        ready.set_result("computed")
        await task
        assert not protocol.tasks  # the task leaves the protocol's set when done
        return seen

    assert asyncio.run(main()) == ["computed", "slow"]


def test_cancelling_the_task_reaches_the_waiting_answer() -> None:
    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        protocol, seen = _protocol(loop), []

        async def answer() -> None:
            try:
                await loop.create_future()
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise
            finally:
                seen.append("cleaned up")

        protocol._start_asgi_task(_Cycle("GET", "/sparql", answer), None)  # type: ignore[arg-type]
        (task,) = protocol.tasks
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return seen

    assert asyncio.run(main()) == ["cancelled", "cleaned up"]


def test_an_error_after_the_wait_is_the_tasks() -> None:
    async def main() -> None:
        protocol = _protocol(asyncio.get_running_loop())

        async def answer() -> None:
            await asyncio.sleep(0)
            raise LookupError("after the wait")

        protocol._start_asgi_task(_Cycle("GET", "/sparql", answer), None)  # type: ignore[arg-type]
        (task,) = protocol.tasks
        with pytest.raises(LookupError, match="after the wait"):
            await task

    asyncio.run(main())
