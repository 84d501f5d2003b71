"""Ground that changed hands between the compare date and the chosen date (hatched, outlined in the gainer's colour)."""

from __future__ import annotations

import dash_leaflet as dl

from layers._common import geojson_layer

NAME = "change"
TITLE = "Changed hands"
DYNAMIC = True
DEFAULT_ON = True  # draws nothing until a compare date is set


def component(ctx, tables: dict) -> dl.GeoJSON:
    return geojson_layer(NAME, tables["cells"])
