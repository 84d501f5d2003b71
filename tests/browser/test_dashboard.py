"""The dashboard's controls in headless Chromium: keyboard, play, the event feed both ways, compare, URL
state with back/forward, briefing mode, search, and the online basemap failing gracefully."""

from __future__ import annotations

import datetime as dt

import pytest

from layers.server.context import context
from tests.browser.conftest import rendered

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tables():
    return context().tables


def _event_days(tables):
    ctx = context()
    return sorted({ctx.day_of(e.date) for e in ctx.dataset.events if 0 <= ctx.day_of(e.date) <= tables["span"]})


def test_keyboard_days_events_home_end(page, app_url, tables):
    days = _event_days(tables)
    page.goto(app_url)
    rendered(page, 0)
    page.keyboard.press("ArrowRight")
    assert rendered(page, 1) == 1
    page.keyboard.press("Shift+ArrowRight")
    rendered(page, 8)
    page.keyboard.press("PageDown")  # lands on the next event date, not just "some" day
    nxt = next(d for d in days if d > 8)
    rendered(page, nxt)
    page.keyboard.press("PageDown")
    rendered(page, next(d for d in days if d > nxt))
    page.keyboard.press("PageUp")
    rendered(page, nxt)
    page.keyboard.press("End")
    rendered(page, tables["span"])
    page.keyboard.press("Home")
    rendered(page, 0)
    assert page.inner_text("#date-display") == "5 November 2016"
    # the slider thumb follows the engine a moment later
    page.wait_for_function("document.querySelector('#date-slider [role=slider]').getAttribute('aria-valuenow') === '0'")


def test_keys_on_the_focused_slider_step_one_day(page, app_url):
    page.goto(app_url)
    rendered(page, 0)
    page.focus("#date-slider [role='slider']")
    page.keyboard.press("ArrowRight")
    rendered(page, 1)
    assert page.inner_text("#date-display") == "6 November 2016"


def test_space_plays_and_pauses(page, app_url):
    page.goto(app_url)
    rendered(page, 0)
    page.keyboard.press(" ")
    page.wait_for_function("+document.body.dataset.renderedDay >= 5")
    page.keyboard.press(" ")
    stopped = rendered(page)
    page.wait_for_timeout(500)
    assert rendered(page) == stopped
    assert "playing" not in page.evaluate("document.body.className")


def test_event_click_sets_date_flies_to_its_place_and_highlights(page, app_url):
    ctx = context()
    a16 = next(e for e in ctx.dataset.events if e.event_id == "A16")
    place = ctx.dataset.places[a16.place_id]
    page.goto(app_url)
    rendered(page, 0)
    page.click("#event-feed button[data-event='A16']")
    rendered(page, ctx.day_of(a16.date))
    assert page.inner_text("#date-display") == "17 October 2017"
    page.wait_for_function(  # the map flew to the place: it is in the middle of the view (as the bounds allow)
        "([lat, lon]) => { const m = raqqaEngine.map, p = m.latLngToContainerPoint([lat, lon]), s = m.getSize();"
        " return m.getZoom() >= 10 && Math.abs(p.x - s.x / 2) < s.x * 0.2 && Math.abs(p.y - s.y / 2) < s.y * 0.2; }",
        arg=[place.lat, place.lon],
    )
    assert "selected" in page.get_attribute("#event-feed button[data-event='A16']", "class")
    assert page.evaluate("document.querySelectorAll('path.event-highlight').length") == 1


def test_clicking_a_place_shows_its_control_history(page, app_url):
    ctx = context()
    page.goto(f"{app_url}?date=2017-03-01")
    rendered(page)
    p = next(i for i, pl in enumerate(ctx.tables["places"]) if pl["id"] == "ayn_issa")
    page.evaluate(f"raqqaEngine.reg.places[{p}].fire('click', {{}}, true)")  # on to its group, as a real click
    page.wait_for_selector("#place-history h3")
    assert page.inner_text("#place-history h3") == ctx.dataset.places["ayn_issa"].name
    rows = ctx.dataset.rows_for("ayn_issa")
    assert page.locator("#place-history tr[data-row]").count() == len(rows)
    # polygons too: a cell click opens the history of its place
    c = next(i for i, ps in enumerate(ctx.tables["cell_places"]) if p in ps)
    page.evaluate(f"raqqaEngine.reg.cells[{c}].fire('click', {{}}, true)")
    page.wait_for_function("document.querySelector('#place-history h3') !== null")


def test_compare_two_dates_draws_gains_and_lists_changes(page, app_url):
    ctx = context()
    page.goto(f"{app_url}?date=2017-06-30&compare=2017-06-01")
    rendered(page)
    changes = ctx.territory.place_changes(dt.date(2017, 6, 1), dt.date(2017, 6, 30))
    page.click("[role=tab]:has-text('Compare')")
    page.wait_for_selector("#changed-hands table")
    assert page.locator("#changed-hands tr[data-place]").count() == len(changes) > 0
    drawn = page.evaluate("raqqaEngine.reg.change.filter(l => l.options.fill).length")
    assert drawn > 0


def test_a_shared_url_restores_date_compare_layers_and_view(page, app_url, browser_context):
    page.goto(f"{app_url}?date=2017-06-09&compare=2017-05-01&layers=control,frontline&view=35.95,39.01,11.5")
    rendered(page)
    assert page.inner_text("#date-display") == "9 June 2017"
    view = page.evaluate(
        "[raqqaEngine.map.getCenter().lat, raqqaEngine.map.getCenter().lng, raqqaEngine.map.getZoom()]"
    )
    assert view == pytest.approx([35.95, 39.01, 11.5], abs=0.01)
    assert page.evaluate("raqqaEngine.view().layers.sort()") == ["control", "frontline"]
    assert page.evaluate("raqqaEngine.view().compare") == "2017-05-01"
    # the same link in a fresh tab gives the same view
    url = page.url
    other = browser_context.new_page()
    other.goto(url)
    rendered(other)
    assert other.evaluate("raqqaEngine.view().date") == "2017-06-09"
    assert other.evaluate("raqqaEngine.map.getZoom()") == pytest.approx(11.5, abs=0.01)
    other.close()


def test_browser_back_and_forward_walk_the_dates(page, app_url, tables):
    page.goto(app_url)
    rendered(page, 0)
    page.keyboard.press("PageDown")
    first = rendered(page)
    page.wait_for_timeout(1300)  # steps closer together than this share one history entry
    page.keyboard.press("PageDown")
    second = rendered(page)
    assert second > first
    page.go_back()
    rendered(page, first)
    page.go_forward()
    rendered(page, second)


def test_briefing_mode_steps_with_the_clicker_and_shows_the_caption(page, app_url, tables):
    ctx = context()
    days = _event_days(tables)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}?mode=briefing&date=2017-06-06")
    rendered(page)
    assert "briefing" in page.evaluate("document.body.className")
    assert not page.is_visible(".sidebar") and not page.is_visible(".timeline")
    start = rendered(page)
    page.keyboard.press("PageDown")
    nxt = next(d for d in days if d > start)
    rendered(page, nxt)
    titles = [e.title for e in ctx.dataset.events if ctx.day_of(e.date) == nxt]
    page.wait_for_function("t => document.querySelector('#briefing-caption').innerText.includes(t)", arg=titles[0])
    assert page.is_visible("#briefing-caption")
    page.keyboard.press("PageUp")
    rendered(page, start)
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.cap-title')).fontSize)")
    assert font >= 28  # legible from the back of a room
    page.keyboard.press("Escape")
    page.wait_for_function("!document.body.classList.contains('briefing')")
    assert page.is_visible(".sidebar")


def test_search_filters_the_feed_across_spellings(page, app_url):
    page.goto(app_url)
    rendered(page)
    page.fill("input[aria-label='Search events and places']", "Mishlab")
    page.wait_for_function("document.querySelector('#feed-count').innerText.includes(' of ')")
    visible = page.evaluate(
        "[...document.querySelectorAll('#event-feed li.feed-entry')].filter(li => li.offsetParent !== null)"
        ".map(li => li.querySelector('button').dataset.event)"
    )
    assert {"A05", "A11"} <= set(visible) and len(visible) < 10


def test_online_basemap_failure_leaves_the_app_usable(page, app_url):
    page.goto(app_url)
    rendered(page, 0)
    page.click(".leaflet-control-layers")
    page.hover(".leaflet-control-layers")
    page.click("text=OpenStreetMap (online)")
    page.wait_for_selector(".tile-notice.on", timeout=15000)
    assert "could not be loaded" in page.inner_text(".tile-notice")
    page.keyboard.press("Escape")  # the layer menu's radio button hands the keys back to the page
    page.keyboard.press("ArrowRight")
    rendered(page, 1)
    assert any("/no-tiles-here/" in u for u in page.urls)  # it tried, on loopback only


def test_trend_chart_marks_the_chosen_date(page, app_url):
    page.goto(f"{app_url}?date=2017-06-30")
    rendered(page)
    page.click("[role=tab]:has-text('Trend')")
    page.wait_for_selector("#area-chart .recharts-reference-line", timeout=15000)
    assert page.text_content("#area-chart .recharts-reference-line") == "30 Jun 2017"
    page.keyboard.press("Escape")  # the clicked tab hands the date keys back to the page
    page.keyboard.press("PageDown")
    page.wait_for_function(
        "document.querySelector('#area-chart .recharts-reference-line').textContent !== '30 Jun 2017'"
    )


def test_a_saved_briefing_is_presented_step_by_step(page, app_url):
    page.goto(f"{app_url}?date=2017-03-22")
    rendered(page)
    page.click("[role=tab]:has-text('Saved')")
    page.fill("#briefing-name", "Raqqa encirclement")
    page.click("#briefing-add")
    page.wait_for_function("document.querySelector('#briefing-status').innerText.length > 0")
    page.evaluate("raqqaEngine.setDay(raqqaEngine.t.eventDays[20], {})")
    second = rendered(page)
    page.click("#briefing-add")
    page.wait_for_selector("li[data-briefing] .briefing-count:has-text('2 views')")
    href = page.get_attribute("li[data-briefing]:has-text('Raqqa encirclement') a.briefing-present", "href")
    page.goto(app_url.rstrip("/") + href)
    first = context().day_of(dt.date(2017, 3, 22))
    rendered(page, first)
    assert "briefing" in page.evaluate("document.body.className")
    page.wait_for_function("document.querySelector('.hud-step').innerText === 'Step 1 of 2'")
    page.keyboard.press("PageDown")
    rendered(page, second)
    page.wait_for_function("document.querySelector('.hud-step').innerText === 'Step 2 of 2'")


def test_an_unknown_theatre_in_the_link_falls_back_to_the_bundled_one(page, app_url):
    page.goto(f"{app_url}?theatre=no-such-theatre&date=2017-06-06")
    rendered(page, context().day_of(dt.date(2017, 6, 6)), timeout=20000)
    assert page.inner_text("h1") == context().dataset.theatre["name"]
