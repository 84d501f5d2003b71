"""The offline basemap of Syria and Iraq, clipped to a theatre's bounds.

``geodata/region/*.geojson`` (built by ``geodata/build_basemap.py``, committed) covers Syria and Iraq: land,
international borders, reservoirs and lakes, rivers, governorates and GeoNames towns. Any theatre, bundled or
imported, gets the part of it around its area of interest: :func:`for_bounds` clips every layer to the
theatre's bounds plus a margin. The clip is bounded: the box is capped to the region's extent, so no theatre
gets more than the region itself, and a box that is not finite, inverted or without area is refused with a
:class:`BasemapError` saying why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType

import shapely
from shapely.geometry import box, mapping, shape
from shapely.geometry.base import BaseGeometry

from layers.core.dataset import Dataset
from layers.core.errors import DatasetError, Problem
from layers.core.loaders import load_basemap

REGION_DIR = Path(__file__).resolve().parents[2] / "geodata" / "region"
# Layer names in draw order (bottom first).
LAYERS = ("land", "governorates", "water", "rivers", "borders", "towns")
# What the map credits for each layer (constant text: Leaflet shows attributions as HTML).
ATTRIBUTION = {
    "land": "© OpenStreetMap contributors (ODbL)",
    "governorates": "governorates: Natural Earth (public domain)",
    "water": "© OpenStreetMap contributors (ODbL)",
    "rivers": "rivers: GSHHG/WDBII (LGPL-3.0)",
    "borders": "© OpenStreetMap contributors (ODbL)",
    "towns": "towns © GeoNames (CC BY 4.0)",
}
MARGIN_DEG = 0.2  # about 20 km around the theatre: the towns and rivers just outside stay on the map
DECIMALS = 5  # the precision of the region files (about 1 m)


class BasemapError(ValueError):
    """The bounds asked for cannot be clipped (not finite, inverted, or without area)."""


def region(folder: Path = REGION_DIR) -> Mapping[str, tuple[tuple[BaseGeometry, dict], ...]]:
    """The region's layers as (geometry, properties) pairs, read and validated once per process."""
    return _region(Path(folder).resolve())


@cache
def _region(folder: Path) -> Mapping[str, tuple[tuple[BaseGeometry, dict], ...]]:
    problems: list[Problem] = []
    if not folder.is_dir():
        raise DatasetError([Problem(folder.name, "folder", "missing: run `make basemap`")])
    raw = load_basemap(folder, problems)
    if problems:
        raise DatasetError(problems)
    return MappingProxyType(
        {
            name: tuple((shape(f["geometry"]), dict(f.get("properties") or {})) for f in fc["features"])
            for name, fc in raw.items()
        }
    )


def extent(folder: Path = REGION_DIR) -> tuple[float, float, float, float]:
    """West, south, east, north of everything in the region files."""
    return _extent(Path(folder).resolve())


@cache
def _extent(folder: Path) -> tuple[float, float, float, float]:
    bounds = [g.bounds for layer in _region(folder).values() for g, _ in layer]
    return (
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    )


def clip_box(
    bounds: Sequence[float], margin: float = MARGIN_DEG, folder: Path = REGION_DIR
) -> tuple[float, float, float, float] | None:
    """The box to clip to: ``bounds`` (west, south, east, north) grown by ``margin`` degrees and capped to the
    region's extent; None when it lies outside the region. Raises :class:`BasemapError` for a bad box."""
    if not isinstance(bounds, Sequence) or len(bounds) != 4:
        raise BasemapError(f"bounds must be [west, south, east, north], got {bounds!r:.80}")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in bounds):
        raise BasemapError(f"bounds must be finite numbers, got {bounds!r:.80}")
    if not (isinstance(margin, int | float) and math.isfinite(margin) and 0 <= margin <= 5):
        raise BasemapError(f"margin must be between 0 and 5 degrees, got {margin!r:.40}")
    w, s, e, n = (float(v) for v in bounds)
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise BasemapError(
            f"bounds {[w, s, e, n]} are not west < east, south < north within lon ±180, lat ±90 (degrees)"
        )
    rw, rs, re_, rn = extent(folder)
    w, s, e, n = max(w - margin, rw), max(s - margin, rs), min(e + margin, re_), min(n + margin, rn)
    if w >= e or s >= n:
        return None
    return (w, s, e, n)


def for_bounds(bounds: Sequence[float], margin: float = MARGIN_DEG, folder: Path = REGION_DIR) -> Mapping[str, dict]:
    """The region's layers clipped to ``bounds`` plus ``margin``, as GeoJSON FeatureCollections by layer name.

    Layers with nothing in the box are left out; a theatre outside Syria and Iraq gets an empty mapping."""
    cut = clip_box(bounds, margin, folder)
    if cut is None:
        return MappingProxyType({})
    return _clip(tuple(round(v, DECIMALS) for v in cut), Path(folder).resolve())


def for_dataset(ds: Dataset, margin: float = MARGIN_DEG, folder: Path = REGION_DIR) -> Mapping[str, dict]:
    """The basemap of a theatre: the region clipped to its area of interest plus ``margin``."""
    return for_bounds(ds.aoi.bounds, margin, folder)


@lru_cache(maxsize=64)
def _clip(cut: tuple[float, float, float, float], folder: Path) -> Mapping[str, dict]:
    window = box(*cut)
    out = {}
    for name, layer in _region(folder).items():
        feats = []
        for geom, props in layer:
            piece = geom if window.contains(geom) else _cut(geom, window)
            if piece is not None:
                feats.append({"type": "Feature", "geometry": mapping(piece), "properties": props})
        if feats:
            out[name] = {"type": "FeatureCollection", "features": feats}
    return MappingProxyType(out)


def _cut(geom: BaseGeometry, window: BaseGeometry) -> BaseGeometry | None:
    """The part of ``geom`` inside ``window``, of the same dimension, on the region files' grid."""
    if not geom.intersects(window):
        return None
    piece = shapely.set_precision(geom.intersection(window), 10**-DECIMALS)
    dim = shapely.get_dimensions(geom)
    parts = [g for g in getattr(piece, "geoms", [piece]) if shapely.get_dimensions(g) == dim and not g.is_empty]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)
