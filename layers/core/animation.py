"""The campaign as frames: their dates, the cache of drawn frames, and the GIF or MP4 made of them.

Frames are drawn once per dataset, ledger state, date, view and size (:func:`frames_rgb`) and kept, PNG-compressed,
in a :class:`FrameStore`: this process's LRU by default, the server's disk cache in the app. Every frame read or
drawn is reported to ``progress``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import multiprocessing as mp
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from layers.core import encode, lifetime, render
from layers.core.export_request import ANIMATIONS, ExportError, Request
from layers.core.territory import Territory

ANIMATION_SIZE = (1280, 720)  # frames of the GIF and MP4: a GIF of 1920x1080 frames grows past 20 MB
FRAME_CACHE = 600  # rendered frames kept per process (PNG-compressed, ~300 KB each at 1280x720)
FRAME_PNG_LEVEL = 1  # zlib level of a kept frame: a third larger than level 6, written several times faster
# An animation's frames (width x height x frame count) are capped before anything is drawn: the GIF encoder keeps
# every frame in memory (one byte per pixel once quantised) and the drawing time grows with the pixels. The
# campaign's default GIF (117 frames of 1280x720) is 108 million pixels; every day at 3840x2160 would be 2,900.
MAX_ANIMATION_PIXELS = 200_000_000
SAMPLE = 6  # frames the GIF's palette is taken from
DECODE_AHEAD = 2  # kept frames decoded ahead of the encoder, in a thread (zlib lets go of the GIL)
POOL_MIN_FRAMES = 8  # fewer frames to draw than this: drawn in this process, no pool started

_POOL_TERRITORY: Territory | None = None  # what the forked drawing processes draw from

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
    if req.kind not in ANIMATIONS:
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
    checked first (:func:`check_size`); frames are drawn (or read) and encoded as they come, the GIF's one
    palette taken from a few frames spread over the campaign, drawn first."""
    check_size(territory, req)
    stream = frames_rgb(territory, req, frames=frames, progress=progress)
    if req.kind == "gif":
        return encode.gif(iter(stream), len(stream), encode.palette(stream.sample()))
    return encode.mp4(iter(stream))


def frames_rgb(
    territory: Territory,
    req: Request,
    *,
    frames: FrameStore | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Frames:
    """RGB frames of the campaign (an iterable, in date order), each rendered once per dataset, ledger state,
    date, view and size and kept in ``frames`` (PNG-compressed)."""
    return Frames(territory, req, frames, progress, frame_workers() if workers is None else workers)


class Frames:
    """An animation's frames, in date order: read from a :class:`FrameStore`, or drawn (in ``workers`` processes,
    while the frames before them are encoded) and kept there. Each frame read or drawn is reported to
    ``progress``."""

    def __init__(self, territory, req: Request, store, progress: Progress | None, workers: int):
        self.store = _FRAMES if store is None else store
        self.progress = progress
        size = req.size or ANIMATION_SIZE
        dates = frame_dates(territory, req.every)
        self.keys = frame_keys(territory, req)
        self.kept = [self.store.get(k) for k in self.keys]
        self.sampled = sorted({round(i * (len(dates) - 1) / (SAMPLE - 1)) for i in range(SAMPLE)})
        todo = [i for i in self.sampled if not self.kept[i]]
        todo += [i for i, png in enumerate(self.kept) if not png and i not in todo]
        views = [render.View(dates[i], req.bounds, None, req.layers, size) for i in todo]
        self._order = iter(todo)
        self._drawn = _draw(territory, views, workers)
        self._ready: dict[int, np.ndarray] = {}
        self._decoding: dict[int, Future] = {}
        self._done = 0

    def __len__(self) -> int:
        return len(self.keys)

    def sample(self) -> list[np.ndarray]:
        """A few frames spread over the animation (the first and the last among them), drawn first."""
        return [self._get(i, keep=True) for i in self.sampled]

    def __iter__(self) -> Iterator[np.ndarray]:
        ahead = ThreadPoolExecutor(1, thread_name_prefix="frame-decode")  # the next kept frames, while one is encoded
        try:
            for i in range(len(self.keys)):
                for j in range(i + 1, min(i + 1 + DECODE_AHEAD, len(self.keys))):
                    if self.kept[j] and j not in self._ready and j not in self._decoding:
                        self._decoding[j] = ahead.submit(_decode, self.kept[j])
                yield self._get(i)
        finally:
            self._drawn.close()
            ahead.shutdown(cancel_futures=True)

    def _get(self, i: int, keep: bool = False) -> np.ndarray:
        if i not in self._ready:
            if self.kept[i]:
                pending = self._decoding.pop(i, None)
                self._ready[i] = pending.result() if pending else _decode(self.kept[i])
                self._step()
            while i not in self._ready:  # drawn in the order of _order: the sampled frames first
                j = next(self._order)
                self._ready[j], png = next(self._drawn)
                self.store.put(self.keys[j], png)
                self._step()
        return self._ready[i] if keep else self._ready.pop(i)

    def _step(self) -> None:
        self._done += 1
        if self.progress is not None:
            self.progress(self._done, len(self.keys))


def frame_workers() -> int:
    """Processes drawing an animation's frames: $RAQQA_FRAME_WORKERS, default the CPUs (at most 4)."""
    try:
        n = int(os.environ.get("RAQQA_FRAME_WORKERS") or 0)
    except ValueError:
        n = 0
    return n if n > 0 else min(4, os.cpu_count() or 1)


def _draw(territory: Territory, views: list, workers: int) -> Iterator[tuple[np.ndarray, bytes]]:
    """(RGB, PNG) of each view in order: the first drawn here (its scene is then kept, and inherited), the rest
    in a pool of ``workers`` forked processes when there are enough of them to pay for it."""
    global _POOL_TERRITORY
    if not views:
        return
    yield _draw_one(views[0], territory)
    rest = views[1:]
    if workers < 2 or len(rest) < POOL_MIN_FRAMES or "fork" not in mp.get_all_start_methods():
        for view in rest:
            yield _draw_one(view, territory)
        return
    _POOL_TERRITORY = territory
    try:
        pool = mp.get_context("fork").Pool(workers, initializer=_worker_start, initargs=(os.getpid(),))
    except (AssertionError, OSError):  # a daemonic process may not start any, or none can be started: draw here
        for view in rest:
            yield _draw_one(view, territory)
        return
    with pool:
        yield from pool.imap(_draw_one, rest)


def _draw_one(view: render.View, territory: Territory | None = None) -> tuple[np.ndarray, bytes]:
    rgb = render.render_rgb(territory or _POOL_TERRITORY, view)
    return rgb, render.to_png(rgb, FRAME_PNG_LEVEL)


def _worker_start(parent_pid: int) -> None:
    """In a forked drawing process: a lock of its own (another thread may have held the parent's at the fork),
    and death with the process that started it (a cancelled export leaves no drawing behind)."""
    render.reset_lock()
    lifetime.end_with(parent_pid)


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


def frame_keys(territory: Territory, req: Request) -> list[str]:
    """The cache keys of an animation's frames, in date order: one per dataset (:func:`fingerprint`), ledger
    state, date, view, size and layers (the kind is not in them: the GIF and the MP4 share their frames)."""
    base = (fingerprint(territory), req.bounds, req.size or ANIMATION_SIZE, tuple(sorted(req.layers)))
    return [_frame_key(base, territory.state_key(d), d) for d in frame_dates(territory, req.every)]


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
