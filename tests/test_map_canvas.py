"""The threshold from which a layer part is drawn on the shared canvas (layers/features/map_view.py)."""

from __future__ import annotations

import pytest

from layers.features import map_view


def test_the_default_and_an_override(monkeypatch):
    monkeypatch.delenv(map_view.CANVAS_ENV, raising=False)
    assert map_view.canvas_from() == 1000
    monkeypatch.setenv(map_view.CANVAS_ENV, "25")
    assert map_view.canvas_from() == 25


@pytest.mark.parametrize("raw", ["many", "", "0", "-3", "1.5"])
def test_a_bad_value_is_named(monkeypatch, raw):
    monkeypatch.setenv(map_view.CANVAS_ENV, raw)
    with pytest.raises(ValueError, match=f"{map_view.CANVAS_ENV}: '{raw}' is not a whole number"):
        map_view.canvas_from()
