"""Frontlines: the edges between neighbouring cells whose holders differ on the chosen date."""

from __future__ import annotations

import dash_leaflet as dl

from layers._common import geojson_layer

NAME = "frontline"
TITLE = "Frontlines"
DYNAMIC = True
DEFAULT_ON = True


def component(ctx, tables: dict) -> dl.GeoJSON:
    return geojson_layer(NAME, tables["edges"])
