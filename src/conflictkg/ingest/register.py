"""Register a report: its bytes kept exactly, its SHA-256 and metadata written as Turtle, all or nothing.

The report directory is written under a temporary name beside its final place and renamed into place
only when every file is complete, so an interrupted or refused registration leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from unidecode import unidecode

from conflictkg.pipeline.sources import ARTICLE_FILE, REPORT_TEXT, REPORTS_DIR
from conflictkg.vocab import CKG, ID, SCHEMA, bind_prefixes

META_FILE = "meta.ttl"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class RegistrationError(ValueError):
    """The report cannot be registered; the message says why and what to do."""


def slugify(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens (``"ARA News"`` → ``ara-news``), at most ``limit`` long."""
    words = re.findall(r"[a-z0-9]+", unidecode(text).lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug


@dataclass(frozen=True)
class ReportMetadata:
    """What `conflictkg add` records about a report besides its bytes."""

    title: str
    outlet: str
    published: date
    author: str | None = None
    url: str | None = None
    language: str = "en"

    @classmethod
    def parse(cls, title: str | None, outlet: str | None, published: str | None, author: str | None = None,
              url: str | None = None, language: str | None = None) -> ReportMetadata:
        """Check every field; a missing or malformed one is a RegistrationError naming the option."""
        missing = [name for name, value in (("--title", title), ("--outlet", outlet), ("--published", published))
                   if value is None or not value.strip()]
        if missing:
            raise RegistrationError(f"missing required field(s): {', '.join(missing)}")
        try:
            day = date.fromisoformat(published.strip())  # type: ignore[union-attr]
        except ValueError:
            raise RegistrationError(f"--published {published!r} is not a date as YYYY-MM-DD") from None
        if url is not None and not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
            raise RegistrationError(f"--url {url!r} is not an http(s) URL")
        language = (language or "en").strip()
        if not _LANGUAGE.match(language):
            raise RegistrationError(f"--language {language!r} is not a language tag such as en, ar or en-GB")
        return cls(title.strip(), outlet.strip(), day, author.strip() if author and author.strip() else None,  # type: ignore[union-attr]
                   url, language)

    def default_slug(self) -> str:
        """``<outlet>-<date>-<first words of the title>``: readable and stable."""
        return slugify(f"{self.outlet} {self.published.isoformat()} {self.title}")


@dataclass(frozen=True)
class Registration:
    """A registered report: where it lives and its identity."""

    slug: str
    directory: Path
    iri: URIRef
    sha256: str


def _text(path: Path) -> bytes:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise RegistrationError(f"{path}: cannot read the report ({exc.strerror or exc})") from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RegistrationError(
            f"{path}: not UTF-8 text (byte {exc.start} is 0x{content[exc.start]:02x}); convert it first, "
            f"e.g. iconv -f WINDOWS-1256 -t UTF-8, and check the result") from None
    if not text.strip():
        raise RegistrationError(f"{path}: the report is empty")
    return content


def registered(root: Path) -> dict[str, str]:
    """SHA-256 → where it is registered, for the article and every report under ``root``."""
    known = {}
    article = root / ARTICLE_FILE
    if article.is_file():
        known[hashlib.sha256(article.read_bytes()).hexdigest()] = ARTICLE_FILE.as_posix()
    for text in sorted((root / REPORTS_DIR).glob(f"*/{REPORT_TEXT}")):
        if not text.parent.name.startswith("."):
            known[hashlib.sha256(text.read_bytes()).hexdigest()] = text.relative_to(root).as_posix()
    return known


def metadata_graph(slug: str, meta: ReportMetadata, sha256: str) -> Graph:
    """The report resource, its outlet and author as Turtle-ready triples."""
    graph = bind_prefixes(Graph())
    report = ID[f"report/{slug}"]
    outlet = ID[f"actor/{slugify(meta.outlet)}"]
    graph.add((report, RDF.type, CKG.Report))
    graph.add((report, RDF.type, SCHEMA.NewsArticle))
    graph.add((report, RDF.type, PROV.Entity))
    graph.add((report, RDFS.label, Literal(meta.title, lang=meta.language)))
    graph.add((report, SCHEMA.headline, Literal(meta.title, lang=meta.language)))
    graph.add((report, SCHEMA.publisher, outlet))
    graph.add((report, SCHEMA.datePublished, Literal(meta.published.isoformat(), datatype=XSD.date)))
    graph.add((report, SCHEMA.inLanguage, Literal(meta.language)))
    graph.add((report, DCTERMS.format, Literal("text/plain; charset=utf-8")))
    graph.add((report, CKG.sha256, Literal(sha256)))
    graph.add((report, RDFS.comment, Literal(
        f"Kept byte-exact as data/reports/{slug}/{REPORT_TEXT}; evidence spans id/span/{slug}/<start>-<end> "
        "count Unicode code points of that text.", lang="en")))
    if meta.url:
        graph.add((report, SCHEMA.url, URIRef(meta.url)))
    graph.add((outlet, RDF.type, CKG.NewsOrganization))
    graph.add((outlet, RDFS.label, Literal(meta.outlet, lang="en")))
    if meta.author:
        author = ID[f"actor/{slugify(meta.author)}"]
        graph.add((report, SCHEMA.author, author))
        graph.add((author, RDF.type, CKG.Person))
        graph.add((author, RDFS.label, Literal(meta.author, lang="en")))
        graph.add((author, SCHEMA.name, Literal(meta.author)))
    return graph


def register(root: Path, text: Path, meta: ReportMetadata, slug: str | None = None) -> Registration:
    """Copy ``text`` byte-exact to ``data/reports/<slug>/report.txt`` with ``meta.ttl``; refuse duplicates."""
    root = Path(root)
    content = _text(Path(text))
    slug = slug or meta.default_slug()
    if not _SLUG.match(slug):
        raise RegistrationError(f"slug {slug!r} must be lower-case ASCII words joined by hyphens")
    sha256 = hashlib.sha256(content).hexdigest()
    already = registered(root).get(sha256)
    if already is not None:
        raise RegistrationError(f"{text}: the same text (SHA-256 {sha256}) is already registered as {already}")
    reports = root / REPORTS_DIR
    final = reports / slug
    if final.exists():
        raise RegistrationError(f"a report with slug {slug!r} already exists ({final}); choose another with --slug")
    reports.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}.new-", dir=reports))
    try:
        (staging / REPORT_TEXT).write_bytes(content)
        turtle = metadata_graph(slug, meta, sha256).serialize(format="turtle")
        (staging / META_FILE).write_text(
            f"# Report metadata written by `conflictkg add` (edit with care: the SHA-256 guards the text).\n{turtle}",
            encoding="utf-8")
        staging.chmod(0o755)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Registration(slug, final, ID[f"report/{slug}"], sha256)
