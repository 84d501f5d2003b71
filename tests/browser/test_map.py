"""The real app in headless Chromium: it loads offline, shows ground held, and moving the date changes the map."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CONTROL_PATHS = "#layer-control path, .leaflet-pane path.leaflet-interactive"


def control_shapes(page) -> list[str]:
    """The SVG path data of the control layer's polygons, as drawn."""
    return page.eval_on_selector_all(
        ".leaflet-overlay-pane path, .leaflet-pane path", "els => els.map(e => e.getAttribute('d')).filter(Boolean)"
    )


def area_of(page, holder: str) -> str:
    return page.inner_text(f"tr[data-holder='{holder}'] td:nth-child(3)")


def test_loads_offline_with_sdf_and_isis_ground(page, app_url):
    page.goto(app_url)
    page.wait_for_selector("tr[data-holder='SDF']")
    page.wait_for_function("document.querySelectorAll('.leaflet-pane path').length > 10")
    assert page.inner_text("#date-display") == "5 November 2016"
    assert area_of(page, "ISIS") != "0"
    assert set(page.hosts) <= {"127.0.0.1"}, sorted(set(page.hosts))
    assert page.errors == []


def test_fonts_come_from_the_app(page, app_url):
    page.goto(app_url)
    page.wait_for_selector("tr[data-holder='SDF']")
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('700 16px \"Noto Sans\"'))")
    assert any("/assets/fonts/noto-sans-latin-700-normal.woff2" in u for u in page.urls)
    assert set(page.hosts) <= {"127.0.0.1"}


def test_next_event_moves_the_date_and_redraws_the_map(page, app_url):
    page.goto(app_url)
    page.wait_for_function("document.querySelectorAll('.leaflet-pane path').length > 10")
    before_shapes, before_area = control_shapes(page), area_of(page, "SDF")
    for _ in range(3):
        shown = page.inner_text("#date-display")
        page.click("#next-event")
        page.wait_for_function("s => document.querySelector('#date-display').innerText !== s", arg=shown)
    page.wait_for_function(
        "a => document.querySelector(\"tr[data-holder='SDF'] td:nth-child(3)\").innerText !== a", arg=before_area
    )
    assert control_shapes(page) != before_shapes
    assert page.inner_text("#date-display") != "5 November 2016"
    assert set(page.hosts) <= {"127.0.0.1"}, sorted(set(page.hosts))
    assert page.errors == []


def test_clicking_an_event_sets_its_date(page, app_url):
    page.goto(app_url)
    page.wait_for_selector("[id*='A16']")
    page.click("button[id*='\"A16\"']")
    page.wait_for_function("document.querySelector('#date-display').innerText === '17 October 2017'")
    assert "current" in page.get_attribute("button[id*='\"A16\"']", "class")


def test_arrow_key_on_the_slider_moves_one_day(page, app_url):
    page.goto(app_url)
    page.wait_for_selector("[role='slider']")
    page.focus("[role='slider']")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#date-display').innerText === '6 November 2016'")
