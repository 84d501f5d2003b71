"""Offline basemap of the theatre shown: land, reservoirs, rivers, borders, governorates and towns of Syria and Iraq,
clipped to the theatre's area of interest (``layers.core.basemap``), so an imported theatre gets its basemap too."""

from __future__ import annotations

import dash_leaflet as dl

from layers.core import basemap

NAME = "basemap"
TITLE = "Basemap"
DYNAMIC = False
DEFAULT_ON = True
# Basemap files in draw order, with the pane each goes in. Land lies under the control layer; water, borders
# and town labels lie above it so the river and the border stay readable through the control colours.
PARTS = (
    ("land", "under"),
    ("governorates", "under"),
    ("water", "over"),
    ("rivers", "over"),
    ("borders", "over"),
    ("towns", "labels"),
)
PANES = {"under": 250, "over": 450, "labels": 640}


def component(ctx, tables: dict | None = None) -> list:
    """Panes of static GeoJSON, one per basemap file present, styled by ``raqqaLayers.basemap``."""
    layers = basemap.for_dataset(ctx.dataset)
    panes = []
    for pane, z in PANES.items():
        children = [_part(part, layers[part]) for part, p in PARTS if p == pane and part in layers]
        panes.append(dl.Pane(children, name=f"{NAME}-{pane}", style={"zIndex": z}))
    return panes


def _part(part: str, data: dict) -> dl.GeoJSON:
    fn = {"pointToLayer": {"variable": "raqqaLayers.basemap.town"}} if part == "towns" else {}
    return dl.GeoJSON(
        id=f"layer-{NAME}-{part}",
        data=data,
        style={"variable": "raqqaLayers.basemap.style"},
        hideout={"part": part, "attribution": basemap.ATTRIBUTION[part]},
        interactive=False,
        **fn,
    )
