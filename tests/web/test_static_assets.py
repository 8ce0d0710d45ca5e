"""The front end obeys the CSP the server sends: no inline script in any page, no eval in any script.

The browser tests run the pages under that CSP; these checks name the offending file directly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from conflictkg.web.site import STATIC_DIR, TEMPLATES_DIR

ROOT = Path(__file__).resolve().parents[2]
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
_EVAL = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|set(?:Timeout|Interval)\s*\(\s*['\"`]")


def test_templates_load_scripts_from_static_only() -> None:
    for template in TEMPLATES_DIR.glob("*.html"):
        for attributes in _SCRIPT_TAG.findall(template.read_text(encoding="utf-8")):
            data_block = 'type="application/json"' in attributes
            assert data_block or re.search(r'src="/static/[^"]+"', attributes), f"{template.name}: <script{attributes}>"


def test_no_script_evaluates_strings() -> None:
    for script in STATIC_DIR.rglob("*.js"):
        assert not _EVAL.search(script.read_text(encoding="utf-8")), f"{script.relative_to(STATIC_DIR)} evaluates a string"


def test_pages_carry_no_inline_script(client: TestClient) -> None:
    for path in ("/", "/query", "/id/place/ayyash", "/id/event/is-captures-ayyash", "/ontology", "/article"):
        for attributes in _SCRIPT_TAG.findall(client.get(path, headers={"Accept": "text/html"}).text):
            assert 'type="application/json"' in attributes or "src=" in attributes, f"{path}: <script{attributes}>"


def test_every_shipped_library_is_pinned_and_licensed() -> None:
    """The bundle is rebuilt from web-ui/package-lock.json; LICENSES/third-party.md names each shipped package."""
    lock = json.loads((ROOT / "web-ui" / "package-lock.json").read_text(encoding="utf-8"))
    manifest = json.loads((ROOT / "web-ui" / "package.json").read_text(encoding="utf-8"))
    licences = (ROOT / "LICENSES" / "third-party.md").read_text(encoding="utf-8")
    for name, version in manifest["devDependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for name in ("@codemirror/view", "@codemirror/legacy-modes", "leaflet", "leaflet.markercluster", "topojson-client",
                 "world-atlas", "datamaps"):
        row = re.search(rf"^\| {re.escape(name)} \| ([^|]+) \| ([^|]+) \|", licences, re.M)
        assert row, f"{name} is missing from LICENSES/third-party.md"
        assert row.group(1).strip() == lock["packages"][f"node_modules/{name}"]["version"]
    assert (STATIC_DIR / "vendor" / "basemap" / "admin1" / "SYR.json").is_file(), "Syria's governorates ship"
