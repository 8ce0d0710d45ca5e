"""Exports in ACLED's and UCDP GED's layouts: the round trip GED → graph → GED, the documented rules,
filters, the command and the web route. Exports are read back with pandas and with Python's csv."""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from conflictkg.datasets.export import ACLED_COLUMNS, FilterError, Filters, export_release
from conflictkg.datasets.ged import COLUMNS

from .ged_files import ONE_SIDED, ged_row

EVENT = "https://w3id.org/conflictkg/id/event/"
DATE_COLUMNS = {"date_start", "date_end"}
NUMBER_COLUMNS = {"latitude", "longitude"}


def _export(release_root: Path, layout: str, tmp_path: Path, *where: str) -> Path:
    out = tmp_path / f"{layout}.csv"
    export_release(release_root, layout, out, Filters.from_expressions(where))
    return out


def _same(column: str, given: str, exported: str) -> bool:
    """Values equal as the column's type: dates by day, coordinates as numbers, WKT by its numbers."""
    if column in DATE_COLUMNS:
        return date.fromisoformat(given[:10]) == date.fromisoformat(exported[:10])
    if column in NUMBER_COLUMNS:
        return math.isclose(float(given), float(exported))
    if column == "geom_wkt":
        numbers = lambda text: [float(x) for x in text.replace("POINT", "").strip(" ()").split()]  # noqa: E731
        return numbers(given) == numbers(exported)
    return given.strip() == exported.strip()


def test_ged_round_trip_gives_back_every_column(imported_release, tmp_path: Path) -> None:  # noqa: ANN001
    out = _export(imported_release.root, "ucdp-ged", tmp_path, "source=test")
    with out.open(newline="", encoding="utf-8") as stream:
        exported = {row["id"]: row for row in csv.DictReader(stream)}
    given = {r["id"]: r for r in (ged_row(), ged_row(**{k: str(v) for k, v in ONE_SIDED.items()}))}
    assert set(exported) == set(given)
    for ged_id, row in given.items():
        different = {c: (row[c], exported[ged_id][c]) for c in COLUMNS if not _same(c, row[c], exported[ged_id][c])}
        assert not different, f"GED id {ged_id}: {different}"
        assert exported[ged_id]["event_iri"] == f"{EVENT}ucdp-ged-{ged_id}"


def test_ged_export_reads_in_pandas(imported_release, tmp_path: Path) -> None:  # noqa: ANN001
    out = _export(imported_release.root, "ucdp-ged", tmp_path)
    frame = pd.read_csv(out, parse_dates=["date_start", "date_end"], dtype={"id": "string"})
    assert list(frame.columns) == [*COLUMNS, "event_iri"]
    imported = frame[frame["id"].notna()].set_index("id")
    assert imported.loc["900001", "best"] == 170 and imported.loc["900001", "low"] == 150
    assert imported.loc["900002", "date_end"] == pd.Timestamp("2016-01-20")
    assert frame["event_iri"].is_unique and len(frame) > 2  # the article's events are exported too


def test_acled_layout_and_rules(imported_release, tmp_path: Path) -> None:  # noqa: ANN001
    out = _export(imported_release.root, "acled", tmp_path)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == [*ACLED_COLUMNS, "event_iri"]
    rows = frame.set_index("event_iri")
    clash = rows.loc[f"{EVENT}ucdp-ged-900001"]
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")
    assert (clash["inter1"], clash["inter2"], clash["interaction"]) == ("1", "2", "12")
    assert clash["fatalities"] == "150"  # the most conservative figure: UCDP's low estimate
    assert (clash["time_precision"], clash["geo_precision"]) == ("1", "1")
    assert (clash["iso"], clash["country"], clash["event_id_cnty"]) == ("760", "Syria", "SYR-ucdp-ged-900001")
    killing = rows.loc[f"{EVENT}ucdp-ged-900002"]
    assert (killing["event_type"], killing["sub_event_type"]) == ("Violence against civilians", "Attack")
    assert (killing["civilian_targeting"], killing["inter2"], killing["interaction"]) == ("Civilian targeting", "7", "27")
    assert (killing["time_precision"], killing["geo_precision"]) == ("2", "3")
    # reported events: figures by claimant, "dozens" as 12, a claimant's figures for distinct groups add up
    assert rows.loc[f"{EVENT}is-beheadings", "fatalities"] == "12"
    assert rows.loc[f"{EVENT}is-murders-troops-and-civilians", "fatalities"] == "170"
    attack = rows.loc[f"{EVENT}is-multi-front-attack"]
    assert attack["fatalities"] == "150" and attack["event_date"] == "2016-01-16"
    recapture = rows.loc[f"{EVENT}army-recaptures-ayyash"]
    assert recapture["sub_event_type"] == "Government regains territory" and recapture["geo_precision"] == "1"
    assert int(clash["timestamp"]) > 0


def test_filters(imported_release, tmp_path: Path) -> None:  # noqa: ANN001
    def ids(*where: str) -> set[str]:
        with _export(imported_release.root, "acled", tmp_path, *where).open(newline="") as stream:
            return {row["event_iri"].rsplit("/", 1)[-1] for row in csv.DictReader(stream)}

    assert ids("source=import") == {"ucdp-ged-900001", "ucdp-ged-900002"}
    assert "ucdp-ged-900001" not in ids("source=reports")
    assert ids("source=test", "type=Killing") == {"ucdp-ged-900002"}
    assert ids("source=test", "from=2016-01-17") == {"ucdp-ged-900002"}
    assert ids("source=test", "to=2016-01-16") == {"ucdp-ged-900001"}
    assert ids("country=Iraq") == set()
    assert "ucdp-ged-900001" in ids("country=syria")


@pytest.mark.parametrize("where", ["colour=red", "from=yesterday", "type=../x", "nokey"])
def test_bad_filters_are_refused(where: str) -> None:
    with pytest.raises(FilterError):
        Filters.from_expressions([where])


def test_cli_export(imported_release, tmp_path: Path) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from conflictkg.cli import app

    runner = CliRunner()
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["export", "ucdp-ged", str(out), "--release", str(imported_release.root),
                                 "--where", "source=test"])
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == 2
    bad = runner.invoke(app, ["export", "acled", str(out), "--release", str(imported_release.root), "--where", "x=1"])
    assert bad.exit_code == 2 and "unknown filter" in bad.stderr
    missing = runner.invoke(app, ["export", "acled", str(out), "--release", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "conflictkg build" in missing.stderr


def test_web_export(imported_release) -> None:  # noqa: ANN001
    from conflictkg.web.app import create_app
    from conflictkg.web.config import ServerConfig

    client = TestClient(create_app(ServerConfig(release_dir=imported_release.root, query_workers=1)))
    response = client.get("/export/ucdp-ged.csv", params={"source": "test", "type": "ArmedClash"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == ["900001"]
    acled = client.get("/export/acled.csv")
    assert acled.status_code == 200 and acled.text.startswith(",".join(ACLED_COLUMNS))
    assert client.get("/export/acled.csv", params={"from": "soon"}).status_code == 400
    assert client.get("/export/acled.csv", params={"colour": "red"}).status_code == 400
    assert client.get("/export/acled.csv?country=Syria&country=Iraq").status_code == 400
    assert client.get("/export/other.csv").status_code == 404
