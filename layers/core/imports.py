"""Import an analyst's own theatre into a dataset folder, without code changes.

Inputs (each sniffed by content as well as by its extension):

- dated control snapshots: GeoJSON (``.geojson``/``.json``, one file per date, the date in the file name such as
  ``2017-06-06.geojson`` or in a property), GeoPackage (``.gpkg``) and KML/KMZ (``.kml``/``.kmz``), each polygon
  naming its faction in a property;
- event tables in ACLED or UCDP GED CSV layout (``.csv``);
- a config file (TOML or JSON): the theatre's name, dates, factions, area of interest and how the inputs'
  faction names map to faction ids (see ``docs/import.md``).

Each snapshot polygon becomes an override valid from its date to the day before the next snapshot date (the
last one to the theatre's end), tied to a ledger row of a place at the polygon's representative point. Events
become ``events.csv`` rows; their locations become places of kind "event location".

:func:`prepare` checks everything and builds the dataset in memory, raising :class:`DatasetError` with every
problem; :func:`save` writes it atomically. Nothing is written unless everything validates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.errors import GEOSException
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from layers.core import geocheck as gc
from layers.core.consistency import DEFAULT_RULES
from layers.core.dataset import (
    EVENT_COLUMNS,
    LEDGER_COLUMNS,
    Dataset,
    load_dataset,
    max_bytes,
)
from layers.core.errors import DatasetError, Problem
from layers.core.import_config import Config, InputFile, read_config, slugify
from layers.core.import_events import Report, read_table
from layers.core.import_snapshots import Area, read_geojson, read_gpkg, read_kml

MAX_INPUT_FILES = 1000
# All input files of one import together (each at most dataset.max_bytes): the geometry files (snapshots), and
# the CSV tables (event exports) on their own budget, cheap to read per byte and larger at analyst scale.
MAX_INPUT_BYTES = 50 * 2**20
MAX_TABLE_INPUT_BYTES = 256 * 2**20
SEGMENT_DEG = 0.01  # longest polygon edge written, in degrees (about 1 km)
MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive",
    b"SQLite format 3\x00": "an SQLite database",
    b"GIF8": "a GIF image",
}


@dataclass
class Imported:
    """A theatre built in memory: its dataset files, the warnings (flagged repairs) and what it holds."""

    config: Config
    files: dict[str, bytes]
    warnings: list[Problem]
    counts: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------------
# public entry points


def read_paths(paths: Iterable[Path], skip: Path | None = None) -> list[InputFile]:
    """Input files from paths (a folder gives its regular files, sorted, hidden ones and ``skip`` left out).

    Symbolic links and anything but regular files are refused, not followed; the number of files and every
    size (each file and all together) are checked with ``lstat`` before anything is read, and each file is
    read through a descriptor that does not follow links, at most its budget.
    """
    problems: list[Problem] = []
    chosen: list[tuple[Path, int]] = []
    for path in paths:
        for p in _listing(path, problems):
            if skip is not None and os.path.abspath(p) == os.path.abspath(skip):
                continue
            size = _regular_size(p, problems)
            if size is not None:
                chosen.append((p, size))
    if len(chosen) > MAX_INPUT_FILES:
        problems.append(Problem("inputs", "files", f"{len(chosen):,} files: more than the limit of {MAX_INPUT_FILES}"))
    problems += [Problem("inputs", "files", why) for why in _over_budget([(p.name, size) for p, size in chosen])]
    if problems:
        raise DatasetError(problems)
    out = []
    for p, _ in chosen:
        data = _read_regular(p, problems)
        if data is not None:
            out.append(InputFile(p.name, data))
    if problems:
        raise DatasetError(problems)
    return out


def _listing(path: Path, problems: list[Problem]) -> list[Path]:
    """``path`` itself, or the entries of a folder (hidden ones left out), at most MAX_INPUT_FILES + 1 of them."""
    if path.is_symlink() or not path.is_dir():
        return [path]
    entries = []
    with os.scandir(path) as it:
        for entry in it:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                continue  # sub-folders are not read (name them to import them)
            entries.append(Path(entry.path))
            if len(entries) > MAX_INPUT_FILES:
                problems.append(Problem(path.name, "folder", f"more than {MAX_INPUT_FILES} files"))
                break
    return sorted(entries)


def _regular_size(p: Path, problems: list[Problem]) -> int | None:
    """The size of a regular file from ``lstat``; None with a problem for links, devices, pipes, missing files."""
    try:
        st = p.lstat()
    except OSError:
        problems.append(Problem(p.name, "file", "missing"))
        return None
    if stat.S_ISLNK(st.st_mode):
        problems.append(Problem(p.name, "file", "is a symbolic link: not followed (copy the file itself)"))
    elif not stat.S_ISREG(st.st_mode):
        problems.append(Problem(p.name, "file", "is not a regular file (a device, pipe or socket): not read"))
    elif st.st_size > max_bytes(p.name):
        problems.append(Problem(p.name, "file", f"larger than {max_bytes(p.name) // 2**20} MiB"))
    else:
        return st.st_size
    return None


def _read_regular(p: Path, problems: list[Problem]) -> bytes | None:
    """The bytes of a regular file, opened without following links and read up to the size limit only."""
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        problems.append(Problem(p.name, "file", f"cannot be opened: {exc.strerror or exc}"))
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # replaced between lstat and open
            problems.append(Problem(p.name, "file", "is not a regular file: not read"))
            return None
        data = fh.read(max_bytes(p.name) + 1)
    if len(data) > max_bytes(p.name):  # grew between lstat and read
        problems.append(Problem(p.name, "file", f"larger than {max_bytes(p.name) // 2**20} MiB"))
        return None
    return data


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def check(inputs: list[InputFile], config_file: InputFile | None = None) -> gc.Findings:
    """Validate inputs (against the config when given) without building anything; returns every finding
    (capped lists; the check stops after gc.MAX_ERRORS errors)."""
    found = gc.Findings()
    gc.checked(found, lambda: _check(inputs, config_file, found), None)
    return found


def _check(inputs: list[InputFile], config_file: InputFile | None, found: gc.Findings) -> None:
    config = read_config(config_file, found) if config_file else None
    if config_file and config is None or not _inputs_within_budget(inputs, found):
        return
    areas, reports = _read_inputs(inputs, config, found)
    if config is not None:
        _check_areas(areas, config, found)
        _check_reports(reports, config, found)


def prepare(config_file: InputFile, inputs: list[InputFile]) -> Imported:
    """Check the config and every input and build the dataset files in memory; raise DatasetError if any fail."""
    found = gc.Findings()
    read = gc.checked(found, lambda: _prepare(config_file, inputs, found), None)
    if found.errors or read is None:
        raise DatasetError(found.errors)
    config, areas, reports = read
    files, counts = _dataset_files(config, areas, reports, [f.name for f in inputs])
    too_big = [
        Problem(name, "file", f"would be {_mib(len(data))}: more than the {max_bytes(name) // 2**20} MiB a dataset "
                "file may hold; simplify the polygons or import fewer")
        for name, data in files.items()
        if len(data) > max_bytes(name)
    ]  # fmt: skip
    if too_big:
        raise DatasetError(too_big)
    return Imported(config, files, found.warnings, counts)


def _prepare(
    config_file: InputFile, inputs: list[InputFile], found: gc.Findings
) -> tuple[Config, list[Area], list[Report]] | None:
    config = read_config(config_file, found)
    if config is None or not _inputs_within_budget(inputs, found):
        return None
    areas, reports = _read_inputs(inputs, config, found)
    _check_areas(areas, config, found)
    _check_reports(reports, config, found)
    if not inputs:
        found.error("inputs", "files", "no input files: give snapshot files and/or event tables")
    return config, areas, reports


def _inputs_within_budget(inputs: list[InputFile], found: gc.Findings) -> bool:
    """The number of files and their bytes together, before any is parsed."""
    over = _over_budget([(f.name, len(f.data)) for f in inputs])
    if len(inputs) > MAX_INPUT_FILES:
        found.error("inputs", "files", f"{len(inputs):,} files: more than the limit of {MAX_INPUT_FILES}")
    elif over:
        found.error("inputs", "files", over[0])
    else:
        return True
    return False


def _over_budget(sizes: list[tuple[str, int]]) -> list[str]:
    """Why the inputs' bytes exceed their budgets (geometry files; CSV tables), if they do."""
    tables = sum(n for name, n in sizes if name.lower().endswith(".csv"))
    geometry = sum(n for _, n in sizes) - tables
    out = []
    if geometry > MAX_INPUT_BYTES:
        out.append(f"{_mib(geometry)} in all: more than the limit of {_mib(MAX_INPUT_BYTES)}")
    if tables > MAX_TABLE_INPUT_BYTES:
        out.append(f"{_mib(tables)} of tables in all: more than the limit of {_mib(MAX_TABLE_INPUT_BYTES)}")
    return out


def save(imported: Imported, out: Path, replace: bool = False, check: Callable[[Dataset], None] | None = None) -> None:
    """Write the dataset into ``out`` atomically: a temp folder beside it, checked with load_dataset (and
    ``check``, given the loaded dataset, when set), renamed.

    ``out`` is replaced only with ``replace`` and only if it is a dataset folder (has theatre.json); on any
    failure it is left as it was.
    """
    out = Path(out)
    if out.exists() and not replace:
        raise DatasetError([Problem(out.name, "folder", "already exists (pass --replace to replace it)")])
    if out.exists() and not (out / "theatre.json").is_file():
        raise DatasetError([Problem(out.name, "folder", "exists and is not a dataset folder: not replaced")])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.incoming-", dir=out.parent))
    try:
        for rel, data in imported.files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_bytes(data)
        ds = load_dataset(tmp)  # the written folder must load exactly as the app will load it
        if check is not None:
            check(ds)
        _swap_in(tmp, out, replace)
    except OSError as exc:  # e.g. another import created ``out`` meanwhile: nothing was replaced
        raise DatasetError([Problem(out.name, "folder", f"cannot be written: {exc.strerror or exc}")]) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def _swap_in(tmp: Path, out: Path, replace: bool) -> None:
    """Rename ``tmp`` to ``out``. Without ``replace`` this is one ``rename``, which fails if another writer
    created ``out`` since the check above (a non-empty folder is never replaced): of two imports under the
    same name, one wins and the other gets an error, never a swap."""
    if not replace or not out.exists():
        os.rename(tmp, out)
        return
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex}"
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old)


# ---------------------------------------------------------------------------------------------------------
# reading inputs


def _read_inputs(inputs: list[InputFile], config: Config | None, found: gc.Findings) -> tuple[list[Area], list[Report]]:
    areas: list[Area] = []
    reports: list[Report] = []
    readers = {"geojson": read_geojson, "gpkg": read_gpkg, "kml": read_kml, "kmz": read_kml}
    for f in inputs:
        before = found.count
        kind = sniff(f, found)
        if kind == "csv":
            got = read_table(f, config, found)
            reports += got
        elif kind:
            got = readers[kind](f, config, found)
            areas += got
        if kind and not got and found.count == before:
            found.error(f.name, "file", "has no rows" if kind == "csv" else "has no polygon features")
    return areas, reports


def sniff(f: InputFile, found: gc.Findings) -> str | None:
    """The input's kind from its extension, confirmed by its first bytes; None with an error if they disagree."""
    head = f.data[:16]
    lead = f.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    magic = next((what for m, what in MAGIC.items() if head.startswith(m)), None)
    expect = {
        ".geojson": ("geojson", lead in (b"{", b"["), "JSON"),
        ".json": ("geojson", lead in (b"{", b"["), "JSON"),
        ".gpkg": ("gpkg", head.startswith(b"SQLite format 3\x00"), "GeoPackage (SQLite)"),
        ".kml": ("kml", lead == b"<", "KML (XML)"),
        ".kmz": ("kmz", head.startswith(b"PK\x03\x04"), "KMZ (zip)"),
        ".csv": ("csv", magic is None and b"\x00" not in f.data[:4096], "CSV text"),
    }.get(f.suffix)
    if len(f.data) > max_bytes(f.name):
        found.error(f.name, "file", f"larger than {max_bytes(f.name) // 2**20} MiB")
        return None
    if expect is None:
        found.error(
            f.name,
            "file",
            f"unsupported file type {f.suffix or '(none)'!r}: expected .geojson, .gpkg, .kml, .kmz or .csv",
        )
        return None
    kind, ok, what = expect
    if not ok:
        found.error(f.name, "file", f"content is {magic or 'something else'}, not {what} as its extension says")
        return None
    return kind


# ---------------------------------------------------------------------------------------------------------
# checks across files


def _check_areas(areas: list[Area], config: Config, found: gc.Findings) -> None:
    """Dates inside the theatre; no duplicate polygons; no two factions on the same ground on one date.

    Pairs come from a spatial index (only polygons whose bounding boxes meet are compared), at most
    gc.MAX_OVERLAP_PAIRS of them in all; only pairs whose interiors meet are intersected.
    """
    to_m = Transformer.from_crs("EPSG:4326", config.projection, always_xy=True)
    by_date: dict[dt.date, list[Area]] = {}
    for a in areas:
        if not config.start <= a.date <= config.end:
            found.error(a.file, a.item, f"date {a.date} is outside the theatre {config.start} .. {config.end}")
        by_date.setdefault(a.date, []).append(a)
    pairs = 0
    for date, group in sorted(by_date.items()):
        metric = np.array([gc.reproject(a.geometry, to_m) for a in group], dtype=object)
        tree = shapely.STRtree(metric)
        for j, b in enumerate(group):
            near = tree.query(metric[j])
            near = np.sort(near[near < j])
            pairs += len(near)
            if pairs > gc.MAX_OVERLAP_PAIRS:
                found.error(
                    b.file,
                    b.item,
                    f"more than {gc.MAX_OVERLAP_PAIRS:,} pairs of polygons on {date} lie on or next to each other: "
                    "overlap check stopped; merge or simplify the snapshot polygons",
                )
                return
            inside = near[shapely.relate_pattern(metric[near], metric[j], "2********")]  # interiors meet
            for i in inside.tolist():
                a = group[i]
                if a.faction == b.faction and shapely.equals(a.geometry, b.geometry):
                    found.error(
                        b.file, b.item, f"duplicate of {a.file} {a.item} (same date, faction and polygon)", "duplicates"
                    )
                elif a.faction != b.faction:
                    overlap = _overlap_m2(metric[i], metric[j])
                    if overlap > gc.MIN_OVERLAP_M2:
                        found.error(
                            b.file,
                            b.item,
                            f"{b.faction} overlaps {a.faction} ({a.file} {a.item}) on {date} by {overlap / 1e6:.3f} "
                            "km²: two factions cannot hold the same ground",
                            "overlaps",
                        )


def _overlap_m2(a: BaseGeometry, b: BaseGeometry) -> float:
    try:
        return shapely.intersection(a, b).area
    except GEOSException:  # a robustness failure of the floating overlay: snap-round on a 1 mm grid instead
        return shapely.intersection(a, b, grid_size=0.001).area


def _check_reports(reports: list[Report], config: Config, found: gc.Findings) -> None:
    """Dates inside the theatre; event ids unique across every table."""
    seen: dict[str, Report] = {}
    for r in reports:
        if not config.start <= r.date <= config.end:
            found.error(r.file, r.item, f"date {r.date} is outside the theatre {config.start} .. {config.end}")
        if r.event_id in seen:
            first = seen[r.event_id]
            found.error(r.file, r.item, f"duplicate event id {r.event_id!r} (first in {first.file} {first.item})")
        else:
            seen[r.event_id] = r


# ---------------------------------------------------------------------------------------------------------
# the dataset files


def _dataset_files(
    config: Config, areas: list[Area], reports: list[Report], input_names: list[str]
) -> tuple[dict[str, bytes], dict[str, int]]:
    dates = sorted({a.date for a in areas})
    ends = {d: (dates[i + 1] - dt.timedelta(days=1) if i + 1 < len(dates) else config.end) for i, d in enumerate(dates)}
    places, ledger, overrides = [], [], []
    counter: dict[dt.date, int] = {}
    for a in sorted(areas, key=lambda a: (a.date, a.file, a.item)):
        n = counter[a.date] = counter.get(a.date, 0) + 1
        key = f"{a.date}-{n}"
        pt = a.geometry.representative_point()
        places.append(_place(f"snap-{key}", a.name or f"{a.faction} ground {a.date}", pt, "control snapshot", "high",
                             f"representative point of {a.file} {a.item}", "ledger"))  # fmt: skip
        ledger.append(_ledger_row(f"S-{key}", a, config))
        overrides.append(
            {
                "type": "Feature",
                "properties": {
                    "id": f"O-{key}",
                    "holder": a.faction,
                    "valid_from": a.date.isoformat(),
                    "valid_to": ends[a.date].isoformat(),
                    "ledger_rows": [f"S-{key}"],
                    "note": f"{a.file} {a.item}",
                },
                "geometry": _rounded(a.geometry),
            }
        )
    event_rows, event_places = _events(reports, config)
    files = {
        "theatre.json": _json(_theatre(config, input_names), indent=1),
        "aoi.geojson": _json(_fc([{"type": "Feature", "properties": {}, "geometry": _rounded(config.aoi)}])),
        "places.geojson": _json(_fc(places + event_places)),
        "ledger.csv": _csv(LEDGER_COLUMNS, ledger),
        "events.csv": _csv(EVENT_COLUMNS, event_rows),
    }  # fmt: skip
    if overrides:
        files["overrides.geojson"] = _json(_fc(overrides))
    counts = {
        "snapshot polygons": len(areas),
        "snapshot dates": len(dates),
        "events": len(event_rows),
        "places": len(places) + len(event_places),
    }
    return files, counts


def _theatre(config: Config, input_names: list[str]) -> dict:
    return {
        "name": config.name,
        "short_name": config.name[:60],
        "start": config.start.isoformat(),
        "end": config.end.isoformat(),
        "factions": list(config.factions),
        "river": "",
        "projection": config.projection,
        # Ground comes from the snapshot polygons only: no Voronoi cells around the snapshot places.
        "max_cell_radius_km": 0,
        "rules": {k: v for k, v in DEFAULT_RULES.items() if k != "severity"},  # the consistency rules' defaults
        "source_url": config.source_url,
        "imported_from": input_names,
    }


def _place(pid: str, name: str, pt: Point, kind: str, confidence: str, coord_source: str, role: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(pt.x, 6), round(pt.y, 6)]},
        "properties": {
            "id": pid,
            "name": name,
            "alt_names": [],
            "kind": kind,
            "bank": "",
            "confidence": confidence,
            "coord_source": coord_source,
            "role": role,
        },
    }


def _ledger_row(row_id: str, a: Area, config: Config) -> dict:
    row = dict.fromkeys(LEDGER_COLUMNS, "")
    row.update(
        row_id=row_id,
        date=a.date.isoformat(),
        date_precision="day",
        place_id=f"snap-{row_id[2:]}",
        holder=a.faction,
        change="snapshot",
        description=f"Control snapshot of {a.date}: {a.name or a.faction}",
        source_title=a.file,
        source_url=a.source_url,
        confidence=config.snapshot_confidence,
        note=f"{a.file} {a.item}",
    )
    return row


def _events(reports: list[Report], config: Config) -> tuple[list[dict], list[dict]]:
    places: dict[tuple, str] = {}
    features, rows, used = [], [], set()
    for r in sorted(reports, key=lambda r: (r.date, r.event_id)):
        key = (r.location, round(r.lon, 6), round(r.lat, 6))
        if key not in places:
            slug = slugify(r.location)[:50] if re.search("[A-Za-z0-9]", r.location) else ""
            base = f"loc-{slug or f'{r.lat:.4f}n-{r.lon:.4f}e'}"
            pid, n = base, 1
            while pid in used:
                n += 1
                pid = f"{base}-{n}"
            used.add(pid)
            places[key] = pid
            features.append(_place(pid, r.location or pid, Point(r.lon, r.lat), "event location",
                                   r.place_confidence, f"{r.file} {r.item}", "mentioned"))  # fmt: skip
        row = dict.fromkeys(EVENT_COLUMNS, "")
        row.update(
            event_id=r.event_id,
            date=r.date.isoformat(),
            date_precision=r.date_precision,
            title=r.title,
            kind="milestone",
            place_id=places[key],
            detail=r.detail,
            source_url=" ; ".join(r.source_urls) or config.source_url,
            confidence=r.confidence,
        )
        rows.append(row)
    return rows, features


def _rounded(geom: BaseGeometry) -> dict:
    """GeoJSON of a lon/lat polygon, densified so that its long straight edges (straight in lon/lat, as RFC 7946
    reads them) stay where they are in the equal-area projection: shared edges then meet without slivers."""
    dense = shapely.segmentize(geom, SEGMENT_DEG)
    return mapping(shapely.orient_polygons(shapely.set_precision(dense, 1e-7)))


def _fc(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _json(data: Any, indent: int | None = None) -> bytes:
    """JSON as written: compact (the C encoder) unless ``indent`` is given for a small file people read."""
    return (json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False) + "\n").encode("utf-8")


def _csv(columns: tuple[str, ...], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows([row[c] for c in columns] for row in rows)
    return buf.getvalue().encode("utf-8")
