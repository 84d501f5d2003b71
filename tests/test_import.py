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
