"""Readers of event tables in ACLED and UCDP GED CSV layout: each row becomes a :class:`Report` or errors naming
the file and line."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from shapely.geometry import Point

from layers.core import geocheck as gc
from layers.core.dataset import MAX_TABLE_BYTES
from layers.core.geoshape import parse_lonlat, place_problem
from layers.core.import_config import Config, InputFile, parse_day

ACLED_COLUMNS = ("event_id_cnty", "event_date", "event_type", "actor1", "location", "latitude", "longitude")
UCDP_COLUMNS = ("id", "date_start", "date_end", "side_a", "side_b", "latitude", "longitude")
# ACLED geo_precision 1-3 and UCDP where_prec 1-7: 1 is the exact place; larger numbers are wider areas.
ACLED_PRECISION = {"1": "high", "2": "medium", "3": "low"}
UCDP_PRECISION = {"1": "high", "2": "medium", "3": "low", "4": "low", "5": "low", "6": "low", "7": "low"}
ACLED_TIME = {"1": ("day", "high"), "2": ("approx", "medium"), "3": ("approx", "low")}
UCDP_TIME = {"1": "high", "2": "medium", "3": "medium", "4": "low", "5": "low"}


_ACLED_TEXT = ("event_type", "sub_event_type", "actor1", "actor2", "location", "notes", "source")
_UCDP_TEXT = ("side_a", "side_b", "where_coordinates", "where_description", "source_headline", "source_article")


@dataclass
class Seen:
    """What one table's rows repeat, checked once: text cells that clean without a warning, source cells without
    an error, and where each coordinate pair lies against the area of interest. An analyst's table names the
    same actors, sources and locations thousands of times; a cell that needs a warning or an error is checked
    again on every row, so each row still gets its own finding."""

    text: dict[tuple[str, str, int], str] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    where: dict[tuple[str, float, float], str | None] = field(default_factory=dict)

    def clean(self, file: str, label: str, name: str, value: str, found: gc.Findings, limit: int = gc.MAX_TEXT) -> str:
        key = (name, value, limit)
        if key in self.text:
            return self.text[key]
        probe = gc.Findings()
        out = gc.clean_text(file, label, name, value, probe, limit)
        if probe.warnings:
            return gc.clean_text(file, label, name, value, found, limit)
        self.text[key] = out
        return out

    def source_links(self, file: str, label: str, name: str, text: str, found: gc.Findings) -> list[str] | None:
        if text in self.links:
            return list(self.links[text])
        links = gc.source_links(file, label, name, text, found)
        if links is not None:
            self.links[text] = list(links)
        return links


@dataclass(frozen=True)
class Report:
    """One event row from an ACLED or UCDP table."""

    file: str
    item: str
    event_id: str
    date: dt.date
    date_precision: str
    title: str
    detail: str
    source_urls: tuple[str, ...]
    confidence: str
    location: str
    lon: float
    lat: float
    place_confidence: str


def read_table(f: InputFile, config: Config | None, found: gc.Findings) -> list[Report]:
    """Events of an ACLED or UCDP GED table (told apart by their columns), one report per good row."""
    text = gc.decode_text(f.name, f.data, found, MAX_TABLE_BYTES)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    seen = Seen()
    line = 1
    try:
        convert = _layout(f.name, reader.fieldnames or [], found)
        out = []
        for line, row in enumerate(reader, start=2):
            if convert is None:
                return []
            if line - 1 > gc.MAX_ROWS:
                found.error(f.name, "file", f"more than {gc.MAX_ROWS} rows")
                return []
            if None in row:
                found.error(f.name, f"line {line}", "more fields than the header has")
                continue
            report = convert(f.name, line, {k: (v or "").strip() for k, v in row.items()}, config, found, seen)
            out += [report] if report else []
    except csv.Error as exc:  # the row after the last one read could not be parsed
        found.error(f.name, f"line {line + 1}", f"cannot be read as CSV: {exc}")
        return []
    return out if convert else []


def _layout(file: str, header: list[str], found: gc.Findings) -> Callable | None:
    """The row converter for the table's layout, or None with an error naming the missing columns."""
    if all(c in header for c in ACLED_COLUMNS):
        return _acled_row
    if all(c in header for c in UCDP_COLUMNS):
        return _ucdp_row
    missing = [c for c in ACLED_COLUMNS if c not in header]
    hint = " (the header has no commas: save the table comma-separated)" if len(header) == 1 else ""
    found.error(file, "header", f"not an ACLED or UCDP GED table: missing ACLED column(s) {', '.join(missing)}{hint}")
    return None


def _acled_row(file: str, line: int, r: dict, config: Config | None, found: gc.Findings, seen: Seen) -> Report | None:
    eid = gc.clean_text(file, f"line {line}", "event_id_cnty", r["event_id_cnty"], found, 60)
    label = f"line {line} ({eid or 'no event_id_cnty'})"
    before = found.count
    if not eid:
        found.error(file, label, "has no event_id_cnty")
    date = _row_date(file, label, "event_date", r["event_date"], found, allow_named_month=True)
    precision, confidence = ACLED_TIME.get(r.get("time_precision", ""), ("day", "medium"))
    text = {k: seen.clean(file, label, k, r.get(k, ""), found) for k in _ACLED_TEXT}
    links = seen.source_links(file, label, "source", r.get("source", ""), found)
    location = text["location"] or f"{r['latitude']}, {r['longitude']}"
    where = _row_location(file, label, r, location, config, found, seen)
    if found.count > before or date is None or where is None or links is None:
        return None
    title = f"{text['sub_event_type'] or text['event_type'] or 'Event'} at {location}"
    actors = " v ".join(a for a in (text["actor1"], text["actor2"]) if a)
    detail = " ".join(x for x in (f"{actors}." if actors else "", text["notes"], _src(text["source"])) if x)
    return Report(
        file, label, eid, date, precision, title, detail, tuple(links), confidence, location, *where,
        ACLED_PRECISION.get(r.get("geo_precision", ""), "medium"),
    )  # fmt: skip


def _ucdp_row(file: str, line: int, r: dict, config: Config | None, found: gc.Findings, seen: Seen) -> Report | None:
    rid = gc.clean_text(file, f"line {line}", "id", r["id"], found, 60)
    label = f"line {line} ({rid or 'no id'})"
    before = found.count
    if not rid:
        found.error(file, label, "has no id")
    d0 = _row_date(file, label, "date_start", r["date_start"], found)
    d1 = _row_date(file, label, "date_end", r["date_end"], found)
    if d0 and d1 and d1 < d0:
        found.error(file, label, f"dates run backwards: date_end {d1} is before date_start {d0}")
    text = {k: seen.clean(file, label, k, r.get(k, ""), found) for k in _UCDP_TEXT}
    links = seen.source_links(file, label, "source_article", r.get("source_article", ""), found)
    location = text["where_coordinates"] or f"{r['latitude']}, {r['longitude']}"
    where = _row_location(file, label, r, location, config, found, seen)
    if found.count > before or d0 is None or d1 is None or where is None or links is None:
        return None
    title = f"{text['side_a']} v {text['side_b']} at {location}"
    best = f"Deaths (best estimate): {r['best']}." if r.get("best", "").isdigit() else ""
    detail = " ".join(x for x in (text["where_description"], text["source_headline"], best) if x)
    detail = " ".join(x for x in (detail, _src(text["source_article"])) if x)
    return Report(
        file, label, f"GED-{rid}", d0, "day" if d0 == d1 else "range", title, detail, tuple(links),
        UCDP_TIME.get(r.get("date_prec", ""), "medium"), location, *where,
        UCDP_PRECISION.get(r.get("where_prec", ""), "medium"),
    )  # fmt: skip


def _src(text: str) -> str:
    return f"Source: {text}." if text else ""


def _row_date(
    file: str, label: str, name: str, value: str, found: gc.Findings, allow_named_month: bool = False
) -> dt.date | None:
    day = parse_day(value)
    if day is None and allow_named_month:
        try:
            day = dt.datetime.strptime(value, "%d %B %Y").date()  # ACLED's "06 June 2017"
        except ValueError:
            day = None
    if day is None:
        found.error(file, label, f"{name} {value[:40]!r} is not a date (YYYY-MM-DD)")
    return day


def _row_location(
    file: str, label: str, r: dict, location: str, config: Config | None, found: gc.Findings, seen: Seen
) -> tuple[float, float] | None:
    if not r.get("latitude") and not r.get("longitude"):
        found.error(file, label, f"unknown place {location[:80]!r}: the row has no latitude/longitude")
        return None
    lonlat = parse_lonlat(file, label, r.get("longitude", ""), r.get("latitude", ""), found)
    if lonlat is None:
        return None
    if config is not None:
        key = (location, *lonlat)
        if key not in seen.where:
            seen.where[key] = place_problem(
                Point(lonlat), config.aoi, f"location {location[:80]!r} ({lonlat[1]:g} N, {lonlat[0]:g} E)"
            )
        why = seen.where[key]
        if why:
            found.error(file, label, why)
            return None
    return lonlat
