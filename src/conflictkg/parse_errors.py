"""Parser complaints as one printable line that names the spot: ``file:line:column: message``.

The build (pipeline.sources) and the server's store (store.py) both report broken input this way, so
an editor or a terminal can jump to the place whichever command found it, and a hostile file cannot
send control characters to the terminal through a quoted token.
"""

from __future__ import annotations

import re
from pathlib import Path

_OXIGRAPH_POSITION = re.compile(r"^Parser error (?:at|between) line \d+[a-z\d ]*: ")
"""pyoxigraph's own position prefix ("Parser error at line 1 column 17: "), redundant once located."""


def located(path: Path | str, message: str, line: int | None = None, column: int | None = None) -> str:
    """``file:line:column: message``, leaving out the parts the parser did not give."""
    where = str(path) if line is None else f"{path}:{line}" if column is None else f"{path}:{line}:{column}"
    return f"{where}: {message}"


def oxigraph_complaint(exc: SyntaxError) -> tuple[str, int | None, int | None]:
    """The message, 1-based line and column of a pyoxigraph SyntaxError, without its position prefix."""
    message = _OXIGRAPH_POSITION.sub("", exc.msg or str(exc))
    return message, exc.lineno, exc.offset


def one_line(message: str) -> str:
    """A parser's message fit for one terminal line: control characters (a NUL or an escape sequence
    quoted from a hostile file, a line break) are shown escaped, never sent to the terminal."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in message)
