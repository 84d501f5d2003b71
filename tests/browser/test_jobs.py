"""Long work in the browser: the campaign GIF shows its frames advancing, Cancel stops the job and frees its
slot, a busy server says so, and a theatre that cannot be derived gets a page that says why."""

from __future__ import annotations

import datetime as dt

import pytest

from layers.server import jobs
from tests.browser.conftest import rendered
from tests.conftest import make_theatre, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    return tmp_path_factory.mktemp("jobs-instance")


@pytest.fixture(scope="module")
def one_slot_url(app_with_env, instance):
    """The app with its own instance folder (no frames drawn yet) and one heavy-job slot for the server."""
    return app_with_env(RAQQA_INSTANCE=str(instance), RAQQA_MAX_JOBS="1")


def slot_free(instance, monkeypatch) -> bool:
    monkeypatch.setenv("RAQQA_INSTANCE", str(instance))
    monkeypatch.setenv("RAQQA_MAX_JOBS", "1")
    try:
        with jobs.heavy_slot():
            return True
    except jobs.Busy:
        return False


def open_data_tab(page, url) -> None:
    page.goto(url)
    rendered(page)
    page.click("[role=tab]:has-text('Data')")
    page.wait_for_selector(".export-button")


def progress(page) -> int:
    return int(page.evaluate("Number(document.getElementById('export-progress').value)"))


def test_the_gif_shows_its_progress_and_cancel_stops_the_job(page, one_slot_url, instance, monkeypatch):
    open_data_tab(page, one_slot_url)
    assert page.locator("#export-job").is_hidden()
    page.get_by_role("button", name="Animation (GIF)").click()
    page.wait_for_selector("#export-job:not([hidden])")
    page.wait_for_function("Number(document.getElementById('export-progress').value) >= 1", timeout=60_000)
    first = progress(page)
    total = int(page.evaluate("Number(document.getElementById('export-progress').max)"))
    assert total > 1
    page.wait_for_function(f"Number(document.getElementById('export-progress').value) > {first}", timeout=60_000)
    assert page.locator("#export-progress-text").inner_text().startswith("Drawing frame ")
    assert page.locator(".export-button").first.is_disabled()
    assert not slot_free(instance, monkeypatch)  # the job holds the server's only slot

    page.get_by_role("button", name="Cancel").click()
    page.wait_for_selector("#export-job[hidden]", state="attached", timeout=30_000)
    assert wait_for(lambda: slot_free(instance, monkeypatch))  # the job's process ended: its lock is gone
    assert page.locator(".export-button").first.is_enabled()
    assert not page.locator("#export-status").inner_text().startswith("Saved")
    assert page.errors == []


def test_a_busy_server_says_so_instead_of_failing(page, one_slot_url, instance, monkeypatch):
    open_data_tab(page, one_slot_url)
    monkeypatch.setenv("RAQQA_INSTANCE", str(instance))
    monkeypatch.setenv("RAQQA_MAX_JOBS", "1")
    with jobs.heavy_slot():  # another job holds the only slot
        page.get_by_role("button", name="Image of this view (PNG)").click()
        page.wait_for_function("document.getElementById('export-status').textContent.includes('busy')")
    assert page.locator("#export-status").inner_text() == f"Export not made: {jobs.BUSY}"
    assert page.errors == []


def test_a_theatre_that_cannot_be_derived_gets_a_page_with_a_way_back(page, app_with_env, tmp_path):
    """1,800 override polygons over 300 dates: more applications than the derivation allows."""
    square = {"type": "Polygon", "coordinates": [[[38.93, 35.96], [38.97, 35.96], [38.97, 35.99], [38.93, 35.96]]]}
    start = dt.date(2017, 1, 1)
    overrides = [
        {
            "type": "Feature",
            "geometry": square,
            "properties": {"id": f"O{d}-{k}", "holder": "SDF", "valid_from": str(start + dt.timedelta(days=d)),
                           "valid_to": "2017-12-31", "ledger_rows": ["T3"], "note": "test"},
        }
        for d in range(300)
        for k in range(6)
    ]  # fmt: skip
    make_theatre(tmp_path / "instance" / "theatres" / "failing-theatre", overrides=overrides)
    url = app_with_env(RAQQA_INSTANCE=str(tmp_path / "instance"))
    page.goto(url + "?theatre=failing-theatre")
    page.wait_for_selector("#theatre-failed")
    assert page.locator("#theatre-failed h1").inner_text() == "This theatre cannot be opened"
    problems = page.locator("#theatre-failed .theatre-problems li").all_inner_texts()
    assert len(problems) == 1 and problems[0].startswith(
        "overrides.geojson: file: 1,800 override polygons would be applied more than 200,000 times"
    )
    page.locator("#theatre-failed-back").click()
    page.wait_for_url(url)
    rendered(page)  # the bundled theatre opens again
    assert page.errors == []
