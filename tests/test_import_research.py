"""The research import's rules: row confidence, implied rows, banks (tools/import_research.py)."""

from __future__ import annotations

import importlib.util

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


def test_places_left_contested_get_a_marked_end_row():
    rows = [
        row("T1", "2017-07-01", "nbhd", "contested"),
        row("T2", "2017-02-01", "village", "ISIS"),
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
