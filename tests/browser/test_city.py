"""The city view in headless Chromium: it follows the map's zoom, shows the district cells and their labels, and
its state on a date is the Python derivation's (timeline.state_on on the city tables)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil

import pytest

from layers.core.timeline import state_on
from layers.server.context import GEODATA, context
from tests.browser.conftest import rendered

pytestmark = pytest.mark.browser
CITY_VIEW = "35.951,39.013"  # the middle of the city's outline


def city_view(page) -> str:
    return page.evaluate("document.body.dataset.cityView")


def visible_labels(page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('.city-label span')).filter(e => e.offsetParent !== null)"
        ".map(e => e.textContent)"
    )


def test_zooming_in_shows_the_district_cells_and_labels(page, app_url):
    city = context().tables["city"]
    zoom = city["min_zoom"]
    page.goto(f"{app_url}?date=2017-08-15&view={CITY_VIEW},{zoom - 1}")
    rendered(page)
    assert city_view(page) == "off"
    assert visible_labels(page) == []
    assert page.evaluate("document.getElementById('city-figures').hidden")
    # zoom in one step with the map's own control: the city view comes on
    page.click(".leaflet-control-zoom-in")
    page.wait_for_function("document.body.dataset.cityView === 'on'")
    labels = visible_labels(page)
    # the label is the name less a trailing "(…)" gloss, which the tooltip keeps
    cell_names = sorted(re.sub(r"\s*\([^)]*\)\s*$", "", city["places"][ps[0]]["name"]) for ps in city["cell_places"])
    assert sorted(labels) == cell_names and "al-Mishlab" in labels
    assert page.evaluate("raqqaEngine.reg.cityCells.filter(Boolean).length") == len(city["cell_places"])
    assert page.evaluate("getComputedStyle(document.querySelector('.leaflet-pane-city-pane')).display") != "none"
    z = page.evaluate(  # a district's name lies above the events' rings (which sit on the districts' points)
        "[document.querySelector('.city-label').closest('.leaflet-pane'),"
        " document.querySelector('.leaflet-pane-events-pane')].map(p => +getComputedStyle(p).zIndex)"
    )
    assert z[0] > z[1], z
    assert not page.evaluate("document.getElementById('city-figures').hidden")
    assert page.is_visible("#city-figures") and page.is_visible(".legend-city")
    assert "estimated extent" in page.inner_text(".legend-city")
    # and out again
    page.click(".leaflet-control-zoom-out")
    page.wait_for_function("document.body.dataset.cityView === 'off'")
    assert visible_labels(page) == []
    assert page.errors == []


def test_city_state_on_change_dates_matches_the_python_derivation(page, app_url):
    ctx = context()
    city = ctx.tables["city"]
    page.goto(f"{app_url}?date=2017-06-05&view={CITY_VIEW},{city['min_zoom'] + 0.5}")
    rendered(page)
    for day in sorted({r["day"] for r in city["rows"]}):
        page.evaluate(f"raqqaEngine.setDay({day})")
        rendered(page, day)
        got = page.evaluate(
            "({holders: Array.from(raqqaEngine.cityState.cellHolder), rows: Array.from(raqqaEngine.cityState.cellRow),"
            " km2: Array.from(raqqaEngine.cityState.km2)})"
        )
        want = state_on(city, day)
        assert got["holders"] == want["cell_holder"], day
        assert got["rows"] == want["cell_row"], day
        assert got["km2"] == pytest.approx(want["km2"], abs=1e-9), day
        # the figures block shows the same areas
        shown = {h: page.inner_text(f"#city-figures tr[data-holder='{h}'] td.km2") for h in city["holders"][:-1]}
        assert shown == {h: f"{km2:.1f}" for h, km2 in zip(city["holders"][:-1], want["km2"], strict=False)}, day
    assert page.errors == []


def test_contested_districts_are_hatched_and_alternatives_do_not_colour(page, app_url):
    ctx = context()
    city = ctx.tables["city"]
    date = dt.date(2017, 6, 6)
    page.goto(f"{app_url}?date={date}&view={CITY_VIEW},{city['min_zoom'] + 0.5}")
    day = rendered(page, ctx.day_of(date))
    fills = page.evaluate("raqqaEngine.reg.cityCells.map(l => l.options.fillColor)")
    st = state_on(city, day)
    contested = city["holders"].index("contested")
    hatched = [i for i, h in enumerate(st["cell_holder"]) if h == contested]
    assert hatched, "al-Mishlab is contested on 6 June 2017"
    assert all(fills[i] == "url(#hatch-contested)" for i in hatched)
    # al-Mishlab's alternative dating (fully SDF on 6 June) is in the tooltip as a disagreement, not in the colour
    mashlab = next(i for i, p in enumerate(city["places"]) if p["id"] == "mashlab")
    cell = city["places"][mashlab]["cell"]
    assert st["cell_holder"][cell] == contested
    tip = page.evaluate(
        "c => { const l = raqqaEngine.reg.cityCells[c]; l.openTooltip(l.getBounds().getCenter());"
        " return l.getTooltip().getElement().textContent; }",
        cell,
    )
    assert "Disagreement (not drawn): 2017-06-06 SDF" in tip and "History: " in tip
    # a click opens the Place tab with every row, its sources, and the disagreement marked
    page.evaluate("c => raqqaEngine.reg.cityCells[c].fire('click')", cell)
    page.wait_for_selector("#place-history tr[data-row='C067'].alternative")
    assert page.inner_text("#place-history h3") == "al-Mishlab"
    rows = [r for r in (*ctx.dataset.city.rows, *ctx.dataset.city.alternatives) if r.place_id == "mashlab"]
    assert page.locator("#place-history tr[data-row]").count() == len(rows)
    assert page.errors == []


PAYLOAD = '<img src=x onerror="window.__xss=1">al-Mishlab'


def test_html_in_a_district_name_and_row_is_shown_as_text(page, app_with_env, tmp_path):
    """A district named with an HTML payload: its label and tooltip show the text; no element is made from it."""
    folder = tmp_path / "geodata"
    shutil.copytree(GEODATA, folder)
    for name, column, value in (("districts.csv", "name_en", PAYLOAD), ("ledger.csv", "description", PAYLOAD)):
        path = folder / "city" / name
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            columns, rows = reader.fieldnames, list(reader)
        for row in rows:
            if row.get("district_id", row.get("place_id")) == "mashlab":
                row[column] = value
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    url = app_with_env(RAQQA_GEODATA=str(folder))
    page.goto(f"{url}?date=2017-06-09&view={CITY_VIEW},13.5")
    rendered(page)
    page.wait_for_function("document.body.dataset.cityView === 'on'")
    assert PAYLOAD in visible_labels(page)
    assert page.locator(".city-label img").count() == 0
    cell = next(p["cell"] for p in context(str(folder)).tables["city"]["places"] if p["id"] == "mashlab")
    tip = page.evaluate(
        "c => { const l = raqqaEngine.reg.cityCells[c]; l.openTooltip(l.getBounds().getCenter());"
        " const el = l.getTooltip().getElement(); return [el.textContent, el.querySelectorAll('img').length]; }",
        cell,
    )
    assert PAYLOAD in tip[0] and tip[1] == 0
    assert page.evaluate("window.__xss") is None
    assert page.errors == []
