"""The map at a date drawn with matplotlib (Agg) for export: the same data the dashboard shows, no browser.

One frame holds the map clipped to the requested view (basemap, ground per holder in the faction colours with
contested and unreported ground hatched, frontlines, places, the date's events), and beside it the title,
the date, a legend of the holders with their km² at the date, a caption, and a source line naming the
sources behind the date and the data licences.

Styles mirror the dashboard's ``assets/layer_*.js`` so an export looks like the map. Text from the data is
drawn as text. Fonts: the Noto Sans woff2 files the app serves (``assets/fonts``) are decompressed once per
process with fontTools into TTF files matplotlib can read; DejaVu Sans (shipped with matplotlib) covers any
character outside their Latin subsets.
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import math
import shutil
import tempfile
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import matplotlib

matplotlib.use("Agg")  # no display, no GUI toolkit: safe in a web server's worker threads

import numpy as np  # noqa: E402
from matplotlib import font_manager, patheffects  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.transforms import Affine2D  # noqa: E402

from layers.core import mpl_paths  # noqa: E402
from layers.core.palette import palette  # noqa: E402
from layers.core.territory import NO_REPORTING, Territory  # noqa: E402
from layers.core.timeline import RECENT_DAYS  # noqa: E402  (events shown: the date and the days before, as on the map)

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "assets" / "fonts"
FAMILY = "Noto Sans"
EXT_FAMILY = "Noto Sans Latin Ext"  # the latin-ext subset, renamed so matplotlib can fall back to it
FAMILIES = [FAMILY, EXT_FAMILY, "DejaVu Sans"]
DEFAULT_SIZE = (1920, 1080)
BASE_HEIGHT_IN = 10.8  # figure height in inches: the dpi scales with the pixel height, so text scales too
MAX_SIZE = (3840, 2160)
PANEL_IN = 6.6  # width of the side panel (title, date, legend, caption) in inches of the 10.8-inch-high figure

# The map's colours (assets/00_theme.css, read by layers/core/palette.py), keyed water_edge for --water-edge.
STYLE = {name.replace("-", "_"): colour for name, colour in palette().items()}
# Text from the data is text: no mathtext ("$...$" in a caption stays as typed).
RC = {"font.family": FAMILIES, "hatch.linewidth": 1.6, "path.simplify": True, "text.parse_math": False}
HATCH = {"contested": "//", NO_REPORTING: "\\\\", "low": "//"}
GROUND_ALPHA = 0.55  # fill opacity of a faction's ground, as on the map
LICENCES = (
    "Data licences: place coordinates and towns © GeoNames, CC BY 4.0; land, border and reservoirs "
    "© OpenStreetMap contributors, ODbL; governorates Natural Earth, public domain; rivers GSHHG/WDBII, "
    "LGPL-3.0. Ground is a schematic of reported control around named places, not surveyed lines."
)

_LOCK = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe
_FONTS_READY = False


@dataclass(frozen=True)
class View:
    """What to draw: the date, the view bounds [west, south, east, north] in degrees, optional caption,
    the map layers shown, and the output size in pixels."""

    date: dt.date
    bounds: tuple[float, float, float, float]
    caption: str | None = None
    layers: frozenset[str] = frozenset({"control", "frontline", "places", "events"})
    size: tuple[int, int] = DEFAULT_SIZE


# ---------------------------------------------------------------------------------------------------------
# public entry points


def render_png(territory: Territory, view: View) -> bytes:
    """The view as PNG bytes."""
    return _to_png(render_rgb(territory, view))


def render_rgb(territory: Territory, view: View) -> np.ndarray:
    """The view as an RGB array of shape (height, width, 3)."""
    with _LOCK:
        register_fonts()
        with matplotlib.rc_context(RC):
            fig = _figure(territory, view)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
        rgb = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
    w, h = view.size
    if rgb.shape[:2] != (h, w):  # rounding of inches x dpi: pad or crop to the exact size asked for
        out = np.full((h, w, 3), 255, np.uint8)
        hh, ww = min(h, rgb.shape[0]), min(w, rgb.shape[1])
        out[:hh, :ww] = rgb[:hh, :ww]
        rgb = out
    return rgb


def register_fonts() -> None:
    """Decompress the bundled Noto Sans woff2 files to TTF once per process and register them."""
    global _FONTS_READY
    if _FONTS_READY:
        return
    from fontTools.ttLib import TTFont

    out = Path(tempfile.mkdtemp(prefix="raqqa-fonts-"))
    atexit.register(shutil.rmtree, out, True)
    for src in sorted(FONT_DIR.glob("noto-sans-*.woff2")):
        font = TTFont(src)
        font.flavor = None  # woff2 -> plain TrueType (needs brotli, installed with flask-compress)
        if "latin-ext" in src.name:
            for rec in font["name"].names:
                if rec.nameID in (1, 16):
                    rec.string = EXT_FAMILY
                elif rec.nameID in (4, 6):
                    rec.string = rec.toUnicode().replace("Noto Sans", EXT_FAMILY).replace("NotoSans", "NotoSansExt")
        path = out / (src.stem + ".ttf")
        font.save(path)
        font_manager.fontManager.addfont(str(path))
    _FONTS_READY = True


def default_caption(territory: Territory, date: dt.date) -> str:
    """The event(s) of the date; else the latest event before it, with its date."""
    events = [e for e in territory.ds.events if e.date == date]
    if events:
        return "; ".join(f"{e.title} ({territory.ds.places[e.place_id].name})" for e in events)
    earlier = [e for e in territory.ds.events if e.date < date]
    if not earlier:
        return "Before the first reported event of the campaign."
    e = earlier[-1]
    return f"Last event before this date, {_date_text(e.date)}: {e.title} ({territory.ds.places[e.place_id].name})"


def source_line(territory: Territory, date: dt.date) -> str:
    """The sources behind the map at ``date``: the ledger rows and events of the date, and the hosts cited by
    every ledger row in force."""
    ds = territory.ds
    today = [r for r in ds.ledger if r.date == date]
    events = [e for e in ds.events if e.date == date]
    held = sorted({r.place_id for r in ds.ledger}) + list(territory.region_ids)
    in_force = [r for p in held if (r := territory.row_at(p, date))]
    parts = []
    if today:
        ids = ", ".join(r.row_id for r in today[:8]) + (f" and {len(today) - 8} more" if len(today) > 8 else "")
        parts.append(f"Ledger rows of this date ({ids}): {_hosts(u for r in today for u in _row_urls(r))}")
    if events:
        parts.append(f"events of this date: {_hosts(u for e in events for u in e.source_urls)}")
    parts.append(f"ground from {len(in_force)} ledger rows in force, citing {_hosts(r.source_url for r in in_force)}")
    text = "; ".join(parts)
    return "Sources — " + text[0].lower() + text[1:] + "."


def frame_dates(territory: Territory, every: int | None = None) -> list[dt.date]:
    """Dates of an animation: one per distinct map state (each ledger change date), or one every ``every``
    days from the campaign start (the end date always included)."""
    ds = territory.ds
    if every:
        n = (ds.end - ds.start).days
        days = list(range(0, n + 1, every))
        if days[-1] != n:
            days.append(n)
        return [ds.start + dt.timedelta(days=d) for d in days]
    out, seen = [], set()
    for d in [ds.start, *territory.change_dates()]:
        key = territory.state_key(d)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


# ---------------------------------------------------------------------------------------------------------
# figure


def _figure(territory: Territory, view: View) -> Figure:
    w, h = view.size
    dpi = h / BASE_HEIGHT_IN
    fig = Figure(figsize=(w / dpi, BASE_HEIGHT_IN), dpi=dpi, facecolor=STYLE["panel"])
    fig.set_layout_engine(None)
    split = min(0.75, max(0.45, 1 - PANEL_IN / fig.get_figwidth()))
    top_of_footer = _draw_footer(fig, territory, view)
    ax = fig.add_axes((0.008, top_of_footer + 0.012, split - 0.016, 0.99 - top_of_footer - 0.012))
    _draw_map(ax, territory, view)
    _draw_panel(fig, territory, view, left=split + 0.01, bottom=top_of_footer + 0.005)
    return fig


def _draw_map(ax, territory: Territory, view: View) -> None:
    west, south, east, north = view.bounds
    ax.set_facecolor(STYLE["sea"])
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)), adjustable="box", anchor="C")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(STYLE["muted"])
        spine.set_linewidth(1.2)
    colors = _colors(territory)
    base = mpl_paths.basemap_paths(territory)
    # Patches go in with add_artist, not add_patch: the limits are fixed above, and add_patch would walk
    # every Bézier segment of the ground to update data limits (a quarter of a frame's time).
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
    if "control" in view.layers:
        for holder, path in mpl_paths.control_paths(territory, view.date):
            ax.add_artist(_ground_patch(holder, path, colors))
        for path in mpl_paths.low_paths(territory, view.date):
            ax.add_artist(_low_patch(path))
    if base.get("water") is not None:
        ax.add_artist(
            PathPatch(base["water"], facecolor=STYLE["water"], edgecolor=STYLE["water_edge"], linewidth=1, zorder=5)
        )
    for name, line in base.get("rivers", []):
        ax.plot(*line, color=STYLE["river"], linewidth=3 if name else 1.5, zorder=5.5, solid_capstyle="round")
    for line in base.get("borders", []):
        ax.plot(*line, color=STYLE["border"], linewidth=2, linestyle=(0, (8, 4, 2, 4)), zorder=6)
    if "frontline" in view.layers:
        for contested, line in mpl_paths.front_lines(territory, view.date):
            ax.plot(
                *line,
                color=STYLE["front"],
                linewidth=2.5 if contested else 3.5,
                linestyle=(0, (3, 4)) if contested else "-",
                alpha=0.9,
                zorder=7,
                solid_capstyle="round",
            )
    for name, lon, lat in base.get("towns", []):
        if west <= lon <= east and south <= lat <= north:
            ax.plot(lon, lat, "o", markersize=5, color=STYLE["panel"], markeredgecolor=STYLE["town"], zorder=8)
            ax.annotate(
                name,
                (lon, lat),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=11,
                color=STYLE["town"],
                zorder=8,
                path_effects=_halo(),
                annotation_clip=True,
                clip_on=True,
            )
    if "places" in view.layers:
        _draw_places(ax, territory, view.date, colors)
    if "events" in view.layers:
        _draw_events(ax, territory, view)


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


def _draw_places(ax, territory: Territory, date: dt.date, colors: dict[str, str]) -> None:
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
    if estimated[0]:
        fc = [_rgba(c, 0.3) for c in estimated[2]]
        ax.scatter(estimated[0], estimated[1], s=55, c=fc, edgecolors=STYLE["place_edge"], linewidths=1.2, zorder=9)
    if sure[0]:
        ax.scatter(sure[0], sure[1], s=70, c=sure[2], edgecolors=STYLE["place_edge"], linewidths=1.2, zorder=9.5)


def _draw_events(ax, territory: Territory, view: View) -> None:
    lo = view.date - dt.timedelta(days=RECENT_DAYS)
    events = [e for e in territory.ds.events if lo <= e.date <= view.date and e.place_id in territory.ds.places]
    west, south, east, north = view.bounds
    labelled: list[str] = []
    for e in sorted(events, key=lambda e: e.date == view.date):
        p = territory.ds.places[e.place_id]
        current = e.date == view.date
        ax.scatter(
            [p.lon],
            [p.lat],
            s=700 if current else 260,
            facecolors=(1, 1, 1, 0.35 if current else 0.2),
            edgecolors=STYLE["event"],
            linewidths=3.5 if current else 2.2,
            zorder=10,
        )
        if current and p.id not in labelled and west <= p.lon <= east and south <= p.lat <= north:
            labelled.append(p.id)
            dy = -16 - 22 * (len(labelled) - 1)  # several events at one spot: stack their labels
            ax.annotate(
                p.name,
                (p.lon, p.lat),
                xytext=(18, dy),
                textcoords="offset points",
                fontsize=15,
                fontweight="bold",
                color=STYLE["event"],
                zorder=11,
                path_effects=_halo(4),
                clip_on=True,
                annotation_clip=True,
            )


def _draw_panel(fig: Figure, territory: Territory, view: View, left: float, bottom: float) -> None:
    """Title, date, legend with km², key and caption, top to bottom, in the column right of the map."""
    ds = territory.ds
    colors = _colors(territory)
    width = 1 - left - 0.015
    title = ds.theatre.get("short_name") or ds.theatre["name"]
    fig.text(left, 0.96, title, fontsize=30, fontweight="bold", color=STYLE["ink"], va="top")
    subtitle = "Ground held by each faction, from dated, sourced reports"
    fig.text(left, 0.893, subtitle, fontsize=15, color=STYLE["muted"], va="top")
    fig.text(left, 0.845, _date_text(view.date), fontsize=46, fontweight="bold", color=STYLE["ink"], va="top")
    y = 0.735
    snap = territory.control_at(view.date)
    rows = [(f["id"], f["label"]) for f in ds.theatre["factions"]] + [(NO_REPORTING, "No reporting")]
    sw_h = 0.034
    sw_w = sw_h * fig.get_figheight() / fig.get_figwidth()  # square
    for holder, label in rows:
        km2 = snap.area_km2(holder)
        if not km2 and holder not in ds.faction_ids[:2]:
            continue
        fig.add_artist(_swatch(fig, holder, colors, (left, y - sw_h), sw_w, sw_h))
        fig.text(left + sw_w + 0.01, y - sw_h / 2, label, fontsize=21, color=STYLE["ink"], va="center")
        fig.text(
            left + width,
            y - sw_h / 2,
            f"{km2:,.0f} km²",
            fontsize=21,
            color=STYLE["ink"],
            va="center",
            ha="right",
            fontweight="bold",
        )
        y -= 0.048
    front = territory.frontline_km(snap)
    note = f"Frontline {front:,.0f} km · areas in an equal-area projection"
    fig.text(left, y - 0.004, note, fontsize=13, color=STYLE["muted"], va="top")
    y = _draw_key(fig, left, y - 0.045, view, colors)
    caption = view.caption if view.caption is not None else default_caption(territory, view.date)
    if caption:
        fig.add_artist(Line2D([left, left + width], [y, y], color=STYLE["line"], linewidth=1.5))
        size = 16
        line_h = size * 1.4 / 72 / fig.get_figheight()
        chars = max(20, int(width * fig.get_figwidth() * 72 / (size * 0.52)))
        lines = textwrap.wrap(caption, chars)
        fit = max(1, int((y - 0.015 - bottom) / line_h))
        if len(lines) > fit:  # never run into the source line: cut the caption at a word, marked
            lines = lines[:fit]
            lines[-1] = textwrap.shorten(lines[-1] + " …", chars, placeholder=" …")
        fig.text(left, y - 0.015, "\n".join(lines), fontsize=size, color=STYLE["ink"], va="top", linespacing=1.0)


def _draw_key(fig: Figure, left: float, y: float, view: View, colors: dict[str, str]) -> float:
    """Key of the map's symbols from ``y`` down; returns the y below it."""
    items = []
    if "control" in view.layers:
        items.append(("low", "Hatched white: the report in force has low confidence"))
    if "frontline" in view.layers:
        items.append(("front", "Frontline between two holders"))
    if "places" in view.layers:
        items += [("place", "Place, located from a source"), ("estimated", "Place with an estimated location")]
    if "events" in view.layers:
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


def _draw_footer(fig: Figure, territory: Territory, view: View) -> float:
    """The source line and the licences along the bottom; returns the figure y of its top."""
    size = 10.5
    chars = int(0.985 * fig.get_figwidth() * 72 / (size * 0.5))
    lines = textwrap.wrap(source_line(territory, view.date), chars)[:2] + textwrap.wrap(LICENCES, chars)[:2]
    fig.text(0.008, 0.008, "\n".join(lines), fontsize=size, color=STYLE["muted"], va="bottom", linespacing=1.0)
    return 0.008 + len(lines) * size * 1.3 / 72 / fig.get_figheight()


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
    return Rectangle(
        xy,
        w,
        h,
        facecolor=_rgba(colors.get(holder, STYLE["unknown_holder"]), 0.6),
        edgecolor=STYLE["ground_edge"],
        **kw,
    )


# ---------------------------------------------------------------------------------------------------------
# small helpers


def _colors(territory: Territory) -> dict[str, str]:
    return {f["id"]: f["color"] for f in territory.ds.theatre["factions"]}


def _rgba(hex_color: str, alpha: float) -> tuple[float, float, float, float]:
    r, g, b = (int(hex_color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


def _halo(width: float = 3) -> list:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _row_urls(row) -> list[str]:
    return [u for u in (row.source_url, *row.supporting_source_url.split(";")) if u.strip()]


def _hosts(urls) -> str:
    hosts = []
    for u in urls:
        host = (urlparse(u.strip()).hostname or u.strip()).removeprefix("www.")
        if host and host not in hosts:
            hosts.append(host)
    return ", ".join(hosts) if hosts else "none named"


def _date_text(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _to_png(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()
