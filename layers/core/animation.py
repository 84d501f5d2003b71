"""The campaign as frames: their dates, the cache of drawn frames, and the GIF or MP4 made of them.

Frames are drawn once per dataset, ledger state, date, view and size (:func:`frames_rgb`) and kept, PNG-compressed,
in a :class:`FrameStore`: this process's LRU by default, the server's disk cache in the app. Every frame read or
drawn is reported to ``progress``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np

from layers.core import encode, render
from layers.core.export_request import ExportError, Request
from layers.core.territory import Territory

ANIMATION_SIZE = (1280, 720)  # frames of the GIF and MP4: a GIF of 1920x1080 frames grows past 20 MB
FRAME_CACHE = 600  # rendered frames kept per process (PNG-compressed, ~300 KB each at 1280x720)
FRAME_PNG_LEVEL = 1  # zlib level of a kept frame: a third larger than level 6, written several times faster
# An animation's frames (width x height x frame count) are capped before anything is drawn: the GIF encoder keeps
# every frame in memory (one byte per pixel once quantised) and the drawing time grows with the pixels. The
# campaign's default GIF (117 frames of 1280x720) is 108 million pixels; every day at 3840x2160 would be 2,900.
MAX_ANIMATION_PIXELS = 200_000_000

Progress = Callable[[int, int], None]  # (frames done, frames in all)


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


def check_size(territory: Territory, req: Request) -> int:
    """The number of frames of an animation request; ExportError, before anything is drawn, if its frames
    hold more than MAX_ANIMATION_PIXELS pixels in all. Other kinds are a single image: 1."""
    if req.kind not in ("gif", "mp4"):
        return 1
    w, h = req.size or ANIMATION_SIZE
    n = len(frame_dates(territory, req.every))
    if n * w * h > MAX_ANIMATION_PIXELS:
        fit = max(1, MAX_ANIMATION_PIXELS // (w * h))
        raise ExportError(
            f"{n} frames of {w}x{h} are {n * w * h / 1e6:,.0f} million pixels: more than the "
            f"{MAX_ANIMATION_PIXELS / 1e6:,.0f} million an animation may hold. Choose a smaller size, or a frame "
            f"every few days (at {w}x{h}, at most {fit} frames)."
        )
    return n


class FrameStore:
    """Where rendered frames are kept: ``get(key) -> bytes | None`` and ``put(key, bytes)``; keys are text."""

    def get(self, key: str) -> bytes | None:  # pragma: no cover - interface
        raise NotImplementedError

    def put(self, key: str, value: bytes) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def animation_bytes(
    territory: Territory, req: Request, *, frames: FrameStore | None = None, progress: Progress | None = None
) -> bytes:
    """The whole campaign as a GIF or MP4: one frame per map state (or every ``req.every`` days), its size
    checked first (:func:`check_size`); frames are drawn (or read) one at a time and encoded as they come."""
    check_size(territory, req)
    dates = frame_dates(territory, req.every)
    rgb = frames_rgb(territory, req, frames=frames, progress=progress)
    return encode.gif(rgb, len(dates)) if req.kind == "gif" else encode.mp4(rgb)


def frames_rgb(
    territory: Territory, req: Request, *, frames: FrameStore | None = None, progress: Progress | None = None
) -> Iterator[np.ndarray]:
    """RGB frames of the campaign, each rendered once per dataset, ledger state, date, view and size and kept
    in ``frames`` (PNG-compressed), yielded one at a time."""
    store = _FRAMES if frames is None else frames
    size = req.size or ANIMATION_SIZE
    dates = frame_dates(territory, req.every)
    base = (fingerprint(territory), req.bounds, size, tuple(sorted(req.layers)))
    for i, date in enumerate(dates):
        key = _frame_key(base, territory.state_key(date), date)
        png = store.get(key)
        if png is None:
            rgb = render.render_rgb(territory, render.View(date, req.bounds, None, req.layers, size))
            store.put(key, render.to_png(rgb, FRAME_PNG_LEVEL))
        else:
            rgb = _decode(png)
        if progress is not None:
            progress(i + 1, len(dates))
        yield rgb


_FINGERPRINTS: dict[int, str] = {}


def fingerprint(territory: Territory) -> str:
    """A digest of what a frame is drawn from (theatre, places, ledger, regions, overrides): equal digests, equal
    maps; computed once per territory."""
    key = id(territory)
    if key not in _FINGERPRINTS:
        ds = territory.ds
        text = repr((ds.theatre, sorted(ds.places.items()), ds.ledger, ds.region_rows, ds.overrides))
        _FINGERPRINTS[key] = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]
    return _FINGERPRINTS[key]


def _frame_key(base: tuple, state: tuple, date: dt.date) -> str:
    digest = hashlib.sha256(repr((base, state)).encode("utf-8", "replace")).hexdigest()[:32]
    return f"frame:{digest}:{date.isoformat()}"


class _FrameCache(FrameStore):
    """A small thread-safe LRU of PNG-compressed frames (this process's)."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_FRAMES = _FrameCache(FRAME_CACHE)


def _decode(png: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB"))
