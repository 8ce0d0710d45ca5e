"""No outbound connection on a user's behalf, whatever the input says.

A listener on 127.0.0.1 records every connection made to it. Each input format that ``serve FILE`` reads
(Turtle, TriG, N-Triples, N-Quads, JSON-LD with a remote ``@context``, RDF/XML with an external entity
and an external DTD) and the build's inputs (an ontology that ``owl:imports`` it, a shape whose SPARQL
constraint calls it with SERVICE) point at the listener; after loading, building and querying (SERVICE,
LOAD, FROM, default-graph-uri), it must have seen no connection. Refusing the input with a message is
fine; fetching is not.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conflictkg.pipeline import PipelineError
from conflictkg.pipeline.build import build
from conflictkg.store import Store, StoreError
from conflictkg.web.app import create_app
from conflictkg.web.config import ServerConfig

FIXTURE_PROJECT = Path(__file__).resolve().parent / "fixtures" / "pipeline" / "project"


class Listener:
    """A TCP listener on a free port of 127.0.0.1 that accepts, records and closes every connection."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(peer)
            connection.close()

    def settle(self) -> list[tuple[str, int]]:
        """The connections made so far. A sentinel connection of our own is made now and waited for:
        the listener accepts connections in the order they arrive, so once the sentinel is seen, every
        connection the code under test made before this call has been recorded (no fixed pause)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sentinel:
            mine = sentinel.getsockname()
        deadline = time.monotonic() + 5
        while mine not in self.connections:
            assert time.monotonic() < deadline, "the listener stopped accepting"
            time.sleep(0.005)
        return [peer for peer in self.connections if peer != mine]

    def close(self) -> None:
        self._stop.set()
        try:
            self.socket.shutdown(socket.SHUT_RDWR)  # wakes the waiting accept now, not at its next timeout
        except OSError:
            pass
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    spy = Listener()
    try:
        yield spy
    finally:
        spy.close()


def test_the_listener_does_record_connections(listener: Listener) -> None:
    """The control: a real connection is seen (so an empty record below means none was made)."""
    socket.create_connection(("127.0.0.1", listener.port), timeout=5).close()
    assert len(listener.settle()) == 1


TURTLE = """@base <{url}base/> .
@prefix ex: <{url}ns#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<{url}onto> a owl:Ontology ; owl:imports <{url}imported.ttl> .
ex:a ex:p <relative> ; <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{url}more.ttl> .
"""
INPUTS = {
    "data.ttl": TURTLE,
    "data.trig": "<{url}graph> {{ " + TURTLE.split("\n", 3)[3].replace("ex:", "<{url}ns#>").replace("<{url}ns#>a", "<{url}ns#a>") + " }}",
    "data.nt": "<{url}a> <http://www.w3.org/2002/07/owl#imports> <{url}imported.nt> .\n",
    "data.nq": "<{url}a> <http://www.w3.org/2002/07/owl#imports> <{url}imported.nq> <{url}graph> .\n",
    "remote-context.jsonld": '{{"@context": "{url}context.jsonld", "@id": "{url}a", "p": "x"}}',
    "context-list.jsonld": '{{"@context": ["{url}one.jsonld", {{"p": "{url}p"}}], "@id": "{url}a", "p": "x"}}',
    "imported-context.jsonld": '{{"@context": {{"@import": "{url}import.jsonld", "p": "{url}p"}}, "@id": "{url}a", "p": "x"}}',
    "external-entity.rdf": """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ext SYSTEM "{url}entity.xml"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{url}ns#">
  <rdf:Description rdf:about="{url}a"><ex:p>&ext;</ex:p></rdf:Description>
</rdf:RDF>
""",
    "external-dtd.rdf": """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF SYSTEM "{url}rdf.dtd">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{url}ns#">
  <rdf:Description rdf:about="{url}a"><ex:p>x</ex:p></rdf:Description>
</rdf:RDF>
""",
    "parameter-entity.owl": """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY % remote SYSTEM "{url}remote.dtd"> %remote; ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="{url}a"/></rdf:RDF>
""",
}


@pytest.mark.parametrize("name", list(INPUTS))
def test_serving_a_file_fetches_nothing(listener: Listener, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(INPUTS[name].format(url=listener.url), encoding="utf-8")
    try:
        store = Store.from_files([path])
    except StoreError as refused:
        assert name in str(refused), "a refusal names the file"
    else:
        assert len(store.engine) >= 1
    assert listener.settle() == [], f"reading {name} connected to the listener"


def test_building_a_project_fetches_nothing(listener: Listener, tmp_path: Path) -> None:
    """owl:imports in the ontology, SERVICE and FROM inside a SHACL-SPARQL constraint are never followed
    (SERVICE is refused with a message, not a traceback)."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE_PROJECT, project)
    ontology = next((project / "ontology").glob("*.ttl"))
    ontology.write_text(ontology.read_text("utf-8") + f"""
<https://w3id.org/conflictkg/ontology> <http://www.w3.org/2002/07/owl#imports> <{listener.url}imported.ttl> .
""", encoding="utf-8")
    (project / "shapes" / "remote.ttl").write_text(f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://w3id.org/conflictkg/shapes#Remote> a sh:NodeShape ;
  sh:targetClass <https://w3id.org/conflictkg/ontology#Place> ;
  sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{listener.url}sparql> {{ ?x ?y ?z }} }}" ] .
""", encoding="utf-8")
    with pytest.raises(PipelineError, match="must not contain a federated query|cannot use SERVICE"):
        build(project)
    (project / "shapes" / "remote.ttl").write_text(f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://w3id.org/conflictkg/shapes#Remote> a sh:NodeShape ;
  sh:targetClass <https://w3id.org/conflictkg/ontology#Place> ;
  sh:sparql [ sh:select "SELECT $this FROM <{listener.url}g.ttl> WHERE {{ $this ?p <{listener.url}x> }}" ] .
""", encoding="utf-8")
    try:  # a FROM is ignored (pySHACL) or refused as an unsupported feature (pyshacl-turbo): never fetched
        assert build(project).version
    except PipelineError as exc:
        assert "the SHACL shapes cannot be applied" in str(exc)
    assert listener.settle() == [], "the build connected to the listener"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("outbound") / "tiny.ttl"
    path.write_text('<http://example.org/a> <http://example.org/p> "x" .\n', encoding="utf-8")
    with TestClient(create_app(ServerConfig(files=[path], query_workers=1))) as client:
        yield client


def test_queries_fetch_nothing(listener: Listener, served: TestClient) -> None:
    url = listener.url
    answers = [
        served.get("/sparql", params={"query": f"SELECT * {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}"}),
        served.get("/sparql", params={"query": f"SELECT * {{ SERVICE SILENT <{url}sparql> {{ ?s ?p ?o }} }}"}),
        served.post("/sparql", data={"update": f"LOAD <{url}data.ttl>"}),
        served.post("/sparql", content=f"LOAD <{url}data.ttl>", headers={"Content-Type": "application/sparql-update"}),
        served.get("/sparql", params={"query": f"SELECT * FROM <{url}data.ttl> {{ ?s ?p ?o }}"}),
        served.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": f"{url}data.ttl"}),
        served.get("/sparql", params={"query": f"DESCRIBE <{url}a>"}),
        served.get("/reconcile", params={"query": url}),
    ]
    assert all(a.status_code < 500 for a in answers), [(a.status_code, a.text[:80]) for a in answers]
    assert listener.settle() == [], "a query made the server connect to the listener"
