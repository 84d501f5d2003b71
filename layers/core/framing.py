"""Where a place outside the area of interest lies (geodesic distance and direction, computed once for the
tables), measured from the theatre's city (``city/``, :mod:`layers.core.city`) when it has one.

The city's extent and zoom are declared once, in ``city/city.json`` and ``city/outline.geojson``: briefing mode
opens an event whose place lies in the outline's box at the city view's ``min_zoom`` (``tables.city``).
"""

from __future__ import annotations

from pyproj import Geod
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
POINTS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")


def reference(city, aoi: BaseGeometry) -> tuple[str, float, float]:
    """The point distances are given from: the centre of the city's outline box (named), else the area's centre.

    ``city`` is the theatre's :class:`layers.core.city.City` (its ``name`` and ``outline``), or None."""
    if city is not None:
        w, s, e, n = city.outline.bounds
        return city.name, (w + e) / 2, (s + n) / 2
    p = aoi.representative_point() if not aoi.is_empty else Point(0, 0)
    return "the map's centre", p.x, p.y


def outside(city, aoi: BaseGeometry, lon: float | None, lat: float | None) -> dict | None:
    """Where a place outside the area of interest lies: ``{km, bearing, direction, from}`` (geodesic, from the
    reference point), or None for a place inside the area or without a coordinate."""
    if lon is None or lat is None or aoi.is_empty or aoi.covers(Point(lon, lat)):
        return None
    name, rlon, rlat = reference(city, aoi)
    azimuth, _, metres = GEOD.inv(rlon, rlat, lon, lat)
    bearing = azimuth % 360
    return {
        "km": round(metres / 1000),
        "bearing": round(bearing, 1),
        "direction": POINTS[round(bearing / 45) % 8],
        "from": name,
    }
