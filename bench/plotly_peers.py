"""What the two plotly peers share: the offline map style, holder colours and the map's centre and zoom."""

from __future__ import annotations

import math
from pathlib import Path

from layers.core.territory import NO_REPORTING
from layers.server.context import Context

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


def view(ctx: Context, width_px: int = 1400, height_px: int = 680) -> dict:
    """Map centre and the zoom that fits the area of interest into a map of about ``width_px`` × ``height_px``."""
    w, s, e, n = ctx.dataset.aoi.bounds
    merc = lambda lat: math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))
    # at zoom z the world is 512 * 2**z px wide (MapLibre's tile size), 360 degrees of longitude
    zoom = min(math.log2(width_px * 360 / (512 * (e - w))), math.log2(height_px * 360 / (512 * (merc(n) - merc(s)))))
    return {"center": {"lon": (w + e) / 2, "lat": (s + n) / 2}, "zoom": round(zoom - 0.1, 2)}


def span(ctx: Context) -> int:
    """Days from the campaign's start to its end: the last slider position."""
    return (ctx.dataset.end - ctx.dataset.start).days
