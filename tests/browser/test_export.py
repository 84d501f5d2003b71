"""Export buttons in headless Chromium: a click downloads a valid file, bad views get a message, all offline."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from urllib.parse import urlparse

import pytest
from PIL import Image

from tests.browser.conftest import ROOT, _free_port, _wait_until_up

pytestmark = pytest.mark.browser

ENGINE = "window.raqqaEngine = {view: function () { return %s; }};"


@pytest.fixture(scope="module")
def export_url():
    """The app with the export panel mounted (tests/browser/export_app.py), on a free loopback port."""
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.export_app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def export_page(browser_context, export_url):
    pg = browser_context.new_page()
    pg.hosts = []
    pg.errors = []
    pg.on("request", lambda r: pg.hosts.append(urlparse(r.url).hostname or r.url.split(":")[0]))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()


def open_with_view(page, url, view: dict | None) -> None:
    if view is not None:
        page.add_init_script(ENGINE % json.dumps(view))
    page.goto(url)
    page.wait_for_selector("tr[data-holder='SDF']")
    page.wait_for_selector(".export-button")


def test_png_button_downloads_the_current_view(export_page, export_url, tmp_path):
    view = {"date": "2017-06-06", "bounds": [38.8, 35.8, 39.3, 36.1], "layers": ["control", "places"]}
    open_with_view(export_page, export_url, view)
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


def test_without_the_engine_the_defaults_are_exported(export_page, export_url, tmp_path):
    open_with_view(export_page, export_url, None)
    with export_page.expect_download(timeout=120_000) as info:
        export_page.get_by_role("button", name="Places table (CSV)").click()
    download = info.value
    assert download.suggested_filename == "raqqa-2016-11-05-places.csv"
    path = tmp_path / "places.csv"
    download.save_as(path)
    assert path.read_text(encoding="utf-8-sig").startswith("place_id,name,kind,lon,lat")
    assert set(export_page.hosts) <= {"127.0.0.1"}


def test_a_bad_view_gets_a_message_and_no_file(export_page, export_url):
    open_with_view(export_page, export_url, {"date": "2099-01-01", "bounds": [40, 35, 38, 36]})
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
    open_with_view(export_page, export_url, {"date": "2017-10-20"})
    with export_page.expect_download(timeout=120_000) as info:
        export_page.get_by_role("button", name="Image of this view (PNG)").click()
    data = info.value.path().read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        colors = {c for _, c in im.convert("RGB").getcolors(maxcolors=1 << 20)}
    # the Syrian government's ground (60 % #C8421B over the land colour) is on the map by 20 October 2017
    assert any(abs(r - 216) <= 6 and abs(g - 133) <= 6 and abs(b - 104) <= 6 for r, g, b in colors)
