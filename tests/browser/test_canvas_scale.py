"""Large theatres: the date-dependent parts with many features are drawn on one shared canvas
(layers/features/map_view.py canvas_from, assets/26_canvas.js), small ones as SVG. The same synthetic theatre
served twice, with the threshold lowered below its size and left at its default, must draw and answer alike."""

from __future__ import annotations

import pytest

from bench import synth
from layers.features import map_view
from tests.browser.conftest import rendered

pytestmark = pytest.mark.browser
N_PLACES = 40
LOW = 30  # below the theatre's cells and places: every part of the canvas layers goes on the canvas


@pytest.fixture(scope="module")
def servers(app_with_env, tmp_path_factory):
    folder = synth.write(tmp_path_factory.mktemp("canvas") / "theatre", n_places=N_PLACES, dates=30, seed=3)
    assert map_view.canvas_from() > 10 * N_PLACES  # the default draws this theatre as SVG
    return {
        "svg": app_with_env(RAQQA_GEODATA=str(folder)),
        "canvas": app_with_env(RAQQA_GEODATA=str(folder), **{map_view.CANVAS_ENV: str(LOW)}),
    }


KINDS = ["cells", "change", "edges", "places"]
DRAWN = f"""(() => {{ const E = window.raqqaEngine;
  return Object.fromEntries({KINDS}.map(k => [k, E.reg[k].map(l => l ? [l._path ? 'svg' : 'canvas',
    E.shown[k][l.feature.properties.i !== undefined ? l.feature.properties.i : l.feature.properties.p]] : null)]));
}})()"""


def look(tab, url, steps=3):
    tab.goto(url)
    day = rendered(tab)
    tab.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(steps):
        tab.keyboard.press("ArrowRight")
        day = rendered(tab, day + 1)
    return tab.evaluate(DRAWN)


def test_above_the_threshold_one_canvas_draws_what_svg_draws_below_it(tab, servers):
    svg = look(tab, servers["svg"])
    assert tab.evaluate("document.querySelectorAll('.leaflet-container canvas').length") == 0
    n_paths = tab.evaluate("document.querySelectorAll('.leaflet-container path').length")
    canvas = look(tab, servers["canvas"])
    # one canvas, in the highest of the layers' panes (the places'), and almost no SVG path left
    panes = tab.evaluate("[...document.querySelectorAll('#map canvas')].map(c => c.parentNode.className)")
    assert panes == ["leaflet-pane leaflet-pane-places-pane"]
    assert tab.evaluate("document.querySelectorAll('.leaflet-container path').length") < n_paths - 3 * N_PLACES
    for k in KINDS:
        assert len(svg[k]) == len(canvas[k]) > 0, k
        assert {d[0] for d in svg[k] if d} == {"svg"} and {d[0] for d in canvas[k] if d} == {"canvas"}, k
        # the same restyle on the same day: every feature in the same state
        assert [d and d[1] for d in svg[k]] == [d and d[1] for d in canvas[k]], k


def test_the_canvas_keeps_the_layers_order_and_hatches(tab, servers):
    look(tab, servers["canvas"], steps=0)
    order = tab.evaluate(
        """(() => { const r = window.raqqaEngine.reg.cells[0].options.renderer, zs = [];
        for (let o = r._drawFirst; o; o = o.next) { zs.push(o.layer._raqqaZ); } return zs; })()"""
    )
    assert len(order) >= 3 * N_PLACES
    assert order == sorted(order) and len(set(order)) == 4  # cells, change, frontline, places: by their Z
    # SVG hatch patterns become canvas patterns on the canvas, stay url(#...) for SVG paths
    assert tab.evaluate(
        """window.raqqaCanvas.style(window.raqqaEngine.reg.cells[0], {fillColor: 'url(#hatch-none)'}).fillColor
        instanceof CanvasPattern"""
    )
    assert tab.evaluate("window.raqqaCanvas.style({options: {}}, {fillColor: 'url(#hatch-none)'}).fillColor") == (
        "url(#hatch-none)"
    )


HOVER = """(kind => { const E = window.raqqaEngine, c = E.map.getSize().divideBy(2);
  const at = l => E.map.latLngToContainerPoint(l.getLatLng ? l.getLatLng() : l.getCenter());
  let i = -1, best = Infinity;  // the feature nearest the map's centre
  E.reg[kind].forEach((l, j) => { const d = at(l).distanceTo(c); if (l && d < best) { best = d; i = j; } });
  const p = at(E.reg[kind][i]), r = E.map.getContainer().getBoundingClientRect();
  return [i, r.left + p.x, r.top + p.y]; })"""


def tooltip(tab, url, kind):
    """The tooltip of the feature of ``kind`` nearest the map's centre, under the pointer."""
    look(tab, url, steps=0)
    tab.mouse.move(5, 5)
    labels = tab.evaluate("document.querySelectorAll('.leaflet-tooltip').length")  # the towns' labels
    i, x, y = tab.evaluate(HOVER, kind)
    tab.mouse.move(x, y)
    tab.wait_for_function(f"document.querySelectorAll('.leaflet-tooltip').length > {labels}")
    return i, tab.evaluate("[...document.querySelectorAll('.leaflet-tooltip')].pop().innerText")


def test_the_pointer_finds_the_same_cell_on_canvas_and_svg(tab, servers):
    i, text = tooltip(tab, servers["canvas"], "cells")
    assert (i, text) == tooltip(tab, servers["svg"], "cells")
    assert " held" in text or "No reporting" in text


def test_on_the_canvas_a_place_answers_above_its_cell(tab, servers):
    i, text = tooltip(tab, servers["canvas"], "places")
    assert text.startswith(tab.evaluate(f"window.raqqaEngine.reg.places[{i}].feature.properties.name") + "\n")
    assert "Location:" in text
