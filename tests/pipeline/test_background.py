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


def test_cancel_stops_the_child() -> None:
    import time

    background = Background(lambda: time.sleep(60))
    background.cancel()
    assert background._process is None or not background._process.is_alive()
