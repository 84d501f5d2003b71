"""Access in headless Chromium: axe-core on every view and mode finds no serious or critical violation; the
keyboard reaches every tab and control without a trap; the map is one Tab stop whose arrows pan; a typed date;
a polite announcement of the date and areas; layouts from a phone to 4K with nothing scrolling sideways."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from layers.server.context import context
from tests.browser.conftest import ROOT, rendered

pytestmark = pytest.mark.browser

AXE_VERSION = "4.10.3"  # npm axe-core, installed for the tests only (the app never loads it)
AXE_DIR = ROOT / "tests" / ".npm"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = ROOT / "build" / "axe"  # the violations per view, by impact (for the record; not committed)
TABS = ("Events", "Trend", "Place", "Compare", "Saved", "Data")
SIZES = ((390, 844), (768, 1024), (1280, 720), (1440, 900), (1920, 1080), (3840, 2160))


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe-core's script: `make axe` installs it; installed here with npm when it is missing."""
    if not AXE_JS.exists() or f"axe v{AXE_VERSION}" not in AXE_JS.read_text(errors="replace")[:200]:
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core for the accessibility tests (make axe)")
        subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR)]
            + [f"axe-core@{AXE_VERSION}"],
            check=True,
            capture_output=True,
        )
    return AXE_JS


def axe(page, axe_js: Path, view: str) -> list[dict]:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules and best practices) on what is shown; record and return the
    violations."""
    if not page.evaluate("!!window.axe"):
        page.add_script_tag(path=str(axe_js))
    found = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
               id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))"""
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{view}.json").write_text(json.dumps(found, indent=1))
    return found


def serious(found: list[dict]) -> list[dict]:
    return [v for v in found if v["impact"] in ("serious", "critical")]


def _open_tab(page, name: str) -> None:
    page.click(f"[role=tab]:has-text('{name}')")
    page.wait_for_function(
        "n => [...document.querySelectorAll('[role=tab]')].some(t => t.textContent.includes(n) "
        "&& t.getAttribute('aria-selected') === 'true')",
        arg=name,
    )


@pytest.mark.parametrize("tab", TABS)
def test_axe_finds_nothing_serious_on_each_tab(page, app_url, axe_js, tab):
    page.goto(f"{app_url}?date=2017-06-30&compare=2017-06-01")
    rendered(page)
    _open_tab(page, tab)
    if tab == "Place":
        page.evaluate("raqqaEngine.selectPlace(0)")
        page.wait_for_selector("table.history")
    if tab == "Trend":
        page.wait_for_selector(".recharts-surface, svg", timeout=15000)
    page.wait_for_timeout(400)
    assert serious(axe(page, axe_js, f"tab-{tab.lower()}")) == []


@pytest.mark.parametrize(
    "view,query,size",
    [
        ("briefing", "?mode=briefing&date=2017-06-06", (1920, 1080)),
        ("phone", "?date=2017-06-06", (390, 844)),
        ("phone-sheet", "?date=2017-06-06", (390, 844)),
        ("keys-help", "", (1440, 900)),
        ("4k", "?date=2017-06-06", (3840, 2160)),
    ],
)
def test_axe_finds_nothing_serious_in_each_mode(page, app_url, axe_js, view, query, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(app_url + query)
    rendered(page)
    if view == "phone-sheet":
        page.click("#sheet-toggle")
        page.wait_for_function("document.body.classList.contains('sheet-open')")
    if view == "keys-help":
        page.click("[data-action=keys]")
    page.wait_for_timeout(400)
    assert serious(axe(page, axe_js, view)) == []


def test_tab_leaves_the_map_after_one_stop_without_errors(page, app_url):
    """Before: every place marker and cell was a Tab stop (400 presses stayed inside) and focus threw
    "latlngs not passed"."""
    page.goto(app_url)
    rendered(page)
    page.focus(".map-panel .leaflet-container")
    inside = []
    for _ in range(8):
        page.keyboard.press("Tab")
        inside.append(page.evaluate("document.activeElement.closest('.leaflet-map-pane') !== null"))
    assert not any(inside)  # the zoom buttons, the layer menu and the attribution, then out
    assert page.evaluate("document.querySelectorAll('.leaflet-map-pane path:focus').length") == 0
    assert not [e for e in page.errors if "latlngs" in e]


def test_every_tab_is_reached_with_the_arrow_keys_and_the_date_stays(page, app_url):
    page.goto(app_url)
    rendered(page, 0)
    page.focus("[role=tab][aria-selected=true]")
    for name in TABS[1:]:
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "n => document.activeElement.getAttribute('role') === 'tab' "
            "&& document.activeElement.textContent.includes(n)",
            arg=name,
        )
        page.keyboard.press("Enter")
        page.wait_for_function(
            "n => document.querySelector('[role=tab][aria-selected=true]').textContent.includes(n)", arg=name
        )
    assert rendered(page) == 0  # the date keys left the tabs' arrows alone


def test_space_on_a_focused_button_presses_it_and_does_not_play(page, app_url):
    page.goto(app_url)
    rendered(page, 0)
    page.focus("[data-action=keys]")
    page.keyboard.press(" ")
    page.wait_for_function("document.body.classList.contains('show-keys')")
    assert "playing" not in page.evaluate("document.body.className")
    page.keyboard.press("Escape")  # the button lets go: the date keys work again
    page.wait_for_function("!document.body.classList.contains('show-keys')")
    page.keyboard.press("ArrowRight")
    rendered(page, 1)


def test_skip_link_focuses_the_map_whose_arrows_pan(page, app_url):
    page.goto(app_url)
    rendered(page, 0)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.classList.contains('leaflet-container')")
    before = page.evaluate("raqqaEngine.map.getCenter().lng")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("b => raqqaEngine.map.getCenter().lng > b + 0.001", arg=before)
    assert rendered(page) == 0  # the arrows panned the map; the date did not move
    page.keyboard.press("PageDown")  # the other date keys still act on the map
    page.wait_for_function("+document.body.dataset.renderedDay > 0")


def test_a_clicked_polygon_takes_no_focus_box(page, app_url):
    page.goto(app_url)
    rendered(page)
    box = page.locator(".map-panel").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.4)
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.tagName.toLowerCase()") != "path"


def test_live_region_announces_the_date_and_areas_once_it_rests(page, app_url):
    page.goto(app_url)
    rendered(page, 0)
    page.keyboard.press("End")
    rendered(page)
    page.wait_for_function("document.querySelector('#live-status').textContent.startsWith('20 October 2017.')")
    text = page.inner_text("#live-status")
    sdf = page.inner_text("tr[data-holder='SDF'] td.km2")
    assert f"SDF {sdf} km²" in text
    assert page.get_attribute("#live-status", "aria-live") == "polite"
    assert page.get_attribute("#date-display", "aria-live") is None  # one announcement, not one per step


@pytest.mark.parametrize("typed", ["30 June 2017", "2017-06-30", "June 30, 2017", "30 jun 2017"])
def test_a_typed_date_goes_there(page, app_url, typed):
    ctx = context()
    page.goto(app_url)
    rendered(page, 0)
    page.fill("#date-entry", typed)
    page.press("#date-entry", "Enter")
    rendered(page, ctx.day_of(dt.date(2017, 6, 30)))
    assert page.inner_text("#date-display") == "30 June 2017"
    assert "date=2017-06-30" in page.url


@pytest.mark.parametrize("typed", ["31 June 2017", "2030-01-01", "Junetember 3 2017", "<b>x</b>"])
def test_a_bad_typed_date_is_refused_with_a_message(page, app_url, typed):
    page.goto(app_url)
    rendered(page, 0)
    page.fill("#date-entry", typed)
    page.press("#date-entry", "Enter")
    page.wait_for_selector("#date-entry-error:not(:empty)")
    msg = page.inner_text("#date-entry-error")
    assert typed in msg and "not a date of the campaign" in msg
    assert page.get_attribute("#date-entry", "aria-invalid") == "true"
    assert rendered(page) == 0
    assert page.evaluate("document.querySelector('#date-entry-error b')") is None  # shown as text


def test_a_bad_date_in_the_address_is_named_and_corrected(page, app_url):
    page.goto(f"{app_url}?date=2017-13-45")
    rendered(page, 0)
    page.wait_for_selector("#date-entry-error:not(:empty)")
    assert "2017-13-45" in page.inner_text("#date-entry-error")
    page.wait_for_function("location.search.includes('date=2016-11-05')")
    assert "2017-13-45" not in page.url


def test_slider_marks_name_their_events_on_hover_and_focus(page, app_url):
    ctx = context()
    page.goto(app_url)
    rendered(page)
    page.wait_for_selector(".mantine-Slider-mark[data-label]")
    labels = page.eval_on_selector_all(".mantine-Slider-mark", "ms => ms.map(m => m.getAttribute('title'))")
    first = min(e.date for e in ctx.dataset.events if e.date >= ctx.dataset.start)
    titles = [e.title for e in ctx.dataset.events if e.date == first]
    assert all(t in labels[0] for t in titles)
    mark = page.locator(".mantine-Slider-mark").first.bounding_box()
    page.mouse.move(mark["x"] + mark["width"] / 2, mark["y"] + mark["height"] / 2)
    page.wait_for_selector("#mark-tip:not([hidden])")
    assert page.inner_text("#mark-tip") == labels[0]
    page.keyboard.press("PageDown")
    page.wait_for_function(
        "t => (document.querySelector('#date-slider [role=slider]').getAttribute('aria-valuetext') || '').includes(t)",
        arg=titles[0],
    )


def test_compare_names_its_date_in_the_change_column(page, app_url):
    page.goto(f"{app_url}?date=2017-06-30&compare=2017-06-01")
    rendered(page)
    page.wait_for_function("document.querySelector('.delta-head').textContent === 'Δ since 1 Jun 2017'")
    page.evaluate("raqqaEngine.setCompare(null)")
    page.wait_for_function("document.querySelector('.delta-head').textContent === 'Δ since last event'")


def test_ground_held_is_listed_once_in_the_layer_menu(page, app_url):
    page.goto(app_url)
    rendered(page)
    names = page.eval_on_selector_all(
        ".leaflet-control-layers-overlays label", "ls => ls.map(l => l.textContent.trim())"
    )
    assert names.count("Ground held") == 1, names


@pytest.mark.parametrize("w,h", SIZES)
def test_layout_at_each_size_scrolls_only_down(page, app_url, w, h):
    page.set_viewport_size({"width": w, "height": h})
    page.goto(f"{app_url}?date=2017-06-06")
    rendered(page)
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    m = page.locator(".map-panel").bounding_box()
    assert m["width"] >= 0.55 * w and m["height"] >= 0.4 * h, m  # the map comes first on every screen
    thumb = page.locator("#date-slider [role=slider]").bounding_box()
    assert thumb["height"] >= (24 if w <= 820 else 16)  # a finger can take it on a phone
    months = page.eval_on_selector_all(
        ".month-axis span",
        "ss => ss.filter(s => s.offsetParent).map(s => s.getBoundingClientRect()).map(r => [r.left, r.right])",
    )
    assert all(a[1] <= b[0] for a, b in zip(months, months[1:], strict=False)), "month labels overlap"
    if w >= 2560:
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.date-display')).fontSize)")
        zoom = page.evaluate("parseFloat(getComputedStyle(document.documentElement).zoom || 1)")
        assert size * zoom >= 50  # type scales up on 4K
    if w <= 820:
        top = "document.querySelector('#figures').getBoundingClientRect().top"
        assert page.evaluate(f"{top} >= window.innerHeight - 1")  # the sheet is closed: the map has the screen
        page.click("#sheet-toggle")
        page.wait_for_function("document.body.classList.contains('sheet-open')")
        assert page.evaluate(f"{top} < window.innerHeight / 2")  # opened, the sheet shows the areas
        assert page.get_attribute("#sheet-toggle", "aria-expanded") == "true"
        _open_tab(page, "Compare")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_timeline_works_by_touch(pw, app_url, tmp_path):
    from tools.chromium import CHROMIUM, FLAGS

    browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    try:
        size = {"width": 390, "height": 844}
        ctx = browser.new_context(viewport=size, has_touch=True, is_mobile=True, bypass_csp=True)
        page = ctx.new_page()
        page.goto(app_url)
        rendered(page, 0)
        box = page.locator("#date-slider").bounding_box()
        page.tap("#date-slider", position={"x": box["width"] * 0.75, "y": box["height"] / 2})
        page.wait_for_function("+document.body.dataset.renderedDay > 150")
        before = rendered(page)
        page.tap("#next-event")
        page.wait_for_function("b => +document.body.dataset.renderedDay > b", arg=before)
    finally:
        browser.close()


def test_compare_shows_the_change_between_the_two_dates_and_the_km2_that_changed_hands(page, app_url):
    ctx = context()
    d1, d2 = dt.date(2017, 6, 1), dt.date(2017, 6, 30)
    page.goto(f"{app_url}?date={d2}&compare={d1}")
    rendered(page)
    page.wait_for_function("document.querySelector('#changed-km2').textContent.includes('changed hands')")
    from layers.core.timeline import state_on

    a, b = state_on(ctx.tables, ctx.day_of(d1)), state_on(ctx.tables, ctx.day_of(d2))
    moved = sum(
        km2 for km2, h1, h2 in zip(ctx.tables["cell_km2"], a["cell_holder"], b["cell_holder"], strict=True) if h1 != h2
    )
    assert page.inner_text("#changed-km2") == f"{round(moved):,} km² changed hands between 1 Jun 2017 and 30 Jun 2017"
    sdf = ctx.tables["holders"].index("SDF")
    delta = round(b["km2"][sdf] - a["km2"][sdf])
    assert page.inner_text("tr[data-holder='SDF'] td.delta").replace("−", "-").replace(",", "") in (
        f"+{delta}",
        f"{delta}",
    )
    assert page.is_visible(".map-legend .key-gain")  # the legend names the cross-hatch
    page.evaluate("raqqaEngine.setCompare(null)")
    page.wait_for_function("document.querySelector('#changed-km2').textContent === ''")
    assert not page.is_visible(".map-legend .key-gain")


def test_changed_hands_hatch_differs_from_the_low_confidence_hatch(page, app_url):
    page.goto(app_url)
    rendered(page)
    lines = page.evaluate(
        "['hatch-gain', 'hatch-low-0'].map(id => document.getElementById(id).querySelectorAll('line').length)"
    )
    assert lines == [2, 1]  # cross-hatched against single-hatched


@pytest.mark.parametrize("w,h", [(1440, 900), (1280, 720)])
def test_the_legend_covers_no_ground_and_no_tooltip(page, app_url, w, h):
    """Before: at 1440×900 the legend lay over Tabqa, and tooltips slid under it."""
    page.set_viewport_size({"width": w, "height": h})
    page.goto(app_url)
    rendered(page)
    legend = page.locator(".map-legend").bounding_box()
    tabqa = page.evaluate(
        "(() => { const p = raqqaEngine.t.places.findIndex(p => /Tabqa/.test(p.name || p.id));"
        " const r = raqqaEngine.reg.places[p].getElement().getBoundingClientRect(); return [r.x, r.y]; })()"
    )
    assert not (legend["x"] <= tabqa[0] <= legend["x"] + legend["width"] and legend["y"] <= tabqa[1])
    mp = page.locator(".map-panel .leaflet-container").bounding_box()
    assert legend["y"] >= mp["y"] + mp["height"] - 1  # under the map, not over it


def test_search_finds_a_place_and_opens_its_history_from_the_keyboard(page, app_url):
    page.goto(app_url)
    rendered(page)
    page.fill("input[aria-label='Search events and places']", "Heisha")
    page.wait_for_selector(".place-hit")
    hit = page.locator(".place-hit", has_text="al-Hisha").first
    hit.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[role=tab][aria-selected=true]').textContent.includes('Place')")
    page.wait_for_function("(document.querySelector('#place-history h3') || {}).textContent === 'al-Hisha'")
    assert page.locator("#place-history table.history tbody tr").count() > 0


def test_back_restores_the_view_as_well_as_the_date(page, app_url):
    """Before: back to the first entry (no view in its address) kept the view an event click had flown to."""
    page.goto(app_url)
    rendered(page, 0)
    center = "[raqqaEngine.map.getCenter().lat, raqqaEngine.map.getCenter().lng, raqqaEngine.map.getZoom()]"
    start = page.evaluate(center)
    page.click("#event-feed button[data-event='A16']")
    page.wait_for_function("location.search.includes('view=')")
    page.wait_for_function(f"(c => Math.abs(c[0] - {start[0]}) > 0.05)({center})")
    page.go_back()
    rendered(page, 0)
    page.wait_for_function(f"(c => Math.abs(c[0] - {start[0]}) < 0.001 && c[2] === {start[2]})({center})")


def test_an_event_chosen_just_after_loading_gets_its_own_history_entry(page, app_url):
    """Before: an event chosen within 1.2 s of the page's time origin replaced the first history entry instead
    of adding one (the gap between pushes was counted from 0), so Back left the app. The page's clock is set back
    here so that the click falls inside that window on any machine."""
    page.add_init_script("(real => { performance.now = () => real() - 100000; })(performance.now.bind(performance))")
    page.goto(app_url)
    rendered(page, 0)
    page.click("#event-feed button[data-event='A16']")
    page.wait_for_function("location.search.includes('date=')")
    page.go_back()
    rendered(page, 0)
    assert page.url.startswith(app_url)


def test_compare_table_dates_stay_on_one_line_and_the_table_fits(page, app_url):
    """Before: the dates of the change table wrapped onto three lines."""
    page.goto(f"{app_url}?date=2017-06-30&compare=2017-06-01")
    rendered(page)
    _open_tab(page, "Compare")
    page.wait_for_selector("table.changes")
    lines = page.eval_on_selector_all("table.changes time", "ts => ts.map(t => t.getClientRects().length)")
    assert lines and set(lines) == {1}
    assert page.evaluate(
        "(p => p.scrollWidth <= p.clientWidth)(document.querySelector('table.changes').closest('.tab-panel'))"
    )
