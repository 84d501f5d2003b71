"""The app in Chromium under its own Content-Security-Policy, and hostile text from the data shown as text."""

from __future__ import annotations

import csv
import re
import shutil
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import GEODATA

pytestmark = pytest.mark.browser

# Violations are collected from the page itself (init scripts are injected by the browser, not by the page,
# so the CSP does not stop them).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
});
"""
XSS_IMG = "<img src=x onerror=window.__xss=1>"
XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_EVENTS = {"M-T009": ("10 December 2016", XSS_IMG), "M-T047": ("22 March 2017", XSS_SCRIPT)}


VIEW_STUB = """() => {
  window.raqqaEngine.view = window.raqqaEngine.view || function () {
    return {date: "2017-06-06", compare: null, bounds: [38.5, 35.7, 39.4, 36.2], center: [35.95, 39.0], zoom: 10,
            layers: ["control", "frontline"], caption: "Stub view", theatre: null};
  };
}"""


def watched(context, url: str):
    """A page of ``context`` that records console errors, page errors, CSP violations and hosts contacted,
    once the map has drawn its first day (waits use selectors: the CSP forbids the eval of polled waits)."""
    pg = context.new_page()
    pg.errors, pg.hosts = [], []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.hosts.append(urlparse(r.url).hostname))
    pg.add_init_script(RECORD_VIOLATIONS)
    pg.goto(url, wait_until="domcontentloaded", timeout=60_000)
    pg.wait_for_selector("body[data-rendered-day='0']", state="attached", timeout=60_000)
    return pg


def test_app_runs_under_its_csp_without_violations(strict_context, app_url):
    pg = watched(strict_context, app_url)
    csp = pg.evaluate("() => fetch('/').then(r => r.headers.get('content-security-policy'))")
    assert "script-src 'self' 'sha256-" in csp and "'unsafe-eval'" not in csp
    # the date engine, a server callback (feed search) and the saved briefings, all under the policy
    pg.keyboard.press("ArrowRight")
    pg.wait_for_selector("body[data-rendered-day='1']", state="attached")
    expect(pg.locator("#date-display")).to_have_text("6 November 2016")
    pg.fill("#feed-search", "Tabqa")
    expect(pg.locator("#feed-count")).to_contain_text(" of ")
    pg.get_by_role("tab", name="Saved").click()
    pg.evaluate(VIEW_STUB)  # until the engine reports its view itself
    pg.fill("#briefing-name", "CSP check")
    pg.click("#briefing-add")
    expect(pg.locator("#briefing-status")).to_have_text("Saved as view 1 of “CSP check”.")
    item = pg.locator("#briefing-list li", has_text="CSP check")
    expect(item.locator("a")).to_have_attribute("href", re.compile(r"^/\?mode=briefing&briefing=\d+$"))
    pg.on("dialog", lambda d: d.accept())
    item.locator("button").click()
    expect(pg.locator("#briefing-status")).to_have_text("Briefing deleted.")
    expect(item).to_have_count(0)
    assert pg.evaluate("window.__csp") == []
    assert pg.errors == []
    assert set(pg.hosts) <= {"127.0.0.1"}, sorted(set(pg.hosts))
    pg.close()


def test_an_export_downloads_under_the_csp(strict_context, app_url):
    pg = watched(strict_context, app_url)
    pg.click("[role=tab]:has-text('Data')")
    with pg.expect_download(timeout=120_000) as info:
        pg.get_by_role("button", name="Image of this view (PNG)").click()
    assert info.value.suggested_filename.endswith(".png")
    expect(pg.locator("#export-status")).to_contain_text("Saved")
    assert pg.evaluate("window.__csp") == []
    assert pg.errors == []
    assert set(pg.hosts) <= {"127.0.0.1"}, sorted(set(pg.hosts))
    pg.close()


def test_csp_violations_would_be_seen(strict_context, app_url):
    """The recorder works: an inline script injected into the page is blocked and reported."""
    pg = watched(strict_context, app_url)
    pg.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                " document.body.appendChild(s); }")  # fmt: skip
    pg.wait_for_timeout(200)
    assert pg.evaluate("window.__ran") is None
    assert any("script-src" in v for v in pg.evaluate("window.__csp"))
    pg.close()


@pytest.fixture(scope="module")
def xss_url(app_with_env, tmp_path_factory):
    """The app on a copy of geodata/ whose events.csv has HTML and script payloads as event titles."""
    folder = tmp_path_factory.mktemp("xss") / "geodata"
    shutil.copytree(GEODATA, folder)
    path = folder / "events.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["event_id"] in XSS_EVENTS:
            row["title"] = XSS_EVENTS[row["event_id"]][1]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return app_with_env(RAQQA_GEODATA=str(folder))


@pytest.mark.parametrize("event_id", list(XSS_EVENTS))
def test_html_in_event_titles_is_shown_as_text(browser_context, xss_url, event_id):
    """Run with the CSP bypassed, so that it is the rendering (text, never HTML) that is tested, not the CSP."""
    date_text, payload = XSS_EVENTS[event_id]
    pg = watched(browser_context, xss_url)
    button = pg.locator(f"button.feed-item[data-event='{event_id}']")
    expect(button.locator(".feed-title")).to_have_text(payload)
    assert button.locator(".feed-title *").count() == 0  # no element was made from the title
    button.click()
    expect(pg.locator("#date-display")).to_have_text(date_text)
    tips = []
    markers = pg.locator("path.event-marker")
    assert markers.count() >= 30
    for i in range(markers.count()):  # every event marker's tooltip (hovering would hit the place drawn on top)
        markers.nth(i).dispatch_event("mouseover")
        tip = pg.locator(".leaflet-tooltip .map-tip")
        if tip.count():
            tips.append((tip.first.locator("b").first.inner_text(), tip.first.locator("img, script").count()))
        markers.nth(i).dispatch_event("mouseout")
    assert (payload, 0) in tips, tips
    assert pg.locator(".feed img, .feed script").count() == 0
    assert pg.evaluate("window.__xss") is None
    assert pg.errors == []
    assert set(pg.hosts) <= {"127.0.0.1"}, sorted(set(pg.hosts))
    pg.close()


def test_basemap_town_labels_are_text(page, app_url):
    """A town's name from the basemap data is a label's text, never markup (it was inserted as HTML)."""
    from tests.browser.conftest import rendered

    page.goto(app_url)
    rendered(page)
    name = '<img src=x onerror="window.pwned = 1">Raqqa'
    label = page.evaluate(
        """name => {
          const at = L.latLng(35.95, 39.0);
          const m = window.raqqaLayers.basemap.point({properties: {name}}, at, {hideout: {attribution: ""}});
          const el = m.getTooltip().getContent();
          return {text: el.textContent, html: el.innerHTML, imgs: el.querySelectorAll("img").length};
        }""",
        name,
    )
    assert label["text"] == name and label["imgs"] == 0 and "&lt;img" in label["html"]
    assert page.evaluate("window.pwned") is None
