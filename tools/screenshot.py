"""Screenshot the running app in headless Chromium (Debian's /usr/bin/chromium), for the README and review.

python tools/screenshot.py http://127.0.0.1:8050/ docs/screenshots/overview.png --size 1440x900 --next 5
"""

from __future__ import annotations

import argparse
import tempfile

from chromium import launch
from playwright.sync_api import sync_playwright


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--size", default="1440x900")
    ap.add_argument("--next", type=int, default=0, help="press 'Next event' this many times first")
    ap.add_argument("--event", help="click this event in the feed first (event id)")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        browser = launch(p, profile, w, h)
        page = browser.new_page()
        page.goto(args.url)
        page.wait_for_selector("#layer-control path, .leaflet-overlay-pane path", timeout=20000)
        for _ in range(args.next):
            before = page.inner_text("#date-display")
            page.click("#next-event")
            page.wait_for_function("b => document.querySelector('#date-display').innerText !== b", arg=before)
        if args.event:
            page.click(f"button[id*='{args.event}']")
        page.wait_for_timeout(800)
        page.screenshot(path=args.out)
        browser.close()


if __name__ == "__main__":
    main()
