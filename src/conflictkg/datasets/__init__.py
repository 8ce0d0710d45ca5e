"""Exchange with the datasets conflict analysts already use.

- ``ged``: import UCDP's Georeferenced Event Dataset (CSV, gzip or zip) into an import graph, streamed.
- ``ntriples``: the few N-Triples term writers the streamed import needs.
- ``places``: the place hierarchy an import links into (the project's own administrative areas).
- ``export``: our events in ACLED's and UCDP GED's column layouts, queried from the release's store.
- ``same_event``: scored proposals that an imported event and a reported event are the same.
- ``changes``: what changed between two releases (triples per graph, vanished IRIs) and the RDF changelog.

ACLED's terms forbid redistributing its rows: nothing here reads ACLED data, it only writes our own
events in ACLED's layout.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conflictkg.pipeline import PipelineError


class DatasetError(PipelineError):
    """A dataset file cannot be imported or exported; the message says which file, line and why."""


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it (rename) only if the block ends normally.

    An import or export that fails or is interrupted leaves ``target`` as it was and no partial file:
    nothing is ever half-written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(0o644)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
