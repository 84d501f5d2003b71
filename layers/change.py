"""Ground that changed hands between the compare date (default: the previous event) and the chosen date."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl

from layers._common import geojson_layer
from layers.core.geojson import changes_geojson

NAME = "change"
TITLE = "Changed hands"
DYNAMIC = True


def component(ctx) -> dl.GeoJSON:
    return geojson_layer(NAME, {"type": "FeatureCollection", "features": []}, hideout={"colors": ctx.colors})


def data(ctx, date: dt.date, compare: dt.date | None = None) -> dict:
    compare = compare or previous_event_date(ctx, date)
    return changes_geojson(ctx.territory, min(compare, date), max(compare, date))


def previous_event_date(ctx, date: dt.date) -> dt.date:
    """The latest event date before ``date`` (the campaign start if there is none)."""
    earlier = [e.date for e in ctx.dataset.events if e.date < date]
    return max(earlier, default=ctx.dataset.start)
