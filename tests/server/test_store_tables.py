"""Derived tables stored beside an imported theatre (layers/server/store.py, layers/server/context.py): the
import job writes them, every worker opens the theatre from them without deriving, stale ones are derived again
in the background, corrupt ones are an error naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from layers.core import timeline
from layers.core.search import event_index
from layers.features import page
from layers.features.upload import import_uploaded
from layers.server import context as context_module
from layers.server import store
from layers.server.context import theatre_context, theatre_failure, theatre_preparing
from tests.conftest import make_theatre
from tests.conftest import strings as texts
from tests.import_inputs import GOOD_SNAPSHOT, acled, acled_row, config_file

SLUG = "test-theatre"


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path / "instance"))
    context_module._stored.clear()
    yield tmp_path / "instance"
    for proc in context_module._started:  # no derivation left running
        proc.wait(timeout=120)
    context_module._started.clear()
    context_module._stored.clear()


@pytest.fixture
def in_process(monkeypatch):
    """Derivations run here, in this process (so monkeypatches reach them), and are counted."""
    runs = []

    def start(slug):
        runs.append(slug)
        return context_module.derive_stored(slug)

    monkeypatch.setattr(context_module, "start_derivation", start)
    return runs


def no_derivation(*_a, **_k):
    raise AssertionError("derived in the request")


def imported(instance) -> Path:
    slug, _ = import_uploaded([config_file(), GOOD_SNAPSHOT, acled(acled_row())])
    assert slug == SLUG
    return store.theatre_folder(slug)


def test_the_import_job_stores_the_tables_with_the_data_hash(instance):
    folder = imported(instance)
    payload = json.loads((folder / store.TABLES_FILE).read_text())
    assert payload["format"] == store.DERIVED_FORMAT
    assert payload["data"] == store.data_hash(folder)
    assert set(payload["tables"]) == timeline.TABLE_KEYS
    assert payload["health"]["ledger_rows"] == 2  # one row per snapshot polygon


def test_every_worker_opens_the_stored_tables_without_deriving(instance, monkeypatch):
    folder = imported(instance)
    stored = json.loads((folder / store.TABLES_FILE).read_text())
    monkeypatch.setattr(context_module, "build_timeline", no_derivation)
    monkeypatch.setattr(context_module, "Territory", no_derivation)
    monkeypatch.setattr(context_module, "start_derivation", no_derivation)
    ctx = theatre_context(SLUG)
    assert ctx.tables == stored["tables"] and ctx.health == stored["health"]
    children, slug = page.switch_theatre(f"?theatre={SLUG}", "")  # the page is built from them
    assert slug == SLUG and "This theatre cannot be opened" not in texts(children)


def test_the_data_hash_covers_the_data_not_the_derived_tables_or_sources(instance):
    folder = imported(instance)
    before = store.data_hash(folder)
    (folder / "sources" / "upload" / "extra.txt").write_text("kept for audit")
    (folder / store.DERIVED / "other.json").write_text("{}")
    assert store.data_hash(folder) == before
    ledger = folder / "ledger.csv"
    ledger.write_text(ledger.read_text() + "\n")
    assert store.data_hash(folder) != before


def test_stale_tables_are_derived_again(instance, in_process):
    folder = imported(instance)
    theatre_json = folder / "theatre.json"
    theatre_json.write_text(json.dumps({**json.loads(theatre_json.read_text()), "short_name": "Renamed"}))
    assert store.read_derived(folder, timeline.TABLE_KEYS) is None  # derived from other data
    ctx = theatre_context(SLUG)
    assert in_process == [SLUG]
    assert ctx is not None and ctx.dataset.theatre["short_name"] == "Renamed"
    assert json.loads((folder / store.TABLES_FILE).read_text())["data"] == store.data_hash(folder)


def test_tables_of_another_format_are_stale(instance, in_process):
    folder = imported(instance)
    path = folder / store.TABLES_FILE
    path.write_text(json.dumps({**json.loads(path.read_text()), "format": store.DERIVED_FORMAT + 1}))
    assert theatre_context(SLUG) is not None
    assert in_process == [SLUG]


def test_missing_tables_are_derived_once_then_stored(instance, in_process):
    folder = make_theatre(instance / "theatres" / "plain")
    assert not (folder / store.TABLES_FILE).exists()
    first = theatre_context("plain")
    assert in_process == ["plain"] and (folder / store.TABLES_FILE).is_file()
    context_module._stored.clear()  # another worker
    second = theatre_context("plain")
    assert in_process == ["plain"]  # not derived again
    assert second.tables == json.loads(json.dumps(first.tables))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a file of derived tables (no format)"),
        (b'{"format": FORMAT, "data": "HASH", "tables": [], "health": {}}', "tables or health missing"),
        (b'{"format": FORMAT, "data": "HASH", "tables": {"rows": []}, "health": {}}', "tables missing "),
        (b"SEARCH", "the search index is missing or malformed"),
    ],
)
def test_corrupt_tables_are_an_error_naming_the_file(instance, in_process, content, message):
    folder = imported(instance)
    if content == b"SEARCH":  # good tables, the search index gone
        content = json.dumps({**json.loads((folder / store.TABLES_FILE).read_text()), "search": None}).encode()
    content = content.replace(b"FORMAT", str(store.DERIVED_FORMAT).encode())
    (folder / store.TABLES_FILE).write_bytes(content.replace(b"HASH", store.data_hash(folder).encode()))
    assert theatre_context(SLUG) is None
    assert in_process == []  # not derived over a file someone should look at
    (problem,) = theatre_failure(SLUG)
    assert problem.file == "derived/tables.json" and problem.item == "file"
    assert message in problem.message and problem.message.endswith("delete the file and the tables are derived again")
    children, _ = page.switch_theatre(f"?theatre={SLUG}", "")  # a page naming it, not a server error
    assert "derived/tables.json: file: " in " ".join(texts(children))


def test_the_background_process_derives_and_stores_the_tables(instance, monkeypatch):
    folder = make_theatre(instance / "theatres" / "plain")
    monkeypatch.setattr(context_module, "WAIT_SECONDS", 600)  # however busy the machine: wait for the process
    ctx = theatre_context("plain")  # derived in another process; the request waited for it
    assert ctx is not None and (folder / store.TABLES_FILE).is_file()
    assert not (folder / context_module.PROGRESS_FILE).exists()


def test_a_long_derivation_shows_its_progress(instance, monkeypatch):
    make_theatre(instance / "theatres" / "plain")
    monkeypatch.setattr(context_module, "WAIT_SECONDS", 0.0)
    assert theatre_context("plain") is None  # still under way: the request does not wait for it
    stage = theatre_preparing("plain")
    assert stage is not None
    children, current = page.switch_theatre("?theatre=plain", "")
    assert current == "" and "This theatre is being prepared" in texts(children)


def test_a_theatre_that_cannot_be_derived_records_its_problem_once(instance, in_process, monkeypatch):

    square = {"type": "Polygon", "coordinates": [[[38.93, 35.96], [38.97, 35.96], [38.97, 35.99], [38.93, 35.96]]]}
    props = {"id": "O1", "holder": "SDF", "valid_from": "2017-04-01", "valid_to": "2017-04-30", "ledger_rows": ["T3"]}
    override = {"type": "Feature", "geometry": square, "properties": {**props, "note": "test"}}
    make_theatre(instance / "theatres" / "plain", overrides=[override])
    monkeypatch.setattr("layers.core.overrides.MAX_OVERRIDE_APPLICATIONS", 0)
    assert theatre_context("plain") is None
    assert [p.file for p in theatre_failure("plain")] == ["overrides.geojson"]
    assert theatre_context("plain") is None
    assert in_process == ["plain"]  # the failure is kept: not derived again


def test_deleting_corrupt_tables_derives_them_again(instance, in_process):
    folder = imported(instance)
    (folder / store.TABLES_FILE).write_bytes(b"{not json")
    assert theatre_context(SLUG) is None and theatre_failure(SLUG)
    (folder / store.TABLES_FILE).unlink()
    assert theatre_failure(SLUG) == []  # the failure was that file's
    assert theatre_context(SLUG) is not None
    assert in_process == [SLUG]


@pytest.mark.parametrize("argv", [[], ["Bad Slug!"], ["../etc"], ["a", "b"]])
def test_the_derivation_command_takes_one_valid_slug(argv):
    from layers.server import derivation

    assert derivation.main(argv) == 2


def test_the_derivation_command_of_a_missing_theatre_does_nothing(instance):
    from layers.server import derivation

    assert derivation.main(["no-such-theatre"]) == 1
    assert not (instance / "theatres" / "no-such-theatre").exists()


def test_a_stored_search_index_that_does_not_fit_the_events_fails_the_theatre_not_a_search(instance, in_process):
    folder = imported(instance)
    path = folder / store.TABLES_FILE
    payload = json.loads(path.read_text())
    assert payload["search"]["folded"].count("\n") + 1 == 1  # one event: one item
    payload["search"] = {"folded": "one\ntwo", "skeletons": " n \n tw "}
    path.write_text(json.dumps(payload))
    assert theatre_context(SLUG) is None and in_process == []
    (problem,) = theatre_failure(SLUG)
    assert (problem.file, problem.item) == ("derived/tables.json", "search")
    assert problem.message == "2 items joined, not 1: delete the file to derive it again"


def test_the_stored_search_index_finds_what_a_fresh_one_finds(instance, monkeypatch):
    notes = ["Clashes near the dam", "Shelling in al-Mishlab", "Airstrike on Tabqa"]
    rows = [acled_row(eid=f"SYR{i}", notes=n) for i, n in enumerate(notes, start=1)]
    slug, _ = import_uploaded([config_file(), GOOD_SNAPSHOT, acled(*rows)])
    monkeypatch.setattr(context_module, "event_index", no_derivation)  # read, not built
    ctx = theatre_context(slug)
    assert len(ctx.dataset.events) == 3
    fresh = event_index(ctx.dataset)
    for q in ("", "dam", "Meshlib", "Tabqa", "2017", "nowhere at all"):
        assert ctx.search_index.find(q) == fresh.find(q), q
    assert len(ctx.search_index.find("Meshlib")) == 1 and ctx.search_index.find("nowhere at all") == []
