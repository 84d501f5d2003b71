"""Exports of the map: PNG of a view, GIF and MP4 of the whole campaign, GeoJSON and CSV of a date's slice.

Every builder returns bytes; nothing here imports Dash. :func:`parse_request` validates an export request
(from the browser or the command line, ``layers/cli.py``) and is the only way in for untrusted input.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from shapely.geometry import Point

from layers.core import render, validate
from layers.core.formats import EXPORTS
from layers.core.geojson import collection, control_geojson
from layers.core.territory import NO_REPORTING, Territory
from layers.core.validate import FORMULA_START

KINDS = tuple(f.kind for f in EXPORTS)
MEDIA_TYPES = {f.kind: f.media_type for f in EXPORTS}
FILE_PREFIX = "raqqa"
MAX_CAPTION = 300
MAX_EVERY = 366
MAP_LAYERS = ("control", "frontline", "places", "events")  # the layers an image can show
ANIMATION_SIZE = (1280, 720)  # frames of the GIF and MP4: a GIF of 1920x1080 frames grows past 20 MB
FRAME_SECONDS = 0.5
HOLD_SECONDS = 3.0  # the last frame stays up this long
FRAME_CACHE = 600  # rendered frames kept per process (PNG-compressed, ~220 KB each at 1280x720)
# An animation's frames (width x height x frame count) are capped before anything is drawn: the GIF encoder keeps
# every frame in memory (one byte per pixel once quantised) and the drawing time grows with the pixels. The
# campaign's default GIF (117 frames of 1280x720) is 108 million pixels; every day at 3840x2160 would be 2,900.
MAX_ANIMATION_PIXELS = 200_000_000
CSV_COLUMNS = (
    "place_id",
    "name",
    "kind",
    "lon",
    "lat",
    "location_confidence",
    "holder",
    "since",
    "ledger_row",
    "row_confidence",
    "source_url",
    "note",
)
KIND_HELP = {f.kind: f.help for f in EXPORTS}
ATTRIBUTION = (
    "Place coordinates © GeoNames (CC BY 4.0); basemap © OpenStreetMap contributors (ODbL); "
    "Natural Earth (public domain). Ground is a schematic of reported control around named places."
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ExportError(ValueError):
    """A request that cannot be exported; the message is meant for the person who asked."""


@dataclass(frozen=True)
class Request:
    """A validated export request."""

    kind: str
    date: dt.date
    bounds: tuple[float, float, float, float]
    caption: str | None = None
    layers: frozenset[str] = field(default_factory=lambda: frozenset(MAP_LAYERS))
    every: int | None = None
    size: tuple[int, int] | None = None
    theatre: str | None = None


# ---------------------------------------------------------------------------------------------------------
# validation (the only way in for untrusted input)


def parse_request(territory: Territory, data: object) -> Request:
    """Validate a request dict ``{"kind", "date", "bounds", "caption", "layers", "compare", "theatre",
    "every"}``; missing keys take the defaults (campaign start, area of interest). Raises ExportError."""
    if not isinstance(data, dict):
        raise ExportError("The export request was not understood.")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ExportError(f"Unknown export kind; choose one of {', '.join(KINDS)}.")
    ds = territory.ds
    date = _parse_date(data.get("date"), ds.start, ds.end) if data.get("date") is not None else ds.start
    if data.get("compare") is not None:
        _parse_date(data.get("compare"), ds.start, ds.end)
    bounds = _parse_bounds(data.get("bounds")) if data.get("bounds") is not None else tuple(ds.aoi.bounds)
    return Request(
        kind=kind,
        date=date,
        bounds=bounds,
        caption=_parse_caption(data.get("caption")),
        layers=_parse_layers(data.get("layers")),
        every=_parse_every(data.get("every")),
        size=_parse_size(data.get("size")),
        theatre=_parse_theatre(data.get("theatre")),
    )


def _parse_date(value: object, start: dt.date, end: dt.date) -> dt.date:
    span = f"between {render._date_text(start)} and {render._date_text(end)}"
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ExportError(f"The date must be a day written YYYY-MM-DD, {span}.")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise ExportError(f"The date {value} does not exist; choose a day {span}.") from None
    if not start <= date <= end:
        raise ExportError(f"The date {value} is outside the campaign; choose a day {span}.")
    return date


def _parse_bounds(value: object) -> tuple[float, float, float, float]:
    msg = "The map view must be four finite numbers [west, south, east, north] in degrees, west < east, south < north."
    try:
        w, s, e, n = validate.bounds(value)
    except validate.BadInput:
        raise ExportError(msg) from None
    if e - w < 1e-4 or n - s < 1e-4:
        raise ExportError(msg)
    return (w, s, e, n)


def _parse_caption(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ExportError("The caption must be text.")
    if len(value) > MAX_CAPTION:
        raise ExportError(f"The caption is {len(value)} characters long; at most {MAX_CAPTION} fit on the image.")
    return validate.short_text(value, 2 * MAX_CAPTION, name="caption")  # plain text: no control or bidi characters


def _parse_layers(value: object) -> frozenset[str]:
    if value is None:
        return frozenset(MAP_LAYERS)
    if not isinstance(value, list | tuple) or len(value) > 50 or not all(isinstance(v, str) for v in value):
        raise ExportError("The list of map layers was not understood.")
    return frozenset(v for v in value if v in MAP_LAYERS)


def _parse_every(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ExportError(f"'every' must be a whole number of days from 1 to {MAX_EVERY}.")
    try:
        return int(validate.number(value, lo=1, hi=MAX_EVERY, name="every"))
    except validate.BadInput:
        raise ExportError(f"'every' must be a whole number of days from 1 to {MAX_EVERY}.") from None


def _parse_size(value: object) -> tuple[int, int] | None:
    if value is None:
        return None
    ok = isinstance(value, list | tuple) and len(value) == 2
    ok = ok and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    mw, mh = render.MAX_SIZE
    if not ok or not (320 <= value[0] <= mw and 240 <= value[1] <= mh):
        raise ExportError(f"The image size must be two whole numbers of pixels, from 320x240 to {mw}x{mh}.")
    return (int(value[0]), int(value[1]))


def _parse_theatre(value: object) -> str | None:
    if value is None or value == "":
        return None
    try:
        return validate.slug(value, name="theatre")
    except validate.BadInput:
        raise ExportError("The theatre name was not understood.") from None


# ---------------------------------------------------------------------------------------------------------
# builders


Progress = Callable[[int, int], None]  # (frames done, frames in all)


def build(
    territory: Territory, req: Request, *, frames: FrameStore | None = None, progress: Progress | None = None
) -> bytes:
    """The bytes of the export ``req`` asks for; an animation reads and keeps its frames in ``frames`` (default:
    this process's cache) and reports each frame drawn to ``progress``."""
    if req.kind == "png":
        return png_bytes(territory, req)
    if req.kind in ("gif", "mp4"):
        return animation_bytes(territory, req, frames=frames, progress=progress)
    if req.kind == "geojson":
        return geojson_bytes(territory, req.date)
    return csv_bytes(territory, req.date)


def filename(territory: Territory, req: Request) -> str:
    """A file name for the export, e.g. ``raqqa-2017-06-06.png`` (an imported theatre's slug instead of raqqa)."""
    prefix = req.theatre or FILE_PREFIX
    if req.kind in ("gif", "mp4"):
        step = f"-every-{req.every}-days" if req.every else ""
        return f"{prefix}-{territory.ds.start}-to-{territory.ds.end}{step}.{req.kind}"
    suffix = {"png": "", "geojson": "-control", "csv": "-places"}[req.kind]
    return f"{prefix}-{req.date}{suffix}.{req.kind}"


def png_bytes(territory: Territory, req: Request) -> bytes:
    """The view at the request's date as a PNG (1920x1080 unless the request sets a size)."""
    view = render.View(req.date, req.bounds, req.caption, req.layers, req.size or render.DEFAULT_SIZE)
    return render.render_png(territory, view)


def check_size(territory: Territory, req: Request) -> int:
    """The number of frames of an animation request; ExportError, before anything is drawn, if its frames
    hold more than MAX_ANIMATION_PIXELS pixels in all. Other kinds are a single image: 1."""
    if req.kind not in ("gif", "mp4"):
        return 1
    w, h = req.size or ANIMATION_SIZE
    n = len(render.frame_dates(territory, req.every))
    if n * w * h > MAX_ANIMATION_PIXELS:
        fit = max(1, MAX_ANIMATION_PIXELS // (w * h))
        raise ExportError(
            f"{n} frames of {w}x{h} are {n * w * h / 1e6:,.0f} million pixels: more than the "
            f"{MAX_ANIMATION_PIXELS / 1e6:,.0f} million an animation may hold. Choose a smaller size, or a frame "
            f"every few days (at {w}x{h}, at most {fit} frames)."
        )
    return n


def animation_bytes(
    territory: Territory, req: Request, *, frames: FrameStore | None = None, progress: Progress | None = None
) -> bytes:
    """The whole campaign as a GIF or MP4: one frame per map state (or every ``req.every`` days), its size
    checked first (:func:`check_size`); frames are drawn one at a time and encoded as they come."""
    total = check_size(territory, req)
    rgb = frames_rgb(territory, req, frames=frames, progress=progress)
    return _gif(rgb, total) if req.kind == "gif" else _mp4(rgb)


def frames_rgb(
    territory: Territory, req: Request, *, frames: FrameStore | None = None, progress: Progress | None = None
) -> Iterator[np.ndarray]:
    """RGB frames of the campaign, each rendered once per dataset, ledger state, date, view and size and kept
    in ``frames`` (PNG-compressed), yielded one at a time."""
    store = _FRAMES if frames is None else frames
    size = req.size or ANIMATION_SIZE
    dates = render.frame_dates(territory, req.every)
    base = (fingerprint(territory), req.bounds, size, tuple(sorted(req.layers)))
    for i, date in enumerate(dates):
        key = _frame_key(base, territory.state_key(date), date)
        png = store.get(key)
        if png is None:
            png = render.render_png(territory, render.View(date, req.bounds, None, req.layers, size))
            store.put(key, png)
        if progress is not None:
            progress(i + 1, len(dates))
        yield _decode(png)


class FrameStore:
    """Where rendered frames are kept: ``get(key) -> bytes | None`` and ``put(key, bytes)``; keys are text."""

    def get(self, key: str) -> bytes | None:  # pragma: no cover - interface
        raise NotImplementedError

    def put(self, key: str, value: bytes) -> None:  # pragma: no cover - interface
        raise NotImplementedError


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


def geojson_bytes(territory: Territory, date: dt.date) -> bytes:
    """Control polygons at ``date`` as RFC 7946 GeoJSON: holder, area, share, ledger rows and their sources."""
    base = control_geojson(territory, date)
    rows = {r.row_id: r for r in (*territory.ds.ledger, *territory.ds.region_rows)}
    ground = sum(f["properties"]["area_km2"] for f in base["features"])
    labels = {f["id"]: f["label"] for f in territory.ds.theatre["factions"]}
    feats = []
    for f in base["features"]:
        p = f["properties"]
        sources = []
        for r in p["rows"]:
            for url in (rows[r].source_url, *rows[r].supporting_source_url.split(";")):
                if url.strip() and url.strip() not in sources:
                    sources.append(url.strip())
        props = {
            "holder": p["holder"],
            "label": labels.get(p["holder"], "No reporting"),
            "date": date.isoformat(),
            "area_km2": p["area_km2"],
            "share": round(p["area_km2"] / ground, 4) if ground else 0.0,
            "ledger_rows": list(p["rows"]),
            "places": list(p["places"]),
            "sources": sources,
        }
        feats.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
    doc = collection(feats)
    doc["date"] = date.isoformat()  # foreign members (RFC 7946 section 6.1)
    doc["theatre"] = territory.ds.theatre["name"]
    doc["attribution"] = ATTRIBUTION
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def csv_bytes(territory: Territory, date: dt.date) -> bytes:
    """Every place with its holder at ``date``: since when, the ledger row, its source and confidence (UTF-8 with
    a byte-order mark so spreadsheets read the accents; every text cell safe against formula injection).

    A place with no report on or before ``date`` is held by "no reporting"; the ``note`` says why a row has no
    report: none yet, a reference place the ledger never reports on, or a place outside the area of interest."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    ds = territory.ds
    for p in sorted(ds.places.values(), key=lambda p: p.id):
        row = territory.row_at(p.id, date)
        if row:
            text = [row.holder, row.date.isoformat(), row.row_id, row.confidence, row.source_url, ""]
        else:
            text = [NO_REPORTING, "", "", "", "", _no_report_note(territory, p, date)]
        w.writerow(
            [safe_cell(p.id), safe_cell(p.name), safe_cell(p.kind), f"{p.lon:.5f}", f"{p.lat:.5f}"]
            + [safe_cell(c) for c in (p.confidence, *text)]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _no_report_note(territory: Territory, p, date: dt.date) -> str:
    """Why a place has no holder at ``date``, for the CSV's ``note``."""
    ds = territory.ds
    notes = []
    if not ds.aoi.contains(Point(p.lon, p.lat)):
        notes.append("outside the area of interest: not on the map's ground")
    if not ds.rows_for(p.id):
        notes.append("reference place: no control reports in the ledger")
    else:
        notes.append(f"no control report on or before {date.isoformat()}")
    return "; ".join(notes)


def safe_cell(value: object) -> str:
    """A text cell a spreadsheet will not run as a formula: text starting with = + - @ tab or CR gets a ``'``.

    >>> safe_cell("=HYPERLINK(1)"), safe_cell("Raqqa")
    ("'=HYPERLINK(1)", 'Raqqa')

    Only text from the data goes through here; coordinates are numbers this module formats itself.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


# ---------------------------------------------------------------------------------------------------------
# helpers


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


def _gif(frames: Iterator[np.ndarray], total: int) -> bytes:
    from PIL import Image

    def quantised():  # one frame at a time: only the quantised frames (a byte per pixel) are kept by the encoder
        for f in frames:
            yield Image.fromarray(f).quantize(colors=128, method=Image.Quantize.FASTOCTREE, dither=0)

    images = quantised()
    first = next(images)
    durations = [int(FRAME_SECONDS * 1000)] * total
    durations[-1] = int(HOLD_SECONDS * 1000)
    buf = io.BytesIO()
    first.save(buf, format="GIF", save_all=True, append_images=images, duration=durations, loop=0)
    return buf.getvalue()


def _mp4(frames: Iterator[np.ndarray]) -> bytes:
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401  (ships the ffmpeg binary)
    except ImportError as exc:  # pragma: no cover - both are pinned in requirements.txt
        raise ExportError("MP4 export needs imageio and imageio-ffmpeg; the GIF export works without them.") from exc
    fps = 1 / FRAME_SECONDS
    hold = max(1, round(HOLD_SECONDS * fps))
    with tempfile.TemporaryDirectory(prefix="raqqa-mp4-") as tmp:
        path = Path(tmp) / "campaign.mp4"
        writer = imageio.get_writer(
            path,
            format="FFMPEG",
            fps=fps,
            codec="libx264",
            quality=8,
            pixelformat="yuv420p",
            macro_block_size=2,  # yuv420p needs even sizes; 1920x1080 and 1280x720 are kept exactly
            ffmpeg_log_level="error",
            output_params=["-movflags", "+faststart"],
        )
        try:
            last = None
            for last in frames:
                writer.append_data(last)
            for _ in range(hold - 1):
                writer.append_data(last)
        finally:
            writer.close()
        return path.read_bytes()
