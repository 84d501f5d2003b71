"""Places of the gazetteer, coloured by who held them at the chosen date, with source and confidence."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl

from layers.core.geojson import places_geojson

NAME = "places"
TITLE = "Places"
DYNAMIC = True


def component(ctx) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=f"layer-{NAME}",
        data=data(ctx, ctx.dataset.start),
        pointToLayer={"variable": "raqqaLayers.places.point"},
        onEachFeature={"variable": "raqqaLayers.places.bind"},
        hideout={"colors": ctx.colors},
    )


def data(ctx, date: dt.date, compare: dt.date | None = None) -> dict:
    return places_geojson(ctx.territory, date)
