"""The panel of an exported image, right of the map: title, date, the legend of the holders with their km² at the
date, the key of the map's symbols, the caption; and the footer along the bottom (sources and licences).

:func:`base` draws what a view's frames share (its layout fixed: the footer's lines, the holders in the legend);
:func:`dated_text` adds the artists of one date."""

from __future__ import annotations

import datetime as dt
import textwrap

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D

from layers.core.captions import LICENCES, date_text, default_caption, source_line
from layers.core.style import GROUND_ALPHA, HATCH, STYLE, colors, low_patch, rgba
from layers.core.territory import NO_REPORTING, Territory
from layers.core.timeline import RECENT_DAYS

FOOTER_SIZE = 10.5
LEGEND_TOP, LEGEND_STEP, SWATCH_H = 0.735, 0.048, 0.034


def base(fig: Figure, territory: Territory, lay, layers: frozenset[str], left: float) -> float:
    """Title, legend swatches and labels, key and licences; returns the figure y where the caption starts."""
    cols = colors(territory)
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
        fig.add_artist(swatch(fig, holder, cols, (left, y - SWATCH_H), sw_w, SWATCH_H))
        fig.text(left + sw_w + 0.01, y - SWATCH_H / 2, labels[holder], fontsize=21, color=STYLE["ink"], va="center")
        y -= LEGEND_STEP
    caption_top = key(fig, left, y - 0.045, layers, cols)
    licences = "\n".join([""] * (lay.footer_lines - _licence_lines(fig)) + _licences(fig.get_figwidth()))
    fig.text(0.008, 0.008, licences, fontsize=FOOTER_SIZE, color=STYLE["muted"], va="bottom", linespacing=1.0)

    return caption_top


def dated_text(st, territory: Territory, date: dt.date, caption: str | None, lay) -> list:
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
    footer = "\n".join(footer_lines(territory, date, fig.get_figwidth(), licences=False) + [""] * _licence_lines(fig))
    out.append(fig.text(0.008, 0.008, footer, fontsize=FOOTER_SIZE, color=STYLE["muted"], va="bottom", linespacing=1.0))
    return out


def key(fig: Figure, left: float, y: float, layers: frozenset[str], colors: dict[str, str]) -> float:
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
            ax.add_artist(PathPatch(box, facecolor=rgba(first, GROUND_ALPHA), linewidth=0))
            ax.add_artist(low_patch(box))
        elif kind == "front":
            ax.plot([0.1, 0.9], [cy, cy], color=STYLE["front"], linewidth=3.5)
        elif kind == "place":
            ax.scatter([0.5], [cy], s=70, c=STYLE["key_grey"], edgecolors=STYLE["place_edge"], linewidths=1.2)
        elif kind == "estimated":
            ax.scatter(
                [0.5], [cy], s=55, c=[rgba(STYLE["key_grey"], 0.3)], edgecolors=STYLE["place_edge"], linewidths=1.2
            )
        else:
            ax.scatter([0.5], [cy], s=200, facecolors="none", edgecolors=STYLE["event"], linewidths=2.5)
        ty = y - step * (i + 0.5)
        fig.text(left + 0.5 / fig.get_figwidth() + 0.006, ty, text, fontsize=13, color=STYLE["muted"], va="center")
    return y - step * len(items) - 0.012


def footer_lines(territory: Territory, date: dt.date, fig_width: float, licences: bool = True) -> list[str]:
    """The source line and the licences along the bottom, wrapped to the figure's width (inches)."""
    lines = textwrap.wrap(source_line(territory, date), _footer_chars(fig_width))[:2]
    return lines + _licences(fig_width) if licences else lines


def _licences(fig_width: float) -> list[str]:
    return textwrap.wrap(LICENCES, _footer_chars(fig_width))[:2]


def _licence_lines(fig: Figure) -> int:
    return len(_licences(fig.get_figwidth()))


def _footer_chars(fig_width: float) -> int:
    return int(0.985 * fig_width * 72 / (FOOTER_SIZE * 0.5))


def swatch(fig: Figure, holder: str, colors: dict[str, str], xy, w: float, h: float) -> Rectangle:
    kw = {"transform": fig.transFigure, "linewidth": 1.2}
    if holder == NO_REPORTING:
        return Rectangle(xy, w, h, facecolor="white", edgecolor=STYLE["none_hatch"], hatch=HATCH[holder], **kw)
    if holder == "contested":
        return Rectangle(
            xy,
            w,
            h,
            facecolor=rgba(colors[holder], 0.55),
            edgecolor=STYLE["contested_hatch"],
            hatch=HATCH[holder],
            **kw,
        )
    color = rgba(colors.get(holder, STYLE["unknown_holder"]), 0.6)
    return Rectangle(xy, w, h, facecolor=color, edgecolor=STYLE["ground_edge"], **kw)
