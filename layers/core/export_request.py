"""An export request, checked: :func:`parse_request` validates one (from the browser or the command line,
``layers/cli.py``) and is the only way in for untrusted input; the limits every export keeps."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from layers.core import validate
from layers.core.captions import date_text
from layers.core.formats import EXPORTS
from layers.core.render import MAX_SIZE
from layers.core.territory import Territory

KINDS = tuple(f.kind for f in EXPORTS)
MAX_CAPTION = 300
MAX_EVERY = 366
MAP_LAYERS = ("control", "frontline", "places", "events")  # the layers an image can show
ANIMATIONS = ("gif", "mp4")  # the kinds drawn frame by frame, one frame per date of the campaign
WHOLE_AREA_SHARE = 2**-0.25
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
    if kind in ANIMATIONS and _whole_area(bounds, tuple(ds.aoi.bounds)):
        bounds = tuple(ds.aoi.bounds)  # the campaign as the page opens on it: one view, one frame cache
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


def _whole_area(view: tuple[float, ...], aoi: tuple[float, ...]) -> bool:
    """A view inside the area of interest that spans nearly all of its width or height: the page's opening view
    (the map fits the window inside the area in zoom steps of a quarter, so it spans at least 2^-0.25 of one side)."""
    w, s, e, n = view
    aw, as_, ae, an = aoi
    eps = 1e-9
    inside = w >= aw - eps and s >= as_ - eps and e <= ae + eps and n <= an + eps
    return inside and ((e - w) >= WHOLE_AREA_SHARE * (ae - aw) or (n - s) >= WHOLE_AREA_SHARE * (an - as_))


def _parse_date(value: object, start: dt.date, end: dt.date) -> dt.date:
    span = f"between {date_text(start)} and {date_text(end)}"
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
    mw, mh = MAX_SIZE
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
