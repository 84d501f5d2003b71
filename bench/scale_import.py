"""The analyst-scale theatre through the normal import, timed: 200,000 events, 5,000 places, 10 years.

    .venv/bin/python bench/scale_import.py [--out /tmp/scale-bench] [--events 200000] [--places 5000]
                                           [--dates 3650] [--skip-write]

1. writes the theatre as import inputs (``bench/synth.py --as-import``: config, ACLED CSV, control snapshots);
2. imports it with ``python -m layers import`` in a fresh process: wall time, CPU time, peak RSS;
3. derives its tables and stores them as the import job does (``layers.server.context.derive_stored`` on the
   theatre in an instance folder), in a fresh process: what one worker paid per theatre before the tables
   were stored;
4. opens it from the stored tables (``layers.server.context.theatre_context``) in a fresh process: what every
   worker, and a restarted server, now pays;
5. searches its events as the feed's search does (``layers.features.feed.filter_feed``), in a fresh process
   opened from the stored tables: one row per query, from a name to the worst case (every word of the
   longest query searched matching every event).

Each step is a child process measured with ``wait4`` (its own peak RSS). Prints a Markdown table and the CPU
pressure (``/proc/pressure/cpu``): on a shared machine, CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/scale_import.py
    sys.path.insert(0, str(ROOT))

SLUG = "scale"


def measure(label: str, argv: list[str], env: dict | None = None) -> dict:
    """Run ``argv`` as a child process; its wall time, CPU time and peak RSS."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label}: {' '.join(argv)} failed ({status})")
    return {"step": label, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}


def derive_step(instance: str) -> None:
    """In a child: derive and store the tables of theatre SLUG (what the import job does after writing it)."""
    os.environ["RAQQA_INSTANCE"] = instance
    from layers.server.context import derive_stored

    if not derive_stored(SLUG):
        raise SystemExit("derivation did not run")


def open_step(instance: str) -> None:
    """In a child: open theatre SLUG as a worker does, from its stored tables; fails if it would derive."""
    os.environ["RAQQA_INSTANCE"] = instance
    from layers.server import context

    context.start_derivation = lambda slug: (_ for _ in ()).throw(SystemExit("the stored tables were not used"))
    ctx = context.theatre_context(SLUG)
    if ctx is None or not ctx.tables["rows"] or not ctx.dataset.events:
        raise SystemExit("theatre did not open")


SEARCHES = {
    'a place\'s name ("Place 33")': "Place 33",
    'a name in another spelling ("Plaice 33")': "Plaice 33",
    'nothing found ("zzzz")': "zzzz",
    'every event ("20", in every date)': "20",
    # every word in every synthetic event as text and as a skeleton: 17 scans, each finding every event
    "8 words, each in every event (the worst case)": "synthetic ynthetic event source example https place org",
}


def search_step(instance: str) -> None:
    """In a child: the feed's search on theatre SLUG (opened from its stored tables), each query timed."""
    os.environ["RAQQA_INSTANCE"] = instance
    from layers.features import feed
    from layers.server import context

    context.theatre_context(SLUG)
    print("| search | events found | wall ms |\n|---|---:|---:|")
    for label, query in SEARCHES.items():
        t = time.perf_counter()
        shown, _, _ = feed.filter_feed(query, SLUG)
        print(f"| {label} | {len(shown):,} | {(time.perf_counter() - t) * 1000:,.0f} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("/tmp/scale-bench"))
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--places", type=int, default=5_000)
    parser.add_argument("--dates", type=int, default=3_650)
    parser.add_argument("--skip-write", action="store_true", help="reuse the inputs already in --out")
    parser.add_argument("--step", choices=("derive", "open", "search"), help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "derive":
        derive_step(args.instance)
        return 0
    if args.step == "open":
        open_step(args.instance)
        return 0
    if args.step == "search":
        search_step(args.instance)
        return 0

    from bench import synth

    inputs, instance = args.out / "inputs", args.out / "instance"
    target = instance / "theatres" / SLUG
    if not args.skip_write:
        shutil.rmtree(inputs, ignore_errors=True)
        synth.write_import(inputs, args.places, args.dates, 1, args.events)
    shutil.rmtree(instance, ignore_errors=True)
    size = sum(p.stat().st_size for p in inputs.rglob("*") if p.is_file()) / 2**20
    py = sys.executable
    me = str(Path(__file__).resolve())
    rows = [
        measure(
            "import (python -m layers import)",
            [
                py,
                "-m",
                "layers",
                "import",
                "--config",
                str(inputs / "theatre.toml"),
                "--out",
                str(target),
                str(inputs / "acled.csv"),
                str(inputs / "snapshots"),
            ],
        ),  # fmt: skip
        measure(
            "derive and store the tables (once, in the import job)",
            [py, me, "--step", "derive", "--instance", str(instance)],
        ),  # fmt: skip
        measure("open from the stored tables (each worker)", [py, me, "--step", "open", "--instance", str(instance)]),
    ]
    pressure = Path("/proc/pressure/cpu").read_text().splitlines()[0] if Path("/proc/pressure/cpu").exists() else ""
    print(f"\n{args.events:,} events, {args.places:,} places, {args.dates:,} dates; inputs {size:.1f} MiB")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; cpu pressure: {pressure}\n")
    print("| step | wall s | CPU s | peak RSS MB |\n|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['step']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss_mb']:.0f} |")
    print()
    subprocess.run([py, me, "--step", "search", "--instance", str(instance)], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
