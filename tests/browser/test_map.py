"""The real app in headless Chromium: it loads offline, draws ground held, and the figures match the model."""

from __future__ import annotations

import datetime as dt

import pytest

from layers.core.palette import palette
from layers.core.timeline import state_on
from layers.server.context import context
from tests.browser.conftest import rendered

pytestmark = pytest.mark.browser


def area_of(page, holder: str) -> str:
    return page.inner_text(f"tr[data-holder='{holder}'] td.km2")


def test_loads_offline_with_sdf_and_isis_ground(page, app_url):
    page.goto(app_url)
    assert rendered(page) == 0
    assert page.inner_text("#date-display") == "5 November 2016"
    assert area_of(page, "ISIS") not in ("0", "–")
    assert (
        page.evaluate("document.querySelectorAll('.leaflet-pane-control-pane path, .leaflet-pane path').length") > 100
    )
    assert page.errors == []


def test_fonts_come_from_the_app(page, app_url):
    page.goto(app_url)
    rendered(page)
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('700 16px \"Noto Sans\"'))")
    assert any("/assets/fonts/noto-sans-latin-700-normal.woff2" in u for u in page.urls)


@pytest.mark.parametrize("date", ["2016-12-10", "2017-06-06", "2017-09-23", "2017-10-20"])
def test_figures_computed_in_the_browser_match_the_model(page, app_url, date):
    ctx = context()
    day = ctx.day_of(dt.date.fromisoformat(date))
    page.goto(f"{app_url}?date={date}")
    rendered(page, day)
    st = state_on(ctx.tables, day)
    for h, km2 in zip(ctx.tables["holders"], st["km2"], strict=True):
        assert area_of(page, h) == f"{round(km2):,}", (date, h)
    assert page.inner_text("#frontline-km") == f"Frontline length: {round(st['front_km']):,} km"


def test_cells_are_coloured_by_the_holder_of_the_day(page, app_url):
    ctx = context()
    page.goto(f"{app_url}?date=2016-11-05")
    rendered(page, 0)
    fills = lambda: page.evaluate(  # noqa: E731
        "raqqaEngine.reg.cells.map(l => l.options.fillColor)"
    )
    before = fills()
    page.keyboard.press("End")
    rendered(page, ctx.tables["span"])
    after = fills()
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    st0, st1 = state_on(ctx.tables, 0), state_on(ctx.tables, ctx.tables["span"])
    low = lambda r: r >= 0 and ctx.tables["rows"][r]["confidence"] == "low"  # noqa: E731  (drawn hatched)
    expected = sum(
        (a, low(r0)) != (b, low(r1))
        for a, b, r0, r1 in zip(st0["cell_holder"], st1["cell_holder"], st0["cell_row"], st1["cell_row"], strict=True)
    )
    assert changed == expected > 10
    sdf = ctx.tables["colors"]["SDF"]
    assert over_land(sdf, 0.55) in after  # opaque: the colour as if laid at 0.55 over the land


def over_land(hex_colour: str, alpha: float) -> str:
    """``hex_colour`` at ``alpha`` over the land colour, as the opaque colour raqqaUtil.overLand gives."""
    land = palette()["land"]
    mix = [
        int(alpha * int(hex_colour[i : i + 2], 16) + (1 - alpha) * int(land[i : i + 2], 16) + 0.5) for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{v:02x}" for v in mix)


def test_hatching_marks_contested_unreported_and_low_confidence_ground(page, app_url):
    page.goto(f"{app_url}?date=2017-06-09")
    rendered(page)
    fills = page.evaluate("raqqaEngine.reg.cells.map(l => l.options.fillColor)")
    assert "url(#hatch-contested)" in fills and "url(#hatch-none)" in fills
    assert any(f.startswith("url(#hatch-low-") for f in fills)
    assert page.evaluate("!!document.getElementById('hatch-low-0') && !!document.getElementById('hatch-contested')")


def _tooltip(page, layer: str, index: int) -> str:
    """Hover one registered feature of ``layer`` as the pointer does (the event goes on to its group, which holds
    the tooltip) and return the tooltip's text."""
    page.evaluate(
        """([layer, i]) => { const l = raqqaEngine.reg[layer][i];
             l.fire('mouseover', {latlng: l.getLatLng ? l.getLatLng() : l.getBounds().getCenter()}, true); }""",
        [layer, index],
    )
    return page.inner_text(".leaflet-tooltip-pane .map-tip")


def test_place_tooltips_say_where_the_coordinate_comes_from(page, app_url):
    ctx = context()
    ids = [p["id"] for p in ctx.tables["places"]]
    page.goto(f"{app_url}?date=2017-06-06")
    rendered(page, ctx.day_of(dt.date(2017, 6, 6)))
    sourced = ctx.dataset.places["rumaila"]
    text = _tooltip(page, "places", ids.index("rumaila"))
    assert f"Coordinate: {sourced.coord_source}" in text and "Location: high confidence" in text
    page.evaluate("raqqaEngine.reg.places.forEach(l => l && l.closeTooltip())")
    text = _tooltip(page, "places", ids.index("qaltah"))
    assert "Location: low confidence (estimated; drawn hollow)" in text
    assert ctx.dataset.places["qaltah"].coord_method in text
    assert page.errors == []


def test_regional_ground_tooltip_names_the_region_and_its_basis(page, app_url):
    ctx = context()
    n = len(ctx.tables["places"])
    cell = next(i for i, ps in enumerate(ctx.tables["cell_places"]) if ps and ps[0] >= n)
    region = ctx.tables["regions"][ctx.tables["cell_places"][cell][0] - n]
    page.goto(f"{app_url}?date=2017-06-06")
    rendered(page, ctx.day_of(dt.date(2017, 6, 6)))
    text = _tooltip(page, "cells", cell)
    assert f"{region['name']} (regional ground)" in text and region["basis"] in text
    assert page.errors == []
