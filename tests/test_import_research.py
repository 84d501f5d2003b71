"""The research import's rules: row confidence, implied rows, banks (tools/import_research.py)."""

from __future__ import annotations

import csv
import importlib.util
import json
import re

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("import_research", ROOT / "tools" / "import_research.py")
imp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(imp)

RIVER = [(38.0, 35.9), (39.0, 35.9), (40.0, 35.6)]  # west to east


def row(row_id, date, place, holder, change="captured_by_SDF", precision="day"):
    return {
        "row_id": row_id,
        "date": date,
        "date_precision": precision,
        "place_id": place,
        "holder": holder,
        "change": change,
        "source_title": "t",
        "source_url": "https://example.org/a",
        "supporting_source_url": "",
        "note": "",
    }


def place(pid, parent="", bank="north"):
    return {"properties": {"name": pid.title(), "parent_area": parent, "bank": bank}}


@pytest.mark.parametrize(
    "t, expected",
    [
        ({"date_precision": "day", "supporting_source_url": "https://b.org", "description": "", "notes": ""}, "high"),
        ({"date_precision": "day", "supporting_source_url": "", "description": "", "notes": ""}, "medium"),
        ({"date_precision": "by_date", "supporting_source_url": "", "description": "", "notes": ""}, "medium"),
        ({"date_precision": "approx", "supporting_source_url": "", "description": "", "notes": ""}, "low"),
        (
            {
                "date_precision": "day",
                "supporting_source_url": "https://b.org",
                "description": "",
                "notes": "one weak blog",
            },
            "low",
        ),
    ],
)
def test_row_confidence_rule(t, expected):
    assert imp.row_confidence(t) == expected


def test_a_capture_implies_isis_held_the_place_before():
    rows = [
        row("T1", "2017-01-10", "v1", "SDF"),
        row("T2", "2017-02-01", "v2", "ISIS", change="recaptured_by_ISIS"),
        row("B9", "2016-11-05", "v3", "SDF", change="held_before_campaign", precision="baseline"),
        row("T3", "2017-03-01", "v3", "SDF"),
    ]
    out = imp.implied_baselines(rows, {p: place(p) for p in ("v1", "v2", "v3")})
    assert [(r["row_id"], r["place_id"], r["holder"], r["date"]) for r in out] == [("B-v1", "v1", "ISIS", "2016-11-05")]
    assert "implied by T1" in out[0]["description"] and out[0]["source_url"] == "https://example.org/a"


def test_places_left_contested_shortly_before_the_end_get_a_marked_end_row():
    rows = [
        row("T1", "2017-10-01", "nbhd", "contested"),
        row("T2", "2017-10-01", "village", "ISIS"),
        row("T3", "2017-03-01", "south", "ISIS"),
        row("T4", "2017-03-01", "done", "SDF"),
    ]
    places = {
        "nbhd": place("nbhd", "Raqqa (west)"),
        "village": place("village", "northern countryside"),
        "south": place("south", "desert", bank="south"),
        "done": place("done"),
    }
    out = {r["place_id"]: r for r in imp.implied_ends(rows, places)}
    assert set(out) == {"nbhd", "village"}  # south bank is not assumed; already-SDF needs nothing
    assert (out["nbhd"]["date"], out["nbhd"]["confidence"]) == ("2017-10-17", "medium")
    assert (out["village"]["date"], out["village"]["confidence"]) == ("2017-10-20", "low")
    assert all(r["row_id"].startswith("E-") and r["holder"] == "SDF" for r in out.values())
    assert out["nbhd"]["note"] == "Implied; last dated row is T1 (captured_by_SDF, 2017-10-01)."


@pytest.mark.parametrize(
    "last, parent, message",
    [
        (
            row("T7", "2017-09-16", "nbhd", "contested", change="contested"),
            "Raqqa (west)",
            "nbhd: last row T7 (contested, contested, 2017-09-16) is 31 days before the implied end row (2017-10-17)",
        ),
        (
            row("T8", "2017-02-12", "v", "ISIS", change="recaptured_by_ISIS"),
            "northern countryside",
            "v: last row T8 (recaptured_by_ISIS, ISIS, 2017-02-12) is 250 days before the implied end row (2017-10-20)",
        ),
    ],
)
def test_an_end_row_never_carries_a_stale_state_forward(last, parent, message):
    with pytest.raises(SystemExit, match=re.escape(message)) as err:
        imp.implied_ends([last], {last["place_id"]: place(last["place_id"], parent)})
    assert "add a sourced row to sources/additions.csv" in str(err.value)


def test_an_end_row_bridges_at_most_the_stale_limit():
    last = row("T9", "2017-09-17", "nbhd", "contested", change="contested")  # 30 days before 17 Oct
    (end,) = imp.implied_ends([last], {"nbhd": place("nbhd", "Raqqa (west)")})
    assert (end["row_id"], end["date"], end["holder"]) == ("E-nbhd", "2017-10-17", "SDF")


def test_announcements_are_milestones_not_control_rows(tmp_path, monkeypatch):
    research = tmp_path / "research"
    research.mkdir()
    header = "row_id,date_iso,date_precision,place_name,gazetteer_id,change,side_after,description,source_page,"
    header += "source_url,supporting_source_url,notes\n"
    (research / "raqqa_timeline.csv").write_text(
        header
        + "T1,2017-06-06,day,City,c,operation_phase_start,contested,Battle launched,t,https://a.org/1,,\n"
        + "T2,2017-06-06,day,Village,v,captured_by_SDF,SDF,Village taken,t,https://a.org/2,,\n"
        + "T3,2017-06-07,day,Ville,w,operation_phase_start,SDF,Phase begins; w taken,t,https://a.org/3,,\n"
    )
    gaz = "gazetteer_id,name_en,alt_names,place_type,parent_area,lat,lon,confidence,coord_source,coord_source_url,"
    gaz += "method_note,timeline_role,first_timeline_date\n"
    for pid in "cvw":
        gaz += f"{pid},{pid.upper()},,village,north bank,36.1,39.0,low,estimate,,,row,\n"
    (research / "raqqa_gazetteer.csv").write_text(gaz)
    (research / "raqqa_article_events.csv").write_text("event_id\n")
    sources, geodata = tmp_path / "sources", tmp_path / "geodata"
    sources.mkdir()
    geodata.mkdir()
    (sources / "corrections.csv").write_text(
        "row_id,field,old,new,reason\nT3,change,operation_phase_start,captured_by_SDF,w was taken that day\n"
    )
    monkeypatch.setattr(imp, "SOURCES", sources)
    monkeypatch.setattr(imp, "GEODATA", geodata)
    assert imp.main(["--research", str(research)]) == 0
    with (geodata / "ledger.csv").open() as fh:
        ledger = {r["row_id"]: r for r in csv.DictReader(fh)}
    with (geodata / "events.csv").open() as fh:
        events = {e["event_id"]: e for e in csv.DictReader(fh)}
    assert "T1" not in ledger and ledger["T3"]["change"] == "captured_by_SDF"  # the announcement holds nothing
    assert set(ledger) == {"T2", "T3", "B-v", "B-w"}  # no baseline for c: nothing captured it
    assert (events["M-T1"]["ledger_rows"], events["M-T1"]["place_id"]) == ("", "c")
    assert events["M-T3"]["ledger_rows"] == "T3"  # a capture row of the same date stays linked
    places = {
        f["properties"]["id"]: f["properties"]["role"]
        for f in json.loads((geodata / "places.geojson").read_text())["features"]
    }
    assert places == {"c": "mentioned", "v": "ledger", "w": "ledger"}


def test_a_missing_research_folder_is_named(tmp_path):
    with pytest.raises(SystemExit, match="raqqa_timeline.csv: missing"):
        imp.main(["--research", str(tmp_path / "nowhere")])


def test_bank_is_left_or_right_of_the_river_looking_downstream():
    assert imp.bank_of(38.5, 36.2, RIVER) == "north"
    assert imp.bank_of(38.5, 35.7, RIVER) == "south"
    assert imp.bank_of(39.6, 35.9, RIVER) == "north"  # north of the south-east reach
    assert imp.bank_of(43.1, 36.3, RIVER) == ""  # far outside the area: no bank


def test_a_bank_stated_by_a_source_wins_over_the_point():
    assert imp.stated_bank({"parent_area": "Deir ez-Zor (north/left bank)", "method_note": ""}, None)[0] == "north"
    assert imp.stated_bank({"parent_area": "x", "method_note": "South bank of the river."}, None)[0] == "south"
    assert imp.stated_bank({"parent_area": "x", "method_note": ""}, None) is None
    fixed = imp.stated_bank({"parent_area": "x", "method_note": ""}, {"bank": "north", "reason": "why"})
    assert fixed == ("north", "Bank set to north: why")


def test_a_correction_must_match_the_value_it_replaces(tmp_path, monkeypatch):
    (tmp_path / "corrections.csv").write_text("row_id,field,old,new,reason\nT1,place_id,wrong,new_place,because\n")
    monkeypatch.setattr(imp, "SOURCES", tmp_path)
    with pytest.raises(SystemExit, match="T1.place_id is 'v1', expected 'wrong'"):
        imp.apply_corrections([row("T1", "2017-01-01", "v1", "SDF")])


# ---------------------------------------------------------------------------------------------------------
# sourced coordinates (sources/sourced_coordinates.csv)

GAZ_COLUMNS = (
    "gazetteer_id,name_en,alt_names,place_type,parent_area,lat,lon,confidence,coord_source,coord_source_url,"
    "method_note,timeline_role,first_timeline_date"
)
SOURCED_HEADER = ",".join(imp.SOURCED_COLUMNS)
# A place estimated at 35.90, 39.17 and the coalition grid reference Airwars quotes for al-Hamrat (CS p=32116):
# 37SEV1533573744 is 35.9079 N, 39.1700 E (the research notes convert it independently to 35.908, 39.170).
HAMRAT_MGRS = "37SEV1533573744"


def sourced_row(pid="v1", use="coordinate", lat="", lon="", mgrs=HAMRAT_MGRS, km="0.87", check="", conf="high"):
    url = "https://airwars.org/civilian-casualties/cs1"
    return f"{pid},{use},{lat},{lon},{mgrs},Airwars CS1,{url},Coalition MGRS converted with mgrs,{km},{check},{conf}"


@pytest.fixture
def theatre(tmp_path, monkeypatch):
    """A research folder with one estimated place (v1) and an empty sources folder; returns a writer for rows."""
    research, sources = tmp_path / "research", tmp_path / "sources"
    research.mkdir()
    sources.mkdir()
    (research / "raqqa_gazetteer.csv").write_text(
        f"{GAZ_COLUMNS}\n"
        "v1,Village One,V-One,village,east of Raqqa,35.90,39.17,low,Estimate,,placed by hand,row,\n"
        "v2,Village Two,,village,east of Raqqa,35.80,39.30,low,Estimate,,placed by hand,row,\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(imp, "SOURCES", sources)

    def build(*rows: str) -> dict:
        (sources / "sourced_coordinates.csv").write_text("\n".join([SOURCED_HEADER, *rows]) + "\n", encoding="utf-8")
        return {f["properties"]["id"]: f for f in imp.build_places(research, {"v1", "v2"})}["v1"]

    return build


def test_mgrs_converts_to_the_centre_of_its_square():
    lat, lon = imp.mgrs_to_latlon(HAMRAT_MGRS)
    assert (round(lat, 3), round(lon, 3)) == (35.908, 39.170)
    assert imp.mgrs_to_latlon("37SEV 15335 73744") == (lat, lon)  # spaced as published
    coarse = imp.mgrs_to_latlon("37SEV153737")  # 100 m square: its centre, within 100 m of the 1 m point
    assert imp.distance_km(lat, lon, *coarse) < 0.1


def test_a_sourced_row_moves_the_place_and_keeps_its_source(theatre):
    props = (f := theatre(sourced_row()))["properties"]
    lon, lat = f["geometry"]["coordinates"]
    assert (round(lat, 4), round(lon, 4)) == (35.9079, 39.17)
    assert props["confidence"] == "high"
    assert props["coord_source"] == "Airwars CS1"
    assert props["coord_source_url"] == "https://airwars.org/civilian-casualties/cs1"
    assert props["coord_method"] == "Coalition MGRS converted with mgrs"
    assert props["note"].startswith("Earlier estimate 35.9, 39.17 (low; Estimate); moved 0.87 km.")


def test_a_place_without_a_sourced_row_says_it_is_estimated(theatre):
    props = theatre()["properties"]
    assert props["confidence"] == "low" and props["coord_method"] == imp.COORD_METHODS["low"]


def test_a_move_over_2_km_without_a_second_check_is_refused(theatre):
    row = sourced_row(mgrs="", lat="35.95", lon="39.17", km="5.55")
    with pytest.raises(SystemExit, match=r"line 2 \('v1'\): the point is 5\.55 km .* needs a second_check"):
        theatre(row)
    checked = theatre(sourced_row(mgrs="", lat="35.95", lon="39.17", km="5.55", check="SOHR https://example.org/b"))
    assert checked["geometry"]["coordinates"] == [39.17, 35.95]
    assert checked["properties"]["note"].endswith("Second check: SOHR https://example.org/b")


def test_a_note_row_records_the_published_point_but_leaves_the_place(theatre):
    props = (f := theatre(sourced_row(use="note", mgrs="", lat="36.0", lon="39.17", km="11.09", conf="low")))[
        "properties"
    ]
    assert f["geometry"]["coordinates"] == [39.17, 35.9]
    assert props["confidence"] == "low" and props["coord_source_url"] == ""
    assert "Airwars CS1 (https://airwars.org/civilian-casualties/cs1) gives 36.000000, 39.170000" in props["note"]


@pytest.mark.parametrize(
    "mgrs, problem",
    [
        ("37SEV12345", "is not a grid reference"),  # odd number of digits
        ("37SEV", "is not a grid reference"),  # a 100 km square alone locates no place
        ("37SEV15335737440", "is not a grid reference"),  # 11 digits
        ("hello", "is not a grid reference"),
        ("37IEV1533573744", "is not a grid reference"),  # there is no latitude band I
        ("61SEV15337374", "cannot be converted"),  # UTM zones stop at 60
        ("37SEV1533\x1b[2J573744", r"'37SEV1533\\x1b\[2J573744' is not a grid reference"),  # shown escaped
    ],
)
def test_a_malformed_mgrs_names_the_file_line_and_problem(theatre, mgrs, problem):
    with pytest.raises(SystemExit, match=rf"sourced_coordinates\.csv line 3 \('v1'\): MGRS .*{problem}"):
        theatre(sourced_row(pid="v2", mgrs="", lat="35.8", lon="39.3", km="0.0"), sourced_row(mgrs=mgrs))


@pytest.mark.parametrize(
    "row, problem",
    [
        (sourced_row(pid="nowhere"), "'nowhere'\\): is not a gazetteer place"),
        (sourced_row(use="move"), "use 'move' is not one of coordinate, note"),
        (sourced_row(conf="certain"), "confidence 'certain' is not one of high, medium, low"),
        (sourced_row().replace("https://airwars.org/civilian-casualties/cs1", "javascript:alert(1)"), "source_url"),
        (sourced_row(mgrs="", lat="nan", lon="39.17"), "lat 'nan' is outside -90..90"),
        (sourced_row(mgrs="", lat="35.9", lon="east"), "lon 'east' is not a number"),
        (sourced_row(lat="35.95", lon="39.17"), "lat/lon 35.95, 39.17 are 4.67 km from the MGRS"),
        (sourced_row(km="0.2"), "distance_from_estimate_km is 0.2, but the point is 0.87 km from the estimate"),
        (sourced_row(km="far"), "distance_from_estimate_km 'far' is not a number"),
        (sourced_row(check="see SOHR"), "second_check names no http\\(s\\) URL"),
    ],
)
def test_a_bad_sourced_row_is_refused_with_its_line(theatre, row, problem):
    with pytest.raises(SystemExit, match=rf"sourced_coordinates\.csv line 2 \(.*{problem}"):
        theatre(row)


def test_a_place_given_twice_or_a_missing_column_is_refused(theatre, tmp_path):
    with pytest.raises(SystemExit, match=r"line 3 \('v1'\): repeats the place \(first on line 2\)"):
        theatre(sourced_row(), sourced_row())
    short = tmp_path / "sourced_coordinates.csv"
    short.write_text(SOURCED_HEADER.rsplit(",", 2)[0] + "\n" + sourced_row().rsplit(",", 2)[0] + "\n")
    with pytest.raises(SystemExit, match=r"sourced_coordinates\.csv: missing column\(s\) second_check, confidence"):
        imp.read_sourced_coordinates(short, {"v1"})


def test_every_bundled_sourced_row_is_applied_where_it_says():
    """geodata/sources/sourced_coordinates.csv against the built places.geojson."""
    import json

    places = {
        f["properties"]["id"]: f for f in json.loads((ROOT / "geodata" / "places.geojson").read_text())["features"]
    }
    rows = imp.read_sourced_coordinates(ROOT / "geodata" / "sources" / "sourced_coordinates.csv", set(places))
    assert rows
    for pid, r in rows.items():
        props, (lon, lat) = places[pid]["properties"], places[pid]["geometry"]["coordinates"]
        if r["use"] == "coordinate":
            assert (lat, lon) == (round(r["lat"], 6), round(r["lon"], 6))
            assert (props["coord_source_url"], props["coord_method"]) == (r["source_url"], r["method"])
            assert r["recorded_km"] <= imp.SECOND_CHECK_KM or r["second_check"]
        else:
            assert r["source_url"] in props["note"] and props["coord_source_url"] != r["source_url"]
