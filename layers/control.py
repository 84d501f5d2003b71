"""Ground held by each faction: the Voronoi cells of the ledger's places, coloured by their holder on the day.

Authored override polygons (if the dataset has any) are drawn above the cells on the days they are in force.
"""

from __future__ import annotations

import dash_leaflet as dl

from layers._common import geojson_layer

NAME = "control"
TITLE = "Ground held"
DYNAMIC = True
DEFAULT_ON = True


def component(ctx, tables: dict) -> list[dl.GeoJSON]:
    return [
        geojson_layer(NAME, tables["cells"], part="cells"),
        geojson_layer(NAME, tables["overrides"], part="overrides"),
    ]
