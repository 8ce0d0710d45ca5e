"""`conflictkg serve`'s process model (web.serving): forked server processes, the in-memory store loaded
once by the supervisor and shared, the on-disk store meanwhile, and HTTP details of the server."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest

from conflictkg.store import STORE_FORMAT, StoreSummary
from conflictkg.web.serving import fits_in_memory
from tests.http_raw import exchange
from tests.sparql.conftest import ServeSubprocess
from tests.sparql.test_clients import (
    test_runaway_query_is_stopped_while_fast_queries_keep_answering as check_runaway_query,
)
from tests.web.conftest import write_release

QUERIES = [
    "SELECT ?s ?label { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label",
    "SELECT (COUNT(*) AS ?n) { ?a <urn:filler:p> ?b }",
    "ASK { <http://example.org/attack> <http://example.org/place> <http://example.org/ayyash> }",
]


@pytest.fixture(scope="module")
def in_memory(live_server: str, live_server_log: Path) -> tuple[str, Path]:
    """`serve --in-memory` with two processes (tests/conftest.py's live_server); (base URL, log)."""
    return live_server, live_server_log


@pytest.fixture(scope="module")
def on_disk_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("on-disk") / "server.log"


@pytest.fixture(scope="module")
def on_disk(example_with_filler: Path, on_disk_log: Path, serve_subprocess: ServeSubprocess) -> Iterator[str]:
    """The same data and options as live_server, on the on-disk store."""
    with serve_subprocess([str(example_with_filler), "--on-disk", "--workers", "2", "--timeout", "2"], on_disk_log) as base:
        yield base


def _answers(base: str) -> list[object]:
    return [httpx.get(base + "sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"},
                      timeout=30).json() for q in QUERIES]


def _server_processes(base: str) -> tuple[int, list[int]]:
    """(supervisor PID, its children) of the server listening on ``base``'s port: the processes of that
    command line, the supervisor being the one whose parent is not among them."""
    port = f"{urlsplit(base).port}".encode()
    parents: dict[int, int] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if b"serve" in command and port in command:
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    supervisor = next(pid for pid, parent in parents.items() if parent not in parents)
    return supervisor, [pid for pid, parent in parents.items() if parent == supervisor]


def test_in_memory_and_on_disk_give_the_same_answers(in_memory: tuple[str, Path], on_disk: str) -> None:
    base, log = in_memory
    text = log.read_text()
    assert "switched the server processes" in text
    assert "prepared the landing page and reconciliation" in text  # once, by the supervisor (web.prepared)
    assert "forking with other threads alive" not in text
    assert _answers(base) == _answers(on_disk)


def test_the_supervisor_holds_no_thread_and_its_processes_share_its_memory(in_memory: tuple[str, Path]) -> None:
    """Forking is only safe from a single-threaded process; the children are forks of the supervisor
    (same program, parent = supervisor), so the store it loaded is shared, not copied."""
    base, _ = in_memory
    supervisor, children = _server_processes(base)
    deadline = time.monotonic() + 30  # a retiring process (first set, or one a runaway query stopped) may still be finishing
    while len(children) > 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        supervisor, children = _server_processes(base)
    assert len(os.listdir(f"/proc/{supervisor}/task")) == 1
    assert len(children) == 2
    for child in children:
        rollup = Path(f"/proc/{child}/smaps_rollup").read_text()
        values = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:]}
        assert values["Pss"] < values["Rss"]  # pages shared with the supervisor and the sibling


def test_a_runaway_query_is_stopped_on_disk(on_disk: str) -> None:
    """The in-memory case is test_clients' own, on live_server."""
    check_runaway_query(on_disk)


def test_a_client_that_half_closes_after_its_request_gets_the_whole_answer(on_disk: str) -> None:
    """Some HTTP/1.0-style clients shut their sending side once the request is written; the answer,
    computed after that, must still arrive whole."""
    query = f"SELECT (COUNT(*) AS ?n) {{ ?a <urn:filler:p> ?b . ?c <urn:filler:p> ?d FILTER(?b < {time.time_ns() % 97}) }}"
    request = (f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: {urlsplit(on_disk).netloc}\r\n"
               "Accept: application/sparql-results+json\r\n\r\n")
    response = exchange(on_disk, request.encode(), half_close=True)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"].isdigit()


def test_pipelined_queries_are_answered_in_order(on_disk: str, on_disk_log: Path) -> None:
    """Requests sent together on one connection: each GET and HEAD of /sparql starts at once (eager
    start, web.http_protocol), one answered from a thread (its first evaluation) and one on the event loop
    (asked before, so known to be fast); the answers come back whole and in the order asked, each in
    the access log."""
    fresh = f"SELECT (COUNT(*) AS ?n) {{ ?a <urn:filler:p> ?b FILTER(?b != {time.time_ns() % 997}) }}"
    known = "ASK { ?s ?p ?o }"
    httpx.get(on_disk + "sparql", params={"query": known}, timeout=30)
    httpx.get(on_disk + "sparql", params={"query": known}, timeout=30)

    def request(method: str, query: str, accept: str, last: bool = False) -> bytes:
        return (f"{method} /sparql?query={quote(query)} HTTP/1.1\r\nHost: test\r\nAccept: {accept}\r\n"
                + ("Connection: close\r\n" if last else "") + "\r\n").encode()

    response = exchange(on_disk, request("GET", fresh, "text/csv") + request("HEAD", known, "text/csv")
                        + request("GET", known, "application/sparql-results+json", last=True))
    first, second, third = response.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"200") and first.partition(b"\r\n\r\n")[2].startswith(b"n\r\n")
    assert second.startswith(b"200") and second.endswith(b"\r\n\r\n")  # HEAD: headers only
    assert b"text/csv" in second
    assert third.startswith(b"200") and third.endswith(b'{"head":{},"boolean":true}')
    lines = [f'"GET /sparql?query={quote(fresh)} HTTP/1.1" 200 OK', f'"HEAD /sparql?query={quote(known)} HTTP/1.1" 200 OK']
    deadline = time.monotonic() + 5
    while not all(line in on_disk_log.read_text() for line in lines) and time.monotonic() < deadline:
        time.sleep(0.1)  # the access log is written every 0.25 s
    assert all(line in on_disk_log.read_text() for line in lines)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_post_offering_an_h2c_upgrade_is_answered_with_its_body(on_disk: str, on_disk_log: Path, chunked: bool) -> None:
    """Java's HttpClient (so Jena) offers ``Upgrade: h2c`` on every request; the offer is declined and the
    request answered as HTTP/1.1 with its body (httptools alone would drop the body: uvicorn issue 2722),
    the body arriving in a later packet than the headers; the next request on the connection is answered.
    The declined offer is not logged (uvicorn's own protocol warns about every such request)."""
    query = 'ASK { ?event <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = "ar" || ?label != "هجوم") }'.encode()
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(query), query) if chunked else query
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % len(query)
    head = (b"POST /sparql HTTP/1.1\r\nHost: test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Type: application/sparql-query\r\n"
            b"Accept: application/sparql-results+json\r\n" + framing + b"\r\n\r\n")
    following = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: test\r\nAccept: text/csv\r\nConnection: close\r\n\r\n"
    response = exchange(on_disk, head, body[:7], body[7:] + following)  # read until the server closes, after the second answer
    first, _, rest = response.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200"), response[:300]
    assert rest.startswith(b'{"head":{},"boolean":true}')
    assert b"HTTP/1.1 200" in rest and rest.endswith(b"_askResult\r\ntrue\r\n")
    log = on_disk_log.read_text()
    assert "Started server process" in log  # the server processes' warnings go to this log
    assert "upgrade request" not in log.lower() and "WebSocket" not in log


def test_data_fits_in_memory_under_a_quarter_of_the_ram(tmp_path: Path) -> None:
    assert not fits_in_memory(None)
    assert not fits_in_memory(tmp_path)  # no summary: not a store
    StoreSummary(STORE_FORMAT, "test", 1000, 1000, {}).write(tmp_path)
    assert fits_in_memory(tmp_path)
    StoreSummary(STORE_FORMAT, "test", 10**13, 10**13, {}).write(tmp_path)
    assert not fits_in_memory(tmp_path)


@pytest.fixture(scope="module")
def release_server(tmp_path_factory: pytest.TempPathFactory, serve_subprocess: ServeSubprocess) -> Iterator[tuple[str, Path]]:
    """`serve --release` over the fixture release whose TriG dump is padded to 24 MB (comment lines);
    yields (base URL, release directory)."""
    release = write_release(tmp_path_factory.mktemp("padded") / "dist")
    dump = release / "conflictkg.trig"
    with dump.open("ab") as out:
        out.write(b"# padding: a large file for the download tests\n" * (24 * 1024 * 1024 // 48))
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == "conflictkg.trig":
            entry["bytes"], entry["sha256"] = dump.stat().st_size, hashlib.sha256(dump.read_bytes()).hexdigest()
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    log = tmp_path_factory.mktemp("release-server") / "server.log"
    with serve_subprocess(["--release", str(release), "--workers", "1"], log) as base:
        yield base, release


def test_a_dump_is_sent_whole_with_its_length_and_etag(release_server: tuple[str, Path]) -> None:
    """The whole-file path (sendfile through ASGI's pathsend) sends exactly the file."""
    base, release = release_server
    expected = (release / "conflictkg.trig").read_bytes()
    response = httpx.get(base + "dumps/conflictkg.trig", timeout=60)
    assert response.status_code == 200
    assert response.content == expected
    assert response.headers["content-length"] == str(len(expected))
    assert response.headers["etag"] == f'"{hashlib.sha256(expected).hexdigest()}"'
    assert httpx.get(base + "dumps/conflictkg.trig", headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    head = httpx.head(base + "dumps/conflictkg.trig")
    assert head.headers["content-length"] == str(len(expected)) and head.content == b""


def test_a_dump_range_and_an_abandoned_download(release_server: tuple[str, Path]) -> None:
    """Ranges still answer 206 with the bytes asked for; a client that stops reading and hangs up in the
    middle of a download leaves the server answering."""
    base, release = release_server
    expected = (release / "conflictkg.trig").read_bytes()
    part = httpx.get(base + "dumps/conflictkg.trig", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == expected[1000:2000]
    parts = urlsplit(base)
    for _ in range(3):
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            sock.sendall(f"GET /dumps/conflictkg.trig HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    assert httpx.get(base + "dumps/conflictkg.trig", timeout=60).content == expected
