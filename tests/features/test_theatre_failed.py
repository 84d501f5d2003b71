"""A theatre that cannot be derived: a page naming its file and problem with a way back, derived at most once
(the failure is kept for every worker until its files change)."""

from __future__ import annotations

import json
import os

import pytest
from dash import html

from layers.features import page
from layers.server import context as context_module
from layers.server.context import theatre_failure
from tests.conftest import make_theatre
from tests.conftest import strings as texts

SLUG = "failing-theatre"


def find(component, kind):
    if isinstance(component, list):
        return [x for c in component for x in find(c, kind)]
    own = [component] if isinstance(component, kind) else []
    children = getattr(component, "children", None)
    return own + (find(children, kind) if children is not None and not isinstance(children, str) else [])


@pytest.fixture
def failing(tmp_path, monkeypatch):
    """An imported theatre whose overrides exceed the derivation budget (lowered here to 5 applications)."""
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path / "instance"))
    square = {"type": "Polygon", "coordinates": [[[38.93, 35.96], [38.97, 35.96], [38.97, 35.99], [38.93, 35.96]]]}
    overrides = [
        {
            "type": "Feature",
            "geometry": square,
            "properties": {"id": f"O{i}", "holder": "SDF", "valid_from": f"2017-04-0{i + 1}",
                           "valid_to": "2017-04-30", "ledger_rows": ["T3"], "note": "test"},
        }
        for i in range(3)
    ]  # fmt: skip
    folder = make_theatre(tmp_path / "instance" / "theatres" / SLUG, overrides=overrides)
    monkeypatch.setattr("layers.core.overrides.MAX_OVERRIDE_APPLICATIONS", 5)
    # the derivation runs here rather than in a background process, so the lowered budget reaches it
    monkeypatch.setattr(context_module, "start_derivation", context_module.derive_stored)
    context_module.context.cache_clear()
    yield folder
    context_module.context.cache_clear()


def test_a_failing_theatre_gets_a_page_naming_its_file_and_problem(failing):
    children, slug = page.switch_theatre(f"?theatre={SLUG}", "")
    assert slug == SLUG
    shown = texts(children)
    assert shown[0] == "This theatre cannot be opened"
    assert "overrides.geojson: file: 3 override polygons would be applied more than 5 times" in shown[2]
    (back,) = find(children, html.A)
    assert back.href == "/" and back.children == "Back to " + context_module.context().dataset.theatre["name"]


def test_the_failure_is_kept_so_no_worker_derives_it_again(failing, monkeypatch):
    page.switch_theatre(f"?theatre={SLUG}", "")
    assert [p.file for p in theatre_failure(SLUG)] == ["overrides.geojson"]

    def no_derivation(*_a, **_k):
        raise AssertionError("derived again")

    monkeypatch.setattr(context_module, "Territory", no_derivation)  # a failed theatre is never cached as loaded
    children, _ = page.switch_theatre(f"?theatre={SLUG}", "")
    assert texts(children)[0] == "This theatre cannot be opened"

    # once its files change, it is tried again
    theatre_json = failing / "theatre.json"
    data = json.loads(theatre_json.read_text())
    theatre_json.write_text(json.dumps({**data, "name": "Renamed"}))
    os.utime(theatre_json, ns=(1, 1))
    assert theatre_failure(SLUG) == []
    with pytest.raises(AssertionError, match="derived again"):
        page.switch_theatre(f"?theatre={SLUG}", "")


def test_a_missing_theatre_still_changes_nothing(failing):
    from dash import no_update

    assert page.switch_theatre("?theatre=no-such-theatre", "") == (no_update, no_update)
