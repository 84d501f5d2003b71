"""Command line: ``python -m layers validate geodata/`` checks a dataset folder; ``summary`` prints its figures;
``export`` writes a PNG, GIF, MP4, GeoJSON or CSV of the map."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from layers.core import DatasetError, Territory, export, load_dataset


def _validate(folder: Path) -> int:
    try:
        ds = load_dataset(folder)
    except DatasetError as exc:
        for p in exc.problems:
            print(f"ERROR {folder / p.file}: {p.item}: {p.message}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); dataset not valid.", file=sys.stderr)
        return 1
    estimated = sum(1 for p in ds.places.values() if p.confidence != "high")
    print(
        f"OK {folder}: {len(ds.places)} places ({estimated} with estimated coordinates), "
        f"{len(ds.ledger)} ledger rows, {len(ds.events)} events, {len(ds.overrides)} override polygons, "
        f"{len(ds.basemap)} basemap layers"
    )
    return 0


def _summary(folder: Path, dates: list[str]) -> int:
    ds = load_dataset(folder)
    terr = Territory(ds)
    for text in dates or [ds.start.isoformat(), ds.end.isoformat()]:
        date = dt.date.fromisoformat(text)
        snap = terr.control_at(date)
        areas = ", ".join(f"{h} {snap.area_km2(h):,.0f} km²" for h in snap.polygons)
        print(f"{date}: {areas}; frontline {terr.frontline_km(snap):,.0f} km")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m layers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a dataset folder and list every problem")
    v.add_argument("folder", type=Path)
    s = sub.add_parser("summary", help="area held by each faction at the given dates")
    s.add_argument("folder", type=Path)
    s.add_argument("dates", nargs="*", help="ISO dates (default: campaign start and end)")
    export.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "export":
        return args.func(args)
    if args.command == "validate":
        return _validate(args.folder)
    return _summary(args.folder, args.dates)


if __name__ == "__main__":
    raise SystemExit(main())
