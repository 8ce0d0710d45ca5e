"""Test material: invented UCDP GED rows written by the tests themselves (never copied from UCDP).

Every row cites the invented outlet "Test Wire (invented)"; identifiers are made-up numbers in the 9000s.
Place names are real (allowed), figures and sources are not.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

from conflictkg.datasets.ged import COLUMNS


def ged_row(**overrides: object) -> dict[str, str]:
    """One invented state-based event in Deir ez-Zor; keyword arguments replace columns."""
    row: dict[str, object] = {
        "id": 900001, "relid": "TEST-2016-1-900001", "year": 2016, "active_year": 1, "code_status": "Clear",
        "type_of_violence": 1, "conflict_dset_id": 9301, "conflict_new_id": 9301,
        "conflict_name": "Testland: Government", "dyad_dset_id": 9401, "dyad_new_id": 9401,
        "dyad_name": "Government of Syria - IS", "side_a_dset_id": 9101, "side_a_new_id": 9101,
        "side_a": "Government of Syria", "side_b_dset_id": 9102, "side_b_new_id": 9102, "side_b": "IS",
        "number_of_sources": 2, "source_article": "Test Wire (invented),2016-01-17,'Fighting in test town'",
        "source_office": "Test Wire (invented)", "source_date": "2016-01-17",
        "source_headline": "Fighting in test town", "source_original": "invented activist",
        "where_prec": 1, "where_coordinates": "Ayyash village", "where_description": "north of the city (invented)",
        "adm_1": "Deir ez-Zor governorate", "adm_2": "Deir ez-Zor district", "latitude": "35.4051", "longitude": "40.0487",
        "geom_wkt": "POINT (40.0487 35.4051)", "priogrid_gid": 9999, "country": "Syria", "country_id": 652,
        "region": "Middle East", "event_clarity": 1, "date_prec": 1, "date_start": "2016-01-16 00:00:00.000",
        "date_end": "2016-01-16 00:00:00.000", "deaths_a": 40, "deaths_b": 0, "deaths_civilians": 130,
        "deaths_unknown": 0, "best": 170, "high": 200, "low": 150, "gwnoa": 652, "gwnob": "",
    }
    row.update(overrides)
    return {column: str(row[column]) for column in COLUMNS}


ONE_SIDED: dict[str, object] = dict(id=900002, type_of_violence=3, side_b="Civilians", side_b_new_id=1, side_b_dset_id=1, gwnob="",
                 dyad_new_id=9402, dyad_name="IS - civilians", conflict_new_id=9302, conflict_name="IS - civilians",
                 deaths_a=0, deaths_b=0, deaths_civilians=12, deaths_unknown=0, best=12, low=12, high=20,
                 side_a="IS", side_a_new_id=9102, side_a_dset_id=9102, gwnoa="",
                 conflict_dset_id=9302, dyad_dset_id=9402, date_prec=3, date_start="2016-01-17",
                 date_end="2016-01-20", where_prec=4, where_coordinates="Deir ez-Zor governorate", adm_2="")
"""An invented one-sided event: IS against civilians, dated within a week, located to the governorate."""


def ged_text(rows: list[dict[str, str]] | list[list[str]], header: bool = True) -> str:
    """CSV text of ``rows`` (dicts in the public layout, or raw field lists for broken rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS] if isinstance(row, dict) else row)
    return buffer.getvalue()


def write_ged(path: Path, rows: list[dict[str, str]] | list[list[str]], header: bool = True) -> Path:
    """Write ``rows`` as ``path`` (.csv, .csv.gz, or .zip holding one CSV)."""
    text = ged_text(rows, header)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(path.stem + ".csv", text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
