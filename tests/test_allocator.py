"""allocator: ``conflictkg serve`` runs with glibc's thread cache enlarged, set once before it starts."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import pytest

from conflictkg import allocator
from conflictkg.allocator import TCACHE_COUNT, start_tuned, tuned_environment

SETTING = f"glibc.malloc.tcache_count={TCACHE_COUNT}"


def test_the_thread_cache_is_added_to_the_environment() -> None:
    assert tuned_environment({"PATH": "/bin"}, "glibc") == {"PATH": "/bin", "GLIBC_TUNABLES": SETTING}


def test_the_users_own_tunables_are_kept() -> None:
    tuned = tuned_environment({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}, "glibc")
    assert tuned == {"GLIBC_TUNABLES": f"glibc.malloc.arena_max=2:{SETTING}"}


@pytest.mark.parametrize("tunables", ["glibc.malloc.tcache_count=7", f"glibc.malloc.arena_max=2:{SETTING}"])
def test_a_thread_cache_already_set_is_left_as_it_is(tunables: str) -> None:
    """Set by the user, or by the command's own first start: so it executes itself again only once."""
    assert tuned_environment({"GLIBC_TUNABLES": tunables}, "glibc") is None


@pytest.mark.parametrize("libc", ["", "musl", "libc"])
def test_nothing_changes_without_glibc(libc: str) -> None:
    assert tuned_environment({}, libc) is None


def test_the_command_executes_itself_again_with_the_same_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(allocator.platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.setattr(allocator.sys, "orig_argv", ["python", "-m", "conflictkg", "serve", "x.nt"])
    monkeypatch.setattr(allocator.sys, "argv", ["/x/conflictkg/__main__.py", "serve", "x.nt"])
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.setattr(allocator.os, "execve", lambda path, argv, env: calls.append((path, argv, env)))
    start_tuned()
    ((path, argv, env),) = calls
    assert path == sys.executable and argv == ["python", "-m", "conflictkg", "serve", "x.nt"]
    assert env["GLIBC_TUNABLES"] == SETTING and env["PATH"] == os.environ["PATH"]

    calls.clear()
    monkeypatch.setenv("GLIBC_TUNABLES", SETTING)
    start_tuned()
    assert calls == []


@pytest.mark.parametrize("argv", [["conflictkg", "build", "--root", "x"], ["conflictkg", "--help"], ["conflictkg"]])
def test_other_commands_run_with_glibcs_defaults(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    """The build gained nothing measurable from the larger cache (allocator's docstring)."""
    calls: list[object] = []
    monkeypatch.setattr(allocator.platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.setattr(allocator.sys, "argv", argv)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.setattr(allocator.os, "execve", lambda *args: calls.append(args))
    start_tuned()
    assert calls == []


def test_an_exec_refused_leaves_the_command_running_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator.platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.setattr(allocator.sys, "argv", ["conflictkg", "serve"])
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)

    attempts: list[object] = []

    def refuse(*args: object) -> None:
        attempts.append(args)
        raise PermissionError("not allowed here")

    monkeypatch.setattr(allocator.os, "execve", refuse)
    start_tuned()  # returns: the command goes on with glibc's defaults
    assert len(attempts) == 1


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or not Path("/proc/self/environ").exists(),
                    reason="glibc on Linux only")
def test_a_served_process_runs_with_the_thread_cache(live_server: str) -> None:
    """tests/conftest.py's live_server is `python -m conflictkg serve`: its processes (forks of the
    re-executed command) have the tunable in the environment glibc read when the command started."""
    port = live_server.rstrip("/").rsplit(":", 1)[1].encode()
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            environ = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in command and port in command:
            found.append(any(item.startswith(b"GLIBC_TUNABLES=") and SETTING.encode() in item for item in environ))
    assert found and all(found)
