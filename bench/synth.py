"""A synthetic dataset folder in this project's format, for scale tests: many places, one control change a day.

    python bench/synth.py OUT_FOLDER --places 300 --dates 3650 [--events 200000] [--as-import]

writes ``theatre.json``, ``aoi.geojson``, ``places.geojson``, ``ledger.csv``, ``events.csv`` and a basemap
with a river that splits the ground into two banks (``basemap/rivers.geojson``), all valid under
``python -m layers validate OUT_FOLDER``. The campaign lasts ``--dates`` days; every day after the first
one place changes hands, so the number of distinct ledger states equals the number of dates. Seeded, so the
same arguments always give the same files.

Events: by default one milestone every 30 dated ledger rows, tied to its row; with ``--events N``, N events
spread over the campaign's days and the places (the analyst-scale theatre: ``--places 5000 --dates 3650
--events 200000``).

``--as-import`` writes the same theatre as inputs of ``python -m layers import`` instead (see docs/import.md):
``theatre.toml`` (the config), ``acled.csv`` (the same events, ACLED layout, one location per place) and
``snapshots/<date>.geojson`` (control snapshots every ``--snapshot-days``, default 91: each faction's ground as
the union of the Voronoi cells of the places it holds on that date, from the same ledger).
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

import numpy as np
import shapely
import shapely.geometry

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/synth.py
    sys.path.insert(0, str(ROOT))

from layers.core.dataset import CONFIDENCE, EVENT_COLUMNS, EVENT_KINDS, LEDGER_COLUMNS  # noqa: E402

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


SUB_EVENTS = (
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Non-violent transfer of territory"),
)


def analyst_events(feats: list[dict], dates: int, n: int, rng: random.Random) -> list[dict]:
    """``n`` events on random days of the campaign at random places, in date order: each one a neutral record
    (an id, a day, a place, an event type, two actors) from which both layouts are written."""
    days = sorted(rng.randrange(dates) for _ in range(n))
    out = []
    for i, day in enumerate(days, start=1):
        f = feats[rng.randrange(len(feats))]
        event_type, sub = SUB_EVENTS[rng.randrange(len(SUB_EVENTS))]
        a, b = (FACTIONS[0][0], FACTIONS[1][0]) if rng.random() < 0.5 else (FACTIONS[1][0], FACTIONS[0][0])
        out.append({"n": i, "date": START + dt.timedelta(days=day), "place": f, "type": event_type, "sub": sub,
                    "actors": (a, b)})  # fmt: skip
    return out


def event_rows(records: list[dict]) -> list[dict]:
    """The records as ``events.csv`` rows (project format). Kinds and confidences cycle, so the feed and its
    search have something to tell apart; one event in ten says the article differs (with the article's claim),
    one in five has two sources."""
    rows = []
    for r in records:
        n, differs = r["n"], r["n"] % 10 == 0
        rows.append(
            {
                "event_id": f"E{n:07d}",
                "date": r["date"].isoformat(),
                "date_precision": "day",
                "title": f"{r['sub']} at {r['place']['properties']['name']} (report {n})",
                "kind": EVENT_KINDS[n % len(EVENT_KINDS)],
                "place_id": r["place"]["properties"]["id"],
                "article_claim": f"The article dates this {n % 7 + 1} days later." if differs else "",
                "article_date": "",
                "corroborated": "Synthetic sources agree." if differs else "",
                "agreement": "disagree" if differs else "",
                "detail": f"{r['actors'][0]} v {r['actors'][1]}. Synthetic event.",
                "source_url": SOURCE + (f" ; {SOURCE}/{n % 97}" if n % 5 == 0 else ""),
                "confidence": CONFIDENCE[n % len(CONFIDENCE)],
                "ledger_rows": "",
            }
        )
    return rows


def acled_rows(records: list[dict]) -> list[dict]:
    """The records as rows of an ACLED export (the columns the import reads)."""
    return [
        {
            "event_id_cnty": f"SYN{r['n']:07d}",
            "event_date": r["date"].isoformat(),
            "event_type": r["type"],
            "sub_event_type": r["sub"],
            "actor1": r["actors"][0],
            "actor2": r["actors"][1],
            "location": r["place"]["properties"]["name"],
            "latitude": r["place"]["geometry"]["coordinates"][1],
            "longitude": r["place"]["geometry"]["coordinates"][0],
            "notes": "Synthetic event.",
            "source": SOURCE,
            "geo_precision": "1",
            "time_precision": "1",
        }
        for r in records
    ]


ACLED_WRITTEN = (
    "event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "latitude",
    "longitude", "notes", "source", "geo_precision", "time_precision",
)  # fmt: skip


def snapshots(feats: list[dict], rows: list[dict], dates: int, every: int) -> dict[dt.date, dict]:
    """Control snapshots every ``every`` days (and on the first day) from the ledger: each faction's ground is
    the union of the Voronoi cells (clipped to the area) of the places it holds that day."""
    w, s, e, n = AOI
    area = shapely.box(w, s, e, n)
    points = shapely.points([f["geometry"]["coordinates"] for f in feats])
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=area)
    cells = shapely.get_parts(cells)
    # voronoi_polygons does not keep the input order: match each cell to the point inside it
    tree = shapely.STRtree(cells)
    pi, ci = tree.query(points, predicate="within")
    cell_of = np.empty(len(feats), dtype=object)
    cell_of[pi] = shapely.intersection(cells[ci], area)
    index = {f["properties"]["id"]: i for i, f in enumerate(feats)}
    holder = np.empty(len(feats), dtype=object)
    by_day: dict[dt.date, list[dict]] = {}
    for r in rows:
        by_day.setdefault(dt.date.fromisoformat(r["date"]), []).append(r)
    out = {}
    for day in range(dates):
        date = START + dt.timedelta(days=day)
        for r in by_day.get(date, []):
            holder[index[r["place_id"]]] = r["holder"]
        if day % every:
            continue
        feats_out = []
        for faction, _ in FACTIONS:
            ground = shapely.coverage_union_all(cell_of[holder == faction])
            if not ground.is_empty:
                ground = shapely.transform(ground, lambda xy: np.round(xy, 6))
                feats_out.append(_feat(shapely.geometry.mapping(ground), {"faction": faction}))
        out[date] = _fc(feats_out)
    return out


def write_import(folder: Path, n_places: int, dates: int, seed: int, n_events: int, every: int = 91) -> Path:
    """Write the theatre as import inputs into ``folder``: ``theatre.toml``, ``acled.csv`` and
    ``snapshots/<date>.geojson`` (every ``every`` days); the events are those :func:`write` gives for the same
    arguments."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "snapshots").mkdir(exist_ok=True)
    feats = places(n_places, rng)
    rows = ledger(feats, dates, rng)
    records = analyst_events(feats, dates, n_events, rng)
    end = START + dt.timedelta(days=dates - 1)
    factions = "".join(f'\n[[factions]]\nid = "{f}"\nlabel = "{f}"\ncolor = "{c}"\n' for f, c in FACTIONS)
    (folder / "theatre.toml").write_text(
        f'name = "Synthetic theatre: {n_places} places, {dates} dates, {n_events} events"\n'
        f'slug = "synthetic-{n_places}p-{n_events}e"\nstart = {START.isoformat()}\nend = {end.isoformat()}\n'
        f'source_url = "{SOURCE}"\n\n[aoi]\nbbox = [{", ".join(str(x) for x in AOI)}]\n{factions}',
        encoding="utf-8",
    )
    _csv(folder / "acled.csv", ACLED_WRITTEN, acled_rows(records))
    for date, fc in snapshots(feats, rows, dates, every).items():
        _json(folder / "snapshots" / f"{date.isoformat()}.geojson", fc)
    return folder


def write(folder: Path, n_places: int = 300, dates: int = 3650, seed: int = 1, n_events: int | None = None) -> Path:
    """Write the synthetic dataset into ``folder`` (created if needed) and return it; ``n_events`` events
    spread over the days and places, or (None) one milestone every 30 dated ledger rows."""
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
    chosen = events(rows) if n_events is None else event_rows(analyst_events(feats, dates, n_events, rng))
    _csv(folder / "events.csv", EVENT_COLUMNS, chosen)
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
    parser.add_argument("--events", type=int, default=None, help="events spread over days and places")
    parser.add_argument("--as-import", action="store_true", help="write import inputs (config, ACLED, snapshots)")
    parser.add_argument("--snapshot-days", type=int, default=91, help="days between snapshots (--as-import)")
    args = parser.parse_args(argv)
    if args.as_import:
        write_import(args.folder, args.places, args.dates, args.seed, args.events or 0, args.snapshot_days)
    else:
        write(args.folder, args.places, args.dates, args.seed, args.events)
    print(f"wrote {args.folder}: {args.places} places, {args.dates} dates, {args.events or 'default'} events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
