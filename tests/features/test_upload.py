"""Upload of a theatre in the app (layers/features/upload.py, the callback called as a plain function) and the
theatre store it writes to (layers/server/store.py)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from layers.core import load_dataset
from layers.core.import_config import InputFile
from layers.features import upload as upload_module
from layers.features.upload import display_name, handle_upload
from layers.server import store
from layers.server.store import theatre_folder
from tests.conftest import strings as texts
from tests.import_inputs import (
    AOI,
    CONFIG,
    F0,
    GOOD_SNAPSHOT,
    SNAP,
    WEST,
    acled,
    acled_row,
    config_file,
    feat,
    gj,
    raw,
    sq,
    tree,
)


def data_url(f: InputFile) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(f.data).decode()


def upload(*files: InputFile, names: list | None = None):
    return handle_upload(print, [data_url(f) for f in files], names if names is not None else [f.name for f in files])


def links(component) -> list[str]:
    if isinstance(component, list):
        return [h for c in component for h in links(c)]
    own = [component.href] if getattr(component, "href", None) else []
    children = getattr(component, "children", None)
    return own + (links(children) if isinstance(children, list) else [])


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path / "instance"))
    return tmp_path / "instance"


def test_upload_imports_and_links_to_the_theatre(instance):
    children, contents = upload(config_file(), GOOD_SNAPSHOT, acled(acled_row()))
    assert contents is None  # cleared: the files are not sent again
    assert links(children) == ["/?theatre=test-theatre"]
    assert texts(children)[0] == "Imported Test theatre: 2 snapshot polygons, 1 snapshot dates, 1 events, 3 places."
    folder = theatre_folder("test-theatre")
    assert folder == instance / "theatres" / "test-theatre"
    assert len(load_dataset(folder).overrides) == 2
    assert sorted(p.name for p in folder.parent.iterdir()) == ["test-theatre"]  # no temp folder left
    manifest = json.loads((folder / "sources" / "upload" / "manifest.json").read_text())
    assert [(m["file"], m["name"]) for m in manifest] == [
        ("01.toml", "theatre.toml"),
        ("02.geojson", SNAP),
        ("03.csv", "acled.csv"),
    ]
    assert (folder / "sources" / "upload" / "02.geojson").read_bytes() == GOOD_SNAPSHOT.data


def test_upload_shows_flagged_repairs(instance):
    snap = gj(SNAP, feat({"type": "Polygon", "coordinates": [WEST["coordinates"][0][:-1]]}))
    children, _ = upload(config_file(), snap)
    assert f"{SNAP}: {F0}: ring was not closed (first position != last): closed it" in texts(children)


def test_upload_failure_lists_every_problem_as_text(instance):
    upload(config_file(), GOOD_SNAPSHOT)
    folder = theatre_folder("test-theatre")
    before = tree(folder)
    hostile = "<img src=x onerror=alert(1)>"
    children, contents = upload(
        config_file(CONFIG.replace('name = "Test theatre"', 'name = "Other"')),
        gj(SNAP, feat(WEST, hostile), feat(None)),
    )
    assert contents is None and links(children) == []
    shown = texts(children)
    assert shown == [
        "Not imported: 2 problem(s). Nothing was written.",
        f"{SNAP}: {F0}: unknown faction '{hostile}': not a faction id (SDF, ISIS) or in faction_map",
        f"{SNAP}: feature 1: has no geometry (null)",
    ]
    assert theatre_folder("other") is None
    assert tree(folder) == before


def test_upload_never_replaces_an_imported_theatre(instance):
    upload(config_file(), GOOD_SNAPSHOT)
    folder = theatre_folder("test-theatre")
    before = tree(folder)
    children, _ = upload(config_file(), gj("2017-05-01.geojson", feat(sq(*AOI))))
    assert texts(children)[1] == (
        "theatre.toml: slug: a theatre 'test-theatre' already exists: set another slug in the config"
    )
    assert tree(folder) == before


@pytest.mark.parametrize(
    "contents, names, message",
    [
        (None, None, "upload: files: no files received"),
        ({"$ne": 1}, ["a.geojson"], "upload: files: no files received"),
        (["data:text/plain;base64,@@@"], [SNAP], f"{SNAP}: file: not a base64 data URL: the upload is damaged"),
        (["no comma here"], ["theatre.toml"], "theatre.toml: file: not a base64 data URL: the upload is damaged"),
        ([data_url(GOOD_SNAPSHOT)], [SNAP],
         "upload: config: upload exactly one config file (.toml or .json); found none"),
        ([data_url(config_file())] * 2, ["a.toml", "b.toml"],
         "upload: config: upload exactly one config file (.toml or .json); found a.toml, b.toml"),
        ([data_url(config_file()), data_url(raw("x.png", b"\x89PNG\r\n\x1a\n"))], ["theatre.toml", "../../x.png"],
         "x.png: file: unsupported file type '.png': expected .geojson, .gpkg, .kml, .kmz or .csv"),
    ],
)  # fmt: skip
def test_upload_rejects_bad_requests(instance, contents, names, message):
    children, _ = handle_upload(print, contents, names)
    assert message in texts(children)
    assert not (instance / "theatres").exists() or not any((instance / "theatres").iterdir())


def test_upload_refuses_more_theatres_than_the_limit(instance, monkeypatch):
    monkeypatch.setattr(store, "MAX_THEATRES", 1)
    upload(config_file(), GOOD_SNAPSHOT)
    children, _ = upload(config_file(CONFIG.replace('name = "Test theatre"', 'name = "Second"')), GOOD_SNAPSHOT)
    assert texts(children)[1] == "upload: theatres: already 1 imported theatres: remove some"
    assert theatre_folder("second") is None


def test_upload_size_is_checked_before_decoding(instance, monkeypatch):
    monkeypatch.setattr(upload_module, "MAX_REQUEST_BYTES", 100)
    children, _ = upload(config_file(), GOOD_SNAPSHOT)
    assert texts(children)[1] == "upload: files: larger than 20 MiB in all"


def test_upload_accepts_a_json_config_beside_geojson(instance):
    cfg = {
        "name": "JSON upload",
        "start": "2017-01-01",
        "end": "2017-12-31",
        "source_url": "https://example.org/",
        "aoi": {"bbox": list(AOI)},
        "factions": [{"id": "SDF", "color": "#e8b70e"}, {"id": "ISIS", "color": "#3a3a3a"}],
        "faction_map": {"Daesh": "ISIS"},
    }
    children, _ = upload(raw("theatre.json", json.dumps(cfg)), GOOD_SNAPSHOT)
    assert links(children) == ["/?theatre=json-upload"]


@pytest.mark.parametrize(
    "slug", ["../theatres/x", "test-theatre\n", "Test-theatre", "", "-x", "a" * 64, "a/b", None, 5, "x"]
)
def test_theatre_folder_accepts_only_valid_existing_slugs(instance, slug):
    upload(config_file(), GOOD_SNAPSHOT)
    assert theatre_folder("test-theatre") is not None
    assert theatre_folder(slug) is None


@pytest.mark.parametrize(
    "raw_name, shown",
    [("../../geodata/base.geojson", "base.geojson"), ("C:\\x\\a.csv", "a.csv"), ("a\x00b\u202e.kml", "ab.kml"),
     ("", "file 1"), (None, "file 1"), ("n" * 300, "n" * 100)],
)  # fmt: skip
def test_client_file_names_are_only_shown(raw_name, shown):
    assert display_name(raw_name, 0) == shown


def test_a_million_empty_rows_give_a_short_answer(instance):
    from tests.import_inputs import ACLED_HEADER

    empty = raw("acled.csv", ACLED_HEADER + "\n" + "," * 17 + "\n" * 1 + ("," * 17 + "\n") * 999_999)
    children, _ = upload(config_file(), empty)
    shown = texts(children)
    assert shown[0].startswith("Not imported: ") and "Nothing was written." in shown[0]
    assert "inputs: check: stopped after 1,000 errors: the rest was not checked" in shown
    assert len(json.dumps(children, default=lambda c: c.to_plotly_json())) < 20_000
    assert theatre_folder("test-theatre") is None


def test_twenty_thousand_problems_are_listed_flat_and_capped():
    from layers.core import Problem
    from layers.features.problems import MAX_FILES, MAX_PER_FILE

    problems = [Problem(f"file{i % 12}.csv", f"line {i}", "has no event_id_cnty") for i in range(20_000)]
    (head, ul) = upload_module.failure(problems)
    assert head.children == "Not imported: 20,000 problem(s). Nothing was written."
    lines = [li.children for li in ul.children]
    assert all(isinstance(line, str) for line in lines)  # one level: a list of text, nothing nested
    assert len(lines) == MAX_FILES * (MAX_PER_FILE + 1) + 1
    assert lines[: MAX_PER_FILE + 1] == [str(p) for p in problems[: 12 * MAX_PER_FILE : 12]] + [
        f"… and {20_000 // 12 + 1 - MAX_PER_FILE:,} more in file0.csv"
    ]
    assert lines[-1] == f"… and {sum(1 for i in range(20_000) if i % 12 >= MAX_FILES):,} more in 2 other file(s)"


def test_a_theatre_whose_map_cannot_be_derived_is_refused_and_nothing_is_written(instance, monkeypatch):

    monkeypatch.setattr("layers.core.overrides.MAX_OVERRIDE_APPLICATIONS", 1)
    children, _ = upload(config_file(), GOOD_SNAPSHOT)
    shown = texts(children)
    assert shown[0] == "Not imported: 1 problem(s). Nothing was written."
    assert shown[1].startswith("overrides.geojson: file: 2 override polygons would be applied more than 1 times")
    assert theatre_folder("test-theatre") is None
    assert not (instance / "theatres").exists() or list((instance / "theatres").iterdir()) == []


def test_an_upload_on_a_busy_server_is_refused_with_a_message(instance, monkeypatch):
    from layers.server import jobs

    monkeypatch.setenv("RAQQA_MAX_JOBS", "1")
    with jobs.heavy_slot():
        children, _ = upload(config_file(), GOOD_SNAPSHOT)
    assert texts(children) == [f"Not imported: {jobs.BUSY} Nothing was written."]
    assert theatre_folder("test-theatre") is None


def test_the_upload_reports_its_stages(instance):
    stages = []
    handle_upload(stages.append, [data_url(config_file()), data_url(GOOD_SNAPSHOT)], ["theatre.toml", SNAP])
    assert stages == ["Reading the files…", "Checking 2 file(s)…", "Deriving the map…"]
    assert theatre_folder("test-theatre") is not None
