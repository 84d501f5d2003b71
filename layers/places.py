"""Places of the gazetteer, coloured by who held them at the chosen date, with source and confidence."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl

from layers._common import geojson_layer
from layers.core.geojson import places_geojson

NAME = "places"
TITLE = "Places"
DYNAMIC = True


def component(ctx) -> dl.GeoJSON:
    return geojson_layer(NAME, data(ctx, ctx.dataset.start), point=True, hideout={"colors": ctx.colors})


def data(ctx, date: dt.date, compare: dt.date | None = None) -> dict:
    return places_geojson(ctx.territory, date)
