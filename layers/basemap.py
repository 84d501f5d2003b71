"""Offline basemap of the theatre shown: land, reservoirs, rivers, borders, governorates and towns of Syria and Iraq,
clipped to the theatre's area of interest (``layers.core.basemap``), so an imported theatre gets its basemap too."""

from __future__ import annotations

from layers.base import Part
from layers.core import basemap

NAME = "basemap"
TITLE = "Basemap"
DYNAMIC = False
DEFAULT_ON = True
Z = 250
# Basemap files in draw order, with the pane each goes in. Land lies under the control layer (whose fills are
# opaque); governorates, water, borders and town labels lie above it so they stay readable on held ground.
PARTS = (
    ("land", "under"),
    ("governorates", "over"),
    ("water", "over"),
    ("rivers", "over"),
    ("borders", "over"),
    ("towns", "labels"),
)
PANES = {"under": Z, "over": 450, "labels": 640}


def parts(ctx, tables: dict | None = None) -> list[Part]:
    """One part per basemap layer of the theatre's clip of the region, in the pane of its kind."""
    layers = basemap.for_dataset(ctx.dataset)
    return [
        Part(
            layers[part],
            name=part,
            point=part == "towns",
            pane=pane,
            z=PANES[pane],
            attribution=basemap.ATTRIBUTION[part],
        )
        for pane in PANES
        for part, p in PARTS
        if p == pane and layers.get(part)
    ]
