"""Saved briefings: the SQLite store, its validation, concurrent writers, and the panel's callbacks."""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3

import pytest

from layers.core.briefings import MAX_CAPTION, BriefingError, BriefingStore, clean_view
from layers.features import briefings

VIEW = {
    "date": "2017-06-06",
    "compare": "2017-05-10",
    "bounds": [38.5, 35.7, 39.4, 36.2],
    "center": [35.95, 39.0],
    "zoom": 10.5,
    "layers": ["control", "frontline"],
    "caption": "SDF enter Raqqa from the east",
    "theatre": "raqqa",
}


@pytest.fixture
def store(tmp_path):
    return BriefingStore(tmp_path / "briefings.sqlite3")


# ---------------------------------------------------------------------------------------------------------
# store


def test_create_append_get_list_delete(store):
    bid = store.create("  Encirclement  ")
    assert store.create("Encirclement") == bid  # same name, same briefing
    assert store.append(bid, VIEW) == 0
    assert store.append(bid, {**VIEW, "date": "2017-06-09", "caption": None, "compare": None}) == 1
    got = store.get(bid)
    assert got["name"] == "Encirclement"
    assert [v["date"] for v in got["items"]] == ["2017-06-06", "2017-06-09"]
    assert got["items"][0] == VIEW
    other = store.create("Tabqa")
    assert [(b["name"], b["items"]) for b in store.list_briefings()] == [("Tabqa", 0), ("Encirclement", 2)]
    assert store.delete(bid) is True and store.delete(bid) is False
    assert store.get(bid) is None and [b["id"] for b in store.list_briefings()] == [other]
    assert store.integrity() == "ok"


def test_database_is_in_wal_mode(store):
    store.create("x")
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_nonce_saves_once(store):
    bid = store.create("b")
    assert store.append(bid, VIEW, nonce="n0nce-0001") == 0
    assert store.append(bid, {**VIEW, "caption": "retry"}, nonce="n0nce-0001") == 0
    assert store.append(bid, VIEW, nonce="n0nce-0002") == 1
    assert len(store.get(bid)["items"]) == 2


def test_append_to_a_missing_briefing_is_refused(store):
    with pytest.raises(BriefingError, match="no such briefing"):
        store.append(999, VIEW)


def test_caption_is_stored_as_text(store):
    bid = store.create("<script>alert(1)</script>")
    payload = '<img src=x onerror="window.__xss=1"> & <b>bold</b>'
    store.append(bid, {**VIEW, "caption": payload})
    got = store.get(bid)
    assert got["name"] == "<script>alert(1)</script>" and got["items"][0]["caption"] == payload


def test_minimal_view_keeps_optional_fields_empty():
    assert clean_view({"date": "2017-01-01"}) == {
        "date": "2017-01-01",
        "compare": None,
        "bounds": None,
        "center": None,
        "zoom": None,
        "layers": [],
        "caption": None,
        "theatre": None,
    }


def test_view_text_is_normalised():
    v = clean_view({**VIEW, "caption": "  east\u202e of the city\x00  ", "unknown": 1})
    assert v["caption"] == "east of the city" and "unknown" not in v


@pytest.mark.parametrize(
    "change",
    [
        {"date": "2017-6-6"},
        {"date": "06/06/2017"},
        {"date": None},
        {"date": 20170606},
        {"compare": "2017-02-30"},
        {"bounds": [38.5, 35.7, float("nan"), 36.2]},
        {"bounds": [38.5, 35.7, 1e400, 36.2]},
        {"bounds": [39.4, 35.7, 38.5, 36.2]},
        {"bounds": [38.5, 35.7, 39.4]},
        {"bounds": ["38.5", 35.7, 39.4, 36.2]},
        {"center": [135.0, 39.0]},
        {"center": [True, 39.0]},
        {"zoom": float("inf")},
        {"zoom": 99},
        {"layers": "control"},
        {"layers": ["Control Layer"]},
        {"layers": ["x"] * 33},
        {"caption": "x" * (MAX_CAPTION + 1)},
        {"caption": {"html": "<b>"}},
        {"theatre": "../../etc"},
    ],
    ids=lambda c: json.dumps(c)[:40],
)
def test_bad_views_are_refused(store, change):
    bid = store.create("b")
    with pytest.raises(BriefingError):
        store.append(bid, {**VIEW, **change})
    assert store.get(bid)["items"] == []


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 81, 42])
def test_bad_names_are_refused(store, name):
    with pytest.raises(BriefingError):
        store.create(name)


def test_bad_nonces_are_refused(store):
    bid = store.create("b")
    for nonce in ["short", "x" * 65, "has space 123", 12345678]:
        with pytest.raises(BriefingError):
            store.append(bid, VIEW, nonce=nonce)


# ---------------------------------------------------------------------------------------------------------
# concurrent writers

WRITERS, PER_WRITER = 4, 300


def _writer(path: str, writer: int) -> None:
    st = BriefingStore(path)
    bid = st.create("Concurrent")  # every writer races to create the same briefing
    for i in range(PER_WRITER):
        st.append(bid, {**VIEW, "caption": f"w{writer}-{i}"}, nonce=f"writer{writer}-{i:04d}")


def test_four_processes_save_1200_views_into_one_briefing(tmp_path):
    path = str(tmp_path / "briefings.sqlite3")
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    st = BriefingStore(path)
    [b] = st.list_briefings()
    items = st.get(b["id"])["items"]
    captions = [v["caption"] for v in items]
    assert len(items) == WRITERS * PER_WRITER
    assert len(set(captions)) == len(captions)  # none duplicated
    assert set(captions) == {f"w{w}-{i}" for w in range(WRITERS) for i in range(PER_WRITER)}  # none lost
    for w in range(WRITERS):  # each writer's views in the order it saved them
        mine = [int(c.split("-")[1]) for c in captions if c.startswith(f"w{w}-")]
        assert mine == sorted(mine)
    with sqlite3.connect(path) as db:
        positions = [r[0] for r in db.execute("SELECT position FROM item ORDER BY position")]
        assert positions == list(range(WRITERS * PER_WRITER))
    assert st.integrity() == "ok"


# ---------------------------------------------------------------------------------------------------------
# panel callbacks (called as plain functions, against a temp instance folder)


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path))
    return tmp_path


def request(**kw):
    return {"name": "Shared screen", "nonce": "abcdef123456", **VIEW, **kw}


def test_save_view_then_list_and_steps(instance):
    status, _ = briefings.save_view(request())
    assert status == "Saved as view 1 of “Shared screen”."
    status, _ = briefings.save_view(request(nonce="abcdef654321", date="2017-06-09"))
    assert "view 2" in status
    [item] = briefings.show_list(None)
    text = json.dumps(item.to_plotly_json(), default=lambda o: o.to_plotly_json())
    assert "Shared screen" in text and "/?mode=briefing&briefing=1" in text
    assert [s["date"] for s in briefings.steps_for(1)] == ["2017-06-06", "2017-06-09"]
    assert briefings.steps_for("1") == briefings.steps_for(1)
    assert (instance / "briefings.sqlite3").exists()


@pytest.mark.parametrize("bad", [None, 0, -1, "1; DROP TABLE item", "x", 2**70, True, [1], "99"])
def test_steps_for_unknown_or_bad_ids_is_none(instance, bad):
    assert briefings.steps_for(bad) is None


def test_save_view_explains_what_it_refuses(instance):
    assert briefings.save_view(request(name=""))[0] == "Give the briefing a name first."
    assert "has not reported its view" in briefings.save_view({"name": "x", "nonce": "abcdef123456"})[0]
    assert "between" in briefings.save_view(request(date="2015-01-01"))[0]
    assert "compare date" in briefings.save_view(request(compare="2030-01-01"))[0]
    assert briefings.save_view(request(bounds=[1, 2, "x", 4]))[0].startswith("Not saved: bounds")
    assert briefings.save_view(request(caption="x" * 301))[0].startswith("Not saved: caption")
    assert briefings.show_list(None) == []  # nothing was saved


@pytest.mark.parametrize("bad", ["text", 42, ["list"], None])
def test_save_view_ignores_requests_that_are_not_objects(instance, bad):
    from dash.exceptions import PreventUpdate

    with pytest.raises(PreventUpdate):
        briefings.save_view(bad)


def test_briefing_owners_in_the_store(tmp_path):
    s = BriefingStore(tmp_path / "b.sqlite3")
    view = {"date": "2017-06-06"}
    bid, _ = s.add("Mine", view, owner="ana", admin=False)
    with pytest.raises(BriefingError, match="belongs to ana"):
        s.add("Mine", view, owner="bo", admin=False)
    with pytest.raises(BriefingError, match="belongs to ana"):
        s.delete(bid, owner="bo", admin=False)
    assert s.add("Mine", view, owner="ada", admin=True)[1] == 1
    assert s.list_briefings()[0]["owner"] == "ana"
    assert s.delete(bid, owner="ana", admin=False) and not s.delete(bid, owner="ana", admin=False)


def test_a_store_from_before_owners_gains_the_column(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE briefing (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, created TEXT)")
    db.execute("INSERT INTO briefing (name, created) VALUES ('old', '2026-01-01')")
    db.commit()
    db.close()
    s = BriefingStore(path)
    assert s.list_briefings()[0]["owner"] is None
    with pytest.raises(BriefingError, match="belongs to nobody"):
        s.delete(1, owner="ana", admin=False)
