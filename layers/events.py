"""Events of the chosen date (and the fortnight before it) as markers at their places."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl
from shapely.geometry import Point

from layers._common import geojson_layer
from layers.core.geojson import collection, feature

NAME = "events"
TITLE = "Events"
DYNAMIC = True
RECENT_DAYS = 14


def component(ctx) -> dl.GeoJSON:
    return geojson_layer(NAME, data(ctx, ctx.dataset.start), point=True)


def data(ctx, date: dt.date, compare: dt.date | None = None) -> dict:
    """Events within ``RECENT_DAYS`` up to ``date`` whose place is on the map, newest flagged current."""
    feats = []
    for e in recent_events(ctx, date):
        place = ctx.dataset.places[e.place_id]
        props = {
            "id": e.event_id,
            "title": e.title,
            "date": e.date.isoformat(),
            "kind": e.kind,
            "current": e.date == date,
            "place": place.name,
            "confidence": e.confidence,
        }
        feats.append(feature(Point(place.lon, place.lat), props))
    return collection(feats)


def recent_events(ctx, date: dt.date) -> list:
    lo = date - dt.timedelta(days=RECENT_DAYS)
    return [e for e in ctx.dataset.events if lo <= e.date <= date and e.place_id in ctx.dataset.places]
