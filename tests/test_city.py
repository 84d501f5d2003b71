"""The city view's data and derivation (layers.core.city): loading and checking the city folder, the cells,
and the city's state on a day (timeline.state_on on the ``city`` tables) against the city ledger itself."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
import shapely

from layers.core import DatasetError, Territory, load_dataset
from layers.core.city import DISTRICT_COLUMNS, is_alternative
from layers.core.dataset import LEDGER_COLUMNS
from layers.core.timeline import build_timeline, state_on
from tests.conftest import box, fc, ledger_row, make_theatre, write_csv

D = dt.date
DIST_COLUMNS = (*DISTRICT_COLUMNS, "coord_confidence")
# three districts in the tiny theatre's north bank, and a landmark between them
TINY_DISTRICTS = [
    {"district_id": "west", "name_en": "West", "kind": "district", "lat": "35.97", "lon": "38.96"},
    {"district_id": "east", "name_en": "East", "kind": "district", "lat": "35.97", "lon": "39.04"},
    {"district_id": "north", "name_en": "North", "kind": "district", "lat": "35.99", "lon": "39.0"},
    {"district_id": "mosque", "name_en": "Mosque", "kind": "landmark", "lat": "35.975", "lon": "39.0"},
    {"district_id": "unplaced", "name_en": "Unplaced", "kind": "district", "lat": "", "lon": ""},
]
CITY_BOX = (38.93, 35.955, 39.07, 35.995)


def _district(d):
    placed = bool(d["lat"])
    row = {c: "" for c in DIST_COLUMNS}
    row.update(d, coord_confidence="low" if placed else "none", coord_source="test gazetteer" if placed else "")
    return row


def _city_rows():
    return [
        ledger_row("C1", "2017-06-05", "west", "ISIS", date_precision="by_date"),
        ledger_row("C2", "2017-06-05", "east", "ISIS", date_precision="by_date"),
        ledger_row("C3", "2017-06-05", "north", "ISIS", date_precision="by_date"),
        ledger_row("C4", "2017-06-10", "west", "contested"),
        ledger_row("C5", "2017-07-01", "west", "SDF"),
        # the alternative dating is later than the main row: it must not win
        ledger_row("C6", "2017-07-05", "west", "ISIS", description="ALTERNATIVE: a later report."),
        ledger_row("C7", "2017-08-01", "east", "SDF", confidence="low"),
        ledger_row("C8", "2017-08-01", "mosque", "SDF"),
        ledger_row("C9", "2017-09-01", "unplaced", "SDF"),
    ]


def make_city(folder, districts=None, rows=None, config=None, outline=None):
    city = folder / "city"
    city.mkdir(parents=True, exist_ok=True)
    (city / "city.json").write_text(json.dumps(config or {"name": "Test city", "min_zoom": 13}))
    props = {"id": "c", "name": "Test city", "estimated": True, "basis": "test box"}
    feat = outline if outline is not None else {"type": "Feature", "properties": props, "geometry": box(*CITY_BOX)}
    (city / "outline.geojson").write_text(json.dumps(fc([feat])))
    write_csv(city / "districts.csv", DIST_COLUMNS, [_district(d) for d in (districts or TINY_DISTRICTS)])
    write_csv(city / "ledger.csv", LEDGER_COLUMNS, _city_rows() if rows is None else rows)
    return folder


@pytest.fixture
def city_dir(tmp_path):
    return make_city(make_theatre(tmp_path / "t"))


def _problems(folder) -> list[str]:
    with pytest.raises(DatasetError) as err:
        load_dataset(folder)
    return [str(p) for p in err.value.problems]


def _holders_on(tables, day):
    city = tables["city"]
    st = state_on(city, day)
    return {
        city["places"][ps[0]]["id"]: city["holders"][h]
        for ps, h in zip(city["cell_places"], st["cell_holder"], strict=True)
    }, st


def test_tiny_city_cells_tile_the_outline_and_hold_their_district(city_dir):
    ds = load_dataset(city_dir)
    t = Territory(ds)
    city = build_timeline(t)["city"]
    assert city["min_zoom"] == 13 and city["estimated"] is True
    # cells only for placed districts: the landmark and the unplaced district have rows but no cell
    assert sorted(city["places"][ps[0]]["id"] for ps in city["cell_places"]) == ["east", "north", "west"]
    kinds = {p["id"]: (p["kind"], p["cell"]) for p in city["places"]}
    assert kinds["mosque"] == ("landmark", -1) and kinds["unplaced"] == ("unplaced", -1)
    assert sum(city["cell_km2"]) == pytest.approx(city["outline_km2"], rel=1e-6)
    assert city["outline_km2"] == pytest.approx(t.to_m(shapely.box(*CITY_BOX)).area / 1e6, rel=1e-9)
    assert city["uncovered_km2"] == pytest.approx(0, abs=1e-6)


def test_tiny_city_state_by_hand_and_alternatives_never_colour(city_dir):
    ds = load_dataset(city_dir)
    assert [r.row_id for r in ds.city.alternatives] == ["C6"]
    assert "C6" not in [r.row_id for r in ds.city.rows]
    tables = build_timeline(Territory(ds))
    day = lambda d: (d - ds.start).days  # noqa: E731
    assert _holders_on(tables, day(D(2017, 6, 4)))[0] == {
        "west": "no reporting",
        "east": "no reporting",
        "north": "no reporting",
    }
    assert _holders_on(tables, day(D(2017, 6, 10)))[0] == {"west": "contested", "east": "ISIS", "north": "ISIS"}
    assert _holders_on(tables, day(D(2017, 7, 5)))[0]["west"] == "SDF"  # not the alternative's ISIS
    holders, st = _holders_on(tables, day(D(2017, 8, 1)))
    assert holders == {"west": "SDF", "east": "SDF", "north": "ISIS"}
    km2 = dict(zip(tables["city"]["holders"], st["km2"], strict=True))
    cells = {
        tables["city"]["places"][ps[0]]["id"]: a
        for ps, a in zip(tables["city"]["cell_places"], tables["city"]["cell_km2"], strict=True)
    }
    assert km2["SDF"] == pytest.approx(cells["west"] + cells["east"])
    assert km2["ISIS"] == pytest.approx(cells["north"])
    # the alternative is in the tables, for the tooltips, with its place
    alt = tables["city"]["alternatives"][0]
    assert (alt["id"], tables["city"]["places"][alt["place"]]["id"]) == ("C6", "west")


def _expected(city, date):
    """Each cell district's holder on ``date`` straight from the city ledger (no tables involved)."""
    out = {}
    for d in city.cell_districts():
        rows = [r for r in city.rows if r.place_id == d and r.date <= date]
        out[d] = max(rows, key=lambda r: (r.date, r.line)).holder if rows else "no reporting"
    return out


def test_bundled_city_state_matches_the_ledger_on_every_change_date(bundled):
    tables = build_timeline(Territory(bundled))
    city = bundled.city
    dates = sorted({r.date for r in city.rows} | {r.date - dt.timedelta(days=1) for r in city.rows})
    for date in dates:
        holders, st = _holders_on(tables, (date - bundled.start).days)
        assert holders == _expected(city, date), date
        assert sum(st["km2"]) == pytest.approx(tables["city"]["outline_km2"], rel=1e-6), date


def test_bundled_city_data(bundled):
    city = bundled.city
    assert city.estimated and city.basis.startswith("Estimated")
    assert city.min_zoom == json.loads((bundled.folder / "city" / "city.json").read_text())["min_zoom"]
    # every alternative dating has a main row for the same district: a disagreement, not a lone report
    for alt in city.alternatives:
        assert is_alternative(alt)
        assert any(r.place_id == alt.place_id for r in city.rows), alt.row_id
    # June to October 2017, and every district with rows is ISIS-held at the start and SDF-held on 17 Oct
    assert min(r.date for r in city.rows) == D(2017, 6, 5) and max(r.date for r in city.rows) <= D(2017, 10, 20)
    for d in {r.place_id for r in city.rows}:
        rows = [r for r in city.rows if r.place_id == d]
        assert rows[0].holder == "ISIS", d
        assert [r for r in rows if r.date <= D(2017, 10, 17)][-1].holder == "SDF", d
    # the outline reaches the bundled river and stays near the documented box
    w, s, e, n = city.outline.bounds
    assert (w, e, n) == (38.965, 39.062, 35.978) and 35.92 <= s <= 35.93


def test_no_city_folder_gives_empty_city_tables(tiny):
    tables = build_timeline(tiny)
    assert tiny.ds.city is None and tables["city"] == {}
    assert tables["city_cells"]["features"] == [] and tables["city_outline"]["features"] == []


def _edit_csv(path, edit):
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    edit(rows)
    write_csv(path, list(rows[0]), rows)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2017-13-01", "city/ledger.csv: line 2 (C1): date '2017-13-01' is not an ISO date (YYYY-MM-DD)"),
        ("holder", "Rebels", "city/ledger.csv: line 2 (C1): holder 'Rebels' is not one of the factions"),
        ("source_url", "javascript:alert(1)", "city/ledger.csv: line 2 (C1): source_url 'javascript:alert(1)' is not"),
        ("place_id", "nowhere", "city/ledger.csv: line 2 (C1): unknown place_id 'nowhere' (not in districts.csv)"),
        ("row_id", "B1", "city/ledger.csv: line 2 (B1): row_id 'B1' is already used in ledger.csv"),
        ("date", "2018-01-01", "city/ledger.csv: line 2 (C1): date 2018-01-01 is outside the campaign"),
    ],
)
def test_bad_city_rows_are_named(city_dir, field, value, message):
    _edit_csv(city_dir / "city" / "ledger.csv", lambda rows: rows[0].update({field: value}))
    assert any(p.startswith(message) for p in _problems(city_dir)), _problems(city_dir)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda r: r[0].update(lat="95"),
            "city/districts.csv: line 2 (west): lat/lon '95', '38.96' are not a coordinate",
        ),
        (
            lambda r: r[0].update(lat="nan"),
            "city/districts.csv: line 2 (west): lat/lon 'nan', '38.96' are not a coordinate",
        ),
        (
            lambda r: r[0].update(kind="palace"),
            "city/districts.csv: line 2 (west): kind 'palace' is not one of district",
        ),
        (
            lambda r: r[0].update(district_id="We<st>"),
            "city/districts.csv: line 2 (We<st>): district_id 'We<st>' is not an id",
        ),
        (lambda r: r[1].update(district_id="west"), "city/districts.csv: line 3 (west): duplicate district_id 'west'"),
        (
            lambda r: r[0].update(coord_source_url="ftp://x"),
            "city/districts.csv: line 2 (west): coord_source_url 'ftp://x'",
        ),
        (
            lambda r: r[0].update(coord_source=""),
            "city/districts.csv: line 2 (west): has a coordinate but no coord_source",
        ),
    ],
)
def test_bad_districts_are_named(city_dir, edit, message):
    _edit_csv(city_dir / "city" / "districts.csv", edit)
    assert any(p.startswith(message) for p in _problems(city_dir)), _problems(city_dir)


def test_bad_city_config_and_outline_are_named(tmp_path):
    folder = make_city(make_theatre(tmp_path / "a"), config={"min_zoom": "13"})
    assert "city/city.json: min_zoom: must be a whole number from 1 to 20, not '13'" in _problems(folder)
    folder = make_city(make_theatre(tmp_path / "b"), config={"min_zoom": 13, "outline": "../aoi.geojson"})
    assert any(p.startswith("city/city.json: outline: must name a .geojson file") for p in _problems(folder))
    line = {
        "type": "Feature",
        "properties": {"estimated": True, "basis": "x"},
        "geometry": {"type": "LineString", "coordinates": [[39, 35.96], [39.01, 35.97]]},
    }
    folder = make_city(make_theatre(tmp_path / "c"), outline=line)
    assert "city/outline.geojson: feature 0: must be a Polygon, not LineString" in _problems(folder)
    unsure = {"type": "Feature", "properties": {"basis": "x"}, "geometry": box(*CITY_BOX)}
    folder = make_city(make_theatre(tmp_path / "d"), outline=unsure)
    assert any("'estimated' must be true or false" in p for p in _problems(folder))


def test_consistency_checks_the_city_ledger_and_sets_it_against_the_regional_one(tmp_path):
    from layers.core.consistency import check

    # regional places n1 and n2 lie inside the city box; n1 is also a district, whose city rows disagree
    districts = [
        *TINY_DISTRICTS,
        {"district_id": "n1", "name_en": "N1", "kind": "district", "lat": "35.97", "lon": "38.95"},
    ]
    rows = [
        *_city_rows(),
        ledger_row("C10", "2017-01-02", "n1", "ISIS"),
        ledger_row("C11", "2017-02-20", "n1", "SDF", source_url="https://example.net/cut-"),
    ]
    folder = make_city(make_theatre(tmp_path / "t"), districts=districts, rows=rows)
    found = check(load_dataset(folder))
    messages = {(f.rule, f.severity, f.file, f.item): f.message for f in found}
    # the regional ledger has n1 SDF from 10 Jan (T1); the city ledger ISIS until 20 Feb: 41 days > 14
    assert messages[("city-regional", "warning", "ledger.csv", "place n1")] == (
        "N1 (n1): the regional ledger has SDF (row T1) where the city ledger has ISIS (row C10), "
        "2017-01-10 to 2017-02-20 (41 days); inside the city the city ledger is shown"
    )
    assert messages[("city-regional", "warning", "ledger.csv", "place n2")].startswith(
        "N2 (n2) lies inside the city's outline but has no rows in city/ledger.csv"
    )
    assert messages[("url", "error", "city/ledger.csv", "row C11")].endswith("looks truncated: it ends with '-'")
    # the city's own severity applies to the city's files only
    (folder / "city" / "city.json").write_text(json.dumps({"min_zoom": 13, "severity": {"url": "warning"}}))
    sev = {(f.rule, f.file, f.item): f.severity for f in check(load_dataset(folder))}
    assert sev[("url", "city/ledger.csv", "row C11")] == "warning"
    assert sev[("url", "ledger.csv", "row B1")] == "warning"  # example.org: a placeholder, a warning anyway
