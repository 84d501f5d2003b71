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


def changes_geojson(territory: Territory, d1: dt.date, d2: dt.date) -> dict:
    """Ground that changed hands between ``d1`` and ``d2``."""
    key = territory.state_key(d1) + ("|",) + territory.state_key(d2)
    return territory.memo("changes_geojson", key, lambda: _changes_geojson(territory, d1, d2))


def _changes_geojson(territory: Territory, d1: dt.date, d2: dt.date) -> dict:
    return collection(
        [
            feature(territory.to_deg(g), {"from": a, "to": b, "area_km2": round(g.area / 1e6, 2)})
            for a, b, g in territory.changes(d1, d2)
        ]
    )


def places_geojson(territory: Territory, date: dt.date) -> dict:
    """Places with the holder in force on ``date`` and the row that says so."""
    feats = []
    for p in territory.ds.places.values():
        if p.role == "reference" and not territory.ds.rows_for(p.id):
            continue
        row = territory.row_at(p.id, date)
        props = {
            "id": p.id,
            "name": p.name,
            "alt_names": list(p.alt_names),
            "kind": p.kind,
            "confidence": p.confidence,
            "holder": row.holder if row else "",
            "since": row.date.isoformat() if row else "",
            "row": row.row_id if row else "",
            "row_confidence": row.confidence if row else "",
            "source_url": row.source_url if row else "",
        }
        feats.append(feature(shapely.Point(p.lon, p.lat), props))
    return collection(feats)
