"""Add synthetic events to a dataset written by ``bench/synth.py``, for the browser at analyst scale.

    python bench/synth.py OUT_FOLDER --places 5000 --dates 3650
    python bench/synth_events.py OUT_FOLDER --events 200000

rewrites ``OUT_FOLDER/events.csv`` with ``--events`` events: each tied to one dated ledger row (its place
and date), taken round-robin over the rows, so the events spread over the whole campaign and every place
that changes hands. Titles, kinds and confidences vary so the feed and its search have something to tell
apart; one event in ten says the article differs (with the article's claim), one in five has two sources.
Seeded, so the same arguments always give the same file.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/synth_events.py
    sys.path.insert(0, str(ROOT))

from bench.synth import SOURCE, _csv  # noqa: E402
from layers.core.dataset import EVENT_COLUMNS, EVENT_KINDS  # noqa: E402

VERBS = ("takes", "enters", "shells", "holds", "loses", "reinforces", "patrols", "clears")
CONFIDENCES = ("high", "medium", "low")


def events(rows: list[dict], n: int, rng: random.Random) -> list[dict]:
    """``n`` events over the day-precision ``rows`` (round-robin), each tied to its row."""
    dated = [r for r in rows if r["date_precision"] == "day"]
    if not dated:
        raise ValueError("the ledger has no day-precision row to tie an event to")
    out = []
    for k in range(n):
        r = dated[k % len(dated)]
        differs = k % 10 == 0
        out.append(
            {
                "event_id": f"S{k:06d}",
                "date": r["date"],
                "date_precision": "day",
                "title": f"{r['holder']} {VERBS[rng.randrange(len(VERBS))]} {r['place_id']} (report {k})",
                "kind": EVENT_KINDS[k % len(EVENT_KINDS)],
                "place_id": r["place_id"],
                "article_claim": f"The article dates this {rng.randrange(1, 9)} days later." if differs else "",
                "article_date": "",
                "corroborated": "Synthetic sources agree." if differs else "",
                "agreement": "disagree" if differs else "",
                "detail": "Synthetic event.",
                "source_url": SOURCE + (f" ; {SOURCE}/{k % 97}" if k % 5 == 0 else ""),
                "confidence": CONFIDENCES[rng.randrange(len(CONFIDENCES))],
                "ledger_rows": r["row_id"],
            }
        )
    return out


def write(folder: Path, n: int, seed: int = 1) -> Path:
    """Rewrite ``folder/events.csv`` with ``n`` synthetic events tied to its ledger; return the file."""
    if n < 0:
        raise ValueError(f"--events must be >= 0, not {n}")
    ledger = folder / "ledger.csv"
    if not ledger.is_file():
        raise ValueError(f"{ledger}: no ledger (write the folder with bench/synth.py first)")
    with ledger.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = events(rows, n, random.Random(seed))
    out.sort(key=lambda e: (e["date"], e["event_id"]))
    path = folder / "events.csv"
    _csv(path, EVENT_COLUMNS, out)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder written by bench/synth.py")
    parser.add_argument("--events", type=int, default=200_000, help="number of events (default 200000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        path = write(args.folder, args.events, args.seed)
    except ValueError as exc:
        print(f"synth_events: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.events} events to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
