"""Snapshot geometry an analyst can trust: GeoJSON polygons checked position by position, polygon validity and
its repair policy, coordinates in range, swapped lat/lon, and points read from table cells."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from layers.core.geocheck import Findings

__all__ = [
    "MAX_REPAIR_CHANGE",
    "check_polygon",
    "coordinates_ok",
    "geojson_polygon",
    "parse_lonlat",
    "place_problem",
    "polygonal",
    "swap_xy",
]

MAX_REPAIR_CHANGE = 0.01  # make_valid may change a polygon's area by less than 1 %


def geojson_polygon(file: str, label: str, geom: Any, found: Findings) -> BaseGeometry | None:
    """A Polygon/MultiPolygon from a GeoJSON geometry object, checked position by position.

    Rejects strings or booleans for numbers, positions of other than 2 or 3 numbers and rings of fewer than 4
    positions; drops Z and closes unclosed rings with a warning.
    """
    if geom is None:
        found.error(file, label, "has no geometry (null)")
        return None
    if not isinstance(geom, dict) or not isinstance(geom.get("type"), str):
        found.error(file, label, "geometry is not a GeoJSON geometry object")
        return None
    kind = geom["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        found.error(file, label, f"must be a Polygon or MultiPolygon, not {kind}")
        return None
    coords = geom.get("coordinates")
    polys = [coords] if kind == "Polygon" else coords
    if not isinstance(polys, list) or not all(isinstance(p, list) for p in polys):
        found.error(file, label, "coordinates are not arrays of rings")
        return None
    notes: set[str] = set()
    built = []
    for poly in polys:
        rings = [_ring(r, notes) for r in poly]
        if any(r is None for r in rings):
            found.error(file, label, sorted(notes - {"z", "closed"})[0])
            return None
        if rings:
            built.append(Polygon(rings[0], rings[1:]))
    if "z" in notes:
        found.warn(file, label, "3D coordinates: Z values dropped")
    if "closed" in notes:
        found.warn(file, label, "ring was not closed (first position != last): closed it")
    if not built:
        found.error(file, label, "geometry is empty")
        return None
    return built[0] if kind == "Polygon" else MultiPolygon(built)


def _ring(ring: Any, notes: set[str]) -> list[tuple[float, float]] | None:
    if not isinstance(ring, list):
        notes.add("coordinates are not arrays of positions")
        return None
    out = []
    for pos in ring:
        if not isinstance(pos, list) or not 2 <= len(pos) <= 3:
            notes.add("each position must be an array of 2 numbers (lon, lat) or 3 (lon, lat, height)")
            return None
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos):
            notes.add("coordinates must be JSON numbers, not strings or booleans")
            return None
        if len(pos) == 3:
            notes.add("z")
        out.append((float(pos[0]), float(pos[1])))
    if len(out) >= 2 and out[0] != out[-1]:
        out.append(out[0])
        notes.add("closed")
    if len(out) < 4:
        notes.add("ring has fewer than 4 positions")
        return None
    return out


def check_polygon(file: str, label: str, geom: BaseGeometry | None, found: Findings) -> BaseGeometry | None:
    """A lon/lat Polygon/MultiPolygon ready to store, or None with an error.

    Drops Z (warning), rejects empty, non-finite and out-of-range geometries (projected metres are named as
    such), and repairs invalid polygons with ``make_valid`` only when the area changes by less than 1 %
    (warning); larger repairs are rejected for review.
    """
    if geom is None or geom.is_empty:
        found.error(file, label, "geometry is empty")
        return None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        found.error(file, label, f"must be a Polygon or MultiPolygon, not {geom.geom_type}")
        return None
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
        found.warn(file, label, "3D coordinates: Z values dropped")
    if not coordinates_ok(file, label, geom, found):
        return None
    if not geom.is_valid:
        geom = _repair(file, label, geom, found)
        if geom is None:
            return None
    return shapely.orient_polygons(geom)


def coordinates_ok(file: str, label: str, geom: BaseGeometry, found: Findings) -> bool:
    """Finite lon/lat degrees. Beyond ±180/±90, large values are reported as probable projected metres, and
    values that would fit with longitude and latitude exchanged as probably swapped."""
    xy = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in xy.ravel()):
        found.error(file, label, "coordinates must be finite numbers (NaN or Infinity found)")
        return False
    outside = (abs(xy[:, 0]) > 180) | (abs(xy[:, 1]) > 90)
    if not outside.any():
        return True
    x, y = xy[outside.argmax()]
    if (abs(xy) > 1000).any():
        why = (
            "are not lon/lat degrees (projected metres?) and no CRS says what they are: reproject to EPSG:4326, "
            "or name the CRS (GeoJSON 'crs' member or inputs.crs in the config)"
        )
    elif (abs(xy[:, 1]) <= 180).all() and (abs(xy[:, 0]) <= 90).all():
        why = "are outside lon ±180 / lat ±90: longitude and latitude swapped? GeoJSON is [longitude, latitude]"
    else:
        why = "are outside lon ±180 / lat ±90"
    found.error(file, label, f"coordinates ({x:g}, {y:g}) {why}")
    return False


def _repair(file: str, label: str, geom: BaseGeometry, found: Findings) -> BaseGeometry | None:
    reason = shapely.is_valid_reason(geom)
    try:
        fixed = polygonal(shapely.make_valid(geom))
    except GEOSException as exc:
        found.error(file, label, f"invalid polygon ({reason}) that cannot be repaired ({exc}): fix it by hand")
        return None
    before, after = abs(geom.area), fixed.area
    change = abs(after - before) / before if before > 0 else math.inf
    if fixed.is_empty or change >= MAX_REPAIR_CHANGE:
        shown = "all of it" if math.isinf(change) else f"{change:.1%}"
        found.error(
            file,
            label,
            f"invalid polygon ({reason}); repairing it would change its area by {shown}: fix it by hand and review",
        )
        return None
    found.warn(file, label, f"invalid polygon ({reason}) repaired with make_valid; area changed by {change:.2%}")
    return fixed


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygon parts of a geometry (make_valid can return lines and points next to polygons)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else MultiPolygon()


def swap_xy(geom: BaseGeometry) -> BaseGeometry:
    """The geometry with longitude and latitude exchanged."""
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def place_problem(geom: BaseGeometry, aoi: BaseGeometry, what: str) -> str | None:
    """Why a point or polygon does not belong in the area of interest, or None if it does.

    A geometry outside the area that falls inside it with longitude and latitude exchanged is reported as
    swapped, e.g. Raqqa written as (35.95, 39.01) instead of (39.01, 35.95).
    """
    if geom.intersects(aoi):
        return None
    if swap_xy(geom).intersects(aoi):
        return f"{what} lies outside the area of interest but inside it with longitude and latitude swapped"
    return f"{what} lies outside the area of interest"


def parse_lonlat(file: str, label: str, lon_text: str, lat_text: str, found: Findings) -> tuple[float, float] | None:
    """Decimal degrees from two table cells, or None with an error (blank, text, comma decimals, range)."""
    values = []
    for name, text in (("longitude", lon_text), ("latitude", lat_text)):
        text = text.strip()
        try:
            v = float(text) if re.fullmatch(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?", text) else None
        except ValueError:
            v = None
        if v is None:
            found.error(file, label, f"{name} {text!r} is not a decimal number (e.g. 35.95)")
            return None
        if not math.isfinite(v):
            found.error(file, label, f"{name} {text!r} is not finite")
            return None
        values.append(v)
    lon, lat = values
    if abs(lon) > 180 or abs(lat) > 90:
        found.error(file, label, f"longitude {lon:g} / latitude {lat:g} are outside ±180 / ±90")
        return None
    return lon, lat
