"""Fixtures: a tiny hand-made theatre written to a temp folder, and the bundled dataset."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from layers.core import Territory, imports, load_dataset
from layers.core.dataset import EVENT_COLUMNS, LEDGER_COLUMNS
from tests.import_inputs import GOOD_SNAPSHOT, acled, acled_row, config_file, tree

ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"

# What the app saves (briefings, its secret key) goes to a temp folder, never the repo's instance/; apps that
# tests start in subprocesses inherit it.
_INSTANCE = tempfile.TemporaryDirectory(prefix="raqqa-instance-")
os.environ["RAQQA_INSTANCE"] = _INSTANCE.name

# A 0.2° x 0.1° box split west-east by a straight river at lat 35.95: two places north, one south.
TINY_BOX = (38.9, 35.9, 39.1, 36.0)
TINY_PLACES = {"n1": (38.95, 35.97), "n2": (39.05, 35.97), "s1": (39.0, 35.93)}
SRC = "https://example.org/report"


def ledger_row(row_id, date, place, holder, **extra):
    row = {c: "" for c in LEDGER_COLUMNS}
    row.update(
        row_id=row_id,
        date=date,
        date_precision="day",
        place_id=place,
        holder=holder,
        change="captured",
        description="test row",
        source_url=SRC,
        confidence="high",
    )
    row.update(extra)
    return row


def event_row(event_id, date, place, **extra):
    row = {c: "" for c in EVENT_COLUMNS}
    row.update(
        event_id=event_id,
        date=date,
        date_precision="day",
        title=f"Event {event_id}",
        kind="article",
        place_id=place,
        source_url=SRC,
        confidence="high",
    )
    row.update(extra)
    return row


TINY_LEDGER = [
    ledger_row("B1", "2017-01-01", "n1", "ISIS", date_precision="baseline"),
    ledger_row("B2", "2017-01-01", "n2", "ISIS", date_precision="baseline"),
    ledger_row("B3", "2017-01-01", "s1", "ISIS", date_precision="baseline"),
    ledger_row("T1", "2017-01-10", "n1", "SDF"),
    ledger_row("T2", "2017-02-01", "s1", "contested"),
    ledger_row("T3", "2017-03-01", "n2", "SDF"),
]
TINY_EVENTS = [event_row("E1", "2017-01-10", "n1"), event_row("E2", "2017-02-01", "s1")]


def write_csv(path: Path, columns, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def box(w, s, e, n):
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def fc(features):
    return {"type": "FeatureCollection", "features": features}


def make_theatre(folder: Path, places=None, ledger=None, events=None, overrides=None, radius_km=100) -> Path:
    """Write a complete, valid tiny dataset into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    places = TINY_PLACES if places is None else places
    theatre = {
        "name": "Tiny test theatre",
        "start": "2017-01-01",
        "end": "2017-12-31",
        "river": "Test river",
        "max_cell_radius_km": radius_km,
        "factions": [
            {"id": "SDF", "label": "SDF", "color": "#e8b70e"},
            {"id": "ISIS", "label": "ISIS", "color": "#3a3a3a"},
            {"id": "Syrian government", "label": "Government", "color": "#c8421b"},
            {"id": "contested", "label": "Contested", "color": "#b87bb0"},
        ],
    }
    (folder / "theatre.json").write_text(json.dumps(theatre))
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(xy)},
            "properties": {
                "id": pid,
                "name": pid.upper(),
                "alt_names": [],
                "kind": "village",
                "bank": "",
                "confidence": "high",
                "coord_source_url": SRC,
                "role": "ledger",
            },
        }
        for pid, xy in places.items()
    ]
    (folder / "places.geojson").write_text(json.dumps(fc(feats)))
    write_csv(folder / "ledger.csv", LEDGER_COLUMNS, TINY_LEDGER if ledger is None else ledger)
    write_csv(folder / "events.csv", EVENT_COLUMNS, TINY_EVENTS if events is None else events)
    (folder / "aoi.geojson").write_text(
        json.dumps(fc([{"type": "Feature", "properties": {}, "geometry": box(*TINY_BOX)}]))
    )
    if overrides is not None:
        (folder / "overrides.geojson").write_text(json.dumps(fc(overrides)))
    (folder / "basemap").mkdir(exist_ok=True)
    river = {
        "type": "Feature",
        "properties": {"name": "Test river"},
        "geometry": {"type": "LineString", "coordinates": [[38.85, 35.95], [39.0, 35.95], [39.15, 35.95]]},
    }
    (folder / "basemap" / "rivers.geojson").write_text(json.dumps(fc([river])))
    return folder


def assert_invariants(territory, date) -> None:
    """The model's invariants at ``date``: holders never overlap, their union is exactly the ground, and
    every holder's ground traces to ledger rows in force on that date that name that holder."""
    import shapely

    from layers.core.ground import GRID_M
    from layers.core.territory import NO_REPORTING

    snap = territory.control_at(date)
    rows = {r.row_id: r for r in (*territory.ds.ledger, *territory.ds.region_rows)}
    holders = list(snap.polygons)
    for i, a in enumerate(holders):
        for b in holders[i + 1 :]:
            overlap = shapely.intersection(snap.polygons[a], snap.polygons[b], grid_size=GRID_M).area
            assert overlap < grid_slack(snap.polygons[a]), (date, a, b, overlap)
    union = shapely.union_all(list(snap.polygons.values()), grid_size=GRID_M)
    assert shapely.difference(union, territory.ground, grid_size=GRID_M).area < grid_slack(territory.ground), date
    assert abs(union.area - territory.ground.area) < grid_slack(territory.ground), date
    for h in holders:
        if h == NO_REPORTING:
            assert snap.rows[h] == (), date
            continue
        assert snap.rows[h], (date, h)
        assert all(rows[r].holder == h and rows[r].date <= date for r in snap.rows[h]), (date, h)


def grid_slack(geom) -> float:
    """Area a sub-millimetre seam may take: the 1 mm overlay grid times the boundary's length (m²)."""
    from layers.core.territory import GRID_M

    return GRID_M * geom.boundary.length


@pytest.fixture
def tiny_dir(tmp_path) -> Path:
    return make_theatre(tmp_path / "tiny")


@pytest.fixture
def tiny(tiny_dir):
    return Territory(load_dataset(tiny_dir))


@pytest.fixture(scope="session")
def bundled():
    return load_dataset(GEODATA)


@pytest.fixture(scope="session")
def bundled_territory(bundled):
    return Territory(bundled)


@pytest.fixture
def geodata_copy(tmp_path) -> Path:
    """A writable copy of the bundled dataset, to break on purpose."""
    dst = tmp_path / "geodata"
    shutil.copytree(GEODATA, dst)
    return dst


@pytest.fixture
def existing(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A theatre imported before the test runs, and its bytes (bad imports aimed at it must leave it as it was)."""
    out = tmp_path / "instance" / "theatres" / "existing"
    imports.save(imports.prepare(config_file(), [GOOD_SNAPSHOT, acled(acled_row())]), out)
    return out, tree(out)


def override_feature(oid, geometry, holder, rows=("T3",), valid=("2017-04-01", "2017-04-30")):
    """An overrides.geojson feature for make_theatre."""
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"id": oid, "holder": holder, "valid_from": valid[0], "valid_to": valid[1],
                       "ledger_rows": list(rows), "note": "test"},
    }  # fmt: skip


@pytest.fixture(scope="module")
def ctx():
    """The bundled theatre's context, as the app builds it."""
    from layers.server.context import context

    return context()


@pytest.fixture
def fresh_frame_cache():
    """The export's in-memory frame cache, empty before and after the test."""
    from layers.core import animation

    animation._FRAMES.clear()
    yield
    animation._FRAMES.clear()


def strings(component) -> list[str]:
    """Every string in a Dash component tree, through lists and children (what the page shows as text)."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list):
        return [t for c in component for t in strings(c)]
    children = getattr(component, "children", None)
    return strings(children) if children is not None else []


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Whether ``condition()`` came true within ``timeout`` seconds (a bound on waiting, not a measurement)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
