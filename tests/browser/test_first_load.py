"""The first load with the bundles: the page draws the map from one stylesheet and a few scripts, within a
budget of requests (a count, not a time), and a second visit with the browser's cache revalidates the layout
instead of fetching it again."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import rendered

pytestmark = pytest.mark.browser

REQUEST_BUDGET = 20  # requests that reach the server until the map is drawn, with an empty cache


def _network_requests(page, cdp) -> list[dict]:
    seen: dict[str, dict] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: seen.setdefault(
            e["requestId"], {"url": e["request"]["url"], "post": e["request"].get("postData", "")[:99]}
        ),
    )
    cdp.on("Network.requestServedFromCache", lambda e: seen.get(e["requestId"], {}).update(cached=True))
    cdp.on(
        "Network.responseReceived",
        lambda e: seen.get(e["requestId"], {}).update(
            status=e["response"]["status"], cached=bool(e["response"].get("fromDiskCache"))
        ),
    )
    cdp.on("Network.loadingFinished", lambda e: seen.get(e["requestId"], {}).update(size=e["encodedDataLength"]))
    return seen


def test_the_page_draws_from_the_bundles_within_the_request_budget(browser_context, app_url):
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    cdp = browser_context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    seen = _network_requests(page, cdp)
    try:
        page.goto(app_url)
        rendered(page, timeout=30000)
        at_draw = [r for r in list(seen.values()) if not r["url"].startswith(("data:", "blob:"))]
        paths = [urlparse(r["url"]).path for r in at_draw]
        assert len(at_draw) <= REQUEST_BUDGET, "\n".join(paths)
        assert not [p for p in paths if p.startswith("/assets/") and p.endswith((".js", ".css"))]  # all bundled
        assert sum(p.endswith(".css") for p in paths) == 1
        assert paths.count("/_dash-layout") == 1 and paths.count("/_dash-dependencies") == 1  # preload used
        assert "/_favicon.ico" not in paths and not [p for p in paths if "/dash_table/" in p]
        # every callback of the first view runs in the browser: the map waits on no server round trip
        posted = [r["post"] for r in at_draw if r["url"].split("?")[0].endswith("/_dash-update-component")]
        assert not posted, posted
        # the place names' letters come from the small latin-ext file; the whole files are not the page's
        assert not [p for p in paths if re.search(r"latin-ext-(rest-)?\d+-normal", p)], paths
        # the engine and every layer plug-in came with the bundle
        assert page.evaluate("typeof window.raqqaEngine") == "object"
        layers = page.evaluate("Object.keys(window.raqqaLayers || {})")
        assert {"control", "events", "places", "frontline"} <= set(layers)
        assert not errors, errors
    finally:
        cdp.detach()
        page.close()


def test_a_second_visit_revalidates_the_layout_and_keeps_the_bundles(browser_context, app_url):
    first = browser_context.new_page()
    first.goto(app_url)
    rendered(first, timeout=30000)
    first.close()
    page = browser_context.new_page()
    cdp = browser_context.new_cdp_session(page)
    cdp.send("Network.enable")
    seen = _network_requests(page, cdp)
    try:
        page.goto(app_url)
        rendered(page, timeout=30000)
        page.wait_for_timeout(300)
        by_path = {urlparse(r["url"]).path: r for r in seen.values() if r["url"].startswith("http")}
        layout = by_path["/_dash-layout"]
        # asked again (no-cache), answered 304 without the ~75 kB body (Chromium reports the cached 200)
        assert layout.get("cached") or layout["size"] < 2000, layout
        bundles = [r for p, r in by_path.items() if p.startswith("/_bundle/")]
        assert bundles and all(r.get("cached") for r in bundles), bundles  # a year's cache: not even asked
    finally:
        cdp.detach()
        page.close()
