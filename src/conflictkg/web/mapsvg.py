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


@dataclass(frozen=True)
class Located:
    """A place with coordinates (WGS84 degrees) and its role on the map."""

    lon: float
    lat: float
    label: str
    href: str | None
    role: str  # "self", "parent", "child" or "sibling"


@dataclass(frozen=True)
class MapPoint:
    """A located place at its position in the SVG's user space."""

    x: float
    y: float
    place: Located


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


def parse_wkt_point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT ``POINT(lon lat)`` (optionally with a leading CRS IRI); None otherwise."""
    match = _POINT.match(wkt)
    if match is None:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
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
        MapPoint(
            x=round(width / 2 + (p.lon * x_scale - cx) * scale, 2),
            y=round(height / 2 - (p.lat - cy) * scale, 2),
            place=p,
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
