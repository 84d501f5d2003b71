"""Frontlines: the edges between neighbouring cells whose holders differ on the chosen date."""

from __future__ import annotations

from layers.base import Part

NAME = "frontline"
TITLE = "Frontlines"
DYNAMIC = True
DEFAULT_ON = True
Z = 420
CANVAS = True  # on the shared canvas past layers.features.map_view.canvas_from() features


def parts(ctx, tables: dict) -> list[Part]:
    return [Part(tables["edges"])]
