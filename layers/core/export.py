"""Exports of the map: PNG of a view, GIF and MP4 of the whole campaign, GeoJSON and CSV of a date's slice.

Every builder returns bytes; nothing here imports Dash. A request is validated first
(:func:`layers.core.export_request.parse_request`, the only way in for untrusted input); the image is drawn by
:mod:`layers.core.render`, the animations made by :mod:`layers.core.animation`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from shapely.geometry import Point

from layers.core import render
from layers.core.animation import (  # noqa: F401  (the animation's names, for the callers of this module)
    ANIMATION_SIZE,
    MAX_ANIMATION_PIXELS,
    FrameStore,
    Progress,
    animation_bytes,
    check_size,
    fingerprint,
    frame_dates,
    frames_rgb,
)
from layers.core.encode import FRAME_SECONDS, HOLD_SECONDS  # noqa: F401
from layers.core.export_request import (  # noqa: F401  (the request's names, for the callers of this module)
    ANIMATIONS,
    KINDS,
    MAP_LAYERS,
    MAX_CAPTION,
    MAX_EVERY,
    ExportError,
    Request,
    parse_request,
)
from layers.core.formats import EXPORTS
from layers.core.geojson import collection, control_geojson
from layers.core.territory import NO_REPORTING, Territory
from layers.core.validate import FORMULA_START

MEDIA_TYPES = {f.kind: f.media_type for f in EXPORTS}
FILE_PREFIX = "raqqa"
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


# ---------------------------------------------------------------------------------------------------------
# builders


def build(
    territory: Territory, req: Request, *, frames: FrameStore | None = None, progress: Progress | None = None
) -> bytes:
    """The bytes of the export ``req`` asks for; an animation reads and keeps its frames in ``frames`` (default:
    this process's cache) and reports each frame drawn to ``progress``."""
    if req.kind == "png":
        return png_bytes(territory, req)
    if req.kind in ANIMATIONS:
        return animation_bytes(territory, req, frames=frames, progress=progress)
    if req.kind == "geojson":
        return geojson_bytes(territory, req.date)
    return csv_bytes(territory, req.date)


def filename(territory: Territory, req: Request) -> str:
    """A file name for the export, e.g. ``raqqa-2017-06-06.png`` (an imported theatre's slug instead of raqqa)."""
    prefix = req.theatre or FILE_PREFIX
    if req.kind in ANIMATIONS:
        step = f"-every-{req.every}-days" if req.every else ""
        return f"{prefix}-{territory.ds.start}-to-{territory.ds.end}{step}.{req.kind}"
    suffix = {"png": "", "geojson": "-control", "csv": "-places"}[req.kind]
    return f"{prefix}-{req.date}{suffix}.{req.kind}"


def png_bytes(territory: Territory, req: Request) -> bytes:
    """The view at the request's date as a PNG (1920x1080 unless the request sets a size)."""
    view = render.View(req.date, req.bounds, req.caption, req.layers, req.size or render.DEFAULT_SIZE)
    return render.render_png(territory, view)


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
