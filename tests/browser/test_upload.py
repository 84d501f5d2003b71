"""The upload component in a real browser: dropping files imports a theatre or lists every problem as text."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, _free_port, _wait_until_up
from tests.test_imports import CONFIG, GOOD_SNAPSHOT, WEST, feat, gj

pytestmark = pytest.mark.browser

APP = """
import os
from dash import Dash, html
from layers import upload
app = Dash(__name__, serve_locally=True)
app.server.config["MAX_CONTENT_LENGTH"] = upload.MAX_REQUEST_BYTES
app.layout = html.Div(upload.component(None))
# debug: Dash validates the callbacks against the layout; its version check would call plotly.com
app.run(host="127.0.0.1", port=int(os.environ["PORT"]), debug=True, use_reloader=False,
        dev_tools_disable_version_check=True)
"""


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "RAQQA_INSTANCE": str(instance)}
    proc = subprocess.Popen(
        [sys.executable, "-c", APP], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, proc)
        yield url, instance
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def tab(browser_context):
    pg = browser_context.new_page()
    pg.errors = []
    pg.on("requestfailed", lambda r: pg.errors.append(r.url))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()


def _drop(tab, *files):
    payload = [{"name": f.name, "mimeType": "application/octet-stream", "buffer": f.data} for f in files]
    tab.set_input_files("#upload-files input[type=file]", payload)


def test_dropping_a_theatre_imports_it_and_links_to_it(tab, upload_app):
    url, instance = upload_app
    tab.goto(url)
    _drop(tab, _file("theatre.toml", CONFIG), GOOD_SNAPSHOT)
    tab.wait_for_selector("#upload-result a")
    assert tab.get_attribute("#upload-result a", "href") == "/?theatre=test-theatre"
    assert (instance / "theatres" / "test-theatre" / "theatre.json").is_file()
    assert tab.errors == []


def test_a_bad_drop_lists_its_problems_as_text(tab, upload_app):
    url, instance = upload_app
    tab.goto(url)
    hostile = "<img src=x onerror=document.title='pwned'>"
    snapshot = gj("2017-02-01.geojson", feat(WEST, hostile), feat(None))
    _drop(tab, _file("theatre.toml", CONFIG.replace("Test theatre", "Other")), snapshot)
    tab.wait_for_selector("#upload-result .upload-problems li")
    shown = tab.locator("#upload-result .upload-problems li").all_inner_texts()
    assert shown == [
        f"2017-02-01.geojson: feature 0: unknown faction {hostile!r}: not a faction id (SDF, ISIS) or in faction_map",
        "2017-02-01.geojson: feature 1: has no geometry (null)",
    ]
    assert tab.locator("#upload-result img").count() == 0
    assert tab.title() != "pwned"
    assert not (instance / "theatres" / "other").exists()
    assert tab.errors == []


def _file(name: str, text: str):
    from layers.core.import_config import InputFile

    return InputFile(name, text.encode())
