"""The dataset's records and their rules: what a theatre holds, the values each field may take, dates and links.

Load and validate a theatre's dataset folder once: theatre config, places, control ledger, events, AOI.

A dataset folder holds:

- ``theatre.json``: name, campaign start and end, factions (id, label, colour), the river that splits the
  ground into banks, and model settings;
- ``places.geojson``: the gazetteer, one Point feature per place (RFC 7946, lon/lat);
- ``ledger.csv``: dated control rows (who holds a place after that date), each with a source and confidence;
- ``events.csv``: the dated events shown on the timeline, each with a source and confidence;
- ``aoi.geojson``: the area of interest (one polygon);
- ``overrides.geojson`` (optional): authored control polygons for a date range;
- ``basemap/*.geojson`` (optional): offline base layers.

:func:`layers.core.loaders.load_dataset` reads all of it (with the file readers of ``readers.py``), checks
every row and feature, and either returns an immutable :class:`Dataset` or raises ``DatasetError`` listing every
problem with its file and row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from shapely.geometry.base import BaseGeometry

__all__ = [
    "AGREEMENT",
    "BANKS",
    "CONFIDENCE",
    "DATE_PRECISION",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "LEDGER_COLUMNS",
    "MAX_DATE",
    "MAX_FILE_BYTES",
    "MAX_SPAN_DAYS",
    "MAX_TABLE_BYTES",
    "MIN_DATE",
    "PLACE_ROLES",
    "Dataset",
    "Event",
    "LedgerRow",
    "Override",
    "Place",
    "is_http_url",
    "max_bytes",
    "parse_date",
    "split_urls",
    "theatre_dates_problem",
]

CONFIDENCE = ("high", "medium", "low")
DATE_PRECISION = ("baseline", "day", "by_date", "approx", "range")
PLACE_ROLES = ("ledger", "mentioned", "reference")
BANKS = ("north", "south", "")
LEDGER_COLUMNS = (
    "row_id",
    "date",
    "date_precision",
    "place_id",
    "holder",
    "change",
    "description",
    "source_title",
    "source_url",
    "supporting_source_url",
    "confidence",
    "note",
)
EVENT_COLUMNS = (
    "event_id",
    "date",
    "date_precision",
    "title",
    "kind",
    "place_id",
    "article_claim",
    "article_date",
    "corroborated",
    "agreement",
    "detail",
    "source_url",
    "confidence",
    "ledger_rows",
)
EVENT_KINDS = ("article", "milestone")
AGREEMENT = ("agree", "disagree", "partial", "estimated", "forecast", "")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a JSON or geometry file (theatre.json, places, overrides, a snapshot)
# A CSV table: events.csv, or an ACLED / UCDP export to import (200,000 ACLED rows with notes are 60-100 MiB).
MAX_TABLE_BYTES = 128 * 1024 * 1024
# Every date of a theatre (its start and end, rows, events, overrides) lies in this range, and a theatre spans
# at most MAX_SPAN_DAYS: day arithmetic never overflows and per-day work stays bounded.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MAX_SPAN_DAYS = 18_300  # about 50 years


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    id: str
    name: str
    alt_names: tuple[str, ...]
    kind: str
    lon: float
    lat: float
    bank: str
    confidence: str
    coord_source: str
    coord_source_url: str
    role: str
    note: str = ""
    geonameid: str = ""
    coord_method: str = ""  # how the coordinate was set (published point, grid reference converted, estimate …)


@dataclass(frozen=True)
class LedgerRow:
    """One dated control change: ``holder`` holds ``place_id`` from ``date`` on."""

    row_id: str
    date: dt.date
    date_precision: str
    place_id: str
    holder: str
    change: str
    description: str
    source_title: str
    source_url: str
    supporting_source_url: str
    confidence: str
    note: str
    line: int


@dataclass(frozen=True)
class Event:
    """One dated event on the timeline, with the article's claim where it differs from better sources."""

    event_id: str
    date: dt.date
    date_precision: str
    title: str
    kind: str
    place_id: str
    article_claim: str
    article_date: str
    corroborated: str
    agreement: str
    detail: str
    source_urls: tuple[str, ...]
    confidence: str
    ledger_rows: tuple[str, ...]


@dataclass(frozen=True)
class Override:
    """An authored control polygon for a date range, tied to the ledger rows that justify it."""

    id: str
    holder: str
    valid_from: dt.date
    valid_to: dt.date
    geometry: BaseGeometry
    ledger_rows: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Dataset:
    """Everything the app shows, validated. Treat as read-only."""

    folder: Path
    theatre: Mapping[str, Any]
    places: Mapping[str, Place]
    ledger: tuple[LedgerRow, ...]
    events: tuple[Event, ...]
    aoi: BaseGeometry
    overrides: tuple[Override, ...] = ()
    basemap: Mapping[str, dict] = field(default_factory=dict)
    regions: tuple = ()  # layers.core.regions.Region: sourced holders of ground no place reaches
    region_rows: tuple[LedgerRow, ...] = ()  # their rows; ``place_id`` is the region id
    city: Any = None  # layers.core.city.City: the city view's districts and ledger (``city/``), if any

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.theatre["start"])

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.theatre["end"])

    @property
    def faction_ids(self) -> tuple[str, ...]:
        return tuple(f["id"] for f in self.theatre["factions"])

    def rows_for(self, place_id: str) -> list[LedgerRow]:
        """Ledger rows of one place, in date order."""
        return [r for r in self.ledger if r.place_id == place_id]


# ---------------------------------------------------------------------------------------------------------
# value rules


def max_bytes(name: str) -> int:
    """The most a dataset or input file of this name may hold: MAX_TABLE_BYTES for a CSV table, else
    MAX_FILE_BYTES."""
    return MAX_TABLE_BYTES if name.lower().endswith(".csv") else MAX_FILE_BYTES


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host; every link the app renders must pass this."""
    return _is_http_url(url) if isinstance(url, str) else False


@lru_cache(maxsize=65_536)  # tables repeat their sources: each distinct link is parsed once
def _is_http_url(url: str) -> bool:
    try:
        parsed = urlparse(url)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and not any(c.isspace() for c in url)


@lru_cache(maxsize=65_536)  # tables repeat their sources
def split_urls(value: str) -> tuple[str, ...]:
    """Split a ``url ; url`` cell into its URLs."""
    return tuple(u.strip() for u in value.split(";") if u.strip())


def theatre_dates_problem(start: dt.date, end: dt.date) -> str | None:
    """Why a theatre cannot run from ``start`` to ``end`` (outside MIN_DATE..MAX_DATE, or too long), or None."""
    if not (MIN_DATE <= start <= MAX_DATE and MIN_DATE <= end <= MAX_DATE):
        return f"dates must lie between {MIN_DATE} and {MAX_DATE} (got {start} .. {end})"
    if (end - start).days > MAX_SPAN_DAYS:
        return f"{start} .. {end} spans {(end - start).days:,} days: a theatre spans at most {MAX_SPAN_DAYS:,} days"
    return None


def parse_date(value: str) -> dt.date | None:
    return _parse_date(value) if isinstance(value, str) else None


@lru_cache(maxsize=65_536)  # a campaign has at most MAX_SPAN_DAYS distinct days: each is parsed once
def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
