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

:func:`prepare` checks everything (the input files through ``import_inputs.py``) and builds the dataset in
memory (``import_build.py``), raising :class:`DatasetError` with every problem; :func:`save` writes it
atomically. Nothing is written unless everything validates.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from layers.core import geocheck as gc
from layers.core.dataset import Dataset, max_bytes
from layers.core.errors import DatasetError, Problem
from layers.core.geocrs import reproject
from layers.core.import_build import dataset_files
from layers.core.import_config import Config, InputFile, read_config
from layers.core.import_events import Report, read_table
from layers.core.import_inputs import inputs_within_budget, mib, sniff
from layers.core.import_snapshots import Area, read_geojson, read_gpkg, read_kml
from layers.core.loaders import load_dataset

__all__ = ["Imported", "check", "prepare", "save"]


@dataclass
class Imported:
    """A theatre built in memory: its dataset files, the warnings (flagged repairs) and what it holds."""

    config: Config
    files: dict[str, bytes]
    warnings: list[Problem]
    counts: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------------
# public entry points


def check(inputs: list[InputFile], config_file: InputFile | None = None) -> gc.Findings:
    """Validate inputs (against the config when given) without building anything; returns every finding
    (capped lists; the check stops after gc.MAX_ERRORS errors)."""
    found = gc.Findings()
    gc.checked(found, lambda: _check(inputs, config_file, found), None)
    return found


def _check(inputs: list[InputFile], config_file: InputFile | None, found: gc.Findings) -> None:
    config = read_config(config_file, found) if config_file else None
    if config_file and config is None or not inputs_within_budget(inputs, found):
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
    files, counts = dataset_files(config, areas, reports, [f.name for f in inputs])
    too_big = [
        Problem(name, "file", f"would be {mib(len(data))}: more than the {max_bytes(name) // 2**20} MiB a dataset "
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
    if config is None or not inputs_within_budget(inputs, found):
        return None
    areas, reports = _read_inputs(inputs, config, found)
    _check_areas(areas, config, found)
    _check_reports(reports, config, found)
    if not inputs:
        found.error("inputs", "files", "no input files: give snapshot files and/or event tables")
    return config, areas, reports


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
        metric = np.array([reproject(a.geometry, to_m) for a in group], dtype=object)
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
