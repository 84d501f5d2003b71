"""What the page holds at analyst scale: DOM size, feed rows, event markers, JS heap, tables size.

    python bench/synth.py /tmp/s200k --places 5000 --dates 3650 --events 200000
    python bench/ui_scale.py --geodata /tmp/s200k        # the app on that folder; default: geodata/

Starts the app (``bench.serve app``, as ``bench/run.py`` does) on a free loopback port, opens it in a fresh
Chromium page (cache disabled) and, once the first day is drawn and again after ``--steps`` one-day
steps (and once the Events tab is scrolled to its end), reports: the page's element count, the feed's rows
in the DOM and the list's size (aria-setsize), the event markers in the map, the used JS heap (CDP
``Runtime.getHeapUsage``, after a garbage collection), the time to the first drawn day and the size of the
tables the engine got. The step times are ``bench/run.py``'s (``--systems app --geodata FOLDER``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/ui_scale.py
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.run import OUT, PAGE_PROBE, SYSTEMS, Server  # noqa: E402
from tools.chromium import launch  # noqa: E402

SNAPSHOT = """(() => ({
  elements: document.getElementsByTagName('*').length,
  feed_rows: document.querySelectorAll('#event-feed li.feed-entry').length,
  feed_size: +((document.querySelector('#event-feed li.feed-entry') || {getAttribute: () => 0})
    .getAttribute('aria-setsize')),
  markers: document.querySelectorAll('path.event-marker').length,
  note: (document.querySelector('.events-cap') || {}).textContent || '',
  day: +document.body.dataset.renderedDay,
}))()"""


def snapshot(page, cdp) -> dict:
    cdp.send("HeapProfiler.collectGarbage")
    out = page.evaluate(SNAPSHOT)
    out["js_heap_mb"] = round(cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20, 1)
    return out


def measure(url: str, steps: int, timeout_ms: int) -> dict:
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = launch(p, profile)
        try:
            page = ctx.new_page()
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("HeapProfiler.enable")
            page.add_init_script(PAGE_PROBE)
            page.goto(url, wait_until="commit")
            page.wait_for_function("window.__bench && window.__bench.firstPainted !== null", timeout=timeout_ms)
            out = {"first_rendered_ms": round(page.evaluate("__bench.first")), "after_load": snapshot(page, cdp)}
            out["tables_mb"] = round(page.evaluate("JSON.stringify(raqqaEngine.tables).length") / 2**20, 2)
            out["event_columns_mb"] = round(
                page.evaluate("JSON.stringify(raqqaEngine.tables.events).length") / 2**20, 2
            )
            day = out["after_load"]["day"]
            for _ in range(steps):  # one day at a time, as the arrow key does (bench/run.py times the key)
                day += 1
                page.evaluate(f"raqqaEngine.setDay({day})")
                page.wait_for_function(f"document.body.dataset.renderedDay === '{day}'", timeout=timeout_ms)
            out["after_steps"] = snapshot(page, cdp)
            page.evaluate("document.querySelector('#event-feed').closest('.tab-panel').scrollTop = 1e9")
            page.wait_for_timeout(300)
            out["feed_scrolled_to_end"] = snapshot(page, cdp)
            return out
        finally:
            ctx.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--geodata", type=Path, help="dataset folder (default: the bundled geodata/)")
    parser.add_argument("--steps", type=int, default=30, help="one-day steps before the second look")
    parser.add_argument("--timeout-ms", type=int, default=120_000)
    parser.add_argument("--start-timeout", type=float, default=1800, help="seconds for the app to start")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default bench/out/)")
    args = parser.parse_args(argv)
    server = Server(SYSTEMS["app"], args.geodata, args.start_timeout, args.out)
    try:
        result = measure(server.url, args.steps, args.timeout_ms)
        result["server_rss_mb"] = round(server.rss_mb())
    finally:
        server.stop()
    result["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["geodata"] = str(args.geodata or ROOT / "geodata")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ui_scale.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
