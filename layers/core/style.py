"""The look of an exported image: the map's colours (one palette with the page), hatches, fill opacity, and the
matplotlib settings every image is drawn with."""

from __future__ import annotations

from matplotlib import patheffects
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from layers.core.fonts import FAMILIES
from layers.core.palette import palette
from layers.core.territory import NO_REPORTING, Territory

# The map's colours (assets/00_theme.css, read by layers/core/palette.py), keyed water_edge for --water-edge.
STYLE = {name.replace("-", "_"): colour for name, colour in palette().items()}
# Text from the data is text: no mathtext ("$...$" in a caption stays as typed). Glyphs drawn unhinted
# (no FreeType autohinter): a fifth to a quarter less drawing time per frame, the type as legible at these sizes.
RC = {
    "font.family": FAMILIES,
    "hatch.linewidth": 1.6,
    "path.simplify": True,
    "text.parse_math": False,
    "text.hinting": "no_hinting",
}
HATCH = {"contested": "//", NO_REPORTING: "\\\\", "low": "//"}
GROUND_ALPHA = 0.55  # fill opacity of a faction's ground, as on the map


def colors(territory: Territory) -> dict[str, str]:
    return {f["id"]: f["color"] for f in territory.ds.theatre["factions"]}


def rgba(hex_color: str, alpha: float) -> tuple[float, float, float, float]:
    r, g, b = (int(hex_color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


def halo(width: float = 3) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def low_patch(path: MplPath) -> PathPatch:
    """White hatching over ground whose report in force has low confidence (drawn over its faction's fill)."""
    return PathPatch(path, facecolor="none", edgecolor=(1, 1, 1, 0.9), hatch=HATCH["low"], linewidth=0, zorder=3.5)
