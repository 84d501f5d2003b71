"""The feed and the event markers with many events (a synthetic theatre, bench/synth.py --events):
the feed is a virtual list (only the rows in view in the page), the map draws the window's markers only."""

from __future__ import annotations

import datetime as dt

import pytest

from bench import synth
from layers import events as events_layer
from layers.core.timeline import RECENT_DAYS
from tests.browser.conftest import rendered

pytestmark = pytest.mark.browser
N_EVENTS = 8000  # over 59 days: about 135 a day, 2,000 in a fortnight's window (the cap is 1,500)
DATES = 60


@pytest.fixture(scope="module")
def many(app_with_env, tmp_path_factory):
    folder = synth.write(
        tmp_path_factory.mktemp("many") / "theatre", n_places=40, dates=DATES, seed=5, n_events=N_EVENTS
    )
    from layers.core import load_dataset

    ds = load_dataset(folder)
    days = [(e.date - ds.start).days for e in ds.events]
    return app_with_env(RAQQA_GEODATA=str(folder)), ds, days


ROWS = "[...document.querySelectorAll('#event-feed li.feed-entry')]"


def test_the_feed_is_a_virtual_list_marked_on_the_chosen_date(tab, many):
    url, ds, days = many
    day = 30
    tab.goto(f"{url}?date={(ds.start + dt.timedelta(days=day)).isoformat()}")
    rendered(tab, day)
    # the first of the day's rows is in view, in the scrolled panel
    first = min(i for i, d in enumerate(days) if d == day)
    ids = [e.event_id for e in ds.events]
    tab.wait_for_function(
        f"""(() => {{ const b = document.querySelector('#event-feed button[data-event="{ids[first]}"]');
        const p = b && b.closest('.tab-panel').getBoundingClientRect(), r = b && b.getBoundingClientRect();
        return b && r.bottom > p.top && r.top < p.bottom; }})()"""
    )
    rows = tab.evaluate(
        f"{ROWS}.map(li => [li.getAttribute('aria-setsize'), +li.getAttribute('aria-posinset'),"
        " li.querySelector('button').dataset.event, li.querySelector('button').className])"
    )
    assert 0 < len(rows) < 100  # not 8,000
    assert {r[0] for r in rows} == {str(N_EVENTS)}
    for _, pos, eid, _ in rows:  # each row says where it stands in the whole list
        assert ids[pos - 1] == eid
    current = {eid for _, _, eid, cls in rows if "current" in cls.split()}
    on_day = {e.event_id for e, d in zip(ds.events, days, strict=True) if d == day}
    assert current and current <= on_day
    tab.keyboard.press("ArrowRight")
    rendered(tab, day + 1)
    tab.wait_for_function(f"{ROWS}.some(li => li.querySelector('button.current')?.dataset.day === '{day + 1}')")
    assert tab.evaluate(f"{ROWS}.length") < 100


def test_scrolling_draws_the_rows_in_view_and_the_search_filters_them(tab, many):
    url, ds, _ = many
    tab.goto(url)
    rendered(tab, 0)
    tab.evaluate("document.querySelector('#event-feed').closest('.tab-panel').scrollTop = 1e9")
    last = ds.events[-1].event_id
    tab.wait_for_selector(f"#event-feed button[data-event='{last}']")
    assert tab.evaluate(f"{ROWS}.length") < 100
    tab.fill("input[aria-label='Search events and places']", "report 4321")
    tab.wait_for_function("document.querySelector('#feed-count').innerText.includes(' of ')")
    tab.wait_for_function(f"{ROWS}.length > 0 && {ROWS}.length < 20")
    shown = tab.evaluate(
        f"{ROWS}.map(li => [li.querySelector('button').dataset.event, li.getAttribute('aria-setsize')])"
    )
    assert ["E0004321", str(len(shown))] in shown
    tab.fill("input[aria-label='Search events and places']", "")
    tab.wait_for_function(f"{ROWS}.length > 1 && {ROWS}[0].getAttribute('aria-setsize') === '{N_EVENTS}'")


def test_tabbing_through_the_feed_keeps_the_focused_row_in_the_page(tab, many):
    url, _, _ = many
    tab.goto(url)
    rendered(tab, 0)
    drawn = tab.evaluate(f"Math.max(...{ROWS}.map(li => +li.getAttribute('aria-posinset')))")
    tab.focus("#event-feed button.feed-item")
    for _ in range(3 * drawn):  # a button and a source link or two per row: farther than the rows first drawn
        tab.keyboard.press("Tab")
    pos = tab.evaluate("+document.activeElement.closest('#event-feed li.feed-entry').getAttribute('aria-posinset')")
    assert pos > drawn


def test_only_the_window_s_markers_are_drawn_with_a_count_of_those_left_out(tab, many):
    url, ds, days = many
    day = 40
    tab.goto(f"{url}?date={(ds.start + dt.timedelta(days=day)).isoformat()}")
    rendered(tab, day)
    in_window = sum(1 for d in days if day - RECENT_DAYS <= d <= day)
    cap = events_layer.MAX_MARKERS
    assert in_window > cap  # the data is dense enough to hit the cap
    tab.wait_for_function(f"document.querySelectorAll('path.event-marker').length === {cap}")
    note = tab.inner_text(".events-cap")
    assert note == f"{in_window - cap:,} more events of the last {RECENT_DAYS} days are not drawn"
    # the day's events are drawn first (large)
    on_day = sum(1 for d in days if d == day)
    assert tab.evaluate("document.querySelectorAll('path.event-marker').length") == cap
    big = tab.evaluate(
        "[...document.querySelectorAll('path.event-marker')].filter(p => p.getAttribute('stroke-width') === '3').length"
    )
    assert big == min(on_day, cap)
    tab.keyboard.press("ArrowRight")  # the window moves: still at most the cap
    rendered(tab, day + 1)
    assert tab.evaluate("document.querySelectorAll('path.event-marker').length") == cap
    for width, height in ((390, 844), (1440, 900)):  # the note is on top where it is (a phone's attribution is wide)
        tab.set_viewport_size({"width": width, "height": height})
        on_top = tab.evaluate(
            """(() => { const b = document.querySelector('.events-cap').getBoundingClientRect();
                const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
                return b.width > 0 && !!hit && !!hit.closest('.events-cap'); })()"""
        )
        assert on_top, (width, height)


def test_the_window_s_markers_lie_above_the_places_and_an_empty_note_is_not_shown(tab, many):
    """Before: the markers drawn by the window went to Leaflet's default overlay pane, under the ground and the
    place dots, so no event could be seen; and the note's empty box showed in the corner."""
    url, ds, days = many
    tab.goto(url)
    rendered(tab, 0)
    assert 0 < days.count(0) < events_layer.MAX_MARKERS  # the first day's events only: none left out
    tab.wait_for_function(f"document.querySelectorAll('path.event-marker').length === {days.count(0)}")
    panes = tab.evaluate(
        "[...new Set([...document.querySelectorAll('path.event-marker')]"
        ".map(p => p.closest('.leaflet-pane').className))]"
    )
    assert panes == ["leaflet-pane leaflet-pane-events-pane"]
    z = tab.evaluate(
        "['events', 'places', 'control']"
        ".map(n => +getComputedStyle(document.querySelector(`.leaflet-pane-${n}-pane`)).zIndex)"
    )
    assert z[0] > z[1] > z[2], z
    assert tab.locator(".events-cap").count() == 1 and tab.locator(".events-cap").is_hidden()
