"""The real Apache Jena client (Debian's libapache-jena-java 4.5) against `conflictkg serve` and our dumps.

Jena's ``rsparql`` always sends its own Accept header (JSON first for SELECT/ASK, Turtle first for
CONSTRUCT/DESCRIBE), so the other wire formats are asked for with the endpoint's ``format`` parameter
in the service URL; Jena then picks its parser from our Content-Type. ``--results`` is the format Jena
writes its answer in, which the tests parse back. Over the real release, Jena dereferences every id/
IRI, runs the example queries and validates every dump with ``riot``. One JVM per case keeps each test
near a second.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.query import Result

from conflictkg.pipeline.release import (
    ASSERTED_DUMP,
    CONTEXT_FILE,
    CONTEXT_URL,
    JSONLD_DUMP,
    QUADS_DUMP,
    RDF_DUMPS,
    TRIG_DUMP,
    Release,
    graph_name,
)
from conflictkg.vocab import ALL_GRAPHS, ASSERTED_GRAPHS, DATA_GRAPH, ID, LINKS_GRAPH

from tests.example_graph import EXAMPLE

from .jena import Jena, missing

EXAMPLE_QUERIES = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "data" / "queries").glob("*.rq"))
"""The competency queries a release carries as queries/<name>.rq."""
EX = "http://example.org/"
ATTACK, AYYASH = URIRef(EX + "attack"), URIRef(EX + "ayyash")
LABELS = f"SELECT ?label {{ <{ATTACK}> <{RDFS.label}> ?label }} ORDER BY ?label"
LABELLED = {Literal("Attack on Ayyash", lang="en"), Literal("هجوم", lang="ar")}
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{ATTACK}>) }}"
WARNINGS = re.compile(r"\b(WARN|ERROR)\b|Exception")
"""What Jena logs or prints on stderr when something went wrong (rsparql exits 0 even after an exception)."""


@pytest.fixture(scope="module")
def jena(tmp_path_factory: pytest.TempPathFactory, live_server: str) -> Jena:
    """Jena's command-line classes, or a skip saying what to install; their class archive is made by
    an ``rsparql`` against the live server, the command most cases run."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    return Jena.install(tmp_path_factory.mktemp("jena"), service=_service(live_server))


def _service(base: str, wire: str = "") -> str:
    return f"{base}sparql?format={wire}" if wire else f"{base}sparql"


def _example_graph(subject: URIRef) -> set[tuple[object, object, object]]:
    """The triples of ``subject`` in the served example file, read by rdflib (the oracle)."""
    return set(Graph().parse(data=EXAMPLE, format="turtle").triples((subject, None, None)))


def _ok(run: subprocess.CompletedProcess[str]) -> str:
    """Jena's output of a run that exited 0 without a warning or an error."""
    assert run.returncode == 0 and not WARNINGS.search(run.stderr), run.stderr
    return run.stdout


def test_select_by_content_negotiation(jena: Jena, live_server: str) -> None:
    """With Jena's own Accept header (JSON first) the labels arrive with their language tags."""
    table = _ok(jena.run("arq.rsparql", "--service", _service(live_server), "--results", "TEXT", LABELS))
    assert '| "Attack on Ayyash"@en |' in table and '| "هجوم"@ar' in table


@pytest.mark.parametrize(("wire", "written"), [("json", "XML"), ("xml", "JSON"), ("tsv", "CSV"), ("csv", "TSV")])
def test_select_in_every_results_format(jena: Jena, live_server: str, wire: str, written: str) -> None:
    """Jena reads each SPARQL results format we send and writes it in another; CSV carries no language tags."""
    out = _ok(jena.run("arq.rsparql", "--service", _service(live_server, wire), "--results", written, LABELS))
    labels = {row[0] for row in Result.parse(io.StringIO(out), format=written.lower())}
    expected = LABELLED if "CSV" not in (wire.upper(), written) else {Literal(str(label)) for label in LABELLED}
    assert labels == expected


@pytest.mark.parametrize(
    ("wire", "query", "answer"),
    [
        ("", f"ASK {{ <{AYYASH}> a <{EX}Village> }}", "Yes"),
        ("xml", f"ASK {{ <{AYYASH}> a <{EX}Attack> }}", "No"),
        ("csv", f"ASK {{ <{ATTACK}> <{EX}place> <{AYYASH}> }}", "Yes"),
        ("csv", f"ASK {{ <{AYYASH}> <{EX}place> <{ATTACK}> }}", "No"),
    ],
)
def test_ask_in_results_formats(jena: Jena, live_server: str, wire: str, query: str, answer: str) -> None:
    """A boolean in CSV needs Jena's `_askResult` header. (Jena 4.5 reads no boolean from TSV, from any server:
    its TSV reader never calls its own booleanFromTSV; test_results checks our TSV form is the one Jena writes.)"""
    assert _ok(jena.run("arq.rsparql", "--service", _service(live_server, wire), query)).strip() == f"Ask => {answer}"


@pytest.mark.parametrize(
    ("wire", "written", "syntax"),
    [("", "TTL", "turtle"), ("ntriples", "NT", "nt"), ("rdfxml", "RDF/XML", "xml"), ("turtle", "RDF/XML", "xml")],
)
def test_construct_in_every_rdf_format(jena: Jena, live_server: str, wire: str, written: str, syntax: str) -> None:
    """Jena parses Turtle (its first choice), N-Triples and RDF/XML from us; its rewrite has the same triples."""
    out = _ok(jena.run("arq.rsparql", "--service", _service(live_server, wire), "--results", written, CONSTRUCT))
    assert set(Graph().parse(data=out, format=syntax)) == _example_graph(ATTACK)


def test_construct_as_json_ld_reads_in_jena(jena: Jena, live_server: str) -> None:
    """JSON-LD asked for by Accept, read by Jena's JSON-LD 1.0 parser (Debian's Jena cannot run its 1.1 one)."""
    response = httpx.get(
        live_server + "sparql", params={"query": CONSTRUCT}, headers={"Accept": "application/ld+json"}, timeout=30
    )
    assert response.headers["content-type"].startswith("application/ld+json")
    out = _ok(jena.run("riotcmd.riot", "--syntax=jsonld10", "--out=nt", stdin=response.content))
    assert set(Graph().parse(data=out, format="nt")) == _example_graph(ATTACK)


@pytest.mark.parametrize("post", [False, True], ids=["GET", "POST"])
def test_describe_with_arabic_in_the_query(jena: Jena, live_server: str, post: bool) -> None:
    """A non-ASCII query survives Jena's URL encoding (GET) and its application/sparql-query body (POST)."""
    query = f'DESCRIBE ?place {{ ?event <{RDFS.label}> "هجوم"@ar ; <{EX}place> ?place }}'
    args = ["--service", _service(live_server), "--results", "TTL", query]
    out = _ok(jena.run("arq.rsparql", *(["--post"] if post else []), *args))
    described = set(Graph().parse(data=out, format="turtle"))
    assert described == _example_graph(AYYASH)
    assert (AYYASH, RDF.type, URIRef(EX + "Village")) in described


def test_update_from_jena_is_refused(jena: Jena, live_server: str) -> None:
    """Jena's rupdate gets a 4xx (it exits non-zero) and the data stays as it was."""
    insert = f"INSERT DATA {{ <{EX}intruder> a <{EX}Village> }}"
    run = jena.run("arq.rupdate", "--service", _service(live_server), insert)
    assert run.returncode != 0 and "403" in run.stderr
    after = httpx.get(live_server + "sparql", params={"query": f"ASK {{ <{EX}intruder> ?p ?o }}"}, timeout=30)
    assert json.loads(after.content)["boolean"] is False


def test_jena_reads_the_service_description(jena: Jena, live_server: str) -> None:
    """Jena dereferences /sparql with its RDF Accept header and finds the endpoint and its formats."""
    query = (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
        "SELECT ?endpoint ?format { ?service sd:endpoint ?endpoint ; sd:resultFormat ?format }"
    )
    out = _ok(jena.run("arq.sparql", "--data", _service(live_server), "--results", "CSV", query))
    rows = list(Result.parse(io.StringIO(out), format="csv"))
    assert {str(row[0]) for row in rows} == {live_server + "sparql"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in {str(row[1]) for row in rows}


def _counts(stderr: str) -> dict[str, int]:
    """riot --count's lines `file:///PATH : Triples = 1,101` → {PATH: 1101}."""
    counts: dict[str, int] = {}
    for match in re.finditer(r"^file://(\S+) : (?:Triples|Quads) = ([\d,]+)$", stderr, re.MULTILINE):
        counts[match.group(1)] = int(match.group(2).replace(",", ""))
    return counts


def test_riot_validation_flags_an_ill_typed_literal(jena: Jena, tmp_path: Path) -> None:
    """The check the dumps pass is not vacuous: `"abc"^^xsd:integer` makes riot warn and exit non-zero."""
    broken = tmp_path / "broken.ttl"
    broken.write_text(f'<{EX}a> <{EX}count> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', encoding="utf-8")
    run = jena.run("riotcmd.riot", "--validate", "--count", str(broken))
    assert run.returncode != 0 and WARNINGS.search(run.stderr) and "not valid for datatype" in run.stderr


@pytest.mark.slow
def test_riot_validates_every_dump_of_the_release(jena: Jena, real_release: Release, tmp_path: Path) -> None:
    """Jena's strict checks (IRIs, ill-typed literals, language tags) pass on each dump, with the manifest's counts."""
    rdf = [e.path for e in real_release.files
           if any(e.path.endswith(s) for s in RDF_DUMPS) and e.path not in (JSONLD_DUMP, CONTEXT_FILE)]
    run = jena.run("riotcmd.riot", "--validate", "--count", *(str(real_release.path(n)) for n in rdf))
    assert run.returncode == 0 and not WARNINGS.search(run.stderr), run.stderr
    root = real_release.root.resolve()
    counts = {Path(path).relative_to(root).as_posix(): n for path, n in _counts(run.stderr).items()}
    graphs = dict(real_release.graphs)  # the fixed five and the derived graph (and any report's)
    assert set(map(str, ALL_GRAPHS)) <= set(graphs)
    assert counts[TRIG_DUMP] == counts[QUADS_DUMP] == sum(graphs.values())
    assert counts[ASSERTED_DUMP] == sum(graphs[str(iri)] for iri in ASSERTED_GRAPHS)
    for iri in graphs:
        assert counts[f"graphs/{graph_name(URIRef(iri))}.ttl"] == graphs[iri]
    assert set(counts) == set(rdf)

    document = json.loads(real_release.path(JSONLD_DUMP).read_text(encoding="utf-8"))
    assert document["@context"] == CONTEXT_URL, "the dump refers to its published context"
    document["@context"] = json.loads(real_release.path(CONTEXT_FILE).read_text(encoding="utf-8"))["@context"]
    inlined = tmp_path / "conflictkg.jsonld"
    inlined.write_text(json.dumps(document), encoding="utf-8")
    run = jena.run("riotcmd.riot", "--validate", "--count", "--syntax=jsonld10", str(inlined))
    assert run.returncode == 0 and not WARNINGS.search(run.stderr), run.stderr
    assert list(_counts(run.stderr).values()) == [graphs[str(DATA_GRAPH)] + graphs[str(LINKS_GRAPH)]]


def _resources(release: Release) -> list[URIRef]:
    """Every IRI under id/ that occurs in the data or links graph of ``release``."""
    graph = Graph()
    for iri in (DATA_GRAPH, LINKS_GRAPH):
        graph.parse(release.path(f"graphs/{graph_name(iri)}.ttl"), format="turtle")
    nodes = {node for triple in graph for node in triple}
    return sorted(n for n in nodes if isinstance(n, URIRef) and str(n).startswith(str(ID)))


@pytest.mark.slow
def test_jena_dereferences_every_resource(jena: Jena, real_live_server: str, real_release: Release) -> None:
    """Each id/ IRI, fetched by Jena at its local URL (Turtle by Jena's Accept, N-Triples, RDF/XML in turn),
    parses under Jena's checks and describes that IRI."""
    resources = _resources(real_release)
    assert len(resources) > 100
    forms = ("", "?format=nt", "?format=rdf")
    urls = {
        f"{real_live_server}id/{str(iri).removeprefix(str(ID))}{forms[i % len(forms)]}": str(iri)
        for i, iri in enumerate(resources)
    }
    query = (
        "SELECT DISTINCT ?g ?x " + " ".join(f"FROM NAMED <{url}>" for url in urls)
        + f" WHERE {{ GRAPH ?g {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }} FILTER(STRSTARTS(STR(?x), '{ID}')) }}"
    )
    out = _ok(jena.run("arq.sparql", "--results", "CSV", query))
    mentioned: dict[str, set[str]] = {}
    for row in Result.parse(io.StringIO(out), format="csv"):
        mentioned.setdefault(str(row[0]), set()).add(str(row[1]))
    assert set(mentioned) == set(urls)
    assert all(iri in mentioned[url] for url, iri in urls.items())


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLE_QUERIES)
def test_example_queries_through_jena(jena: Jena, real_live_server: str, real_release: Release, name: str) -> None:
    """Jena's rsparql gets the same solutions for each example query of the release as a plain HTTP client."""
    query = real_release.path(f"queries/{name}").read_text(encoding="utf-8")
    out = _ok(jena.run("arq.rsparql", "--service", real_live_server + "sparql", "--results", "JSON", query))
    direct = httpx.get(real_live_server + "sparql", params={"query": query}, timeout=60)
    assert direct.status_code == 200
    solutions = _solutions(json.loads(out))
    assert solutions and solutions == _solutions(json.loads(direct.content))


def _solutions(document: dict[str, object]) -> list[tuple[tuple[str, str, str], ...]]:
    """SPARQL JSON results as sorted rows of (variable, value, language or datatype); blank nodes as `_`."""
    rows = []
    for binding in document["results"]["bindings"]:  # type: ignore[index]
        rows.append(tuple(sorted(
            (var, "_" if term["type"] == "bnode" else term["value"], term.get("xml:lang") or term.get("datatype", ""))
            for var, term in binding.items()
        )))
    return sorted(rows)
