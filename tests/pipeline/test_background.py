"""A stage run in a forked process gives its result, or its exception, to the build."""

from __future__ import annotations

import os
from functools import partial

import pytest

from conflictkg.pipeline.background import Background, Mailbox


def test_result_comes_back_from_the_child() -> None:
    parent = os.getpid()
    assert Background(lambda: (os.getpid() != parent, b"x" * 1_000_000)).result() == (True, b"x" * 1_000_000)


def _inherited() -> tuple[int, bool]:
    import conflictkg.pipeline.background as module

    return os.getpid(), hasattr(module, "_SET_BY_THE_PARENT")


def test_a_fresh_child_is_a_new_interpreter_given_its_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh child gets the work pickled and nothing of the parent's state: not its pages either."""
    import conflictkg.pipeline.background as module

    monkeypatch.setattr(module, "_SET_BY_THE_PARENT", True, raising=False)
    pid, inherited = Background(_inherited, fresh=True).result()
    assert pid != os.getpid() and not inherited
    assert Background(_inherited).result()[1]  # a forked child has it
    with pytest.raises(ZeroDivisionError):
        Background(partial(divmod, 1, 0), fresh=True).result()


def test_an_exception_in_the_child_is_raised_in_the_parent() -> None:
    def fails() -> None:
        raise ValueError("no rules for this ontology")

    with pytest.raises(ValueError, match="no rules"):
        Background(fails).result()


def test_without_fork_the_work_runs_when_collected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTKG_NO_FORK", "1")
    parent = os.getpid()
    assert Background(os.getpid).result() == parent


def test_without_fork_eager_work_runs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eager work sees the state of the moment it was started, as a forked child does."""
    monkeypatch.setenv("CONFLICTKG_NO_FORK", "1")
    state = ["before"]
    background = Background(lambda: list(state), eager=True)
    state.append("after")
    assert background.result() == ["before"]

    def fails() -> None:
        raise ValueError("does not conform")

    failing = Background(fails, eager=True)
    with pytest.raises(ValueError, match="conform"):
        failing.result()


def test_cancel_stops_the_child() -> None:
    import time

    background = Background(lambda: time.sleep(60))
    background.cancel()
    assert background._process is None or not background._process.is_alive()


def test_a_child_ends_with_its_parent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A killed build leaves no stage running: the child is ended when its parent dies (Linux)."""
    import signal
    import subprocess
    import sys
    import time

    if sys.platform != "linux":
        pytest.skip("the parent-death signal is Linux's")
    marker = tmp_path / "child.pid"
    script = ("import os, time\nfrom conflictkg.pipeline.background import Background\n"
              f"Background(lambda: (open({str(marker)!r}, 'w').write(str(os.getpid())), time.sleep(60)))\n"
              "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(marker.read_text())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the child outlived its parent")


@pytest.mark.parametrize("fork", ["fork", "no fork"])
def test_a_mailbox_hands_objects_to_a_child_started_before_them(fork: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the build computes after starting a stage (the derived graph) reaches it, in order."""
    if fork == "no fork":
        monkeypatch.setenv("CONFLICTKG_NO_FORK", "1")
    inbox: Mailbox[bytes | None] = Mailbox()
    background = Background(lambda: [inbox.get(), inbox.get(), inbox.get()])
    inbox.put(b"x" * 1_000_000)
    inbox.put(b"second")
    inbox.put(None)
    assert background.result() == [b"x" * 1_000_000, b"second", None]


def test_a_child_may_start_children_of_its_own() -> None:
    """The build's validating process runs each SHACL pass in a child of its own."""
    outer = Background(lambda: Background(lambda: os.getpid()).result() != os.getpid())
    assert outer.result() is True
