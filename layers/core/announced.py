"""Areas the parties announced, against the areas the map derives for the same span.

``sources/announced_areas.csv`` lists each announced figure: who announced gains (``holder``), what they
cover, the first day counted (``gains_from``), the day of the figure (``date``), the km² and a qualifier ("more
than"), with the source. :func:`compare` derives the holder's gain over the same span: its area on ``date``
less its area the day before ``gains_from``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from layers.core.dataset import is_http_url, parse_date
from layers.core.errors import DatasetError, Problem
from layers.core.readers import read_csv

COLUMNS = ("id", "holder", "what", "gains_from", "date", "km2", "qualifier", "source_title", "source_url", "note")
FILE = "sources/announced_areas.csv"


@dataclass(frozen=True)
class Announced:
    id: str
    holder: str
    what: str
    gains_from: dt.date
    date: dt.date
    km2: float
    qualifier: str
    source_title: str
    source_url: str
    note: str


def load_announced(folder: Path, factions: tuple[str, ...]) -> list[Announced]:
    """The announced figures of a dataset folder (empty without the file); raise DatasetError naming each problem."""
    path = folder / FILE
    if not path.is_file():
        return []
    problems: list[Problem] = []
    out = []
    for line, r in read_csv(path, COLUMNS, problems):
        label = f"line {line} ({r['id'] or 'no id'})"
        d0, d1 = parse_date(r["gains_from"]), parse_date(r["date"])
        bad = []
        if r["holder"] not in factions:
            bad.append(f"holder {r['holder']!r} is not one of the factions {', '.join(factions)}")
        if d0 is None or d1 is None:
            bad.append("gains_from and date must be ISO dates (YYYY-MM-DD)")
        elif d0 > d1:
            bad.append(f"gains_from {d0} is after date {d1}")
        try:
            km2 = float(r["km2"])
        except ValueError:
            km2 = -1.0
        if not km2 > 0:
            bad.append(f"km2 {r['km2']!r} is not a positive number")
        if not is_http_url(r["source_url"]):
            bad.append(f"source_url {r['source_url']!r} is not an http(s) URL")
        if bad:
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        fields = {k: r[k] for k in COLUMNS if k not in ("gains_from", "date", "km2")}
        out.append(Announced(**fields, gains_from=d0, date=d1, km2=km2))
    if problems:
        raise DatasetError(problems)
    return out


def compare(territory, announced: list[Announced]) -> list[dict]:
    """Each announced figure with the derived gain over its span (km²) and the difference (derived − announced)."""
    rows = []
    for a in announced:
        before = territory.control_at(a.gains_from - dt.timedelta(days=1)).area_km2(a.holder)
        derived = territory.control_at(a.date).area_km2(a.holder) - before
        rows.append({"announced": a, "derived_km2": derived, "difference_km2": derived - a.km2})
    return rows
