"""The artists of an exported image (matplotlib): the map clipped to the view and the panel beside it.

The artists come in layers, bottom to top, so a frame of an animation redraws only what its date changes
(see :mod:`layers.core.render`):

- ``base`` (same on every frame of a view): the sea, Syria's land, governorate lines, the title, the legend's
  swatches and labels, the key of the map's symbols;
- ``ground`` (per date): ground per holder in the faction colours, contested and unreported ground hatched;
- ``water`` (same on every frame): lakes, rivers, the border;
- ``front`` (per date): frontlines;
- ``towns`` (same on every frame): the GeoNames towns and their names;
- ``top`` (per date): places in their holder's colour, the date's events, and the panel's date, areas,
  caption and source line.

Styles mirror the dashboard's ``assets/layer_*.js`` so an export looks like the map. Text from the data is
drawn as text (no mathtext).
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from dataclasses import dataclass

from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D

from layers.core import mpl_paths
from layers.core.captions import LICENCES, date_text, default_caption, source_line
from layers.core.fonts import FAMILIES
from layers.core.palette import palette
from layers.core.territory import NO_REPORTING, Territory
from layers.core.timeline import RECENT_DAYS  # events shown: the date and the days before, as on the map

BASE_HEIGHT_IN = 10.8  # figure height in inches: the dpi scales with the pixel height, so text scales too
PANEL_IN = 6.6  # width of the side panel (title, date, legend, caption) in inches of the 10.8-inch-high figure
# The map's colours (assets/00_theme.css, read by layers/core/palette.py), keyed water_edge for --water-edge.
STYLE = {name.replace("-", "_"): colour for name, colour in palette().items()}
# Text from the data is text: no mathtext ("$...$" in a caption stays as typed).
RC = {"font.family": FAMILIES, "hatch.linewidth": 1.6, "path.simplify": True, "text.parse_math": False}
HATCH = {"contested": "//", NO_REPORTING: "\\\\", "low": "//"}
GROUND_ALPHA = 0.55  # fill opacity of a faction's ground, as on the map
FOOTER_SIZE = 10.5
LEGEND_TOP, LEGEND_STEP, SWATCH_H = 0.735, 0.048, 0.034


@dataclass(frozen=True)
class Layout:
    """What places the artists of an image: the lines of the footer and the holders in the legend. Frames
    with equal layouts share their ``base`` layer."""

    footer_lines: int
    holders: tuple[str, ...]


@dataclass
class Stage:
    """A figure with its map axes and the panel's geometry (figure fractions)."""

    fig: Figure
    ax: object
    left: float
    width: float
    bottom: float  # top of the footer
    caption_top: float  # below the key


def layout(territory: Territory, size: tuple[int, int], date: dt.date) -> Layout:
    snap = territory.control_at(date)
    ds = territory.ds
    rows = [f["id"] for f in ds.theatre["factions"]] + [NO_REPORTING]
    holders = tuple(h for h in rows if snap.area_km2(h) or h in ds.faction_ids[:2])
    return Layout(len(_footer_lines(territory, date, _fig_width(size))), holders)


def stage(territory: Territory, bounds, size: tuple[int, int], layers: frozenset[str], lay: Layout) -> tuple:
    """A new figure with the artists of the ``base``, ``water`` and ``towns`` layers: ``(stage, {"water": [...],
    "towns": [...]})`` (every other artist of the figure is the base)."""
    w, h = size
    dpi = h / BASE_HEIGHT_IN
    fig = Figure(figsize=(w / dpi, BASE_HEIGHT_IN), dpi=dpi, facecolor=STYLE["panel"])
    fig.set_layout_engine(None)
    split = min(0.75, max(0.45, 1 - PANEL_IN / fig.get_figwidth()))
    bottom = 0.008 + lay.footer_lines * FOOTER_SIZE * 1.3 / 72 / fig.get_figheight()
    ax = fig.add_axes((0.008, bottom + 0.012, split - 0.016, 0.99 - bottom - 0.012))
    left = split + 0.01
    st = Stage(fig, ax, left, 1 - left - 0.015, bottom + 0.005, 0.0)
    colors = _colors(territory)
    base = mpl_paths.basemap_paths(territory)
    _map_axes(ax, bounds)
    # Patches go in with add_artist, not add_patch: the limits are fixed, and add_patch would walk every Bézier
    # segment of the ground to update data limits.
    if base.get("land") is not None:
        ax.add_artist(PathPatch(base["land"], facecolor=STYLE["land"], edgecolor="none", zorder=1))
    if base.get("governorates") is not None:
        ax.add_artist(
            PathPatch(
                base["governorates"],
                fill=False,
                edgecolor=STYLE["governorate"],
                linewidth=1,
                linestyle=(0, (2, 4)),
                zorder=2,
            )
        )
    ds = territory.ds
    fig.text(
        left,
        0.96,
        ds.theatre.get("short_name") or ds.theatre["name"],
        fontsize=30,
        fontweight="bold",
        color=STYLE["ink"],
        va="top",
    )
    subtitle = "Ground held by each faction, from dated, sourced reports"
    fig.text(left, 0.893, subtitle, fontsize=15, color=STYLE["muted"], va="top")
    labels = {f["id"]: f["label"] for f in ds.theatre["factions"]} | {NO_REPORTING: "No reporting"}
    sw_w = SWATCH_H * fig.get_figheight() / fig.get_figwidth()  # square
    y = LEGEND_TOP
    for holder in lay.holders:
        fig.add_artist(_swatch(fig, holder, colors, (left, y - SWATCH_H), sw_w, SWATCH_H))
        fig.text(left + sw_w + 0.01, y - SWATCH_H / 2, labels[holder], fontsize=21, color=STYLE["ink"], va="center")
        y -= LEGEND_STEP
    st.caption_top = _draw_key(fig, left, y - 0.045, layers, colors)
    licences = "\n".join([""] * (lay.footer_lines - _licence_lines(fig)) + _licences(fig.get_figwidth()))
    fig.text(0.008, 0.008, licences, fontsize=FOOTER_SIZE, color=STYLE["muted"], va="bottom", linespacing=1.0)
    west, south, east, north = bounds
    water = []
    if base.get("water") is not None:
        water.append(
            ax.add_artist(
                PathPatch(base["water"], facecolor=STYLE["water"], edgecolor=STYLE["water_edge"], linewidth=1, zorder=5)
            )
        )
    for name, line in base.get("rivers", []):
        water += ax.plot(*line, color=STYLE["river"], linewidth=3 if name else 1.5, zorder=5.5, solid_capstyle="round")
    for line in base.get("borders", []):
        water += ax.plot(*line, color=STYLE["border"], linewidth=2, linestyle=(0, (8, 4, 2, 4)), zorder=6)
    towns = []
    for name, lon, lat in base.get("towns", []):
        if west <= lon <= east and south <= lat <= north:
            towns += ax.plot(lon, lat, "o", markersize=5, color=STYLE["panel"], markeredgecolor=STYLE["town"], zorder=8)
            towns.append(
                _label(
                    ax,
                    name,
                    lon,
                    lat,
                    (6, 0),
                    fontsize=11,
                    color=STYLE["town"],
                    zorder=8,
                    va="center",
                    path_effects=_halo(),
                )
            )
    return st, {"water": water, "towns": towns}


def dated(
    st: Stage, territory: Territory, date: dt.date, layers: frozenset[str], caption: str | None, lay: Layout
) -> dict:
    """The artists of the date, added to the figure: ``{"ground": [...], "front": [...], "top": [...]}``."""
    ax, _fig = st.ax, st.fig
    colors = _colors(territory)
    out: dict[str, list] = {"ground": [], "front": [], "top": []}
    if "control" in layers:
        for holder, path in mpl_paths.control_paths(territory, date):
            out["ground"].append(ax.add_artist(_ground_patch(holder, path, colors)))
        for path in mpl_paths.low_paths(territory, date):
            out["ground"].append(ax.add_artist(_low_patch(path)))
    if "frontline" in layers:
        for contested, line in mpl_paths.front_lines(territory, date):
            out["front"] += ax.plot(
                *line,
                color=STYLE["front"],
                linewidth=2.5 if contested else 3.5,
                linestyle=(0, (3, 4)) if contested else "-",
                alpha=0.9,
                zorder=7,
                solid_capstyle="round",
            )
    if "places" in layers:
        out["top"] += _places(ax, territory, date, colors)
    if "events" in layers:
        out["top"] += _events(ax, territory, date)
    out["top"] += _panel_text(st, territory, date, caption, lay)
    return out


def _map_axes(ax, bounds) -> None:
    west, south, east, north = bounds
    ax.set_facecolor(STYLE["sea"])
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)), adjustable="box", anchor="C")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(STYLE["muted"])
        spine.set_linewidth(1.2)


def _label(ax, text: str, lon: float, lat: float, offset, **kw):
    return ax.annotate(
        text, (lon, lat), xytext=offset, textcoords="offset points", annotation_clip=True, clip_on=True, **kw
    )


def _ground_patch(holder: str, path: MplPath, colors: dict[str, str]) -> PathPatch:
    if holder == NO_REPORTING:
        return PathPatch(
            path, facecolor=(1, 1, 1, 0.6), edgecolor=STYLE["none_hatch"], hatch=HATCH[holder], linewidth=0, zorder=3
        )
    if holder == "contested":
        return PathPatch(
            path,
            facecolor=_rgba(colors[holder], GROUND_ALPHA),
            edgecolor=STYLE["contested_hatch"],
            hatch=HATCH[holder],
            linewidth=1.2,
            linestyle=(0, (4, 3)),
            zorder=4,
        )
    color = colors.get(holder, STYLE["unknown_holder"])
    return PathPatch(path, facecolor=_rgba(color, GROUND_ALPHA), edgecolor=_rgba(color, 0.55), linewidth=0.8, zorder=3)


def _low_patch(path: MplPath) -> PathPatch:
    """White hatching over ground whose report in force has low confidence (drawn over its faction's fill)."""
    return PathPatch(path, facecolor="none", edgecolor=(1, 1, 1, 0.9), hatch=HATCH["low"], linewidth=0, zorder=3.5)


def _places(ax, territory: Territory, date: dt.date, colors: dict[str, str]) -> list:
    sure, estimated = ([], [], []), ([], [], [])
    for p in territory.ds.places.values():
        if p.role == "reference" and not territory.ds.rows_for(p.id):
            continue
        row = territory.row_at(p.id, date)
        color = colors.get(row.holder, STYLE["no_holder"]) if row else STYLE["no_holder"]
        bucket = sure if p.confidence == "high" else estimated
        bucket[0].append(p.lon)
        bucket[1].append(p.lat)
        bucket[2].append(color)
    out = []
    if estimated[0]:
        fc = [_rgba(c, 0.3) for c in estimated[2]]
        out.append(
            ax.scatter(estimated[0], estimated[1], s=55, c=fc, edgecolors=STYLE["place_edge"], linewidths=1.2, zorder=9)
        )
    if sure[0]:
        out.append(
            ax.scatter(sure[0], sure[1], s=70, c=sure[2], edgecolors=STYLE["place_edge"], linewidths=1.2, zorder=9.5)
        )
    return out


def _events(ax, territory: Territory, date: dt.date) -> list:
    lo = date - dt.timedelta(days=RECENT_DAYS)
    events = [e for e in territory.ds.events if lo <= e.date <= date and e.place_id in territory.ds.places]
    west, east = ax.get_xlim()
    south, north = ax.get_ylim()
    labelled: list[str] = []
    out = []
    for e in sorted(events, key=lambda e: e.date == date):
        p = territory.ds.places[e.place_id]
        current = e.date == date
        out.append(
            ax.scatter(
                [p.lon],
                [p.lat],
                s=700 if current else 260,
                facecolors=(1, 1, 1, 0.35 if current else 0.2),
                edgecolors=STYLE["event"],
                linewidths=3.5 if current else 2.2,
                zorder=10,
            )
        )
        if current and p.id not in labelled and west <= p.lon <= east and south <= p.lat <= north:
            labelled.append(p.id)
            dy = -16 - 22 * (len(labelled) - 1)  # several events at one spot: stack their labels
            out.append(
                _label(
                    ax,
                    p.name,
                    p.lon,
                    p.lat,
                    (18, dy),
                    fontsize=15,
                    fontweight="bold",
                    color=STYLE["event"],
                    zorder=11,
                    path_effects=_halo(4),
                )
            )
    return out


def _panel_text(st: Stage, territory: Territory, date: dt.date, caption: str | None, lay: Layout) -> list:
    """The date, the km² of each holder in the legend, the frontline length, the caption and the footer."""
    fig, left, width = st.fig, st.left, st.width
    out = [fig.text(left, 0.845, date_text(date), fontsize=46, fontweight="bold", color=STYLE["ink"], va="top")]
    snap = territory.control_at(date)
    y = LEGEND_TOP
    for holder in lay.holders:
        out.append(
            fig.text(
                left + width,
                y - SWATCH_H / 2,
                f"{snap.area_km2(holder):,.0f} km²",
                fontsize=21,
                color=STYLE["ink"],
                va="center",
                ha="right",
                fontweight="bold",
            )
        )
        y -= LEGEND_STEP
    note = f"Frontline {territory.frontline_km(snap):,.0f} km · areas in an equal-area projection"
    out.append(fig.text(left, y - 0.004, note, fontsize=13, color=STYLE["muted"], va="top"))
    caption = caption if caption is not None else default_caption(territory, date)
    y = st.caption_top
    if caption:
        out.append(fig.add_artist(Line2D([left, left + width], [y, y], color=STYLE["line"], linewidth=1.5)))
        size = 16
        line_h = size * 1.4 / 72 / fig.get_figheight()
        chars = max(20, int(width * fig.get_figwidth() * 72 / (size * 0.52)))
        lines = textwrap.wrap(caption, chars)
        fit = max(1, int((y - 0.015 - st.bottom) / line_h))
        if len(lines) > fit:  # never run into the source line: cut the caption at a word, marked
            lines = lines[:fit]
            lines[-1] = textwrap.shorten(lines[-1] + " …", chars, placeholder=" …")
        out.append(
            fig.text(left, y - 0.015, "\n".join(lines), fontsize=size, color=STYLE["ink"], va="top", linespacing=1.0)
        )
    # The source lines over blank lines where the base has the licences: the same layout as one block of text.
    footer = "\n".join(_footer_lines(territory, date, fig.get_figwidth(), licences=False) + [""] * _licence_lines(fig))
    out.append(fig.text(0.008, 0.008, footer, fontsize=FOOTER_SIZE, color=STYLE["muted"], va="bottom", linespacing=1.0))
    return out


def _draw_key(fig: Figure, left: float, y: float, layers: frozenset[str], colors: dict[str, str]) -> float:
    """Key of the map's symbols from ``y`` down; returns the y below it."""
    items = []
    if "control" in layers:
        items.append(("low", "Hatched white: the report in force has low confidence"))
    if "frontline" in layers:
        items.append(("front", "Frontline between two holders"))
    if "places" in layers:
        items += [("place", "Place, located from a source"), ("estimated", "Place with an estimated location")]
    if "events" in layers:
        items.append(("event", f"Event on this date (smaller: the {RECENT_DAYS} days before)"))
    if not items:
        return y
    step = 0.03
    ax = fig.add_axes((left, y - step * len(items), 0.5 / fig.get_figwidth(), step * len(items)))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, len(items))
    first = colors.get(next(iter(colors), ""), STYLE["unknown_holder"])
    for i, (kind, text) in enumerate(items):
        cy = len(items) - i - 0.5
        if kind == "low":
            box = MplPath.unit_rectangle().transformed(Affine2D().scale(0.7).translate(0.15, cy - 0.35))
            ax.add_artist(PathPatch(box, facecolor=_rgba(first, GROUND_ALPHA), linewidth=0))
            ax.add_artist(_low_patch(box))
        elif kind == "front":
            ax.plot([0.1, 0.9], [cy, cy], color=STYLE["front"], linewidth=3.5)
        elif kind == "place":
            ax.scatter([0.5], [cy], s=70, c=STYLE["key_grey"], edgecolors=STYLE["place_edge"], linewidths=1.2)
        elif kind == "estimated":
            ax.scatter(
                [0.5], [cy], s=55, c=[_rgba(STYLE["key_grey"], 0.3)], edgecolors=STYLE["place_edge"], linewidths=1.2
            )
        else:
            ax.scatter([0.5], [cy], s=200, facecolors="none", edgecolors=STYLE["event"], linewidths=2.5)
        ty = y - step * (i + 0.5)
        fig.text(left + 0.5 / fig.get_figwidth() + 0.006, ty, text, fontsize=13, color=STYLE["muted"], va="center")
    return y - step * len(items) - 0.012


def _footer_lines(territory: Territory, date: dt.date, fig_width: float, licences: bool = True) -> list[str]:
    """The source line and the licences along the bottom, wrapped to the figure's width (inches)."""
    lines = textwrap.wrap(source_line(territory, date), _footer_chars(fig_width))[:2]
    return lines + _licences(fig_width) if licences else lines


def _licences(fig_width: float) -> list[str]:
    return textwrap.wrap(LICENCES, _footer_chars(fig_width))[:2]


def _licence_lines(fig: Figure) -> int:
    return len(_licences(fig.get_figwidth()))


def _footer_chars(fig_width: float) -> int:
    return int(0.985 * fig_width * 72 / (FOOTER_SIZE * 0.5))


def _swatch(fig: Figure, holder: str, colors: dict[str, str], xy, w: float, h: float) -> Rectangle:
    kw = {"transform": fig.transFigure, "linewidth": 1.2}
    if holder == NO_REPORTING:
        return Rectangle(xy, w, h, facecolor="white", edgecolor=STYLE["none_hatch"], hatch=HATCH[holder], **kw)
    if holder == "contested":
        return Rectangle(
            xy,
            w,
            h,
            facecolor=_rgba(colors[holder], 0.55),
            edgecolor=STYLE["contested_hatch"],
            hatch=HATCH[holder],
            **kw,
        )
    color = _rgba(colors.get(holder, STYLE["unknown_holder"]), 0.6)
    return Rectangle(xy, w, h, facecolor=color, edgecolor=STYLE["ground_edge"], **kw)


def _fig_width(size: tuple[int, int]) -> float:
    return size[0] * BASE_HEIGHT_IN / size[1]


def _colors(territory: Territory) -> dict[str, str]:
    return {f["id"]: f["color"] for f in territory.ds.theatre["factions"]}


def _rgba(hex_color: str, alpha: float) -> tuple[float, float, float, float]:
    r, g, b = (int(hex_color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


def _halo(width: float = 3) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]
