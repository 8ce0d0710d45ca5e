"""A stage run in a forked process gives its result, or its exception, to the build."""

from __future__ import annotations

import os

import pytest

from conflictkg.pipeline.background import Background


def test_result_comes_back_from_the_child() -> None:
    parent = os.getpid()
    assert Background(lambda: (os.getpid() != parent, b"x" * 1_000_000)).result() == (True, b"x" * 1_000_000)


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
