"""Frontlines: where the ground of two factions meets at the chosen date."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl

from layers._common import geojson_layer
from layers.core.geojson import frontline_geojson

NAME = "frontline"
TITLE = "Frontlines"
DYNAMIC = True


def component(ctx) -> dl.GeoJSON:
    return geojson_layer(NAME, data(ctx, ctx.dataset.start))


def data(ctx, date: dt.date, compare: dt.date | None = None) -> dict:
    return frontline_geojson(ctx.territory, date)
