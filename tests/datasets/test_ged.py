"""UCDP GED import: the public layout in (header or not, csv/gzip/zip), our ontology out, bad rows handled."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from conflictkg.datasets import DatasetError
from conflictkg.datasets.ged import COLUMNS, import_ged, import_name
from conflictkg.pipeline.build import validate_asserted
from conflictkg.pipeline.sources import load
from conflictkg.vocab import CKG, GEO, GRAPH, ID

from .ged_files import ONE_SIDED, ged_row, write_ged



def _graph(path: Path) -> Graph:
    return Graph().parse(data=gzip.decompress(path.read_bytes()).decode(), format="nt")


def test_columns_are_the_public_layout() -> None:
    assert len(COLUMNS) == 49
    assert COLUMNS[:3] == ("id", "relid", "year") and COLUMNS[-2:] == ("gwnoa", "gwnob")


@pytest.mark.parametrize("name", ["events.csv", "events.csv.gz", "events.zip"])
@pytest.mark.parametrize("header", [True, False], ids=["header", "no-header"])
def test_every_file_form_gives_the_same_graph(project: Path, tmp_path: Path, name: str, header: bool) -> None:
    source = write_ged(tmp_path / name, [ged_row(), ged_row(**ONE_SIDED)], header=header)
    summary = import_ged(source, project, "test")
    assert (summary.rows, summary.imported, summary.bad) == (2, 2, [])
    graph = _graph(project / "data/imports/test.nt.gz")
    assert len(graph) == summary.triples
    reference = write_ged(tmp_path / "reference.csv", [ged_row(), ged_row(**ONE_SIDED)])
    other = tmp_path / "other"
    shutil.copytree(project, other, ignore=shutil.ignore_patterns("imports"))
    import_ged(reference, other, "test")
    reference_graph = _graph(other / "data/imports/test.nt.gz")
    strip = {DCTERMS.title, URIRef("http://www.w3.org/ns/prov#generatedAtTime"), CKG.rowNumber}
    assert {t for t in graph if t[1] not in strip} == {t for t in reference_graph if t[1] not in strip}


def test_event_is_typed_through_the_skos_scheme(project: Path, tmp_path: Path) -> None:
    import_ged(write_ged(tmp_path / "g.csv", [ged_row(), ged_row(**ONE_SIDED)]), project, "test")
    graph = _graph(project / "data/imports/test.nt.gz")
    clash, killing = ID["event/ucdp-ged-900001"], ID["event/ucdp-ged-900002"]
    assert (clash, RDF.type, CKG.ArmedClash) in graph
    assert (clash, CKG.eventType, CKG["UCDP-StateBased"]) in graph
    assert (killing, RDF.type, CKG.Killing) in graph
    assert (killing, CKG.target, ID["actor/ucdp-1"]) in graph
    assert (ID["actor/ucdp-1"], RDF.type, CKG.PopulationGroup) in graph


def test_sides_dates_places_and_casualties(project: Path, tmp_path: Path) -> None:
    import_ged(write_ged(tmp_path / "g.csv", [ged_row(), ged_row(**ONE_SIDED)]), project, "test")
    graph = _graph(project / "data/imports/test.nt.gz")
    event = ID["event/ucdp-ged-900001"]
    army = ID["actor/ucdp-9101"]
    assert (event, CKG.sideA, army) in graph and (army, RDF.type, CKG.StateForce) in graph
    assert (army, CKG.ucdpId, Literal("9101")) in graph and (army, CKG.gwCode, Literal("652")) in graph
    assert (ID["actor/ucdp-9102"], RDF.type, CKG.ArmedGroup) in graph
    assert (event, CKG.startDate, Literal("2016-01-16", datatype=XSD.date)) in graph
    assert (event, CKG.datePrecision, CKG["UCDP-DatePrecision-1"]) in graph
    assert (event, CKG.placePrecision, CKG["UCDP-WherePrecision-1"]) in graph
    place = graph.value(event, CKG.place)
    assert graph.value(place, RDFS.label) == Literal("Ayyash village", lang="en")
    wkt = graph.value(graph.value(place, GEO.hasGeometry), GEO.asWKT)
    assert str(wkt) == "POINT(40.0487 35.4051)"
    # adm_2 and adm_1 match the project's own areas by name key: the place lies inside them
    assert (place, CKG.locatedIn, ID["place/deir-ezzor-district"]) in graph
    total = graph.value(event, CKG.casualtyReport)
    assert (total, CKG["count"], Literal(170, datatype=XSD.nonNegativeInteger)) in graph
    assert (total, CKG.lowEstimate, Literal(150, datatype=XSD.nonNegativeInteger)) in graph
    assert (total, CKG.highEstimate, Literal(200, datatype=XSD.nonNegativeInteger)) in graph
    parts = {graph.value(p, CKG.victimGroup): int(graph.value(p, CKG["count"])) for p in graph.objects(total, CKG.breakdown)}
    assert parts == {ID["actor/ucdp-9101-personnel"]: 40, ID["actor/ucdp-civilians"]: 130}
    record = graph.value(event, CKG.record)
    assert (record, CKG.sourceOffice, Literal("Test Wire (invented)")) in graph
    assert (record, DCTERMS.isPartOf, GRAPH["import/test"]) in graph
    claim = next(graph.subjects(CKG.about, event))
    assert (claim, CKG.claimedBy, ID["actor/ucdp"]) in graph


def test_country_is_linked_only_to_a_real_match(project: Path, tmp_path: Path) -> None:
    row = ged_row(id=900003, country="Iraq", country_id=645, adm_1="Nineveh governorate", adm_2="",
                  where_coordinates="Test village", latitude="36.3", longitude="43.1")
    import_ged(write_ged(tmp_path / "g.csv", [ged_row(), row]), project, "test")
    graph = _graph(project / "data/imports/test.nt.gz")
    syria_places = set(graph.subjects(CKG.gwCode, Literal("652")))
    assert ID["place/syria"] in syria_places  # the project's own Syria, whose links are curated
    iraq = ID["place/ucdp-country-645"]
    assert (iraq, RDF.type, CKG.AdministrativeArea) in graph
    matches = list(graph.objects(iraq, SKOS.exactMatch))
    assert all(str(m).startswith("https://sws.geonames.org/") for m in matches)


def test_imported_graph_is_asserted_and_conforms(project: Path, tmp_path: Path) -> None:
    import_ged(write_ged(tmp_path / "g.csv", [ged_row(), ged_row(**ONE_SIDED)]), project, "test")
    sources = load(project)
    assert GRAPH["import/test"] in sources.asserted_graphs()
    validation = validate_asserted(sources)
    assert validation.conforms, validation.describe()


BAD_ROWS = [
    (["1", "2", "3"], "wrong column count"),
    (list(ged_row(id=900010, date_start="16/01/2016").values()), "unparseable date"),
    (list(ged_row(id=900011, best="many").values()), "unparseable number"),
    (list(ged_row(id=900012, latitude="95.0").values()), "coordinates outside the world"),
    (list(ged_row(id=900013, longitude="-181").values()), "coordinates outside the world"),
    (list(ged_row(id=900001).values()), "duplicate id"),
]


def test_bad_rows_are_reported_by_line_and_skipped(project: Path, tmp_path: Path) -> None:
    rows = [ged_row(), *[fields for fields, _ in BAD_ROWS], ged_row(**ONE_SIDED)]
    reported: list[str] = []
    summary = import_ged(write_ged(tmp_path / "g.csv", rows), project, "test", report_bad=reported.append)
    assert summary.imported == 2
    assert [(b.line, b.reason.split(":")[0]) for b in summary.bad] == [
        (line, reason) for line, (_, reason) in enumerate(BAD_ROWS, start=3)
    ]
    assert len(reported) == len(BAD_ROWS) and "g.csv:line 3: wrong column count" in reported[0]
    assert "skipped 6 bad rows" in summary.describe()


def test_strict_refuses_the_whole_import(project: Path, tmp_path: Path) -> None:
    good = write_ged(tmp_path / "good.csv", [ged_row()])
    import_ged(good, project, "test")
    before = (project / "data/imports/test.nt.gz").read_bytes()
    bad = write_ged(tmp_path / "bad.csv", [ged_row(id=900005), list(ged_row(id=900006, low="300").values())])
    with pytest.raises(DatasetError, match=r"bad.csv:3: inconsistent estimates.*--strict"):
        import_ged(bad, project, "test", strict=True)
    assert (project / "data/imports/test.nt.gz").read_bytes() == before
    assert [p.name for p in (project / "data/imports").iterdir()] == ["test.nt.gz"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"a,b,c\n1,2,3\n", "no header row and 3 columns"),
        (b"id,type_of_violence\n1,1\n", "header lacks GED columns"),
        (b"\xff\xfe not utf-8", "cannot read as UTF-8"),
    ],
)
def test_unusable_files_are_refused(project: Path, tmp_path: Path, content: bytes, message: str) -> None:
    source = tmp_path / "broken.csv"
    source.write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        import_ged(source, project, "test")
    assert not list((project / "data/imports").glob("*"))


def test_broken_archives_are_refused(project: Path, tmp_path: Path) -> None:
    for name in ("broken.zip", "broken.csv.gz"):
        (tmp_path / name).write_bytes(b"not an archive")
        with pytest.raises(DatasetError, match="cannot read"):
            import_ged(tmp_path / name, project, "test")


def test_import_names() -> None:
    assert import_name(None, Path("GEDEvent_v23_1.csv.zip")) == "gedevent-v23-1"
    assert import_name("ged-2016", Path("x.csv")) == "ged-2016"
    with pytest.raises(DatasetError, match="lower-case"):
        import_name("../evil", Path("x.csv"))


def test_cli_import(project: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from conflictkg.cli import app

    source = write_ged(tmp_path / "g.csv.gz", [ged_row(), ["1", "2"]])
    runner = CliRunner()
    result = runner.invoke(app, ["import", "ucdp-ged", str(source), "--name", "cli", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert "imported 1 of 2 rows" in result.stdout and "skipped 1 bad rows" in result.stdout
    assert "line 3: wrong column count" in result.stderr
    strict = runner.invoke(app, ["import", "ucdp-ged", str(source), "--strict", "--name", "other", "--root", str(project)])
    assert strict.exit_code == 1 and "error:" in strict.stderr and "Traceback" not in strict.output
    assert not (project / "data/imports/other.nt.gz").exists()


def test_release_holds_the_import_graph_with_licence_in_void(imported_release) -> None:  # noqa: ANN001
    import json

    from conflictkg.store import Store

    manifest = json.loads((imported_release.root / "manifest.json").read_text())
    graph = str(GRAPH["import/test"])
    assert manifest["graphs"][graph] > 0
    assert (imported_release.root / "graphs/import/test.ttl").is_file()
    void = Graph().parse(imported_release.root / "void.ttl")
    assert (URIRef(graph), DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    assert (URIRef(graph), DCTERMS.creator, ID["actor/ucdp"]) in void
    assert void.value(URIRef(graph), DCTERMS.bibliographicCitation) is not None
    store = Store.from_release(imported_release.root)
    assert graph in (store.default_graphs or [])
    assert store.query("ASK { ?e <https://w3id.org/conflictkg/ontology#record> ?r }").__bool__()  # type: ignore[union-attr]
