"""A query worker process: holds its own copy of the store and evaluates one query at a time.

pyoxigraph cannot cancel a running query (oxigraph issue #1926), so a query that must be stopped is
stopped by ending the process that runs it; the server then starts a fresh worker. The worker talks to
the server over its stdin/stdout with small framed messages (one tag byte, a 4-byte big-endian length,
the payload):

    worker → server   READY {"triples", "seconds"}   once loaded
                      KIND {"kind"}                  the query parsed; solutions, boolean or graph
                      CHUNK bytes                    part of the serialised result
                      DONE                           the result is complete
                      ERROR {"status", "message"}    the query is refused or failed
    server → worker   QUERY {"query", "default_graph", "named_graphs", "inference", "base_iri"}
                      FORMAT {"format"}              serialise the result in this format
                      CANCEL                         drop the result, wait for the next query

Run as ``python -m conflictkg.sparql.worker '{"release_dir": ..., "files": [...]}'``.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import time
from pathlib import Path
from typing import BinaryIO

from conflictkg.sparql.protocol import READ_ONLY
from conflictkg.sparql.query_text import is_update
from conflictkg.sparql.results import ChunkWriter, ResultTooLarge, result_kind, write_result
from conflictkg.store import Store, StoreError

READY, KIND, CHUNK, DONE, ERROR = b"R", b"K", b"C", b"D", b"E"
QUERY, FORMAT, CANCEL = b"Q", b"F", b"X"
HEADER = struct.Struct(">cI")


def send(out: BinaryIO, tag: bytes, payload: bytes = b"") -> None:
    """Write one framed message."""
    out.write(HEADER.pack(tag, len(payload)) + payload)
    out.flush()


def send_json(out: BinaryIO, tag: bytes, value: object) -> None:
    """Write one framed message with a JSON payload."""
    send(out, tag, json.dumps(value).encode())


def receive(source: BinaryIO) -> tuple[bytes, bytes] | None:
    """Read one framed message; None when the server has gone."""
    header = source.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    tag, length = HEADER.unpack(header)
    return tag, source.read(length)


def refusal(query: str, error: Exception) -> dict[str, object]:
    """Explain why a text is not an acceptable query: an update is refused as such, else the parser speaks."""
    if is_update(query):
        return {"status": 403, "message": READ_ONLY}
    return {"status": 400, "message": f"SPARQL syntax error: {error}"}


def evaluate(
    store: Store, request: dict[str, object], source: BinaryIO, out: BinaryIO, max_rows: int | None = None
) -> None:
    """Run one query: report its kind, wait for the format, then stream the serialised result."""
    query = str(request["query"])
    try:
        result = store.query(
            query,
            default_graph=request.get("default_graph"),  # type: ignore[arg-type]
            named_graphs=request.get("named_graphs"),  # type: ignore[arg-type]
            include_inferred=bool(request.get("inference")),
            base_iri=request.get("base_iri"),  # type: ignore[arg-type]
        )
    except SyntaxError as exc:
        send_json(out, ERROR, refusal(query, exc))
        return
    except Exception as exc:  # the worker must outlive any query; pyoxigraph raises several types
        send_json(out, ERROR, {"status": 400, "message": f"query evaluation failed: {exc}"})
        return
    send_json(out, KIND, {"kind": result_kind(result)})
    message = receive(source)
    if message is None or message[0] != FORMAT:
        return
    format_name = json.loads(message[1])["format"]
    try:
        write_result(result, format_name, ChunkWriter(lambda chunk: send(out, CHUNK, chunk)), max_rows)
    except ResultTooLarge as exc:
        send_json(out, ERROR, {"status": 400, "message": str(exc)})
        return
    except Exception as exc:  # as above: report, never die
        send_json(out, ERROR, {"status": 400, "message": f"query evaluation failed: {exc}"})
        return
    send(out, DONE)


def main(argv: list[str]) -> int:
    """Load the store named in ``argv[1]`` and serve queries until stdin closes."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the frames
    source = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    spec = json.loads(argv[1])
    started = time.perf_counter()
    try:
        store = Store.open(
            Path(spec["release_dir"]) if spec.get("release_dir") else None,
            [Path(f) for f in spec.get("files", [])],
        )
    except StoreError as exc:
        send_json(out, ERROR, {"status": 503, "message": str(exc)})
        return 1
    send_json(out, READY, {"triples": len(store.engine), "seconds": time.perf_counter() - started})
    while (message := receive(source)) is not None:
        tag, payload = message
        if tag == QUERY:
            evaluate(store, json.loads(payload), source, out, spec.get("max_result_rows"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
