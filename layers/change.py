"""Ground that changed hands between the compare date and the chosen date (hatched, outlined in the gainer's colour)."""

from __future__ import annotations

from layers.base import Part

NAME = "change"
TITLE = "Changed hands"
DYNAMIC = True
DEFAULT_ON = True  # draws nothing until a compare date is set
Z = 410
CANVAS = True  # on the shared canvas past layers.features.map_view.canvas_from() features


def parts(ctx, tables: dict) -> list[Part]:
    return [Part(tables["cells"])]
