"""Frontlines: where the ground of two factions meets at the chosen date."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl

from layers.core.geojson import frontline_geojson

NAME = "frontline"
TITLE = "Frontlines"
DYNAMIC = True


def component(ctx) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=f"layer-{NAME}",
        data=data(ctx, ctx.dataset.start),
        style={"variable": "raqqaLayers.frontline.style"},
        onEachFeature={"variable": "raqqaLayers.frontline.bind"},
    )


def data(ctx, date: dt.date, compare: dt.date | None = None) -> dict:
    return frontline_geojson(ctx.territory, date)
