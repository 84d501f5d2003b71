"""CRS strings of an import (layers/core/geocrs.py): those that name or make PROJ read a file never reach PROJ."""

from __future__ import annotations

import json

import pytest

from layers.core import DatasetError, Problem, geocrs, imports
from tests.import_inputs import CONFIG, GOOD_SNAPSHOT, SNAP, WEST, config_file, feat, gj


@pytest.mark.parametrize(
    "name, why",
    [
        ("+init=/etc/passwd", geocrs.READS_A_FILE),
        ("+proj=longlat +datum=WGS84 +nadgrids=/etc/passwd", geocrs.READS_A_FILE),
        ("+proj=pipeline +step +proj=hgridshift +grids=/etc/passwd", geocrs.READS_A_FILE),
        ("/etc/passwd", "is a file path, not a CRS: give an authority code such as EPSG:32637"),
        ("file:///etc/passwd", "is a file path, not a CRS: give an authority code such as EPSG:32637"),
    ],
)
def test_crs_strings_that_read_files_never_reach_proj(monkeypatch, name, why):
    real = geocrs.CRS.from_user_input
    seen = lambda value, *a, **k: pytest.fail("PROJ saw the string") if value == name else real(value, *a, **k)  # noqa: E731
    monkeypatch.setattr(geocrs.CRS, "from_user_input", seen)
    legacy = gj(SNAP, feat(WEST), crs={"type": "name", "properties": {"name": name}})
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [legacy])
    assert err.value.problems == [Problem(SNAP, "crs", f"CRS {name!r} {why}")]
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(CONFIG + f"\n[inputs]\ncrs = {json.dumps(name)}\n"), [GOOD_SNAPSHOT])
    assert err.value.problems == [Problem("theatre.toml", "inputs.crs", f"CRS {name!r} {why}")]
