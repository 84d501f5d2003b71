"""The theatre's config file (layers/core/import_config.py): TOML and JSON, the CRS it names for files without one,
its bounded dates, the documented example, and damaged copies that never crash."""

from __future__ import annotations

import json
import re

import pytest

from layers.core import DatasetError, Problem, imports, load_dataset
from layers.core import geocheck as gc
from layers.core.import_config import InputFile, read_config
from tests.conftest import ROOT
from tests.import_inputs import CONFIG, GOOD_SNAPSHOT, SNAP, UTM_WEST, _damaged, config_file, feat, gj, poly, raw


def test_config_names_the_crs_of_files_without_one(tmp_path):
    metres = gj(SNAP, feat(poly([UTM_WEST + UTM_WEST[:1]])))
    imported = imports.prepare(config_file(CONFIG + '\n[inputs]\ncrs = "EPSG:32637"\n'), [metres])
    assert imported.warnings == []
    imports.save(imported, tmp_path / "t")
    (override,) = load_dataset(tmp_path / "t").overrides
    w, s, e, n = override.geometry.bounds
    assert (round(w, 2), round(s, 2), round(e, 2), round(n, 2)) == (39.0, 35.92, 39.1, 36.02)


def test_json_config_and_polygon_aoi(tmp_path):
    cfg = {
        "name": "JSON theatre",
        "slug": "json-theatre",
        "start": "2017-01-01",
        "end": "2017-12-31",
        "source_url": "https://example.org/",
        "aoi": {"polygon": [[38.9, 35.9], [39.1, 35.9], [39.1, 36.0], [38.9, 36.0]]},
        "factions": [{"id": "SDF", "label": "SDF", "colour": "#E8B70E"}, {"id": "ISIS", "color": "#3a3a3a"}],
        "faction_map": {"Daesh": "ISIS"},
    }
    imported = imports.prepare(raw("theatre.json", json.dumps(cfg)), [GOOD_SNAPSHOT])
    assert imported.config.slug == "json-theatre"
    assert imported.config.factions[0] == {"id": "SDF", "label": "SDF", "color": "#e8b70e"}
    imports.save(imported, tmp_path / "t")
    assert load_dataset(tmp_path / "t").theatre["max_cell_radius_km"] == 0


@pytest.mark.parametrize(
    "start, end, message",
    [
        ("0001-01-01", "9999-12-31", "dates must lie between 1900-01-01 and 2100-12-31 (got 0001-01-01 .. 9999-12-31)"),
        ("1950-01-01", "2010-01-01", "1950-01-01 .. 2010-01-01 spans 21,915 days: a theatre spans at most 18,300 days"),
    ],
)
def test_theatre_dates_are_bounded_in_the_config(start, end, message):
    cfg = CONFIG.replace("start = 2017-01-01", f"start = {start}").replace('end = "2017-12-31"', f'end = "{end}"')
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(cfg), [GOOD_SNAPSHOT])
    assert err.value.problems == [Problem("theatre.toml", "start/end", message)]


def test_the_documented_config_example_is_valid():
    text = (ROOT / "docs" / "import.md").read_text()
    example = re.search(r"```toml\n(.*?)```", text, flags=re.S).group(1)
    found = gc.Findings()
    config = read_config(InputFile("theatre.toml", example.encode()), found)
    assert found.errors == [] and config is not None
    assert (config.slug, config.faction_id("daesh"), config.faction_id("YPG/SDF")) == ("raqqa-analyst", "ISIS", "SDF")
    assert config.input_crs == "EPSG:32637" and config.skip_other_geometries is False


@pytest.mark.parametrize("seed", range(12))
def test_damaged_configs_never_crash(seed):
    cfg = InputFile("theatre.toml", _damaged(CONFIG.encode(), seed))
    try:
        imports.prepare(cfg, [GOOD_SNAPSHOT])
    except DatasetError as exc:
        assert exc.problems
