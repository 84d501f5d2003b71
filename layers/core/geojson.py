"""RFC 7946 GeoJSON (lon/lat, counter-clockwise exteriors, rounded) for snapshots, fronts and changes."""

from __future__ import annotations

import datetime as dt

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from layers.core.territory import NO_REPORTING, Territory

DECIMALS = 5  # about 1 m: finer than any source in the ledger


def feature(geom: BaseGeometry, properties: dict) -> dict:
    """One GeoJSON Feature from a lon/lat shapely geometry."""
    geom = shapely.set_precision(geom, 10**-DECIMALS)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    return {"type": "Feature", "geometry": mapping(geom), "properties": properties}


def collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def control_geojson(territory: Territory, date: dt.date) -> dict:
    """Control polygons at ``date``: one feature per holder, with area and the ledger rows behind it."""
    return territory.memo("control_geojson", territory.state_key(date), lambda: _control_geojson(territory, date))


def _control_geojson(territory: Territory, date: dt.date) -> dict:
    snap = territory.control_at(date)
    order = list(territory.ds.faction_ids) + [NO_REPORTING]
    feats = []
    for holder in sorted(snap.polygons, key=order.index):
        feats.append(
            feature(
                territory.to_deg(snap.polygons[holder]),
                {
                    "holder": holder,
                    "area_km2": round(snap.area_km2(holder), 1),
                    "rows": list(snap.rows[holder]),
                    "places": list(snap.places[holder]),
                },
            )
        )
    return collection(feats)


def frontline_geojson(territory: Territory, date: dt.date) -> dict:
    """Frontlines at ``date``: one feature per pair of factions whose ground meets."""
    return territory.memo("frontline_geojson", territory.state_key(date), lambda: _frontline_geojson(territory, date))


def _frontline_geojson(territory: Territory, date: dt.date) -> dict:
    snap = territory.control_at(date)
    return collection(
        [
            feature(territory.to_deg(g), {"between": [a, b], "length_km": round(g.length / 1000, 1)})
            for a, b, g in territory.frontlines(snap)
        ]
    )
