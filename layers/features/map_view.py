"""The map: every registered layer (``layers.LAYERS``) in its pane, the layer menu with the offline and the
optional online basemaps, the legend, and the briefing caption and buttons over the map.

A layer's GeoJSON is fixed when the page loads; its JS twin (``assets/layer_<name>.js``) styles and restyles it.
"""

from __future__ import annotations

import os

import dash_leaflet as dl
import xyzservices.providers as xyz
from dash import html

from layers import LAYERS
from layers.base import JS_NAMESPACE, Part
from layers.server.context import Context

MAP_ID = "map"
CAPTION_ID = "briefing-caption"
# Online basemaps offered as options (never required); RAQQA_TILE_URL replaces their address (tests, mirrors).
ONLINE_BASEMAPS = (
    ("OpenStreetMap (online)", xyz.OpenStreetMap.Mapnik),
    ("Satellite, Esri (online)", xyz.Esri.WorldImagery),
)
OFFLINE_BASEMAP = "Offline basemap (bundled)"
# A date-dependent part of a layer declaring CANVAS with this many features or more is drawn on one canvas shared
# by all such parts (assets/26_canvas.js), not as one SVG element per feature: thousands of SVG paths make
# every day's step slow. RAQQA_CANVAS_FROM replaces it (tests draw small theatres both ways).
CANVAS_ENV = "RAQQA_CANVAS_FROM"


def canvas_from() -> int:
    """The number of features from which a part is drawn on the canvas (default 1,000)."""
    raw = os.environ.get(CANVAS_ENV, "1000")
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"{CANVAS_ENV}: {raw!r} is not a whole number of features >= 1")
    return n


def panel(ctx: Context) -> html.Div:
    tables = ctx.tables
    w, s, e, n = ctx.dataset.aoi.bounds
    parts = {m.NAME: m.parts(ctx, tables) for m in LAYERS if m.DYNAMIC}
    canvas = _canvas(parts)
    overlays = [_overlay(m, parts[m.NAME], canvas) for m in LAYERS if m.DYNAMIC]
    static = [pane for m in LAYERS if not m.DYNAMIC for pane in _panes(m, ctx, tables)]
    bases = [dl.BaseLayer(dl.LayerGroup(), name=OFFLINE_BASEMAP, checked=True)] + [
        dl.BaseLayer(
            dl.TileLayer(url=url, attribution=p.get("attribution", ""), maxZoom=18),
            name=name,
            checked=False,
        )
        for (name, p), url in zip(ONLINE_BASEMAPS, tile_urls(), strict=True)
    ]
    return html.Div(
        [
            dl.Map(
                [
                    *static,
                    dl.LayersControl(
                        [*bases, *overlays],
                        position="topright",
                        collapsed=True,
                        baseLayer=OFFLINE_BASEMAP,
                        overlays=[m.TITLE for m in LAYERS if m.DYNAMIC and m.DEFAULT_ON],
                    ),
                    dl.ScaleControl(position="bottomright", imperial=False),
                ],
                id=MAP_ID,
                center=[(s + n) / 2, (w + e) / 2],
                zoom=9,
                minZoom=6,
                zoomSnap=0.25,
                maxZoom=15,
                fadeAnimation=False,
                attributionControl=True,
                style={"height": "100%", "width": "100%"},
            ),
            _legend(ctx),
            html.Div(id=CAPTION_ID, className="briefing-caption", **{"aria-live": "polite"}),
            html.Div(
                [
                    html.Button("◀ Previous", className="hud-btn", **{"data-action": "prev-event"}),
                    html.Span(className="hud-step"),
                    html.Button("Next ▶", className="hud-btn", **{"data-action": "next-event"}),
                    html.Button("Autoplay", className="hud-btn", **{"data-action": "play"}),
                    html.Button("Full screen", className="hud-btn", **{"data-action": "fullscreen"}),
                    html.Button("Exit briefing", className="hud-btn", **{"data-action": "briefing"}),
                ],
                className="briefing-hud",
            ),
            html.Div(className="tile-notice", role="status"),
        ],
        className="map-panel",
    )


def _canvas(parts: dict[str, list[Part]]) -> dict[tuple[str, str], dict]:
    """The parts drawn on the shared canvas, by (layer, part): the canvas's pane (the highest of theirs) and the
    part's ``Z`` (its draw order on the canvas)."""
    n, big = canvas_from(), []
    for m in LAYERS:
        if getattr(m, "CANVAS", False) and m.NAME in parts:
            big += [(m, p) for p in parts[m.NAME] if len(p.data["features"]) >= n]
    if not big:
        return {}
    top = max(big, key=lambda mp: mp[0].Z)[0]
    return {(m.NAME, p.name): {"pane": f"pane-{top.NAME}", "z": m.Z} for m, p in big}


def _overlay(m, parts: list[Part], canvas: dict) -> dl.Overlay:
    """A date-dependent layer: its parts in one pane at the layer's ``Z``, an entry in the layer menu."""
    parts = [geojson(m, p, canvas.get((m.NAME, p.name))) for p in parts]
    # one LayerGroup: the Overlay lists every layer added to it, so a layer of two parts was listed twice
    return dl.Overlay(
        dl.Pane(dl.LayerGroup(parts), name=f"pane-{m.NAME}", style={"zIndex": m.Z}),
        name=m.TITLE,
        checked=m.DEFAULT_ON,
        id=overlay_id(m.NAME),
    )


def overlay_id(name: str) -> str:
    """The id of a date-dependent layer's entry in the layer menu (the engine checks and unchecks it)."""
    return f"overlay-{name}"


def _panes(m, ctx: Context, tables: dict) -> list[dl.Pane]:
    """A static layer: its parts grouped into their panes (always shown, not in the layer menu)."""
    panes: dict[tuple[str, int], list] = {}
    for p in m.parts(ctx, tables):
        panes.setdefault((p.pane, m.Z if p.z is None else p.z), []).append(geojson(m, p))
    return [
        dl.Pane(children, name=f"{m.NAME}-{pane}" if pane else f"pane-{m.NAME}", style={"zIndex": z})
        for (pane, z), children in panes.items()
    ]


def geojson(m, part: Part, canvas: dict | None = None) -> dl.GeoJSON:
    """One part of layer ``m`` as a dl.GeoJSON bound to ``raqqaLayers.<NAME>`` (``assets/layer_<NAME>.js``);
    ``canvas``: drawn on the shared canvas (:func:`_canvas`)."""
    ns = f"{JS_NAMESPACE}.{m.NAME}"
    hideout = {"part": part.name} if part.name else {}
    if canvas:
        hideout["canvas"] = canvas
    if part.attribution:
        hideout["attribution"] = part.attribution
    props = {"hideout": hideout}
    if part.point:
        props["pointToLayer"] = {"variable": f"{ns}.point"}
    if m.DYNAMIC:  # the engine restyles the features ``bind`` registered: nothing is sent when the date moves
        props["onEachFeature"] = {"variable": f"{ns}.bind"}
        if not part.point:
            props["style"] = {"variable": f"{ns}.style"}
    else:
        props.update(style={"variable": f"{ns}.style"}, interactive=False)
    return dl.GeoJSON(id=f"layer-{m.NAME}{'-' + part.name if part.name else ''}", data=part.data, **props)


def _legend(ctx: Context) -> html.Div:
    """The key the room needs to read the map: one swatch per holder, plus low-confidence hatching."""
    items = []
    for f in ctx.dataset.theatre["factions"]:
        hatch = " hatch-contested" if f["id"] == "contested" else ""
        items.append(html.Li([html.Span(className=f"swatch{hatch}", style={"--c": f["color"]}), f["label"]]))
    items.append(html.Li([html.Span(className="swatch hatch-no-reporting"), "No reporting"]))
    items.append(html.Li([html.Span(className="swatch hatch-low"), "Low-confidence report (hatched)"]))
    gain = [html.Span(className="swatch hatch-gain"), "Changed hands since the compare date"]
    items.append(html.Li(gain, className="key-gain"))  # shown while there is a compare date
    items.append(html.Li([html.Span(className="key key-front"), "Frontline"]))
    if ctx.dataset.city is not None:  # shown at city zoom (assets/40_city.css)
        extent = "estimated extent" if ctx.dataset.city.estimated else "extent"
        key = html.Span(className="key key-city")
        items.append(html.Li([key, f"{ctx.dataset.city.name}, {extent}"], className="legend-city"))
    return html.Ul(items, className="map-legend", **{"aria-label": "Map legend"})


def tile_urls() -> list[str]:
    """The tile URL templates of the online basemaps (RAQQA_TILE_URL replaces them all), in their order."""
    override = os.environ.get("RAQQA_TILE_URL")
    return [override or p.build_url() for _, p in ONLINE_BASEMAPS]
