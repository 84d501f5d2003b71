"""Offline basemap: Syria's land, reservoirs, the Euphrates, the Turkish border, governorates and towns."""

from __future__ import annotations

from layers.base import Part

NAME = "basemap"
TITLE = "Basemap"
DYNAMIC = False
DEFAULT_ON = True
Z = 250
# Basemap files in draw order, with the pane each goes in. Land lies under the control layer; water, borders
# and town labels lie above it so the river and the border stay readable through the control colours.
PARTS = (
    ("syria", "under"),
    ("governorates", "under"),
    ("water", "over"),
    ("rivers", "over"),
    ("borders", "over"),
    ("towns", "labels"),
)
PANES = {"under": Z, "over": 450, "labels": 640}


def parts(ctx, tables: dict | None = None) -> list[Part]:
    """One part per basemap file present, in the pane of its kind."""
    return [
        Part(ctx.dataset.basemap[part], name=part, point=part == "towns", pane=pane, z=PANES[pane])
        for pane in PANES
        for part, p in PARTS
        if p == pane and ctx.dataset.basemap.get(part)
    ]
