"""The artists of an exported image (matplotlib): the map clipped to the view, with the panel beside it
(:mod:`layers.core.panel`) and the look of both (:mod:`layers.core.style`).

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
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from layers.core import mpl_paths, panel
from layers.core.style import (  # noqa: F401  (RC and the colours: the settings images are drawn with)
    GROUND_ALPHA,
    HATCH,
    RC,
    STYLE,
    colors,
    halo,
    low_patch,
    rgba,
)
from layers.core.territory import NO_REPORTING, Territory
from layers.core.timeline import RECENT_DAYS  # events shown: the date and the days before, as on the map

BASE_HEIGHT_IN = 10.8  # figure height in inches: the dpi scales with the pixel height, so text scales too
PANEL_IN = 6.6  # width of the side panel (title, date, legend, caption) in inches of the 10.8-inch-high figure


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
    return Layout(len(panel.footer_lines(territory, date, _fig_width(size))), holders)


def stage(territory: Territory, bounds, size: tuple[int, int], layers: frozenset[str], lay: Layout) -> tuple:
    """A new figure with the artists of the ``base``, ``water`` and ``towns`` layers: ``(stage, {"water": [...],
    "towns": [...]})`` (every other artist of the figure is the base)."""
    w, h = size
    dpi = h / BASE_HEIGHT_IN
    fig = Figure(figsize=(w / dpi, BASE_HEIGHT_IN), dpi=dpi, facecolor=STYLE["panel"])
    fig.set_layout_engine(None)
    split = min(0.75, max(0.45, 1 - PANEL_IN / fig.get_figwidth()))
    bottom = 0.008 + lay.footer_lines * panel.FOOTER_SIZE * 1.3 / 72 / fig.get_figheight()
    ax = fig.add_axes((0.008, bottom + 0.012, split - 0.016, 0.99 - bottom - 0.012))
    left = split + 0.01
    st = Stage(fig, ax, left, 1 - left - 0.015, bottom + 0.005, 0.0)
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
    st.caption_top = panel.base(fig, territory, lay, layers, left)
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
                    path_effects=halo(),
                )
            )
    return st, {"water": water, "towns": towns}


def dated(
    st: Stage, territory: Territory, date: dt.date, layers: frozenset[str], caption: str | None, lay: Layout
) -> dict:
    """The artists of the date, added to the figure: ``{"ground": [...], "front": [...], "top": [...]}``."""
    ax, _fig = st.ax, st.fig
    cols = colors(territory)
    out: dict[str, list] = {"ground": [], "front": [], "top": []}
    if "control" in layers:
        for holder, path in mpl_paths.control_paths(territory, date):
            out["ground"].append(ax.add_artist(_ground_patch(holder, path, cols)))
        for path in mpl_paths.low_paths(territory, date):
            out["ground"].append(ax.add_artist(low_patch(path)))
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
        out["top"] += _places(ax, territory, date, cols)
    if "events" in layers:
        out["top"] += _events(ax, territory, date)
    out["top"] += panel.dated_text(st, territory, date, caption, lay)
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
            facecolor=rgba(colors[holder], GROUND_ALPHA),
            edgecolor=STYLE["contested_hatch"],
            hatch=HATCH[holder],
            linewidth=1.2,
            linestyle=(0, (4, 3)),
            zorder=4,
        )
    color = colors.get(holder, STYLE["unknown_holder"])
    return PathPatch(path, facecolor=rgba(color, GROUND_ALPHA), edgecolor=rgba(color, 0.55), linewidth=0.8, zorder=3)


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
        fc = [rgba(c, 0.3) for c in estimated[2]]
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
                    path_effects=halo(4),
                )
            )
    return out


def _fig_width(size: tuple[int, int]) -> float:
    return size[0] * BASE_HEIGHT_IN / size[1]
