"""Export buttons in headless Chromium: a click downloads a valid file, bad views get a message, all offline."""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import pytest
from PIL import Image

from layers.server.context import context
from tests.browser.conftest import rendered

pytestmark = pytest.mark.browser


def faction_fill(faction: str) -> tuple[int, int, int]:
    """The colour of a faction's ground in the image: its colour at the fill opacity over Syria's land."""
    from layers.core import style
    from layers.server.context import context

    colors = {f["id"]: f["color"] for f in context().dataset.theatre["factions"]}
    c, u = (np.array([int(h[i : i + 2], 16) for i in (1, 3, 5)], float) for h in (colors[faction], style.STYLE["land"]))
    return tuple(np.round(style.GROUND_ALPHA * c + (1 - style.GROUND_ALPHA) * u).astype(int))


@pytest.fixture(scope="module")
def export_url(app_url):
    """The app itself: its Data tab has the export panel."""
    return app_url


@pytest.fixture
def export_page(page):
    """The shared page fixture: records console errors and checks no request left 127.0.0.1."""
    return page


def open_at(page, url, date: str | None = None) -> None:
    """Open the page, wait for the map, and move the engine to ``date``."""
    page.goto(url)
    rendered(page)
    page.click("[role=tab]:has-text('Data')")
    page.wait_for_selector(".export-button")
    if date is not None:
        day = (dt.date.fromisoformat(date) - context().dataset.start).days
        page.evaluate(f"window.raqqaEngine.setDay({day}, {{}})")
        rendered(page, day)


def set_view(page, view: dict) -> None:
    """Make the engine report ``view`` as the current view."""
    page.evaluate(f"window.raqqaEngine.view = function () {{ return {json.dumps(view)}; }}")


def test_png_button_downloads_the_current_view(export_page, export_url, tmp_path):
    open_at(export_page, export_url, "2017-06-06")
    assert export_page.evaluate("window.raqqaEngine.view().date") == "2017-06-06"
    with export_page.expect_download(timeout=120_000) as info:
        export_page.get_by_role("button", name="Image of this view (PNG)").click()
    download = info.value
    assert download.suggested_filename == "raqqa-2017-06-06.png"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == (1920, 1080)
    export_page.wait_for_function("document.getElementById('export-status').textContent.startsWith('Saved')")
    assert set(export_page.hosts) <= {"127.0.0.1"}, sorted(set(export_page.hosts))
    assert export_page.errors == []


def test_an_empty_view_exports_the_defaults(export_page, export_url, tmp_path):
    open_at(export_page, export_url, "2017-06-06")
    set_view(export_page, {})
    with export_page.expect_download(timeout=120_000) as info:
        export_page.get_by_role("button", name="Places table (CSV)").click()
    download = info.value
    assert download.suggested_filename == "raqqa-2016-11-05-places.csv"
    path = tmp_path / "places.csv"
    download.save_as(path)
    assert path.read_text(encoding="utf-8-sig").startswith("place_id,name,kind,lon,lat")
    assert set(export_page.hosts) <= {"127.0.0.1"}
    assert export_page.errors == []


def test_a_bad_view_gets_a_message_and_no_file(export_page, export_url):
    open_at(export_page, export_url)
    set_view(export_page, {"date": "2099-01-01", "bounds": [40, 35, 38, 36]})
    downloads = []
    export_page.on("download", lambda d: downloads.append(d))
    export_page.get_by_role("button", name="Image of this view (PNG)").click()
    export_page.wait_for_function("document.getElementById('export-status').textContent.length > 0")
    status = export_page.inner_text("#export-status")
    assert status.startswith("Export not made:") and "outside the campaign" in status
    assert downloads == []
    assert export_page.errors == []
    assert set(export_page.hosts) <= {"127.0.0.1"}


def test_png_download_decodes_with_the_map_colours(export_page, export_url, tmp_path):
    open_at(export_page, export_url, "2017-10-20")
    with export_page.expect_download(timeout=120_000) as info:
        export_page.get_by_role("button", name="Image of this view (PNG)").click()
    data = info.value.path().read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        rgb = np.asarray(im.convert("RGB")).astype(int)
    # the Syrian government's ground is on the map by 20 October 2017: at least 0.5 % of the image
    near = np.all(np.abs(rgb - np.array(faction_fill("Syrian government"))) <= 6, axis=2)
    assert near.mean() > 0.005


@pytest.mark.parametrize("size", [(390, 844), (1280, 720), (1920, 1080)])
def test_the_opening_view_asks_for_the_whole_area_s_animation(export_page, export_url, size):
    """What the page's GIF and MP4 buttons send for the view the page opens on is the default animation (the
    area of interest), whose frames the server may have drawn already; a zoomed view keeps its own."""
    from layers.core.export_request import parse_request

    territory = context().territory
    export_page.set_viewport_size({"width": size[0], "height": size[1]})
    export_page.goto(export_url)
    rendered(export_page)
    view = export_page.evaluate("window.raqqaEngine.view()")
    assert parse_request(territory, {"kind": "gif", **view}).bounds == tuple(territory.ds.aoi.bounds)
    export_page.evaluate("window.raqqaEngine.map.setZoom(window.raqqaEngine.map.getZoom() + 2, {animate: false})")
    zoomed = export_page.evaluate("window.raqqaEngine.view()")
    assert parse_request(territory, {"kind": "mp4", **zoomed}).bounds == tuple(zoomed["bounds"])
