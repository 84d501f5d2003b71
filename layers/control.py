"""Ground held by each faction: the Voronoi cells of the ledger's places, coloured by their holder on the day.

Authored override polygons (if the dataset has any) are drawn above the cells on the days they are in force.
"""

from __future__ import annotations

from layers.base import Part

NAME = "control"
TITLE = "Ground held"
DYNAMIC = True
DEFAULT_ON = True
Z = 400
CANVAS = True  # on the shared canvas past layers.features.map_view.canvas_from() features


def parts(ctx, tables: dict) -> list[Part]:
    return [Part(tables["cells"], name="cells"), Part(tables["overrides"], name="overrides")]
