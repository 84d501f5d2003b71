"""Screenshot the running app in headless Chromium (Debian's /usr/bin/chromium), for the README and review.

python tools/screenshot.py "http://127.0.0.1:8050/?date=2017-06-09" docs/screenshots/overview-1440.png \
    --size 1440x900 --event A11
python tools/screenshot.py "http://127.0.0.1:8050/?mode=briefing&date=2017-06-19" out.png --size 1920x1080 \
    --keys PageDown --framed
"""

from __future__ import annotations

import argparse
import tempfile

from chromium import launch
from playwright.sync_api import sync_playwright

RENDERED = "document.body.dataset.renderedDay !== undefined"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--size", default="1440x900")
    ap.add_argument("--next", type=int, default=0, help="press 'Next event' this many times first")
    ap.add_argument("--event", help="click this event in the feed first (event id)")
    ap.add_argument("--tab", help="open this tab first (its name, e.g. Compare)")
    ap.add_argument("--keys", nargs="*", default=[], help="press these keys (Playwright names, e.g. PageDown)")
    ap.add_argument("--framed", action="store_true", help="briefing mode: wait until the step's flight has ended")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        browser = launch(p, profile, w, h)
        page = browser.new_page()
        page.goto(args.url)
        page.wait_for_function(RENDERED, timeout=30000)
        for _ in range(args.next):
            before = page.inner_text("#date-display")
            page.click("#next-event")
            page.wait_for_function("b => document.querySelector('#date-display').innerText !== b", arg=before)
        if args.tab:
            page.get_by_role("tab", name=args.tab).click()
        if args.event:
            page.click(f".feed-item[data-event='{args.event}']")
        for key in args.keys:
            before = page.evaluate("document.body.dataset.framed || ''")
            page.keyboard.press(key)
            if args.framed:
                page.wait_for_function("b => (document.body.dataset.framed || '') !== b", arg=before, timeout=15000)
        page.wait_for_timeout(1200)
        page.screenshot(path=args.out)
        browser.close()


if __name__ == "__main__":
    main()
