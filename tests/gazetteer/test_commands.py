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


PROJECT = Path(__file__).resolve().parents[2]


def _project(tmp_path: Path) -> Path:
    """A copy of the real project's inputs, so that `link` can build a release from it."""
    root = tmp_path / "project"
    for part in ("ontology", "shapes", "data"):
        shutil.copytree(PROJECT / part, root / part)
    return root


def test_link_publishes_the_links_graph_in_the_release(tmp_path: Path, fixtures: Path) -> None:
    root = _project(tmp_path)
    out = tmp_path / "links-out.ttl"
    result = runner.invoke(app, ["link", "--root", str(root), "-g", str(fixtures / "SY.zip"), "--no-default",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Begayliya" in result.output and "agrees with curated GeoNames 171236" in result.output
    link = (ID["place/baghiliyah"], SKOS.closeMatch, URIRef("https://sws.geonames.org/171236/"))
    assert link in Graph().parse(out)
    assert link in Graph().parse(root / "dist" / "graphs" / "links.ttl")


def test_reconcile_prints_ranked_candidates(tmp_path: Path, fixtures: Path) -> None:
    result = runner.invoke(app, ["reconcile", "Begayliya", "--within", "Deir Ezzor", "--data",
                                 str(_data(tmp_path, fixtures)), "-g", str(fixtures / "SY.txt"), "--limit", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "place/baghiliyah" in lines[0] and "sws.geonames.org/171236/" in lines[1]
    geonames = runner.invoke(app, ["reconcile", "Begayliya", "--within", "Deir Ezzor", "--type", "GeoNames place",
                                   "--data", str(tmp_path / "data"), "-g", str(fixtures / "SY.txt")])
    assert geonames.exit_code == 0, geonames.output
    first = geonames.output.splitlines()[0]
    assert "sws.geonames.org/171236/" in first and " match " in first and "score" in first


def test_bad_input_exits_non_zero_with_a_message(tmp_path: Path, fixtures: Path) -> None:
    root = _project(tmp_path)
    missing = runner.invoke(app, ["link", "--root", str(root), "-g", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2 and "no such gazetteer file" in missing.output
    (root / "data" / "broken.ttl").write_text("@prefix : <x> .\n:a :b", encoding="utf-8")
    broken = runner.invoke(app, ["link", "--root", str(root), "--no-default"])
    assert broken.exit_code == 1 and "broken.ttl" in broken.output
    assert not (root / "dist").exists()
    bad_type = runner.invoke(app, ["reconcile", "x", "--type", "Planet", "--data", str(tmp_path / "nodata")])
    assert bad_type.exit_code == 2
