"""The W3C Entity Reconciliation Service API (v0.2, as OpenRefine speaks it), without a web framework.

Names are reconciled against the knowledge graph's own places, actors and events (our IRIs, read from
the store with SPARQL) and, for places, against the loaded gazetteer (GeoNames IRIs). The containing
area is the query property ``within``: a name, one of our IRIs, or a GeoNames id; it becomes the same
context the linker uses (admin1 area, distance), so "Ayash within Deir Ezzor" avoids the namesakes.
A GeoNames type ("GeoNames place", or one feature class such as "GeoNames populated place (P)")
restricts the answer to gazetteer records, so a client that takes the first match gets a GeoNames id;
``match`` is the linker's calibrated decision. web/reconcile.py only maps HTTP onto these methods.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz, process

from conflictkg.gazetteer.index import CandidateIndex, index_for
from conflictkg.gazetteer.link import RADIUS_BY_FEATURE, geonames_id
from conflictkg.gazetteer.match import (
    PlaceContext,
    decide,
    name_similarity,
    rank,
)
from conflictkg.gazetteer.normalise import NameKeys, name_keys
from conflictkg.gazetteer.sources import Gazetteer, GazetteerRecord
from conflictkg.hrefs import live_href
from conflictkg.store import Store
from conflictkg.vocab import CKG, GN, ID, sparql_prologue

GROUPS: dict[str, tuple[str, ...]] = {
    "Place": ("Place", "AdministrativeArea", "Settlement", "Neighbourhood", "MilitaryFacility", "Landmark", "River"),
    "Actor": ("Actor", "StateForce", "ArmedGroup", "MilitaryUnit", "Person", "PopulationGroup", "NewsOrganization"),
    "Event": ("Event", "MilitaryOperation", "Attack", "ArmedClash", "Bombing", "Capture", "Recapture",
              "ContestedControl", "Killing"),
}
"""Reconcilable types: the three top classes and their subclasses in the ontology."""

GEONAMES_FEATURE_CLASSES: dict[str, str] = {
    "A": "country, state, region",
    "P": "populated place (city, village)",
    "S": "spot, building, farm",
    "H": "stream, lake",
    "T": "mountain, hill, rock",
    "L": "park, area",
    "R": "road, railroad",
    "V": "forest, heath",
    "U": "undersea",
}
"""GeoNames feature classes (gn:A … gn:V of the GeoNames ontology), offered as reconciliation types."""
GEONAMES_PLACE = str(GN.Feature)
"""The type of every gazetteer record: "GeoNames place"."""

WITHIN = "within"
KG_MIN_SIMILARITY = 0.6
"""Label similarity under which a resource of the graph is not offered as a candidate at all."""
KG_WITHIN_SIMILARITY = 0.85
"""A `within` name resolves to a resource of the graph at this label similarity or more."""
KG_MATCH_THRESHOLD = 0.92
KG_MATCH_MARGIN = 0.03
"""A resource of the graph is the match when its label similarity reaches the threshold and leads the
next by the margin (the graph has few resources; the gazetteer's decision is calibrated in match)."""
DEFAULT_LIMIT = 10
MAX_BATCH_QUERIES = 100
"""Queries one ``queries`` batch may hold. OpenRefine sends 10 at a time; without a cap a 1 MB form
holds ~50,000 queries (~15 s of a worker's time). The v0.2 manifest has no field to announce it."""
_GEONAMES_NUMBER = re.compile(r"[0-9]{1,12}")
_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.]{0,63}")

# Only the reconcilable classes: the engine reads their instances, not every typed resource of the
# store (spans, claims, reports: 11 s → 6 s at 100,000 events, same entities).
_GROUP_CLASSES = " ".join(f"ckg:{c}" for c in dict.fromkeys(c for members in GROUPS.values() for c in members))
_ENTITIES_QUERY = sparql_prologue() + f"""
SELECT ?s ?type ?label WHERE {{
  VALUES ?type {{ {_GROUP_CLASSES} }}
  ?s a ?type ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?s), "{ID}"))
}}
"""
_ENTITY_DETAILS = (
    ("names", sparql_prologue() + "SELECT ?s ?value WHERE { ?s skos:altLabel ?value }"),
    ("parents", sparql_prologue() + "SELECT ?s ?value WHERE { ?s ckg:locatedIn ?value }"),
    ("matches", sparql_prologue() + "SELECT ?s ?value WHERE { ?s skos:exactMatch|skos:closeMatch ?value }"),
)
"""Each entity's other names, parents and links, read by one scan each and joined here: as OPTIONALs of
the entities query they took 23 s of its 31 s at 10⁵ events on the on-disk store (each evaluated over
the whole store and hash-joined)."""


class ReconcileError(ValueError):
    """A request the service cannot answer: the message says what is wrong (HTTP 400)."""


_NONE: frozenset[str] = frozenset()


@dataclass(slots=True)
class KGEntity:
    """A resource of the graph that names can be reconciled to.

    Slots, and frozen sets that share one empty set: at 10⁵ events the 116,000 entities took 127 MB as
    plain dataclasses with three sets each, 78 MB like this (every process serving /reconcile holds them)."""

    iri: str
    names: list[str]
    classes: AbstractSet[str] = _NONE
    parents: AbstractSet[str] = _NONE
    matches: AbstractSet[str] = _NONE

    @property
    def name(self) -> str:
        """The first label."""
        return self.names[0]

    @property
    def groups(self) -> set[str]:
        """Place / Actor / Event, from the classes."""
        return {g for g, members in GROUPS.items() if self.classes & set(members)}


def entities_from_store(store: Store) -> list[KGEntity]:
    """Places, actors and events of the served graph (labels first among the names, then alternative
    labels), read with four SPARQL queries."""
    found: dict[str, KGEntity] = {}
    for row in store.query(_ENTITIES_QUERY):  # type: ignore[union-attr]
        iri = row["s"].value
        entity = found.setdefault(iri, KGEntity(iri, []))
        local = row["type"].value.removeprefix(str(CKG))
        if not any(local in members for members in GROUPS.values()):
            continue
        if local not in entity.classes:
            entity.classes = entity.classes | {local}
        if row["label"].value not in entity.names:
            entity.names.append(row["label"].value)
    for detail, query in _ENTITY_DETAILS:
        for row in store.query(query):  # type: ignore[union-attr]
            entity = found.get(row["s"].value)
            if entity is None or not entity.classes:
                continue
            value = row["value"].value
            if detail == "names" and value not in entity.names:
                entity.names.append(value)
            elif detail != "names" and value not in getattr(entity, detail):
                setattr(entity, detail, getattr(entity, detail) | {value})
    return [e for e in found.values() if e.classes and e.names]


def _type_ids() -> list[dict[str, str]]:
    return [{"id": str(CKG[g]), "name": g} for g in GROUPS]


def _geonames_types() -> list[dict[str, str]]:
    """"GeoNames place" and one type per feature class, e.g. "GeoNames populated place (city, village) (P)"."""
    types = [{"id": GEONAMES_PLACE, "name": "GeoNames place", "description": "any record of the loaded gazetteer"}]
    for code, what in GEONAMES_FEATURE_CLASSES.items():
        types.append({"id": str(GN[code]), "name": f"GeoNames {what} ({code})",
                      "description": f"gazetteer records of GeoNames feature class {code}"})
    return types


@dataclass(frozen=True, slots=True)
class _Type:
    """What a query's type asks for: a group of the graph, and/or gazetteer records of some classes."""

    group: str | None
    graph: bool = True
    gazetteer: bool = True
    feature_classes: frozenset[str] = frozenset()


class ReconciliationService:
    """Manifest, batch queries, preview and suggest over the KG and a gazetteer."""

    def __init__(self, entities: list[KGEntity], gazetteer: Gazetteer | None = None) -> None:
        self.entities = {e.iri: e for e in entities}
        self.gazetteer = gazetteer
        self.index: CandidateIndex | None = index_for(gazetteer) if gazetteer and gazetteer.records else None
        self._names = _NameTable(list(self.entities.values()))

    # --- manifest --------------------------------------------------------------------------------

    def manifest(self, service_url: str) -> dict[str, Any]:
        """The service manifest; ``service_url`` is the absolute URL of /reconcile."""
        return {
            "versions": ["0.2"],
            "name": "conflictkg: places, actors and events of the conflict knowledge graph (+ GeoNames)",
            "identifierSpace": str(ID),
            "schemaSpace": str(CKG),
            "defaultTypes": _type_ids() + [{"id": GEONAMES_PLACE, "name": "GeoNames place"}],
            "view": {"url": "{{id}}"},
            "preview": {"url": f"{service_url}/preview?id={{{{id}}}}", "width": 400, "height": 140},
            "suggest": {
                kind: {"service_url": service_url, "service_path": f"/suggest/{kind}"}
                for kind in ("entity", "type", "property")
            },
        }

    # --- queries ---------------------------------------------------------------------------------

    def run_batch(self, queries_json: str) -> dict[str, Any]:
        """Answer a ``queries`` parameter: {"q0": {...}, ...} → {"q0": {"result": [...]}, ...}."""
        batch = parse_json(queries_json, "queries")
        if not isinstance(batch, dict):
            raise ReconcileError("queries must be a JSON object mapping keys such as q0 to query objects")
        if len(batch) > MAX_BATCH_QUERIES:
            raise ReconcileError(
                f"a batch holds at most {MAX_BATCH_QUERIES} queries; this one has {len(batch)}: send it in smaller batches"
            )
        return {key: {"result": self.reconcile(key, query)} for key, query in batch.items()}

    def reconcile(self, key: str, query: object) -> list[dict[str, Any]]:
        """Ranked candidates for one query object."""
        if not isinstance(query, dict) or not isinstance(query.get("query"), str) or not query["query"].strip():
            raise ReconcileError(f"{key}: a query object needs a non-empty string 'query'")
        limit = query.get("limit", DEFAULT_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ReconcileError(f"{key}: limit must be a positive integer")
        wanted = self._type(key, query.get("type"))
        within = self._within(key, query.get("properties", []))
        results = self._kg_candidates(query["query"], wanted.group, within) if wanted.graph else []
        if wanted.gazetteer and self.index is not None:
            results.extend(self._gazetteer_candidates(query["query"], within, wanted.feature_classes))
        results.sort(key=lambda r: -r["score"])
        return results[: min(limit, 100)]

    def _type(self, key: str, type_id: object) -> _Type:
        if type_id is None:
            return _Type(None)
        if isinstance(type_id, list):
            type_id = type_id[0] if type_id else None
            if type_id is None:
                return _Type(None)
        if not isinstance(type_id, str):
            raise ReconcileError(f"{key}: type must be a type id string")
        by_name = {t["name"].casefold(): t["id"] for t in _geonames_types()}
        type_id = by_name.get(type_id.casefold(), type_id)
        if type_id in (GEONAMES_PLACE, "gn:Feature"):
            return _Type(None, graph=False)
        code = type_id.removeprefix(str(GN)).removeprefix("gn:")
        if code in GEONAMES_FEATURE_CLASSES and type_id != code:
            return _Type(None, graph=False, feature_classes=frozenset(code))
        local = type_id.removeprefix(str(CKG)).removeprefix("ckg:")
        for group, members in GROUPS.items():
            if local in members:
                return _Type(group, gazetteer=group == "Place")
        known = ", ".join(t["id"] for t in _type_ids() + _geonames_types())
        raise ReconcileError(f"{key}: unknown type {type_id!r}; known: {known}")

    def _within(self, key: str, properties: object) -> _Within | None:
        if not isinstance(properties, list):
            raise ReconcileError(f"{key}: properties must be a list of {{pid, v}} objects")
        for prop in properties:
            if not isinstance(prop, dict) or prop.get("pid", prop.get("p")) != WITHIN:
                continue
            value = prop.get("v")
            if isinstance(value, dict):
                value = value.get("id") or value.get("name")
            if not isinstance(value, str) or not value.strip():
                raise ReconcileError(f"{key}: property 'within' needs a string value")
            return self._resolve_within(value.strip())
        return None

    def _resolve_within(self, value: str) -> _Within:
        """A containing area from one of our IRIs, a GeoNames id/IRI, or a name (KG first)."""
        gid = geonames_reference(value)
        if gid is not None:
            return _Within(None, self.gazetteer.records.get(gid) if self.gazetteer else None)
        entity = self.entities.get(value)
        if entity is None:
            best = self._kg_candidates(value, "Place", None)
            entity = self.entities[best[0]["id"]] if best and best[0]["score"] >= KG_WITHIN_SIMILARITY * 100 else None
        if entity is not None:
            return _Within(entity, self._record_of(entity))
        if self.index is not None:
            # A containing area: "Idlib" is the governorate here, though alone it would be the city.
            for context in (PlaceContext(kind="admin"), PlaceContext()):
                decision = decide(rank(self.index, value, context))
                if decision.relation and decision.candidate:
                    return _Within(None, decision.candidate.record)
        return _Within(None, None)

    def _record_of(self, entity: KGEntity) -> GazetteerRecord | None:
        """The gazetteer record of a KG place: its own link, else its nearest linked ancestor's."""
        seen: set[str] = set()
        frontier = [entity]
        while frontier and self.gazetteer:
            nxt = []
            for e in frontier:
                for match in sorted(e.matches):
                    gid = geonames_id(match)
                    if gid is not None and gid in self.gazetteer.records:
                        return self.gazetteer.records[gid]
                seen.add(e.iri)
                nxt.extend(self.entities[p] for p in e.parents if p in self.entities and p not in seen)
            frontier = nxt
        return None

    def _ancestors(self, entity: KGEntity) -> set[str]:
        found: set[str] = set()
        frontier = set(entity.parents)
        while frontier:
            found |= frontier
            frontier = {p for f in frontier if f in self.entities for p in self.entities[f].parents} - found
        return found

    def _kg_candidates(self, text: str, group: str | None, within: _Within | None) -> list[dict[str, Any]]:
        query = name_keys(text)
        if not query.key:
            return []
        out = []
        for entity, keys in self._names.shortlist(query):
            if group and group not in entity.groups:
                continue
            if within and within.entity and within.entity.iri not in self._ancestors(entity):
                continue
            score = max(_label_similarity(text, query, n, k) for n, k in zip(entity.names, keys, strict=True))
            if score < KG_MIN_SIMILARITY:
                continue
            out.append({
                "id": entity.iri,
                "name": entity.name,
                "type": [{"id": str(CKG[c]), "name": c} for c in sorted(entity.classes)],
                "score": round(score * 100, 1),
                "match": False,
                "description": self._describe_entity(entity),
            })
        out.sort(key=lambda r: -r["score"])
        if out and out[0]["score"] >= KG_MATCH_THRESHOLD * 100:
            out[0]["match"] = len(out) == 1 or out[1]["score"] < out[0]["score"] - KG_MATCH_MARGIN * 100
        return out

    def _describe_entity(self, entity: KGEntity) -> str:
        parents = [self.entities[p].name for p in sorted(entity.parents) if p in self.entities]
        text = ", ".join(sorted(entity.classes))
        return f"{text} in {', '.join(parents)}" if parents else text

    def _gazetteer_candidates(
        self, text: str, within: _Within | None, feature_classes: frozenset[str] = frozenset()
    ) -> list[dict[str, Any]]:
        assert self.index is not None
        context = within.context() if within else PlaceContext()
        context = replace(context, feature_classes=feature_classes)
        ranked = rank(self.index, text, context, limit=DEFAULT_LIMIT)
        decision = decide(ranked)
        out = []
        for cand in ranked:
            rec = cand.record
            feature = f"{rec.feature_class}.{rec.feature_code}".rstrip(".")
            types = [{"id": GEONAMES_PLACE, "name": "GeoNames place"}, {"id": str(CKG.Place), "name": "Place"}]
            if rec.feature_class in GEONAMES_FEATURE_CLASSES:
                types.append({"id": str(GN[rec.feature_class]),
                              "name": f"GeoNames {GEONAMES_FEATURE_CLASSES[rec.feature_class]} ({rec.feature_class})"})
            if rec.feature_code:
                types.append({"id": str(GN[feature]), "name": f"GeoNames {feature}"})
            chosen = decision.relation is not None and decision.candidate is cand
            verdict = f"match: {decision.reason}" if chosen else ""
            if cand is ranked[0] and not chosen:
                verdict = f"no match: {decision.reason}"
            out.append({
                "id": rec.iri,
                "name": rec.name,
                "type": types,
                "score": round(cand.score * 100, 1),
                "match": chosen,
                "description": f"GeoNames {rec.geonameid}, {feature}, {rec.admin1_code or rec.country}: "
                + "; ".join(cand.reasons) + (f". {verdict}" if verdict else ""),
            })
        return out

    # --- preview and suggest ----------------------------------------------------------------------

    def preview(self, entity_id: str) -> str:
        """An HTML fragment describing an entity (all text escaped)."""
        entity = self.entities.get(entity_id)
        if entity is not None:
            rows = [("Types", ", ".join(sorted(entity.classes))), ("Also known as", ", ".join(entity.names[1:])),
                    ("In", ", ".join(self.entities[p].name for p in sorted(entity.parents) if p in self.entities)),
                    ("Links", ", ".join(sorted(entity.matches)))]
            title, target = entity.name, entity.iri
        else:
            gid = geonames_reference(entity_id)
            rec = self.gazetteer.records.get(gid) if self.gazetteer and gid is not None else None
            if rec is None:
                raise ReconcileError(f"unknown id {entity_id!r}")
            title, target = rec.name, rec.iri
            where = f"{rec.latitude:.5f}, {rec.longitude:.5f}" if rec.latitude is not None else "unknown"
            rows = [("GeoNames", f"{rec.geonameid} ({rec.feature_class}.{rec.feature_code})"),
                    ("Admin1", rec.admin1_code), ("Coordinates", where), ("Also known as", ", ".join(rec.names[1:8]))]
        cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows if v)
        href = live_href(target)
        heading = f'<a href="{html.escape(href, quote=True)}">{html.escape(title)}</a>' if href else html.escape(title)
        return f'<div class="ckg-preview"><h3>{heading}</h3><table>{cells}</table></div>'

    def suggest(self, kind: str, prefix: str, limit: int = 10) -> dict[str, Any]:
        """Autocomplete for entity, type or property ids, by name prefix (or word prefix)."""
        needle = prefix.casefold().strip()
        if kind == "type":
            hits = [t for t in _type_ids() + _geonames_types() if _prefix_match(t["name"], needle)
                    or t["id"].casefold() == needle]
        elif kind == "property":
            within = {"id": WITHIN, "name": "within",
                      "description": "containing area: a name, a conflictkg IRI, or a GeoNames id"}
            hits = [within] if WITHIN.startswith(needle) or "containing".startswith(needle) else []
        elif kind == "entity":
            hits = []
            for entity in self.entities.values():
                if any(_prefix_match(n, needle) for n in entity.names):
                    hits.append({"id": entity.iri, "name": entity.name, "description": self._describe_entity(entity)})
            if self.gazetteer and len(hits) < limit:
                for rec in self.gazetteer.records.values():
                    if any(_prefix_match(n, needle) for n in rec.names):
                        hits.append({"id": rec.iri, "name": rec.name, "description": f"GeoNames {rec.geonameid}"})
                        if len(hits) >= limit:
                            break
        else:
            raise ReconcileError(f"unknown suggest kind {kind!r} (entity, type or property)")
        return {"result": hits[:limit]}


def _label_similarity(text: str, query: NameKeys, label: str, keys: NameKeys) -> float:
    """Key similarity (``keys`` are the label's), with a tenth from the literal label so "Deir Ezzor"
    beats "Deir Ezzor's airport"."""
    literal = fuzz.ratio(text.casefold(), label.casefold()) / 100
    return 0.9 * name_similarity(query, keys)[0] + 0.1 * literal


_SHORTLIST_CUTOFF = 100 * (KG_MIN_SIMILARITY - 0.1) / 0.9 - 0.01
"""A label scores 0.9 × key similarity + 0.1 × literal similarity, so one reaching KG_MIN_SIMILARITY has
a key similarity of at least this (in rapidfuzz's 0–100), less a margin for rounding."""


class _NameTable:
    """Every entity's labels with their comparison keys (computed once, not per query), and the
    shortlist of entities a query can reach KG_MIN_SIMILARITY with.

    ``name_similarity`` is capped by the ratio of the keys (Latin), of the Arabic forms (both Arabic) or
    the larger of keys' and consonants' ratios (across scripts), except for equal skeletons, which lift
    it; so an entity outside the union of those ratios' shortlists (rapidfuzz over all labels at once)
    and without the query's skeleton cannot reach the threshold. At 100,000 events (116,000 entities)
    a query compared every label's freshly computed keys: 11–13 s for an event or untyped query."""

    def __init__(self, entities: list[KGEntity]) -> None:
        self.entities = entities
        self.keys: list[tuple[NameKeys, ...]] = [tuple(name_keys(n) for n in e.names) for e in entities]
        owner = [i for i, keys in enumerate(self.keys) for _ in keys]
        flat = [k for keys in self.keys for k in keys]
        self._owner = owner
        self._columns = {field: [getattr(k, field) for k in flat] for field in ("key", "consonants", "arabic")}
        self._skeletons: dict[str, set[int]] = {}
        for position, keys in zip(owner, flat, strict=True):
            self._skeletons.setdefault(keys.skeleton, set()).add(position)

    def shortlist(self, query: NameKeys) -> Iterator[tuple[KGEntity, tuple[NameKeys, ...]]]:
        """The entities that may reach the threshold, in their original order, with their labels' keys."""
        chosen = set(self._skeletons.get(query.skeleton, ()))
        for field in ("key", "consonants", "arabic"):
            needle = getattr(query, field)
            if not needle:
                continue
            for _, _, row in process.extract_iter(needle, self._columns[field], scorer=fuzz.ratio,
                                                  score_cutoff=_SHORTLIST_CUTOFF):
                chosen.add(self._owner[row])
        for position in sorted(chosen):
            yield self.entities[position], self.keys[position]


def _prefix_match(name: str, needle: str) -> bool:
    folded = name.casefold()
    return bool(needle) and (folded.startswith(needle) or any(w.startswith(needle) for w in folded.split()))


@dataclass
class _Within:
    """A resolved containing area: a KG place, a gazetteer record, both or neither."""

    entity: KGEntity | None
    record: GazetteerRecord | None

    def context(self) -> PlaceContext:
        """The matching context the containing area implies."""
        rec = self.record
        if rec is None:
            return PlaceContext()
        near = (rec.latitude, rec.longitude) if rec.latitude is not None else None
        radius = RADIUS_BY_FEATURE["P" if rec.feature_class == "P" else "ADM1"]
        admin1 = rec.admin1_code if rec.feature_code != "PCLI" else None
        return PlaceContext(None, rec.country or None, admin1 or None, near, radius, rec.name)  # type: ignore[arg-type]


def parse_json(text: str, what: str) -> object:
    """Decode a JSON parameter; malformed or absurdly nested JSON is a ReconcileError, never a crash."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReconcileError(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ReconcileError(f"{what} is nested too deeply to be a reconciliation query") from None


def geonames_reference(value: str) -> int | None:
    """A GeoNames id written as a number (``170063``) or an IRI; None for any other text.

    Only ASCII digits count: ``"²".isdigit()`` is true but ``int("²")`` fails, and a 5,000-digit number
    is no GeoNames id.
    """
    if _GEONAMES_NUMBER.fullmatch(value):
        return int(value)
    return geonames_id(value)


def check_callback(callback: str) -> str:
    """A JSONP callback name, refused unless it is a plain (dotted) identifier."""
    if not _CALLBACK.fullmatch(callback):
        raise ReconcileError("callback must be a JavaScript identifier (letters, digits, _ $ .)")
    return callback


def jsonp(payload: object, callback: str) -> str:
    """JSON wrapped for JSONP; the leading comment defeats content-sniffing attacks."""
    return f"/**/{check_callback(callback)}({json.dumps(payload, ensure_ascii=False)});"
