"""The map at a date drawn with matplotlib (Agg) for export: the same data the dashboard shows, no browser.

One image holds the map clipped to the requested view (basemap, ground per holder in the faction colours with
contested and unreported ground hatched, frontlines, places, the date's events), and beside it the title,
the date, a legend of the holders with their km² at the date, a caption, and a source line naming the
sources behind the date and the data licences (the artists: :mod:`layers.core.draw`).

A view's unchanging layers (basemap, titles, key; lakes, rivers and border; towns) are drawn once per process
and kept (:data:`SCENES` views); an image then starts from the copy of its base, draws the date's ground,
lays the lakes over it, draws the frontlines, lays the towns, and draws the date's places, events and panel
text: the same order, so the same picture, as drawing everything at once, for a fraction of the work.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display, no GUI toolkit: safe in a web server's worker threads

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from layers.core import draw  # noqa: E402
from layers.core.fonts import register_fonts  # noqa: E402
from layers.core.territory import Territory  # noqa: E402

DEFAULT_SIZE = (1920, 1080)
MAX_SIZE = (3840, 2160)
LAYER_ORDER = ("ground", "water", "front", "towns", "top")  # above the base, bottom to top
SCENES = 6  # views whose unchanging layers are kept drawn, per process (a 1920x1080 view holds about 12 MB)
PNG_LEVEL = 6  # zlib level of an exported PNG

_LOCK = threading.Lock()  # matplotlib's font cache, text layout and the kept scenes are not thread-safe


@dataclass(frozen=True)
class View:
    """What to draw: the date, the view bounds [west, south, east, north] in degrees, optional caption,
    the map layers shown, and the output size in pixels."""

    date: dt.date
    bounds: tuple[float, float, float, float]
    caption: str | None = None
    layers: frozenset[str] = frozenset({"control", "frontline", "places", "events"})
    size: tuple[int, int] = DEFAULT_SIZE


def render_png(territory: Territory, view: View, level: int = PNG_LEVEL) -> bytes:
    """The view as PNG bytes (zlib ``level``: 1 is several times faster to write, a third larger)."""
    return to_png(render_rgb(territory, view), level)


def render_rgb(territory: Territory, view: View) -> np.ndarray:
    """The view as an RGB array of shape (height, width, 3)."""
    with _LOCK:
        register_fonts()
        with matplotlib.rc_context(draw.RC):
            lay = draw.layout(territory, view.size, view.date)
            rgb = _scene(territory, view, lay).image(territory, view, lay)
    w, h = view.size
    if rgb.shape[:2] != (h, w):  # rounding of inches x dpi: pad or crop to the exact size asked for
        out = np.full((h, w, 3), 255, np.uint8)
        hh, ww = min(h, rgb.shape[0]), min(w, rgb.shape[1])
        out[:hh, :ww] = rgb[:hh, :ww]
        rgb = out
    return rgb


def to_png(rgb: np.ndarray, level: int = PNG_LEVEL) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", optimize=False, compress_level=level)
    return buf.getvalue()


def reset_lock() -> None:
    """A new lock, in a process forked from one where another thread may have held it."""
    global _LOCK
    _LOCK = threading.Lock()


def clear() -> None:
    """Forget the kept scenes (their figures and drawn layers)."""
    with _LOCK:
        _SCENES.clear()


class _Overlay:
    """An unchanging layer drawn on transparent ground: its pixels that are not transparent, laid "over" an image
    as Agg would have blended them."""

    def __init__(self, rgba: np.ndarray):
        flat = rgba.reshape(-1, 4)
        self.index = np.flatnonzero(flat[:, 3])
        self.rgb = flat[self.index, :3].astype(np.float32)
        self.alpha = (flat[self.index, 3:] / 255).astype(np.float32)

    def over(self, buf: np.ndarray) -> None:
        flat = buf.reshape(-1, 4)
        under = flat[self.index, :3].astype(np.float32)
        flat[self.index, :3] = (under + (self.rgb - under) * self.alpha + 0.5).astype(np.uint8)


class _Scene:
    """One view's figure (bounds, size, layers, layout) with its unchanging layers drawn."""

    def __init__(self, territory: Territory, view: View, lay: draw.Layout):
        self.territory = territory
        self.stage, static = draw.stage(territory, view.bounds, view.size, view.layers, lay)
        self.canvas = FigureCanvasAgg(self.stage.fig)
        for artists in static.values():
            for a in artists:
                a.set_visible(False)
        self.canvas.draw()
        renderer = self.canvas.get_renderer()
        self.base = np.asarray(renderer.buffer_rgba()).copy()
        self.overlays = {}
        for name, artists in static.items():
            renderer.clear()
            for a in sorted(artists, key=lambda a: a.get_zorder()):
                a.set_visible(True)
                a.draw(renderer)
                a.remove()
            self.overlays[name] = _Overlay(np.asarray(renderer.buffer_rgba()))

    def image(self, territory: Territory, view: View, lay: draw.Layout) -> np.ndarray:
        renderer = self.canvas.get_renderer()
        buf = np.asarray(renderer.buffer_rgba())
        buf[...] = self.base
        dated = draw.dated(self.stage, territory, view.date, view.layers, view.caption, lay)
        try:
            for name in LAYER_ORDER:
                if name in self.overlays:
                    self.overlays[name].over(buf)
                for a in sorted(dated.get(name, ()), key=lambda a: a.get_zorder()):
                    a.draw(renderer)
        finally:
            for artists in dated.values():
                for a in artists:
                    a.remove()
        return buf[:, :, :3].copy()


_SCENES: OrderedDict = OrderedDict()


def _scene(territory: Territory, view: View, lay: draw.Layout) -> _Scene:
    key = (id(territory), view.bounds, view.size, view.layers, lay)
    scene = _SCENES.get(key)
    if scene is None or scene.territory is not territory:
        scene = _SCENES[key] = _Scene(territory, view, lay)
    _SCENES.move_to_end(key)
    while len(_SCENES) > SCENES:
        _SCENES.popitem(last=False)
    return scene
