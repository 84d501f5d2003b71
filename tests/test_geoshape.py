"""Snapshot geometry (layers/core/geoshape.py): a repaired polygon is stored repaired."""

from __future__ import annotations

from layers.core import imports, load_dataset
from tests.import_inputs import EAST, SNAP, WEST, config_file, feat, gj


def test_repairs_are_stored_repaired(tmp_path):
    snap = gj(SNAP, feat({"type": "Polygon", "coordinates": [WEST["coordinates"][0][:-1]]}), feat(EAST, "ISIS"))
    imports.save(imports.prepare(config_file(), [snap]), tmp_path / "t")
    ds = load_dataset(tmp_path / "t")
    assert all(o.geometry.is_valid and o.geometry.exterior.is_ccw for o in ds.overrides)
