"""Loading and validation: every malformed input gives a problem naming the file, the row or feature, and
what is wrong; a good dataset loads whole."""

from __future__ import annotations

import json

import pytest

from layers.core import DatasetError, load_dataset
from layers.core.dataset import is_http_url
from tests.conftest import TINY_LEDGER, event_row, ledger_row, make_theatre


def test_tiny_theatre_loads(tiny_dir):
    ds = load_dataset(tiny_dir)
    assert set(ds.places) == {"n1", "n2", "s1"}
    assert [r.row_id for r in ds.ledger][:3] == ["B1", "B2", "B3"]
    assert ds.faction_ids == ("SDF", "ISIS", "Syrian government", "contested")
    assert [e.event_id for e in ds.events] == ["E1", "E2"]


def _edit_json(path, fn):
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


def _place(i):
    return lambda d: d["features"][i]


# (case id, how to break the tiny theatre, file, item, words in the message)
CASES = [
    (
        "ledger-unknown-place",
        {"ledger": TINY_LEDGER + [ledger_row("X1", "2017-05-01", "nowhere", "SDF")]},
        "ledger.csv",
        "line 8 (X1)",
        "unknown place_id 'nowhere'",
    ),
    (
        "ledger-bad-holder",
        {"ledger": [ledger_row("X1", "2017-05-01", "n1", "SFD")]},
        "ledger.csv",
        "line 2 (X1)",
        "holder 'SFD' is not one of the factions",
    ),
    (
        "ledger-no-source",
        {"ledger": [ledger_row("X1", "2017-05-01", "n1", "SDF", source_url="")]},
        "ledger.csv",
        "line 2 (X1)",
        "source_url is empty",
    ),
    (
        "ledger-javascript-url",
        {"ledger": [ledger_row("X1", "2017-05-01", "n1", "SDF", source_url="javascript:alert(1)")]},
        "ledger.csv",
        "line 2 (X1)",
        "is not an http(s) URL",
    ),
    (
        "ledger-bad-date",
        {"ledger": [ledger_row("X1", "2017-13-01", "n1", "SDF")]},
        "ledger.csv",
        "line 2 (X1)",
        "is not an ISO date",
    ),
    (
        "ledger-date-outside",
        {"ledger": [ledger_row("X1", "2018-02-01", "n1", "SDF")]},
        "ledger.csv",
        "line 2 (X1)",
        "outside the campaign",
    ),
    (
        "ledger-duplicate-id",
        {"ledger": [ledger_row("X1", "2017-02-01", "n1", "SDF"), ledger_row("X1", "2017-03-01", "n1", "ISIS")]},
        "ledger.csv",
        "line 3 (X1)",
        "duplicate row_id",
    ),
    (
        "ledger-bad-confidence",
        {"ledger": [ledger_row("X1", "2017-02-01", "n1", "SDF", confidence="sure")]},
        "ledger.csv",
        "line 2 (X1)",
        "confidence 'sure' is not one of high, medium, low",
    ),
    (
        "event-unknown-place",
        {"events": [event_row("E9", "2017-02-01", "atlantis")]},
        "events.csv",
        "line 2 (E9)",
        "unknown place_id 'atlantis'",
    ),
    (
        "event-unknown-ledger-row",
        {"events": [event_row("E9", "2017-02-01", "n1", ledger_rows="T99")]},
        "events.csv",
        "line 2 (E9)",
        "unknown row 'T99'",
    ),
    (
        "event-no-title",
        {"events": [event_row("E9", "2017-02-01", "n1", title="")]},
        "events.csv",
        "line 2 (E9)",
        "has no title",
    ),
]


@pytest.mark.parametrize("case, change, file, item, words", CASES, ids=[c[0] for c in CASES])
def test_bad_rows_are_named(tmp_path, case, change, file, item, words):
    folder = make_theatre(tmp_path / case, **change)
    with pytest.raises(DatasetError) as err:
        load_dataset(folder)
    assert any(p.file == file and p.item == item and words in p.message for p in err.value.problems), err.value.problems


GEOJSON_CASES = [
    (
        "place-nan",
        lambda p: p.write_text(p.read_text().replace("38.95", "NaN")),
        "places.geojson",
        "file",
        "NaN is not allowed",
    ),
    (
        "place-swapped-range",
        lambda p: _edit_json(p, lambda d: _place(0)(d)["geometry"].update(coordinates=[95.0, 200.0])),
        "places.geojson",
        "feature 0 (n1)",
        "outside lon ±180 / lat ±90",
    ),
    (
        "place-polygon",
        lambda p: _edit_json(
            p,
            lambda d: _place(1)(d).update(
                geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
            ),
        ),
        "places.geojson",
        "feature 1 (n2)",
        "must be a Point",
    ),
    (
        "place-duplicate-id",
        lambda p: _edit_json(p, lambda d: _place(1)(d)["properties"].update(id="n1")),
        "places.geojson",
        "feature 1 (n1)",
        "duplicate place id",
    ),
    (
        "place-no-geometry",
        lambda p: _edit_json(p, lambda d: _place(2)(d).update(geometry=None)),
        "places.geojson",
        "feature 2 (s1)",
        "has no geometry",
    ),
    (
        "place-legacy-crs",
        lambda p: _edit_json(p, lambda d: d.update(crs={"type": "name", "properties": {"name": "EPSG:3857"}})),
        "places.geojson",
        "crs",
        "RFC 7946",
    ),
    ("place-not-json", lambda p: p.write_text("{not json"), "places.geojson", "file", "not valid JSON"),
    (
        "place-not-collection",
        lambda p: p.write_text('{"type": "Feature"}'),
        "places.geojson",
        "file",
        "FeatureCollection",
    ),
    (
        "place-bad-confidence",
        lambda p: _edit_json(p, lambda d: _place(0)(d)["properties"].update(confidence="certain")),
        "places.geojson",
        "feature 0 (n1)",
        "confidence 'certain'",
    ),
    (
        "place-string-coordinates",
        lambda p: _edit_json(p, lambda d: _place(0)(d)["geometry"].update(coordinates=["38.9", "35.9"])),
        "places.geojson",
        "feature 0 (n1)",
        "geometry cannot be read",
    ),
]


@pytest.mark.parametrize("case, breaker, file, item, words", GEOJSON_CASES, ids=[c[0] for c in GEOJSON_CASES])
def test_bad_geojson_is_named(tiny_dir, case, breaker, file, item, words):
    breaker(tiny_dir / file)
    with pytest.raises(DatasetError) as err:
        load_dataset(tiny_dir)
    assert any(p.file == file and p.item == item and words in p.message for p in err.value.problems), err.value.problems


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    ledger = [ledger_row("X1", "2017-02-01", "nowhere", "SDF"), ledger_row("X2", "bad", "n1", "???")]
    with pytest.raises(DatasetError) as err:
        load_dataset(make_theatre(tmp_path / "t", ledger=ledger))
    assert len([p for p in err.value.problems if p.file == "ledger.csv"]) == 3
    assert "3 problem(s)" in str(err.value) or "problem(s)" in str(err.value)


def test_missing_file_is_named(tiny_dir):
    (tiny_dir / "ledger.csv").unlink()
    with pytest.raises(DatasetError) as err:
        load_dataset(tiny_dir)
    assert ("ledger.csv", "file", "missing") in [(p.file, p.item, p.message) for p in err.value.problems]


def test_missing_csv_column_is_named(tiny_dir):
    text = (tiny_dir / "ledger.csv").read_text().replace("holder,", "owner,", 1)
    (tiny_dir / "ledger.csv").write_text(text)
    with pytest.raises(DatasetError) as err:
        load_dataset(tiny_dir)
    assert any(p.file == "ledger.csv" and "missing column(s): holder" in p.message for p in err.value.problems)


def test_a_failed_load_leaves_the_loaded_dataset_untouched(tiny_dir, tmp_path):
    good = load_dataset(tiny_dir)
    before = (dict(good.places), good.ledger, good.events)
    bad = make_theatre(tmp_path / "bad", ledger=[ledger_row("X1", "2017-02-01", "nowhere", "SDF")])
    with pytest.raises(DatasetError):
        load_dataset(bad)
    assert (dict(good.places), good.ledger, good.events) == before
    with pytest.raises(TypeError):
        good.places["n9"] = good.places["n1"]  # read-only mapping


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://en.wikipedia.org/wiki/Raqqa", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.org/x", False),
        ("ftp://example.org/x", False),
        ("https://", False),
        ("https://exa mple.org", False),
        ("", False),
    ],
)
def test_only_http_links_pass(url, ok):
    assert is_http_url(url) is ok
