"""How the map frames a theatre's places: its city (an optional extent and zoom in ``theatre.json``), and where
a place outside the area of interest lies (geodesic distance and direction, computed once for the tables).

``theatre.json`` may declare the theatre's city::

    "city": {"name": "Raqqa", "bounds": [west, south, east, north], "zoom": 13, "basis": "why this box"}

An event whose place lies inside ``bounds`` is a city event: briefing mode opens it at ``zoom``. The box is the
one declaration of the city's extent; the browser gets it in the tables (``city``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from pyproj import Geod
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from layers.core.errors import Problem

GEOD = Geod(ellps="WGS84")
CITY_KEYS = ("name", "bounds", "zoom", "basis")
MIN_ZOOM, MAX_ZOOM = 8, 18  # a city is shown closer than a region, and no closer than the map allows
MAX_CITY_DEG = 2.0  # a "city" wider or taller than this is not one
POINTS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")


def city_problems(theatre: Mapping, file: str = "theatre.json") -> list[Problem]:
    """What is wrong with the theatre's ``city`` (none if it declares no city)."""
    if "city" not in theatre:
        return []
    city = theatre["city"]
    if not isinstance(city, dict):
        return [Problem(file, "city", "must be an object {name, bounds, zoom, basis}")]
    out = [Problem(file, f"city.{k}", "missing") for k in CITY_KEYS if k not in city]
    out += [Problem(file, f"city.{k}", "not a city setting") for k in city if k not in CITY_KEYS]
    for key in ("name", "basis"):
        if key in city and (not isinstance(city[key], str) or not city[key].strip() or len(city[key]) > 500):
            out.append(Problem(file, f"city.{key}", "must be non-empty text of at most 500 characters"))
    if "bounds" in city and (why := _bounds_problem(city["bounds"])):
        out.append(Problem(file, "city.bounds", why))
    zoom = city.get("zoom")
    if "zoom" in city and (
        isinstance(zoom, bool) or not isinstance(zoom, int | float) or not MIN_ZOOM <= zoom <= MAX_ZOOM
    ):
        out.append(Problem(file, "city.zoom", f"must be a number from {MIN_ZOOM} to {MAX_ZOOM}, got {zoom!r:.40}"))
    return out


def _bounds_problem(b) -> str | None:
    if not isinstance(b, list) or len(b) != 4:
        return "must be [west, south, east, north]"
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in b):
        return "must be four finite numbers"
    w, s, e, n = b
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        return f"{b} is not west < east, south < north within lon ±180, lat ±90"
    if e - w > MAX_CITY_DEG or n - s > MAX_CITY_DEG:
        return f"{b} spans more than {MAX_CITY_DEG:g}° (a city, not a region)"
    return None


def city(theatre: Mapping) -> dict:
    """The theatre's city for the browser (``{name, bounds, zoom}``), or ``{}`` if it declares none."""
    c = theatre.get("city")
    if not isinstance(c, dict) or city_problems(theatre):
        return {}
    return {"name": c["name"], "bounds": [float(v) for v in c["bounds"]], "zoom": float(c["zoom"])}


def reference(theatre: Mapping, aoi: BaseGeometry) -> tuple[str, float, float]:
    """The point distances are given from: the centre of the city's box (named), else the area's centre."""
    c = city(theatre)
    if c:
        w, s, e, n = c["bounds"]
        return c["name"], (w + e) / 2, (s + n) / 2
    p = aoi.representative_point() if not aoi.is_empty else Point(0, 0)
    return "the map's centre", p.x, p.y


def outside(theatre: Mapping, aoi: BaseGeometry, lon: float | None, lat: float | None) -> dict | None:
    """Where a place outside the area of interest lies: ``{km, bearing, direction, from}`` (geodesic, from the
    reference point), or None for a place inside the area or without a coordinate."""
    if lon is None or lat is None or aoi.is_empty or aoi.covers(Point(lon, lat)):
        return None
    name, rlon, rlat = reference(theatre, aoi)
    azimuth, _, metres = GEOD.inv(rlon, rlat, lon, lat)
    bearing = azimuth % 360
    return {
        "km": round(metres / 1000),
        "bearing": round(bearing, 1),
        "direction": POINTS[round(bearing / 45) % 8],
        "from": name,
    }
