"""The `link` and `reconcile` commands: output, and exit codes on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS
from typer.testing import CliRunner

from conflictkg.cli import app
from conflictkg.vocab import ID

runner = CliRunner()


def _data(tmp_path: Path, fixtures: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("places.ttl", "links.ttl"):
        shutil.copy(fixtures / name, data / name)
    return data


def test_link_writes_the_links_graph(tmp_path: Path, fixtures: Path) -> None:
    out = tmp_path / "links-out.ttl"
    result = runner.invoke(app, ["link", "--data", str(_data(tmp_path, fixtures)), "-g", str(fixtures / "SY.zip"),
                                 "--no-default", "-o", str(out)])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(out)
    assert (ID["place/baghiliyah"], SKOS.closeMatch, URIRef("https://sws.geonames.org/171236/")) in graph


def test_reconcile_prints_ranked_candidates(tmp_path: Path, fixtures: Path) -> None:
    result = runner.invoke(app, ["reconcile", "Begayliya", "--within", "Deir Ezzor", "--data",
                                 str(_data(tmp_path, fixtures)), "-g", str(fixtures / "SY.txt"), "--limit", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "place/baghiliyah" in lines[0] and "sws.geonames.org/171236/" in lines[1]


def test_bad_input_exits_2_with_a_message(tmp_path: Path, fixtures: Path) -> None:
    data = _data(tmp_path, fixtures)
    missing = runner.invoke(app, ["link", "--data", str(data), "-g", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2 and "no such gazetteer file" in missing.output
    (data / "broken.ttl").write_text("@prefix : <x> .\n:a :b", encoding="utf-8")
    broken = runner.invoke(app, ["link", "--data", str(data), "--no-default"])
    assert broken.exit_code == 2 and "broken.ttl" in broken.output
    bad_type = runner.invoke(app, ["reconcile", "x", "--type", "Planet", "--data", str(tmp_path / "nodata")])
    assert bad_type.exit_code == 2
