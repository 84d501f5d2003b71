"""An imported theatre in the real app: ``/?theatre=<slug>`` opens it offline, with its own ground and figures."""

from __future__ import annotations

import pytest

from layers.core import imports
from tests.browser.conftest import rendered, serve_app
from tests.import_inputs import AOI, CONFIG, GOOD_SNAPSHOT, acled, acled_row, config_file, feat, gj, km2, sq

pytestmark = pytest.mark.browser
MANBIJ = (37.8, 36.4, 38.1, 36.65)


@pytest.fixture(scope="module")
def instance_app(tmp_path_factory):
    """The app with its own instance folder holding two imported theatres, ``test-theatre`` (near Raqqa) and
    ``manbij`` (Manbij, June–August 2016)."""
    instance = tmp_path_factory.mktemp("instance")
    snaps = [GOOD_SNAPSHOT, gj("2017-03-01.geojson", feat(sq(*AOI), "SDF"))]
    imported = imports.prepare(config_file(), [*snaps, acled(acled_row())])
    imports.save(imported, instance / "theatres" / "test-theatre")
    manbij = (
        CONFIG.replace("Test theatre", "Manbij").replace("2017-01-01", "2016-06-01").replace("2017-12-31", "2016-08-31")
    )
    manbij = manbij.replace(str(list(AOI)), str(list(MANBIJ)))
    snap = gj("2016-06-01.geojson", feat(sq(37.9, 36.45, 38.0, 36.55), "SDF"))
    imports.save(imports.prepare(config_file(manbij), [snap]), instance / "theatres" / "manbij")
    with serve_app(RAQQA_INSTANCE=str(instance)) as url:
        yield url


@pytest.fixture
def tab(browser_context):
    pg = browser_context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()


def test_an_imported_theatre_opens_with_its_own_ground(tab, instance_app):
    tab.goto(f"{instance_app}?theatre=test-theatre&date=2017-02-03")
    tab.wait_for_function("document.querySelector('h1') && document.querySelector('h1').innerText === 'Test theatre'")
    rendered(tab, 33)
    west = round(km2(38.9, 35.9, 39.0, 36.0))
    assert tab.inner_text("tr[data-holder='SDF'] td.km2") == f"{west:,}"
    assert tab.inner_text("tr[data-holder='ISIS'] td.km2") == f"{west:,}"
    assert tab.errors == []


def test_an_imported_theatre_elsewhere_gets_its_basemap(tab, instance_app):
    """Manbij, away from the bundled area: its river, the Turkish border and its towns are drawn, offline."""
    tab.goto(f"{instance_app}?theatre=manbij&date=2016-06-10")
    tab.wait_for_function("document.querySelector('h1') && document.querySelector('h1').innerText === 'Manbij'")
    rendered(tab)
    labels = tab.locator(".town-label").all_inner_texts()
    assert "Manbij" in labels and "Jarābulus" in labels and "Ar Raqqah" not in labels
    # the Euphrates (the one named river, drawn 3 px wide) and the border (dashed) are on the map
    assert tab.locator(".leaflet-basemap-over-pane path[stroke-width='3']").count() >= 1
    assert tab.locator(".leaflet-basemap-over-pane path[stroke-dasharray='8 4 2 4']").count() >= 1
    assert "GeoNames" in tab.inner_text(".leaflet-control-attribution")
    assert tab.errors == []
