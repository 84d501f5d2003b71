"""Ground held by each faction at the chosen date, derived from the control ledger."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl

from layers._common import geojson_layer
from layers.core.geojson import control_geojson

NAME = "control"
TITLE = "Ground held"
DYNAMIC = True


def component(ctx) -> dl.GeoJSON:
    return geojson_layer(NAME, data(ctx, ctx.dataset.start), hideout={"colors": ctx.colors})


def data(ctx, date: dt.date, compare: dt.date | None = None) -> dict:
    return control_geojson(ctx.territory, date)
