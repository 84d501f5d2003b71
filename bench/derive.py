"""Time (and, with ``--tracemalloc``, the Python peak memory of) deriving every dated snapshot of a dataset.

    python bench/derive.py [FOLDER] [--tracemalloc]

prints one JSON object. Where ``layers.core.timeline`` exists it times ``build_timeline(territory)`` (the
tables the browser derives every day from, as the app builds them) and then ``state_on(tables, day)`` for
every day of the campaign (the same derivation in Python); otherwise it derives each distinct ledger state's
control polygons and their GeoJSON (``territory.control_at`` + ``control_geojson``), once per state. Run it in
a fresh process per measurement (``bench/run.py`` does) so that nothing is cached from before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/derive.py
    sys.path.insert(0, str(ROOT))

from layers.core import Territory, load_dataset  # noqa: E402
from layers.core.geojson import control_geojson  # noqa: E402


def state_dates(terr: Territory) -> list[dt.date]:
    """The first date of every distinct ledger state: the campaign start and each date the map can change."""
    seen, out = set(), []
    for d in [terr.ds.start, *terr.change_dates()]:
        key = terr.state_key(d)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def derive(folder: Path, trace: bool = False) -> dict:
    ds = load_dataset(folder)
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    terr = Territory(ds)
    t1 = time.perf_counter()
    try:
        timeline = importlib.import_module("layers.core.timeline")
    except ImportError:
        timeline = None
    days = (ds.end - ds.start).days + 1
    out = {"folder": str(folder), "days": days, "ledger_rows": len(ds.ledger), "places": len(ds.places)}
    if timeline is not None:
        out["method"] = "build_timeline(territory) + state_on(tables, day) for every day"
        tables = timeline.build_timeline(terr)
        t2 = time.perf_counter()
        for day in range(days):
            timeline.state_on(tables, day)
        t3 = time.perf_counter()
        out["every_day_s"] = t3 - t2
    else:
        out["method"] = "territory.control_at + control_geojson per distinct state"
        for d in state_dates(terr):
            control_geojson(terr, d)
        t2 = t3 = time.perf_counter()
    out |= {"territory_s": t1 - t0, "snapshots_s": t2 - t1, "total_s": t3 - t0}
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if trace:
        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    out["states"] = len(state_dates(terr))  # after the measurement: not part of it
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, nargs="?", default=ROOT / "geodata")
    parser.add_argument("--tracemalloc", action="store_true", help="also report Python's peak traced memory")
    args = parser.parse_args(argv)
    print(json.dumps(derive(args.folder, args.tracemalloc)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
