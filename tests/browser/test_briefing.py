"""Briefing mode on a presenter's screen: city events at the city's zoom with the place named and ringed, the
place never under the caption, legend or buttons (1920×1080 and a 1280×720 projector), the map never outside
the area of interest, events beyond the area as an edge marker (no flight), a saved briefing's own views and
caption, and ground fills that cover whatever lies beneath them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from layers.server.context import context
from tests.browser.conftest import rendered

pytestmark = pytest.mark.browser

PANELS = (".briefing-hud", ".map-legend", ".briefing-caption")


@pytest.fixture(scope="module")
def events():
    """The events as the page gets them (with ``outside``), by id."""
    from layers.features.tables import client_tables, event_records

    return {e["id"]: e for e in event_records(client_tables(context(), ""))}


def day_of(iso: str) -> int:
    return context().day_of(dt.date.fromisoformat(iso))


def framed(page, day: int) -> None:
    """Wait until briefing mode has drawn ``day`` and its flight has ended."""
    rendered(page, day)
    page.wait_for_function("d => (document.body.dataset.framed || '').endsWith(':' + d)", arg=day, timeout=15000)


def rects(page, selectors) -> dict:
    return page.evaluate(
        """sels => Object.fromEntries(sels.map(s => {
             const el = document.querySelector(s);
             if (!el || el.offsetParent === null) { return [s, null]; }
             const r = el.getBoundingClientRect();
             return [s, [r.left, r.top, r.right, r.bottom]];
           }))""",
        list(selectors),
    )


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_box(page, ev) -> list[float]:
    """The ring around the event's place on screen, from the map's projection of the place."""
    return page.evaluate(
        """([lat, lon]) => {
             const E = raqqaEngine, p = E.map.latLngToContainerPoint([lat, lon]);
             const c = E.map.getContainer().getBoundingClientRect(), r = 26 + 5;
             return [c.left + p.x - r, c.top + p.y - r, c.left + p.x + r, c.top + p.y + r];
           }""",
        [ev["lat"], ev["lon"]],
    )


def inside_max_bounds(page) -> bool:
    """The visible map lies within the area of interest (to a pixel, in the map's projection)."""
    over = page.evaluate(
        """() => {
             const E = raqqaEngine, m = E.maxBounds(), z = E.map.getZoom(), px = E.map.getPixelBounds();
             const nw = E.map.project(m.getNorthWest(), z), se = E.map.project(m.getSouthEast(), z);
             return [nw.x - px.min.x, nw.y - px.min.y, px.max.x - se.x, px.max.y - se.y];
           }"""
    )
    assert max(over) <= 1, f"the view passes the area's edge by {max(over):.1f} px (west, north, east, south: {over})"
    return True


def test_a_city_event_opens_at_city_zoom_named_and_ringed(page, app_url, events):
    city = context().dataset.city  # the city view's outline and zoom (geodata/city/)
    ev = events["A02"]  # Raqqa city encircled, 24 June 2017: its place is inside the city's box
    w, s, e, n = city.outline.bounds
    assert w <= ev["lon"] <= e and s <= ev["lat"] <= n
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}?mode=briefing&date=2017-06-19")
    rendered(page)
    page.keyboard.press("PageDown")
    framed(page, ev["day"])
    assert page.evaluate("raqqaEngine.map.getZoom()") == city.min_zoom
    label = page.locator(".event-place-label")
    assert label.is_visible() and label.inner_text() == ev["place"] == "Raqqa"
    ring = page.locator("path.focus-ring").bounding_box()
    assert ring["width"] >= 40  # clearly ringed: 52 px across at 1920×1080
    cx, cy = ring["x"] + ring["width"] / 2, ring["y"] + ring["height"] / 2
    box = place_box(page, ev)
    assert abs(cx - (box[0] + box[2]) / 2) < 2 and abs(cy - (box[1] + box[3]) / 2) < 2
    for sel, r in rects(page, PANELS).items():
        assert r is not None, sel
        assert not overlap(box, r), f"{sel} covers the place: {r} over {box}"
    # the line that matters is as large as the meta line, and at least 24 px
    sizes = page.evaluate(
        "['.cap-differs', '.cap-meta'].map(s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"
    )
    assert sizes[0] >= 24 and sizes[0] >= sizes[1]


def test_a_regional_event_opens_at_the_region(page, app_url, events):
    ev = events["M-T053"]  # Tabqa Airbase, 26 March 2017: outside the city
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}?mode=briefing&date=2017-03-22")
    rendered(page)
    page.keyboard.press("PageDown")
    framed(page, ev["day"])
    zoom = page.evaluate("raqqaEngine.map.getZoom()")
    assert zoom < context().dataset.city.min_zoom - 2
    assert page.locator(".event-place-label").inner_text() == ev["place"]


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_every_step_keeps_the_place_clear_and_the_map_inside_the_area(page, app_url, events, size):
    """Step through the whole briefing: at each step the place is not under the caption, legend or buttons, the
    panels fit the screen without covering each other, and the map shows nothing outside the area."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{app_url}?mode=briefing&date={context().dataset.start.isoformat()}")
    rendered(page)
    days = page.evaluate("raqqaEngine.t.eventDays")
    page.keyboard.press("PageDown")
    page.keyboard.press("PageUp")  # the first step, framed
    for k, day in enumerate(days):
        if k:
            page.keyboard.press("PageDown")
        framed(page, day)
        assert inside_max_bounds(page), f"step {k + 1} ({day}) shows ground outside the area"
        panels = rects(page, PANELS)
        assert all(panels.values()), panels
        for a in PANELS:
            r = panels[a]
            assert r[0] >= 0 and r[1] >= 0 and r[2] <= size[0] and r[3] <= size[1], f"{a} leaves the screen: {r}"
            for b in PANELS:
                assert a >= b or not overlap(r, panels[b]), f"step {k + 1}: {a} covers {b}"
        focus = page.evaluate("d => (raqqaEngine.focusEvent(d) || {}).id || null", day)
        if focus and not events[focus]["outside"]:
            box = place_box(page, events[focus])
            for sel, r in panels.items():
                assert not overlap(box, r), f"step {k + 1} ({focus}): {sel} covers the place"


def test_the_map_never_leaves_the_area(page, app_url):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url)
    rendered(page)
    assert inside_max_bounds(page)
    page.evaluate("raqqaEngine.map.setZoom(4, {animate: false})")
    assert page.evaluate("raqqaEngine.map.getZoom() >= raqqaEngine.map.getMinZoom()")
    assert inside_max_bounds(page)
    page.evaluate("raqqaEngine.map.panBy([-5000, -5000], {animate: false})")
    page.wait_for_timeout(300)
    assert inside_max_bounds(page)
    page.evaluate("raqqaEngine.map.setView([36.3, 43.1], 12, {animate: false})")  # Mosul, far east of the area
    assert inside_max_bounds(page)


def test_an_event_beyond_the_map_is_an_edge_marker_not_a_flight(page, app_url, events):
    ev = events["A10"]  # Mosul victory declared: Mosul lies outside the area of interest
    out = ev["outside"]
    assert out is not None and out["direction"] == "east" and 300 < out["km"] < 450
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_url}?date=2017-06-24")
    rendered(page)
    before = page.evaluate("[raqqaEngine.map.getCenter().lat, raqqaEngine.map.getCenter().lng]")
    page.click(f".feed-item[data-event='{ev['id']}']")
    rendered(page, ev["day"])
    page.wait_for_timeout(900)  # a flight would take 600 ms
    after = page.evaluate("[raqqaEngine.map.getCenter().lat, raqqaEngine.map.getCenter().lng]")
    assert after == before  # no flight
    marker = page.locator(".offmap")
    text = f"{out['km']:,} km east of Raqqa"
    assert marker.is_visible() and "Mosul" in marker.inner_text() and text in marker.inner_text()
    panel = page.locator(".map-panel").bounding_box()
    box = marker.bounding_box()
    assert box["x"] + box["width"] > panel["x"] + panel["width"] * 0.75  # at the eastern edge
    assert box["x"] + box["width"] <= panel["x"] + panel["width"]
    page.keyboard.press("Escape")  # the clicked feed item keeps its keys: Esc hands them back to the page
    page.keyboard.press("ArrowRight")  # another day: the marker goes
    rendered(page, ev["day"] + 1)
    assert not marker.is_visible()

    # in briefing mode: the whole area, the marker at its edge, nothing outside the area
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}?mode=briefing&date=2017-07-04")
    rendered(page)
    page.keyboard.press("PageDown")
    framed(page, ev["day"])
    assert inside_max_bounds(page)
    assert marker.is_visible() and text in marker.inner_text()
    mbox, panels = marker.bounding_box(), rects(page, PANELS)
    m = [mbox["x"], mbox["y"], mbox["x"] + mbox["width"], mbox["y"] + mbox["height"]]
    assert not any(overlap(m, r) for r in panels.values() if r)


def test_a_saved_briefing_keeps_its_view_and_shows_its_caption_once(page, app_url, events):
    ev = events["A11"]  # al-Meshlib retaken, 9 June 2017
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_url}?date={ev['date']}&view=35.9700,39.0000,11.50")
    rendered(page, ev["day"])
    page.click("[role=tab]:has-text('Saved')")
    page.fill("#briefing-name", "Meshlib, own view")
    page.click("#briefing-add")
    page.wait_for_selector("li[data-briefing]:has-text('Meshlib, own view')")
    saved = page.evaluate("raqqaEngine.view()")
    assert saved["caption"] == ev["title"]
    href = page.get_attribute("li[data-briefing]:has-text('Meshlib, own view') a.briefing-present", "href")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(app_url.rstrip("/") + href)
    framed(page, ev["day"])
    titles = page.evaluate("[...document.querySelectorAll('#briefing-caption .cap-title')].map(e => e.textContent)")
    assert titles.count(ev["title"]) == 1, titles
    view = page.evaluate(
        "[raqqaEngine.map.getCenter().lat, raqqaEngine.map.getCenter().lng, raqqaEngine.map.getZoom()]"
    )
    assert view[2] == pytest.approx(saved["zoom"]) and view[2] != context().dataset.city.min_zoom
    assert view[0] == pytest.approx(saved["center"][0], abs=1e-3) and view[1] == pytest.approx(
        saved["center"][1], abs=1e-3
    )


def test_ground_fills_cover_the_hatching_beneath_them(page, app_url):
    """Lay a hatched shape under the ground layer: inside held ground it must not show."""
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto(f"{app_url}?date=2017-10-20&layers=control")
    rendered(page)
    # a large SDF cell whose report in force is not low-confidence (so drawn with a plain fill)
    target = page.evaluate(
        """() => {
             const E = raqqaEngine, t = E.t, s = E.state, sdf = t.holders.indexOf('SDF');
             let best = -1;
             s.cellHolder.forEach((h, c) => {
               const row = s.cellRow[c];
               const plain = h === sdf && row >= 0 && !t.rowLow[row];
               if (plain && (best < 0 || t.cell_km2[c] > t.cell_km2[best])) { best = c; }
             });
             const ll = E.reg.cells[best].getCenter();
             return [best, ll.lat, ll.lng];
           }"""
    )
    page.evaluate(
        """([lat, lon]) => {
             const E = raqqaEngine;
             E.map.setView([lat, lon], 11, {animate: false});
             ['basemap-over', 'basemap-labels'].forEach(n => { E.map.getPane(n).style.display = 'none'; });
             const b = E.map.getBounds().pad(0.5);
             const hatch = {pane: 'basemap-under', stroke: false, fillColor: 'url(#hatch-none)', fillOpacity: 1};
             L.rectangle(b, hatch).addTo(E.map);
           }""",
        target[1:],
    )
    page.wait_for_timeout(300)
    p = page.evaluate(
        "([lat, lon]) => { const c = raqqaEngine.map.getContainer().getBoundingClientRect(),"
        " q = raqqaEngine.map.latLngToContainerPoint([lat, lon]); return [c.left + q.x, c.top + q.y]; }",
        target[1:],
    )
    shot = Image.open(io.BytesIO(page.screenshot(clip={"x": p[0] - 12, "y": p[1] - 12, "width": 24, "height": 24})))
    colours = shot.convert("RGB").getcolors(maxcolors=4096)
    assert len(colours) == 1, f"the hatching shows through held ground: {len(colours)} colours"
