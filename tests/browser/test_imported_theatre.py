"""An imported theatre in the real app: ``/?theatre=<slug>`` opens it offline, with its own ground and figures."""

from __future__ import annotations

import pytest

from layers.core import imports
from tests.browser.conftest import rendered, serve_app
from tests.test_imports import AOI, GOOD_SNAPSHOT, acled, acled_row, config_file, feat, gj, km2, sq

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def instance_app(tmp_path_factory):
    """The app with its own instance folder holding one imported theatre, ``test-theatre``."""
    instance = tmp_path_factory.mktemp("instance")
    snaps = [GOOD_SNAPSHOT, gj("2017-03-01.geojson", feat(sq(*AOI), "SDF"))]
    imported = imports.prepare(config_file(), [*snaps, acled(acled_row())])
    imports.save(imported, instance / "theatres" / "test-theatre")
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
