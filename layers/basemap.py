"""Offline basemap: Syria's land, reservoirs, the Euphrates, the Turkish border, governorates and towns."""

from __future__ import annotations

import dash_leaflet as dl

NAME = "basemap"
TITLE = "Basemap"
DYNAMIC = False
DEFAULT_ON = True
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
PANES = {"under": 250, "over": 450, "labels": 640}


def component(ctx, tables: dict | None = None) -> list:
    """Panes of static GeoJSON, one per basemap file present, styled by ``raqqaLayers.basemap``."""
    panes = []
    for pane, z in PANES.items():
        children = [_part(ctx, part) for part, p in PARTS if p == pane and ctx.dataset.basemap.get(part)]
        panes.append(dl.Pane(children, name=f"{NAME}-{pane}", style={"zIndex": z}))
    return panes


def _part(ctx, part: str) -> dl.GeoJSON:
    fn = {"pointToLayer": {"variable": "raqqaLayers.basemap.town"}} if part == "towns" else {}
    return dl.GeoJSON(
        id=f"layer-{NAME}-{part}",
        data=ctx.dataset.basemap[part],
        style={"variable": "raqqaLayers.basemap.style"},
        hideout={"part": part},
        interactive=False,
        **fn,
    )
