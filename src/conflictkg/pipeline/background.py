"""Run one stage of the build in a forked process while the build goes on, on the machine's other core.

The SHACL engine holds the GIL while it validates, so the OWL RL rules (pure Python) cannot run beside it
in a thread; a forked child can. It starts with a copy-on-write view of everything loaded so far, computes
its result and sends it back through a pipe; the build collects it when it needs it. Where ``fork`` is not
available (Windows) the work simply runs when it is collected.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import tempfile
import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class BackgroundError(RuntimeError):
    """The child process failed in a way that cannot be sent back as its own exception."""


def _end_with_parent() -> None:
    """On Linux, ask the kernel to end this child when its parent dies (a killed build must not leave a
    validation running for minutes); elsewhere nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return


_PR_SET_PDEATHSIG = 1


def _run(work: Callable[[], object], send: object, parent: int) -> None:
    """Compute, write the outcome to a temporary file and send its name: the child ends at once and
    frees its memory, instead of waiting for the parent to read a large result from the pipe."""
    _end_with_parent()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    # what the child inherited is never garbage to it: left out of its collections, it is not walked
    # again and again (nor its pages copied) while the work allocates millions of objects of its own
    gc.freeze()
    # the work may start Backgrounds of its own (the build's validating process runs each SHACL pass in
    # one): multiprocessing refuses children to a daemonic process, and this one's end with it anyway
    multiprocessing.current_process().daemon = False
    try:
        outcome: tuple[str, object] = ("ok", work())
    except BaseException as exc:  # sent back and raised again in the parent, whatever it is
        outcome = ("error", exc)
    handle, name = tempfile.mkstemp(prefix="conflictkg-background-")
    with os.fdopen(handle, "wb") as out:
        try:
            pickle.dump(outcome, out, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that does not pickle
            out.seek(0)
            out.truncate()
            error = BackgroundError("".join(traceback.format_exception(outcome[1])))  # type: ignore[arg-type]
            pickle.dump(("error", error), out, protocol=pickle.HIGHEST_PROTOCOL)
    send.send(name)  # type: ignore[attr-defined]


def forks() -> bool:
    """True where a Background runs in a forked child (Linux, macOS; not with CONFLICTKG_NO_FORK=1)."""
    return "fork" in multiprocessing.get_all_start_methods() and os.environ.get("CONFLICTKG_NO_FORK") != "1"


class Background(Generic[T]):
    """``work()`` computed in a forked child from now on; :meth:`result` waits for it.

    Without fork the work runs when collected, or at once with ``eager`` (for work that reads state the
    caller changes afterwards: a child would have seen the state of the moment it was forked).

    With ``fresh`` the child is a new interpreter (multiprocessing's spawn) that gets ``work`` pickled:
    for work that needs little of this process (the changes and JSON-LD read dumps back), since a forked
    child keeps a private copy of every page the parent writes after the fork, and of every page it
    touches itself (1.3 GB of the changes process, 2.15 GB of JSON-LD's, at 10⁵ events).
    """

    def __init__(self, work: Callable[[], T], *, eager: bool = False, fresh: bool = False) -> None:
        self._work = work
        self._process = None
        self._outcome: tuple[str, object] | None = None
        if forks():
            context = multiprocessing.get_context("spawn" if fresh else "fork")
            self._receive, send = context.Pipe(duplex=False)
            self._process = context.Process(target=_run, args=(work, send, os.getpid()), daemon=True)
            self._process.start()
            send.close()
        elif eager:
            try:
                self._outcome = ("ok", work())
            except Exception as exc:  # raised again when collected, as a child's would be
                self._outcome = ("error", exc)

    def result(self) -> T:
        """The work's result (or its exception, raised here); computed here if nothing was forked."""
        if self._process is None:
            if self._outcome is None:
                return self._work()
            kind, payload = self._outcome
            if kind == "error":
                raise payload  # type: ignore[misc]
            return payload  # type: ignore[return-value]
        try:
            name = self._receive.recv()
        except EOFError:
            self._process.join()
            raise BackgroundError(f"the background process ended with exit code {self._process.exitcode}") from None
        self._process.join()
        self._receive.close()
        try:
            with open(name, "rb") as stream:
                kind, payload = pickle.load(stream)  # noqa: S301 - written by our own child just now
        finally:
            os.unlink(name)
        if kind == "error":
            raise payload  # type: ignore[misc]
        return payload  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the child (the build failed before it needed the result)."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()


class Mailbox(Generic[T]):
    """Objects handed to a Background child after it was started, one by one, in order: what the build
    computes while the child already works on the rest (the derived graph, while the second SHACL pass
    reads the inferences).

    Each object goes through a temporary file, its name through a pipe: :meth:`put` never waits for the
    child to read. Without fork (a child that runs when collected) the names wait in the pipe.
    """

    def __init__(self) -> None:
        self._receive, self._send = multiprocessing.Pipe(duplex=False)

    def put(self, item: T) -> None:
        """Hand ``item`` over."""
        handle, name = tempfile.mkstemp(prefix="conflictkg-mailbox-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(item, out, protocol=pickle.HIGHEST_PROTOCOL)
        self._send.send(name)

    def close(self) -> None:
        """Remove what was handed over but never taken (the child ended, or was ended, first): call it
        once no child reads any more."""
        while self._receive.poll():
            try:
                os.unlink(self._receive.recv())
            except (OSError, EOFError):
                return

    def get(self) -> T:
        """The next item, once handed over (waits for it)."""
        name = self._receive.recv()
        try:
            with open(name, "rb") as stream:
                return pickle.load(stream)  # type: ignore[no-any-return]  # noqa: S301 - written by our own build
        finally:
            os.unlink(name)
