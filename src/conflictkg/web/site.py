"""The linked-data site: what every page needs (store, addresses, release, templates).

``create_app`` (web.app) builds the Site from ``app.state.store`` and ``app.state.config`` with
``Site.from_config``, keeps it on ``app.state.site`` and mounts the page routers, which reach it through
``site_of(request)``; this module imports none of them.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from rdflib import Graph

from conflictkg import __version__
from conflictkg.checksums import file_sha256
from conflictkg.hrefs import page_href
from conflictkg.pipeline.release import Release, ReleaseError
from conflictkg.remote_store import RemoteStore
from conflictkg.store import Store
from conflictkg.vocab import CKG, ONTOLOGY_GRAPH, ONTOLOGY_IRI, SHAPES_GRAPH
from conflictkg.web.addresses import Addresses
from conflictkg.web.dataset_overview import Overview, overview
from conflictkg.web.query_completion import CompletionTerm, completion_terms
from conflictkg.web.ontology_doc import OntologyDoc, ShapeEntry, load_graph, ontology_doc, shapes_doc
from conflictkg.web.query_examples import ExampleQuery, load_examples

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
ARTICLE_FILE = "article.txt"


@dataclass
class Site:
    """Read-only state shared by the linked-data pages; derived views are computed once, on first use."""

    store: Store | RemoteStore
    addresses: Addresses
    version: str
    release: Release | None = None
    article: str | None = None
    query_files: tuple[Path, ...] = ()
    reports: dict[str, str] = field(default_factory=dict)
    """Registered reports' raw texts by slug (the release's reports/<slug>.txt)."""
    templates: Jinja2Templates = field(default_factory=lambda: page_templates())

    @classmethod
    def from_config(cls, store: Store | RemoteStore, config: object) -> Site:
        """Open the release named by ``config.release_dir`` (if any) and take version, article and example
        queries from it."""
        release_dir = getattr(config, "release_dir", None)
        files = [Path(p) for p in getattr(config, "files", [])]
        release = None
        if release_dir is not None and not files:
            try:
                release = Release.open(release_dir)
            except ReleaseError:
                release = None
        if release is not None and isinstance(store, RemoteStore) and release.version != store.version:
            log.warning("%s is release %s but the store now holds %s: its files are not served",
                        release_dir, release.version, store.version)
            release = None
        article = None
        if release is not None:
            try:
                article = release.path(ARTICLE_FILE).read_text(encoding="utf-8")
            except (ReleaseError, OSError, UnicodeDecodeError):
                article = None
        if isinstance(store, RemoteStore):
            version = store.version  # the store's live release (its files only if release_dir is that one)
        else:
            version = release.version if release is not None else files_version(files)
        return cls(
            store=store,
            addresses=Addresses(getattr(config, "canonical_base")),
            version=version,
            release=release,
            article=article,
            query_files=tuple(release.queries()) if release is not None else (),
            reports=_report_texts(release),
        )

    def text_of(self, document: str) -> str | None:
        """The raw text a span's ``oa:hasSource`` names: a registered report's, else the article's."""
        prefix = self.addresses.iri_for_path("id/report/")
        if document.startswith(prefix):
            return self.reports.get(document.removeprefix(prefix))
        return self.article

    @cached_property
    def examples(self) -> tuple[ExampleQuery, ...]:
        """The example queries for the query UI: the release's, none when serving plain files."""
        return load_examples(self.query_files)

    @cached_property
    def completion_terms(self) -> tuple[CompletionTerm, ...]:
        """The ontology terms the query editor completes."""
        return completion_terms(self.store)

    @cached_property
    def overview(self) -> Overview:
        """Landing-page figures."""
        return overview(self.store)

    @cached_property
    def ontology_graph(self) -> Graph:
        """The ontology graph (empty when the store has none)."""
        return load_graph(self.store, str(ONTOLOGY_GRAPH))

    @cached_property
    def shapes_graph(self) -> Graph:
        """The shapes graph (empty when the store has none)."""
        return load_graph(self.store, str(SHAPES_GRAPH))

    @cached_property
    def ontology_doc(self) -> OntologyDoc:
        """The documentation of the ontology."""
        return ontology_doc(self.ontology_graph, self.addresses, str(ONTOLOGY_IRI), str(CKG))

    @cached_property
    def shapes_doc(self) -> tuple[ShapeEntry, ...]:
        """The documentation of the shapes."""
        return shapes_doc(self.shapes_graph, self.addresses)


def page_templates() -> Jinja2Templates:
    """The page templates (auto-escaping), with the ``live_href`` filter every data-driven href goes through."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["live_href"] = page_href
    return templates


def _report_texts(release: Release | None) -> dict[str, str]:
    """The texts of the release's registered reports by slug; an unreadable one is left out."""
    texts: dict[str, str] = {}
    for entry in release.files if release is not None else ():
        if entry.path.startswith("reports/") and entry.path.endswith(".txt"):
            try:
                texts[entry.path.removeprefix("reports/").removesuffix(".txt")] = \
                    release.path(entry.path).read_text(encoding="utf-8")
            except (ReleaseError, OSError, UnicodeDecodeError):
                continue
    return texts


def files_version(files: list[Path]) -> str:
    """A version for served files: the package version plus a digest of their bytes (the ETag basis)."""
    digest = hashlib.sha256()
    for path in sorted(files):
        try:
            digest.update(bytes.fromhex(file_sha256(path)))
        except OSError:
            digest.update(str(path).encode())
    return f"{__version__}+files-{digest.hexdigest()[:12]}"


def site_of(request: Request) -> Site:
    """The Site of the app serving ``request``."""
    return request.app.state.site  # type: ignore[no-any-return]
