"""The upload component in a real browser: dropping files imports a theatre or lists every problem as text."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serve_app
from tests.import_inputs import CONFIG, GOOD_SNAPSHOT, WEST, feat, gj

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory):
    """The app with an empty instance folder of its own; its Data tab has the upload."""
    instance = tmp_path_factory.mktemp("instance")
    with serve_app(RAQQA_INSTANCE=str(instance)) as url:
        yield url, instance


@pytest.fixture
def tab(browser_context):
    pg = browser_context.new_page()
    pg.errors = []
    pg.on("requestfailed", lambda r: pg.errors.append(r.url))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()


JOB_WAIT_MS = 90_000  # an import is a background job; a busy 2-core machine may take a while to start it


def _result(tab) -> str:
    """The upload's result once it is shown (its first line: imported, or not and why)."""
    tab.locator("#upload-result p").first.wait_for(timeout=JOB_WAIT_MS)
    return tab.inner_text("#upload-result")


def _drop(tab, *files):
    tab.click("[role=tab]:has-text('Data')")
    payload = [{"name": f.name, "mimeType": "application/octet-stream", "buffer": f.data} for f in files]
    tab.set_input_files("#upload-files input[type=file]", payload)


def test_dropping_a_theatre_imports_it_and_links_to_it(tab, upload_app):
    url, instance = upload_app
    tab.goto(url)
    _drop(tab, _file("theatre.toml", CONFIG), GOOD_SNAPSHOT)
    assert _result(tab).startswith("Imported Test theatre"), _result(tab)
    assert tab.get_attribute("#upload-result a", "href") == "/?theatre=test-theatre"
    assert (instance / "theatres" / "test-theatre" / "theatre.json").is_file()
    assert tab.errors == []


def test_a_bad_drop_lists_its_problems_as_text(tab, upload_app):
    url, instance = upload_app
    tab.goto(url)
    hostile = "<img src=x onerror=document.title='pwned'>"
    snapshot = gj("2017-02-01.geojson", feat(WEST, hostile), feat(None))
    _drop(tab, _file("theatre.toml", CONFIG.replace("Test theatre", "Other")), snapshot)
    assert _result(tab).startswith("Not imported: 2 problem(s)."), _result(tab)
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
