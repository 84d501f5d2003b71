"""A synthetic dataset folder in this project's format, for scale tests: many places, one control change a day.

    python bench/synth.py OUT_FOLDER --places 300 --dates 3650

writes ``theatre.json``, ``aoi.geojson``, ``places.geojson``, ``ledger.csv``, ``events.csv`` and a basemap
with a river that splits the ground into two banks (``basemap/rivers.geojson``), all valid under
``python -m layers validate OUT_FOLDER``. The campaign lasts ``--dates`` days; every day after the first
one place changes hands, so the number of distinct ledger states equals the number of dates. Seeded, so the
same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/synth.py
    sys.path.insert(0, str(ROOT))

from layers.core.dataset import EVENT_COLUMNS, LEDGER_COLUMNS  # noqa: E402

START = dt.date(2000, 1, 1)
AOI = (38.2, 35.55, 40.05, 36.72)  # west, south, east, north: the bundled theatre's extent
RIVER = "Synthetic river"
FACTIONS = (("Blue", "#2B6CB0"), ("Red", "#C53030"))
SOURCE = "https://example.org/synthetic"


def river_line(vertices: int = 400) -> list[list[float]]:
    """A meandering west-to-east river through the middle of the area, beyond both sides of it."""
    w, s, e, n = AOI
    mid, amp = (s + n) / 2, (n - s) * 0.08
    out = []
    for i in range(vertices):
        t = i / (vertices - 1)
        lon = w - 0.05 + t * (e - w + 0.1)
        out.append([round(lon, 5), round(mid + amp * math.sin(t * 9 * math.pi), 5)])
    return out


def places(n: int, rng: random.Random) -> list[dict]:
    """``n`` places on a jittered grid over the area (kept off the river's exact line)."""
    w, s, e, n_ = AOI
    cols = math.ceil(math.sqrt(n * (e - w) / (n_ - s)))
    rows = math.ceil(n / cols)
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        lon = w + (c + 0.5 + rng.uniform(-0.3, 0.3)) * (e - w) / cols
        lat = s + (r + 0.5 + rng.uniform(-0.3, 0.3)) * (n_ - s) / rows
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": {
                    "id": f"p{i:05d}",
                    "name": f"Place {i}",
                    "alt_names": [],
                    "kind": "village",
                    "bank": "",
                    "confidence": "high",
                    "coord_source": "synthetic",
                    "coord_source_url": SOURCE,
                    "role": "ledger",
                },
            }
        )
    return out


def ledger(feats: list[dict], dates: int, rng: random.Random) -> list[dict]:
    """A baseline row per place (west Blue, east Red), then one place changes hands on every later day."""
    w, _, e, _ = AOI
    holder = {}
    rows = []
    for f in feats:
        pid, lon = f["properties"]["id"], f["geometry"]["coordinates"][0]
        holder[pid] = FACTIONS[0][0] if lon < (w + e) / 2 else FACTIONS[1][0]
        rows.append(_row(f"B-{pid}", START, pid, holder[pid], "baseline", "held_before_campaign"))
    ids = list(holder)
    for day in range(1, dates):
        pid = rng.choice(ids)
        holder[pid] = FACTIONS[1][0] if holder[pid] == FACTIONS[0][0] else FACTIONS[0][0]
        rows.append(_row(f"S{day:06d}", START + dt.timedelta(days=day), pid, holder[pid], "day", "captured"))
    return rows


def _row(row_id: str, date: dt.date, pid: str, holder: str, precision: str, change: str) -> dict:
    return {
        "row_id": row_id,
        "date": date.isoformat(),
        "date_precision": precision,
        "place_id": pid,
        "holder": holder,
        "change": change,
        "description": f"{holder} holds {pid} (synthetic)",
        "source_title": "Synthetic ledger",
        "source_url": SOURCE,
        "supporting_source_url": "",
        "confidence": "high",
        "note": "",
    }


def events(rows: list[dict], every: int = 30) -> list[dict]:
    """One milestone every ``every`` dated rows, tied to its ledger row."""
    out = []
    for r in rows:
        if r["date_precision"] == "day" and int(r["row_id"][1:]) % every == 0:
            out.append(
                {
                    "event_id": f"E{r['row_id'][1:]}",
                    "date": r["date"],
                    "date_precision": "day",
                    "title": f"{r['holder']} takes {r['place_id']}",
                    "kind": "milestone",
                    "place_id": r["place_id"],
                    "article_claim": "",
                    "article_date": "",
                    "corroborated": "",
                    "agreement": "",
                    "detail": "Synthetic event.",
                    "source_url": SOURCE,
                    "confidence": "high",
                    "ledger_rows": r["row_id"],
                }
            )
    return out


def write(folder: Path, n_places: int = 300, dates: int = 3650, seed: int = 1) -> Path:
    """Write the synthetic dataset into ``folder`` (created if needed) and return it."""
    if n_places < 2 or dates < 1:
        raise ValueError("need at least 2 places and 1 date")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "basemap").mkdir(exist_ok=True)
    w, s, e, n = AOI
    end = START + dt.timedelta(days=dates - 1)
    theatre = {
        "name": f"Synthetic theatre: {n_places} places, {dates} dates",
        "short_name": "Synthetic",
        "start": START.isoformat(),
        "end": end.isoformat(),
        "river": RIVER,
        "projection": "+proj=laea +lat_0=36 +lon_0=39 +datum=WGS84 +units=m +no_defs",
        "max_cell_radius_km": 25,
        "factions": [{"id": f, "label": f, "long_label": f, "color": c} for f, c in FACTIONS],
    }
    _json(folder / "theatre.json", theatre)
    box = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    _json(folder / "aoi.geojson", _fc([_feat({"type": "Polygon", "coordinates": [box]}, {"name": "Synthetic area"})]))
    river = _feat({"type": "LineString", "coordinates": river_line()}, {"name": RIVER})
    _json(folder / "basemap" / "rivers.geojson", _fc([river]))
    feats = places(n_places, rng)
    _json(folder / "places.geojson", _fc(feats))
    rows = ledger(feats, dates, rng)
    _csv(folder / "ledger.csv", LEDGER_COLUMNS, rows)
    _csv(folder / "events.csv", EVENT_COLUMNS, events(rows))
    return folder


def _feat(geometry: dict, properties: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _fc(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")


def _csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=columns)
        out.writeheader()
        out.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--places", type=int, default=300, help="number of places (default 300)")
    parser.add_argument("--dates", type=int, default=3650, help="days in the campaign = ledger states (3650)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    write(args.folder, args.places, args.dates, args.seed)
    print(f"wrote {args.folder}: {args.places} places, {args.dates} dates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
