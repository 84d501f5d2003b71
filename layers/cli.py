"""The command line, ``python -m layers``: the one module that parses arguments and prints.

- ``validate <folders or inputs…> [--config FILE]`` checks dataset folders (or import inputs) and lists every
  problem with its file and row;
- ``summary <folder> [dates…]`` prints the area held by each faction;
- ``announced <folder>`` sets the areas a faction announced against the derived gains;
- ``import --config theatre.toml --out <folder> <inputs…>`` imports an analyst's theatre;
- ``export {png,gif,mp4,geojson,csv} [--date …] -o FILE [folder]`` writes an image, animation or slice;
- ``add-user NAME [--role viewer|editor|admin]`` prompts for a password and adds the user to ``$RAQQA_AUTH_FILE``
  (or ``--auth-file``; without either it prints the line); ``passwd NAME`` changes a password (ending that user's
  sessions), ``set-role NAME ROLE``, ``remove-user NAME``; each is recorded in the audit log;
- ``audit [--limit N]`` prints the audit log, newest first.

Every command returns its exit code (0 fine, 1 not valid, 2 bad arguments); the domain code it calls
(``layers.core``) neither prints nor parses arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
import time
from pathlib import Path

from layers.core import DatasetError, Problem, Territory, consistency, export, import_inputs, imports, load_dataset
from layers.core.announced import compare, load_announced
from layers.core.errors import terminal_text
from layers.core.health import health, health_lines

DATASET_FILES = ("theatre.json", "places.geojson", "ledger.csv", "events.csv")
GEODATA = Path(__file__).resolve().parent.parent / "geodata"
MIN_PASSWORD = 12


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "validate":
        datasets = [p for p in args.paths if any((p / n).exists() for n in DATASET_FILES)]
        others = [p for p in args.paths if p not in datasets]
        codes = [validate_dataset(p) for p in datasets] + ([validate_inputs(others, args.config)] if others else [])
        return max(codes)
    if args.command == "announced":
        return announced(args.folder)
    if args.command == "import":
        return import_theatre(args.config, args.out, args.inputs, args.replace)
    if args.command == "export":
        return export_file(args)
    if args.command in USER_COMMANDS:
        return user_command(args)
    if args.command == "audit":
        return audit(args.limit)
    return summary(args.folder, args.dates)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m layers", description=__doc__.split("\n\n")[0])
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
    _export_parser(sub)
    _user_parsers(sub)
    au = sub.add_parser("audit", help="print the audit log (who changed what, and when), newest first")
    au.add_argument("--limit", type=int, default=200)
    return parser


# ---------------------------------------------------------------------------------------------------------
# validate, summary


def validate_dataset(folder: Path) -> int:
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
        terminal_text(
            f"OK {folder}: {len(ds.places)} places ({h['estimated_coordinates']} with estimated coordinates), "
            f"{len(ds.ledger)} ledger rows, {len(ds.events)} events, {len(ds.overrides)} override polygons, "
            f"{len(ds.basemap)} basemap layers"
        )
    )
    for line in health_lines(h):
        print(terminal_text(line))
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


def summary(folder: Path, dates: list[str]) -> int:
    ds = load_dataset(folder)
    terr = Territory(ds)
    for text in dates or [ds.start.isoformat(), ds.end.isoformat()]:
        date = dt.date.fromisoformat(text)
        snap = terr.control_at(date)
        areas = ", ".join(f"{h} {snap.area_km2(h):,.0f} km²" for h in snap.polygons)
        print(terminal_text(f"{date}: {areas}; frontline {terr.frontline_km(snap):,.0f} km"))
    return 0


def announced(folder: Path) -> int:
    """The areas a faction announced (``sources/announced_areas.csv``) against the derived gains, as Markdown."""
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


# ---------------------------------------------------------------------------------------------------------
# import


def validate_inputs(paths: list[Path], config: Path | None = None) -> int:
    """Check snapshot files, event tables and folders of them (against ``config`` when given)."""
    try:
        inputs = import_inputs.read_paths(paths, skip=config)
        config_file = import_inputs.read_paths([config])[0] if config else None
    except DatasetError as exc:
        return _fail(exc.problems, [])
    found = imports.check(inputs, config_file)
    if found.errors:
        return _fail(found.errors, found.warnings)
    _print_warnings(found.warnings)
    what = "against " + str(config) if config else "without a config: factions, area and dates not checked"
    print(f"OK {len(inputs)} input file(s) ({what}); {len(found.warnings)} warning(s)")
    return 0


def import_theatre(config: Path, out: Path, inputs: list[Path], replace: bool = False) -> int:
    """Build the theatre from ``inputs`` and write it to ``out``; nothing is written unless all of it validates."""
    try:
        files = import_inputs.read_paths(inputs, skip=config)
        imported = imports.prepare(import_inputs.read_paths([config])[0], files)
        imports.save(imported, out, replace=replace)
    except DatasetError as exc:
        return _fail(exc.problems, [])
    _print_warnings(imported.warnings)
    counts = ", ".join(f"{n} {what}" for what, n in imported.counts.items())
    print(f"Imported {imported.config.name!r} into {out}: {counts}; {len(imported.warnings)} warning(s)")
    return 0


def _fail(errors: list[Problem], warnings: list[Problem]) -> int:
    _print_warnings(warnings)
    for p in errors:
        print(f"ERROR {p}", file=sys.stderr)
    print(f"{len(errors)} problem(s); nothing imported.", file=sys.stderr)
    return 1


def _print_warnings(warnings: list[Problem]) -> None:
    for p in warnings:
        print(f"WARNING {p}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------
# export


def _export_parser(subparsers) -> argparse.ArgumentParser:
    """``export {png,gif,mp4,geojson,csv}`` with the options every kind shares."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--date", help="YYYY-MM-DD (default: the campaign start; gif/mp4 ignore it)")
    common.add_argument("--bounds", help="view as west,south,east,north in degrees (default: the area of interest)")
    common.add_argument(
        "--caption", help=f"caption, at most {export.MAX_CAPTION} characters (default: the date's event)"
    )
    common.add_argument("--every", type=int, help="gif/mp4: one frame every N days (default: one per map state)")
    common.add_argument("--size", help="WIDTHxHEIGHT in pixels (default 1920x1080; gif/mp4 1280x720)")
    common.add_argument("-o", "--output", required=True, type=Path, help="file to write")
    common.add_argument("folder", nargs="?", type=Path, help="dataset folder (default: geodata/ or $RAQQA_GEODATA)")
    p = subparsers.add_parser(
        "export", help="write a PNG, GIF, MP4, GeoJSON or CSV of the map", description=export.__doc__
    )
    kinds = p.add_subparsers(dest="kind", required=True, metavar="{" + ",".join(export.KINDS) + "}")
    for kind, text in export.KIND_HELP.items():
        kinds.add_parser(kind, parents=[common], help=text)
    return p


def export_file(args: argparse.Namespace) -> int:
    folder = args.folder or Path(os.environ.get("RAQQA_GEODATA", GEODATA))
    try:
        territory = Territory(load_dataset(folder))
    except DatasetError as exc:
        print(f"ERROR {folder}: dataset not valid ({len(exc.problems)} problem(s)); run validate", file=sys.stderr)
        return 1
    data = {"kind": args.kind, "date": args.date, "caption": args.caption, "every": args.every}
    try:
        if args.bounds is not None:
            data["bounds"] = [float(v) for v in args.bounds.split(",")]
        if args.size is not None:
            data["size"] = [int(v) for v in args.size.lower().split("x")]
    except ValueError:
        print("ERROR: --bounds takes four numbers w,s,e,n; --size takes WIDTHxHEIGHT", file=sys.stderr)
        return 2
    try:
        req = export.parse_request(territory, data)
    except export.ExportError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    payload = export.build(territory, req)
    args.output.write_bytes(payload)
    print(f"wrote {args.output} ({len(payload):,} bytes, {req.kind}) in {time.perf_counter() - t0:.1f} s")
    return 0


# ---------------------------------------------------------------------------------------------------------
# add-user


USER_COMMANDS = ("add-user", "passwd", "set-role", "remove-user")


def _user_parsers(sub) -> None:
    from layers.core.validate import DEFAULT_ROLE, ROLES

    helps = {
        "add-user": "add a user to $RAQQA_AUTH_FILE (prompts for the password; prints the line without a file)",
        "passwd": "change a user's password (ends that user's sessions)",
        "set-role": "change a user's role",
        "remove-user": "remove a user (ends that user's sessions)",
    }
    for name, text in helps.items():
        p = sub.add_parser(name, help=text)
        p.add_argument("name")
        if name == "set-role":
            p.add_argument("role", choices=ROLES)
        if name == "add-user":
            p.add_argument("--role", choices=ROLES, default=DEFAULT_ROLE)
        p.add_argument("--auth-file", type=Path, help="the users file (default $RAQQA_AUTH_FILE)")


def _new_password(name: str) -> str | None:
    password = os.environ.get("RAQQA_NEW_PASSWORD") or getpass.getpass(f"Password for {name}: ")
    if not os.environ.get("RAQQA_NEW_PASSWORD") and getpass.getpass("Again: ") != password:
        print("passwords differ", file=sys.stderr)
        return None
    if len(password) < MIN_PASSWORD:
        print(f"use at least {MIN_PASSWORD} characters", file=sys.stderr)
        return None
    return password


def user_command(args: argparse.Namespace) -> int:
    """add-user, passwd, set-role, remove-user: edit the users file (kept in place, written atomically) and
    record the change in the audit log under the operating-system user who ran the command."""
    from layers.server.accounts import check_name, edit_users, parse_users, user_line  # werkzeug's hashing
    from layers.server.store import audit_log

    path = args.auth_file or (Path(os.environ["RAQQA_AUTH_FILE"]) if os.environ.get("RAQQA_AUTH_FILE") else None)
    try:
        name = check_name(args.name)
        accounts = parse_users(path.read_text(encoding="utf-8")) if path and path.exists() else {}
    except (ValueError, OSError) as exc:
        print(f"ERROR: {terminal_text(str(exc))}", file=sys.stderr)
        return 2
    if args.command == "add-user" and path is None:  # no file: print the line, as before
        password = _new_password(name)
        if password is None:
            return 1
        print(user_line(name, password, args.role))
        return 0
    if path is None:
        print("ERROR: no users file: set RAQQA_AUTH_FILE or pass --auth-file", file=sys.stderr)
        return 2
    known = accounts.get(name)
    if (known is None) != (args.command == "add-user"):
        what = "already exists" if known else "is not in the users file"
        print(f"ERROR: {terminal_text(name)} {what}", file=sys.stderr)
        return 1
    detail = ""
    if args.command in ("add-user", "passwd"):
        password = _new_password(name)
        if password is None:
            return 1
        role = args.role if args.command == "add-user" else known.role
        line, detail = user_line(name, password, role), f"role {role}"
    elif args.command == "set-role":
        line, detail = f"{name}:{args.role}:{known.hash}", f"{known.role} → {args.role}"
    else:
        line = None
    edit_users(path, name, line=line)
    action = {"add-user": "user.add", "passwd": "user.password", "set-role": "user.role", "remove-user": "user.remove"}
    audit_log().record(f"{getpass.getuser()} (command line)", action[args.command], name, detail)
    print(f"{args.command}: {terminal_text(name)} {terminal_text(detail)}".rstrip())
    return 0


def audit(limit: int) -> int:
    """Print the audit log, newest first, one entry a line, escaped for the terminal."""
    from layers.server.store import audit_log

    for e in audit_log().entries(max(1, limit)):
        fields = (e["at"], e["who"], e["action"], e["target"], e["detail"])
        print("  ".join(terminal_text(str(f)) for f in fields).rstrip())
    return 0
