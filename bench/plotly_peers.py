"""What the two plotly peers share: the offline map style, holder colours and the map's centre and zoom."""

from __future__ import annotations

import math
from pathlib import Path

from layers._context import Context
from layers.core.territory import NO_REPORTING

ASSETS = Path(__file__).resolve().parent / "assets"
# A style with no glyphs, sprites or tiles, so the map requests nothing; plotly.js 4.1.1 needs a non-empty
# ``sources`` on every Plotly.react, hence the unused point source.
STYLE_OFFLINE = {
    "version": 8,
    "sources": {
        "none": {
            "type": "geojson",
            "data": {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
        }
    },
    "layers": [{"id": "bg", "type": "background", "paint": {"background-color": "#f4f1ea"}}],
}
CONFIG = {"showSendToCloud": False, "displaylogo": False}
NO_REPORTING_COLOR = "#d9d4c7"


def colors(ctx: Context) -> dict[str, str]:
    """Holder to colour, with "no reporting" in a neutral grey."""
    return {**ctx.colors, NO_REPORTING: NO_REPORTING_COLOR}


def view(ctx: Context) -> dict:
    """Map centre and a zoom that shows the area of interest in a ~1400 px wide map."""
    w, s, e, n = ctx.dataset.aoi.bounds
    zoom = math.log2(1400 / 256 * 360 / max(e - w, 1e-6)) - 0.3
    return {"center": {"lon": (w + e) / 2, "lat": (s + n) / 2}, "zoom": round(zoom, 2)}


def span(ctx: Context) -> int:
    """Days from the campaign's start to its end: the last slider position."""
    return (ctx.dataset.end - ctx.dataset.start).days
