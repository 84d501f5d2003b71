"""Geometry to matplotlib paths for the exports (``render.py``), cached per ledger state on the territory."""

from __future__ import annotations

import datetime as dt

import numpy as np
import shapely
from matplotlib.path import Path as MplPath
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from layers.core import basemap
from layers.core.geojson import control_geojson, frontline_geojson
from layers.core.territory import Territory


def control_paths(territory: Territory, date: dt.date) -> list[tuple[str, MplPath]]:
    def build():
        feats = control_geojson(territory, date)["features"]
        return [(f["properties"]["holder"], geom_path(shape(f["geometry"]))) for f in feats]

    return territory.memo("render_control", territory.state_key(date), build)


def low_paths(territory: Territory, date: dt.date) -> list[MplPath]:
    """Ground whose ledger row in force has low confidence, per faction (not contested), as the map hatches it."""

    def build():
        snap = territory.control_at(date)
        cells: dict[str, list[BaseGeometry]] = {}
        for pids, cell in territory.cells.items():
            current = [r for p in pids if (r := territory.row_at(p, date))]
            if not current:
                continue
            latest = max(current, key=lambda r: (r.date, r.line))  # the cell's holder, as in the snapshot
            if latest.confidence == "low" and latest.holder != "contested" and latest.holder in snap.polygons:
                cells.setdefault(latest.holder, []).append(cell)
        out = []
        for holder, parts in cells.items():
            low = shapely.intersection(shapely.union_all(parts), snap.polygons[holder])  # overrides take precedence
            if not low.is_empty:
                out.append(geom_path(territory.to_deg(low)))
        return out

    return territory.memo("render_low", territory.state_key(date), build)


def front_lines(territory: Territory, date: dt.date) -> list[tuple[bool, tuple]]:
    def build():
        out = []
        for f in frontline_geojson(territory, date)["features"]:
            contested = "contested" in f["properties"]["between"]
            out += [(contested, line) for line in lines(shape(f["geometry"]))]
        return out

    return territory.memo("render_fronts", territory.state_key(date), build)


def basemap_paths(territory: Territory) -> dict:
    def build():
        bm = basemap.for_dataset(territory.ds)
        out: dict = {}
        for name in ("land", "governorates", "water"):
            if bm.get(name):
                geoms = [shape(f["geometry"]) for f in bm[name]["features"]]
                if name == "governorates":
                    geoms = [g.boundary for g in geoms]
                    out[name] = line_path(shapely.union_all(geoms))
                else:
                    out[name] = geom_path(shapely.union_all(geoms))
        if bm.get("rivers"):
            out["rivers"] = [
                ((f.get("properties") or {}).get("name"), line)
                for f in bm["rivers"]["features"]
                for line in lines(shape(f["geometry"]))
            ]
        if bm.get("borders"):
            out["borders"] = [line for f in bm["borders"]["features"] for line in lines(shape(f["geometry"]))]
        if bm.get("towns"):
            out["towns"] = [
                (str((f.get("properties") or {}).get("name", "")), *f["geometry"]["coordinates"][:2])
                for f in bm["towns"]["features"]
                if f["geometry"]["type"] == "Point"
            ]
        return out

    return territory.memo("render_basemap", (), build)


def geom_path(geom: BaseGeometry) -> MplPath:
    """A matplotlib path of a (multi)polygon, holes included (exteriors counter-clockwise, holes clockwise)."""
    geom = shapely.orient_polygons(geom, exterior_cw=False)
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            verts.append(xy)
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(c)
    if not verts:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def line_path(geom: BaseGeometry) -> MplPath:
    verts, codes = [], []
    for line in lines(geom):
        xy = np.column_stack(line)
        verts.append(xy)
        c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
        c[0] = MplPath.MOVETO
        codes.append(c)
    if not verts:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def lines(geom: BaseGeometry) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for g in getattr(geom, "geoms", [geom]):
        if g.geom_type == "LineString" and not g.is_empty:
            xy = np.asarray(g.coords)
            out.append((xy[:, 0], xy[:, 1]))
        elif g.geom_type in ("MultiLineString", "GeometryCollection"):
            out += lines(g)
    return out
