"""Geometry of the ground on the 1 mm grid: river banks, Voronoi cells, shared edges, polygon clean-up."""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import split

__all__ = [
    "FRONT_TOLERANCE_M",
    "GRID_M",
    "MIN_EDGE_M",
    "adjacent_pairs",
    "drop_slivers",
    "polygonal",
    "shared_edges",
    "shared_line",
    "split_banks",
    "union",
    "voronoi",
]

# Every overlay runs on a 1 mm grid: GEOS's floating-point overlay can return wrong unions for cells that
# share an edge (seen with GEOS 3.14.1: the union of two touching cells lost one of them); snap-rounding on
# a fixed grid is robust, and 1 mm is far below anything the sources resolve.
GRID_M = 0.001
FRONT_TOLERANCE_M = 1.0
MIN_EDGE_M = 1.0  # shared boundary shorter than this is a corner touch, not an edge


def split_banks(ground: BaseGeometry, river: BaseGeometry | None) -> dict[str, BaseGeometry]:
    """Split ground into ``north`` (left bank, looking downstream west to east) and ``south`` banks.

    Without a river, or if the river does not cross the ground, everything is one bank called ``north``.
    """
    if river is None or river.is_empty or river.geom_type != "LineString":
        return {"north": ground, "south": shapely.Polygon()}
    if river.coords[0][0] > river.coords[-1][0]:
        river = shapely.reverse(river)
    north, south = [], []
    for poly in getattr(ground, "geoms", [ground]):
        for piece in split(poly, river).geoms:
            (north if _left_of(river, piece.representative_point()) else south).append(piece)
    return {
        "north": polygonal(shapely.union_all(north, grid_size=GRID_M)),
        "south": polygonal(shapely.union_all(south, grid_size=GRID_M)),
    }


def shared_line(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    """The boundary two polygons share: each one's boundary within FRONT_TOLERANCE_M of the other (robust to
    float seams), the shorter of the two (a boundary with zero-width spikes from the overlay grid runs longer)."""
    one = _lineal(shapely.intersection(a.boundary, b.buffer(FRONT_TOLERANCE_M)))
    two = _lineal(shapely.intersection(b.boundary, a.buffer(FRONT_TOLERANCE_M)))
    return one if one.length <= two.length else two


def shared_edges(geoms: list[BaseGeometry]) -> list[tuple[int, int, BaseGeometry]]:
    """Every boundary two of ``geoms`` (cells, in metres) share, as ``(i, j, line)`` with ``i < j``."""
    tree = shapely.STRtree(geoms)
    out = []
    for i, g in enumerate(geoms):
        for j in sorted(int(j) for j in tree.query(g, predicate="intersects")):
            if j <= i:
                continue
            shared = shared_line(g, geoms[j])
            if shared.length >= MIN_EDGE_M:
                out.append((i, j, shared))
    return out


def adjacent_pairs(geoms: list[BaseGeometry]) -> list[tuple[int, int]]:
    """Pairs of ``geoms`` that share an edge (a corner touch is not one)."""
    return [(i, j) for i, j, _ in shared_edges(geoms)]


def voronoi(points: list[Point], extent: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cell of each point, in the points' order (matched by containment, whatever GEOS returns)."""
    if len(points) == 1:
        return [extent]
    cells = list(shapely.voronoi_polygons(MultiPoint(points), extend_to=extent).geoms)
    tree = shapely.STRtree(cells)
    out = []
    for pt in points:
        hits = [cells[i] for i in tree.query(pt, predicate="intersects")]
        out.append(min(hits, key=lambda c: c.distance(pt) + (0 if c.contains(pt) else 1)))
    return out


def _left_of(line: BaseGeometry, pt: Point) -> bool:
    """True if ``pt`` lies to the left of ``line`` at the line's nearest point."""
    d = line.project(pt)
    a = line.interpolate(max(d - 50.0, 0.0))
    b = line.interpolate(min(d + 50.0, line.length))
    return (b.x - a.x) * (pt.y - a.y) - (b.y - a.y) * (pt.x - a.x) > 0


def union(geoms: list[BaseGeometry]) -> BaseGeometry:
    """The polygonal union of geometries already on the GRID_M grid (cells, the ground, overrides clipped to it):
    one non-empty geometry is its own union, so the snap-rounding overlay runs only where there is work."""
    present = [g for g in geoms if not g.is_empty]
    if len(present) == 1:
        return polygonal(present[0])
    return polygonal(shapely.union_all(present, grid_size=GRID_M))


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygon parts of a geometry (intersections can leave lines and points)."""
    if geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def drop_slivers(geom: BaseGeometry, min_m2: float = 1.0) -> BaseGeometry:
    """Drop polygon parts below ``min_m2``: floating-point seams between cells, not ground."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.area >= min_m2]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def _lineal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the line parts of a geometry, merged."""
    if geom.is_empty:
        return shapely.MultiLineString()
    if geom.geom_type in ("LineString", "MultiLineString"):
        return shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("LineString", "MultiLineString")]
    return shapely.line_merge(shapely.union_all(parts)) if parts else shapely.MultiLineString()
