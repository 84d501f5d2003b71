"""A map layer is a plug-in: a throwaway layer, written as its Python module and its ``assets/layer_<name>.js``
and added to the registry, is drawn, listed in the layer menu and restyled on a date change, with no other
file changed. A layer without its JS twin, and a misnamed page id, fail loudly."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, rendered, serve_app

pytestmark = pytest.mark.browser

PROBE_PY = '''
"""Probe: the first three places of the gazetteer, shown from day 100 on."""

from shapely.geometry import Point

from layers.base import Part
from layers.core.geojson import collection, feature

NAME = "probe"
TITLE = "Probe layer"
DYNAMIC = True
DEFAULT_ON = True
Z = 630


def parts(ctx, tables):
    places = list(ctx.dataset.places.values())[:3]
    feats = [feature(Point(p.lon, p.lat), {"i": i, "day": 100, "name": p.name}) for i, p in enumerate(places)]
    return [Part(collection(feats), point=True)]
'''

PROBE_JS = """
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  probe: {
    kinds: {probe: function () { return 3; }},
    point: function (feature, latlng) { return L.circleMarker(latlng, {radius: 5, className: "probe-marker"}); },
    bind: function (feature, layer) {
      window.raqqaEngine.register("probe", feature.properties.i, layer);
      layer.bindTooltip(function () { return window.raqqaUtil.tip([["b", feature.properties.name]]); });
    },
    restyle: function (v) {
      v.reg.probe.forEach(function (layer, i) {
        const on = v.day >= layer.feature.properties.day;
        if (v.shown.probe[i] !== on) {
          layer.setStyle({opacity: on ? 1 : 0, fillOpacity: on ? 0.5 : 0});
          v.shown.probe[i] = on;
        }
      });
    },
  },
});
"""

# The app as app.py composes it, with one more line in the registry (layers.LAYERS) and the probe's module
# and JS beside it; app.py, layers/ and geodata/ are the repository's own, linked.
WRAPPER = """
import runpy

import layers
import probe

layers.LAYERS = (*layers.LAYERS, probe)
runpy.run_path("composed_app.py", run_name="__main__")
"""


def _project(tmp: Path, with_js: bool) -> Path:
    (tmp / "assets").mkdir()
    for f in sorted((ROOT / "assets").iterdir()):
        os.symlink(f, tmp / "assets" / f.name)
    if with_js:
        (tmp / "assets" / "layer_probe.js").write_text(PROBE_JS)
    os.symlink(ROOT / "layers", tmp / "layers")
    os.symlink(ROOT / "app.py", tmp / "composed_app.py")  # Dash serves assets/ from beside the app module
    (tmp / "probe.py").write_text(textwrap.dedent(PROBE_PY))
    (tmp / "app.py").write_text(WRAPPER)
    return tmp


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory):
    project = _project(tmp_path_factory.mktemp("with-probe"), with_js=True)
    with serve_app(cwd=project, RAQQA_INSTANCE=str(tmp_path_factory.mktemp("instance"))) as url:
        yield url


@pytest.fixture
def tab(browser_context):
    pg = browser_context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()


def test_a_throwaway_layer_is_drawn_listed_and_restyled(tab, probe_app):
    tab.goto(f"{probe_app}?date=2016-12-01")
    day = rendered(tab)  # counts only once the probe has registered its three features too
    assert tab.locator(".probe-marker").count() == 3
    assert tab.evaluate("getComputedStyle(document.querySelector('.leaflet-pane-probe-pane')).zIndex") == "630"
    assert "Probe layer" in tab.inner_text(".leaflet-control-layers-overlays")
    opacity = "raqqaEngine.reg.probe.map(l => l.options.opacity)"
    assert tab.evaluate(opacity) == ([1, 1, 1] if day >= 100 else [0, 0, 0])
    for target, shown in ((10, 0), (150, 1)):
        tab.evaluate(f"raqqaEngine.setDay({target}, {{push: true}})")
        rendered(tab, target)
        assert tab.evaluate(opacity) == [shown] * 3
    tab.goto(f"{probe_app}?layers=control,probe")  # the registry's layer in a link
    rendered(tab)
    assert tab.locator(".probe-marker").count() == 3 and tab.locator(".event-marker").count() == 0
    assert tab.errors == []


def test_a_layer_without_its_js_twin_fails_loudly(tab, tmp_path):
    project = tmp_path / "no-js"
    project.mkdir()
    with serve_app(cwd=_project(project, with_js=False), RAQQA_INSTANCE=str(tmp_path / "instance")) as url:
        tab.goto(url)
        tab.wait_for_function("document.querySelector('h1') !== null")
        for _ in range(100):  # wait (at most ~10 s) for the engine's init callback to report
            if any("assets/layer_probe.js" in e for e in tab.errors):
                break
            tab.wait_for_timeout(100)
    assert any("layer 'probe': assets/layer_probe.js does not define raqqaLayers.probe" in e for e in tab.errors)
    assert tab.evaluate("document.body.dataset.renderedDay") is None  # nothing claims to be drawn


def test_a_misnamed_page_id_fails_loudly(tab, app_url):
    tab.goto(app_url)
    rendered(tab)
    with pytest.raises(Exception, match="the page declares no id for 'slidr'"):
        tab.evaluate("raqqaEngine.id('slidr')")
    assert tab.evaluate("raqqaEngine.el('slider').id") == "date-slider"


def test_tables_that_do_not_match_their_schema_stop_the_engine(tab, app_url):
    tab.goto(app_url)
    rendered(tab)
    bad = "const t = Object.assign({}, raqqaEngine.tables); delete t.title; t.span = '350'; t.extra = 1;"
    with pytest.raises(Exception, match="span: string, not number; title: missing; extra: not in the schema"):
        tab.evaluate(f"() => {{ {bad} raqqaEngine.start(t); }}")
