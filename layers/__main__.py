"""Command line: ``python -m layers validate geodata/`` checks a dataset folder (or import inputs); ``summary``
prints its figures; ``import --config theatre.toml --out <folder> <inputs...>`` imports an analyst's theatre;
``export`` writes a PNG, GIF, MP4, GeoJSON or CSV of the map."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from layers.core import DatasetError, Territory, consistency, export, load_dataset
from layers.core.announced import compare, load_announced
from layers.core.errors import terminal_text
from layers.core.health import health, health_lines
from layers.core.import_cli import import_theatre, validate_inputs

DATASET_FILES = ("theatre.json", "places.geojson", "ledger.csv", "events.csv")


def _validate(folder: Path) -> int:
    try:
        ds = load_dataset(folder)
        findings = consistency.check(ds)
    except (DatasetError, consistency.RulesError) as exc:
        for p in exc.problems:
            print(terminal_text(f"ERROR {folder / p.file}: {p.item}: {p.message}"), file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); dataset not valid.", file=sys.stderr)
        return 1
    h = health(ds, findings)
    print(
        f"OK {folder}: {len(ds.places)} places ({h['estimated_coordinates']} with estimated coordinates), "
        f"{len(ds.ledger)} ledger rows, {len(ds.events)} events, {len(ds.overrides)} override polygons, "
        f"{len(ds.basemap)} basemap layers"
    )
    print("\n".join(health_lines(h)))
    for f in findings:
        if f.accepted:
            print(terminal_text(f"ACCEPTED {folder / f.file}: {f.item}: {f.message} [{f.rule}] -- {f.accepted}"))
    for f in findings:
        if not f.accepted and f.severity != "error":
            print(terminal_text(f"WARNING {folder / f.file}: {f.item}: {f.message} [{f.rule}]"))
    errors = [f for f in findings if not f.accepted and f.severity == "error"]
    for f in errors:
        print(terminal_text(f"ERROR {folder / f.file}: {f.item}: {f.message} [{f.rule}]"), file=sys.stderr)
    if errors:
        print(f"{len(errors)} consistency error(s); dataset not valid.", file=sys.stderr)
    return 1 if errors else 0


def _summary(folder: Path, dates: list[str]) -> int:
    ds = load_dataset(folder)
    terr = Territory(ds)
    for text in dates or [ds.start.isoformat(), ds.end.isoformat()]:
        date = dt.date.fromisoformat(text)
        snap = terr.control_at(date)
        areas = ", ".join(f"{h} {snap.area_km2(h):,.0f} km²" for h in snap.polygons)
        print(terminal_text(f"{date}: {areas}; frontline {terr.frontline_km(snap):,.0f} km"))
    return 0


def _announced(folder: Path) -> int:
    ds = load_dataset(folder)
    rows = compare(Territory(ds), load_announced(folder, ds.faction_ids))
    print("| figure | span | announced | derived | difference | source |")
    print("|---|---|---:|---:|---:|---|")
    for r in rows:
        a = r["announced"]
        span = f"{a.gains_from} – {a.date}"
        shown = f"{a.qualifier} {a.km2:,.0f} km²".strip()
        print(
            terminal_text(
                f"| {a.holder}: {a.what} | {span} | {shown} | {r['derived_km2']:,.0f} km² | "
                f"{r['difference_km2']:+,.0f} km² | [{a.source_title}]({a.source_url}) |"
            )
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m layers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check dataset folders or import inputs and list every problem")
    v.add_argument("paths", nargs="+", type=Path, help="dataset folders, or snapshot files/folders and event tables")
    v.add_argument("--config", type=Path, help="import config to check the inputs against (TOML or JSON)")
    s = sub.add_parser("summary", help="area held by each faction at the given dates")
    s.add_argument("folder", type=Path)
    s.add_argument("dates", nargs="*", help="ISO dates (default: campaign start and end)")
    a = sub.add_parser("announced", help="announced areas (sources/announced_areas.csv) against the derived ones")
    a.add_argument("folder", type=Path)
    i = sub.add_parser("import", help="import an analyst's theatre (snapshots, event tables) into a dataset folder")
    i.add_argument("--config", type=Path, required=True, help="theatre config (TOML or JSON), see docs/import.md")
    i.add_argument("--out", type=Path, required=True, help="dataset folder to write")
    i.add_argument("--replace", action="store_true", help="replace an existing dataset folder")
    i.add_argument("inputs", nargs="+", type=Path, help="snapshot files or folders, event tables")
    export.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "export":
        return args.func(args)
    if args.command == "validate":
        datasets = [p for p in args.paths if any((p / n).exists() for n in DATASET_FILES)]
        others = [p for p in args.paths if p not in datasets]
        codes = [_validate(p) for p in datasets] + ([validate_inputs(others, args.config)] if others else [])
        return max(codes)
    if args.command == "announced":
        return _announced(args.folder)
    if args.command == "import":
        return import_theatre(args.config, args.out, args.inputs, args.replace)
    return _summary(args.folder, args.dates)


if __name__ == "__main__":
    raise SystemExit(main())
