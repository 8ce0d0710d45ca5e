"""glibc's allocator, set for this program's many small short-lived allocations before it starts.

Every SPARQL query pyoxigraph evaluates allocates about 160 small blocks (its function registry, the
parsed query) and one of 2.6 kB. In a process that has loaded data, glibc serves them slowly: the
thread cache keeps only 7 freed blocks of each size, the rest go to the fast bins, and each 2.6 kB
request consolidates those into a heap left fragmented by the load. Measured at 10 k events (338 k
triples, one thread): `ASK {}` 76 µs and the one-IRI lookup with its JSON 105 µs, of which half in
``_int_malloc``; in a process that never loaded anything, 25 µs. With a thread cache of
:data:`TCACHE_COUNT` blocks per size: 23–25 µs and 38–50 µs, in the loaded process.

The thread cache's size is a glibc tunable, read only when a program starts (there is no ``mallopt``
for it), so ``conflictkg serve`` sets it in its environment and executes itself again, once, at the
same PID. Its server's processes are forks, and fresh helper processes inherit the environment. Only
the server, where it was measured to help: the 100 k-event build took 565 and 575 s of CPU with it
against 542 and 586 s without (runs alternated: the machine's drift, no difference), the 10 k one
alike. Elsewhere (musl, macOS, Windows) nothing changes.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping

TCACHE_COUNT = 512
"""Freed blocks kept per size and thread (glibc's default is 7; its limit 65535). 127–1000 measured
alike on the lookup; the cache holds only sizes the program frees, a few MB at most per thread."""

_TUNABLE = "glibc.malloc.tcache_count"
TUNED_COMMANDS = frozenset({"serve"})
"""The sub-commands run with the tuned allocator."""


def tuned_environment(environ: Mapping[str, str], libc: str) -> dict[str, str] | None:
    """``environ`` with the thread cache's tunable added, or None when nothing is to change: not glibc
    (``libc`` is platform.libc_ver()'s name), or the tunable already set (by the user, or by the
    executing-again itself, so it happens once)."""
    if libc != "glibc":
        return None
    tunables = environ.get("GLIBC_TUNABLES", "")
    if any(item.split("=", 1)[0] == _TUNABLE for item in tunables.split(":")):
        return None
    setting = f"{_TUNABLE}={TCACHE_COUNT}"
    return {**environ, "GLIBC_TUNABLES": f"{tunables}:{setting}" if tunables else setting}


def _command(arguments: list[str]) -> str | None:
    """The sub-command named in ``arguments`` (the first that is not an option)."""
    return next((argument for argument in arguments if not argument.startswith("-")), None)


def start_tuned() -> None:
    """Execute this program again with the tuned allocator if its sub-command is one of
    :data:`TUNED_COMMANDS` and it does not have it yet; returns only when it has, or need not, or cannot
    (no interpreter path, or the exec refused, which leaves it as it was)."""
    if _command(sys.argv[1:]) not in TUNED_COMMANDS:
        return
    environ = tuned_environment(os.environ, platform.libc_ver()[0])
    argv = getattr(sys, "orig_argv", None)
    if environ is None or not sys.executable or not argv:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, argv, environ)
    except OSError:
        return
