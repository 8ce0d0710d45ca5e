"""A small offline map: places and their neighbours projected into a box, drawn as inline SVG.

No tile server may be reached, so the map is just the points that the data itself locates: the place,
its parent, its children and siblings. An equirectangular projection scaled by cos(latitude) keeps
distances honest at the scale of a city, which is all these maps ever show.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s+([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\)\s*$",
    re.IGNORECASE,
)
MIN_SPAN_DEGREES = 0.02
"""A lone point is drawn in a box this many degrees wide so that it has room for its label."""

LABEL_GAP = 8
"""Pixels between a point and its label."""
LABEL_EDGE = 4
"""Pixels a label keeps from the frame."""
CHAR_WIDTH = {"self": 8.2}
"""Estimated pixels per character of a 12 px label (bold for the page's own place), erring wide: the
SVG is laid out on the server, where no font can be measured."""
DEFAULT_CHAR_WIDTH = 7.4


@dataclass(frozen=True)
class Located:
    """A place with coordinates (WGS84 degrees) and its role on the map."""

    lon: float
    lat: float
    label: str
    href: str | None
    role: str  # "self", "parent", "child" or "sibling"; on event pages "self" or "related"


@dataclass(frozen=True)
class MapPoint:
    """A located place at its position in the SVG's user space, with where its label goes.

    ``label_anchor`` is the SVG ``text-anchor``: "start" puts the label right of the point, "end" left
    of it (near the right edge), so that no label runs out of the box.
    """

    x: float
    y: float
    place: Located
    label_x: float
    label_y: float
    label_anchor: str


def label_width(place: Located) -> float:
    """An upper estimate of the label's drawn width in pixels."""
    return len(place.label) * CHAR_WIDTH.get(place.role, DEFAULT_CHAR_WIDTH)


def place_label(x: float, y: float, place: Located, width: int) -> MapPoint:
    """The point with its label right of it when it fits, else left of it, else pinned inside the box."""
    text = label_width(place)
    label_y = round(y + 4, 2)
    if x + LABEL_GAP + text <= width - LABEL_EDGE:
        return MapPoint(x, y, place, round(x + LABEL_GAP, 2), label_y, "start")
    if x - LABEL_GAP - text >= LABEL_EDGE:
        return MapPoint(x, y, place, round(x - LABEL_GAP, 2), label_y, "end")
    return MapPoint(x, y, place, float(LABEL_EDGE), label_y, "start")


@dataclass(frozen=True)
class MapView:
    """What the template draws: the box, the points and the bounds for the caption."""

    width: int
    height: int
    points: tuple[MapPoint, ...]
    west: float
    south: float
    east: float
    north: float


COORDINATE_DECIMALS = 5
"""Coordinates are shown to 5 decimals (about 1 m), finer than any place's position is known; it also hides
the single-precision noise of stores that keep WKT as 32-bit floats (Virtuoso 7: 35.42022 → 35.420219421387)."""


def parse_wkt_point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT ``POINT(lon lat)`` (optionally with a leading CRS IRI), rounded to
    COORDINATE_DECIMALS; None otherwise."""
    match = _POINT.match(wkt)
    if match is None:
        return None
    lon, lat = round(float(match.group(1)), COORDINATE_DECIMALS), round(float(match.group(2)), COORDINATE_DECIMALS)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def project(places: list[Located], width: int = 420, height: int = 280, margin: int = 36) -> MapView | None:
    """Fit ``places`` into a ``width`` x ``height`` box, north up, keeping the aspect ratio of the ground."""
    if not places:
        return None
    lons = [p.lon for p in places]
    lats = [p.lat for p in places]
    mid_lat = (min(lats) + max(lats)) / 2
    x_scale = math.cos(math.radians(mid_lat))
    half_w = max((max(lons) - min(lons)) * x_scale, MIN_SPAN_DEGREES) / 2
    half_h = max(max(lats) - min(lats), MIN_SPAN_DEGREES) / 2
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    scale = min(inner_w / (2 * half_w), inner_h / (2 * half_h))
    cx = (min(lons) + max(lons)) / 2 * x_scale
    cy = mid_lat
    points = tuple(
        place_label(
            round(width / 2 + (p.lon * x_scale - cx) * scale, 2),
            round(height / 2 - (p.lat - cy) * scale, 2),
            p,
            width,
        )
        for p in places
    )
    span_lon = width / scale / x_scale / 2
    span_lat = height / scale / 2
    return MapView(
        width=width,
        height=height,
        points=points,
        west=round(cx / x_scale - span_lon, 5),
        south=round(cy - span_lat, 5),
        east=round(cx / x_scale + span_lon, 5),
        north=round(cy + span_lat, 5),
    )
