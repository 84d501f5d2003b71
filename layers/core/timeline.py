"""The tables the browser derives every day of the campaign from, so moving the date needs no server.

The map's ground is a fixed set of Voronoi cells (see ``territory.py``); what changes from day to day is only
which ledger row is in force for each place, hence which holder colours each cell. So instead of one polygon
snapshot per date, the page gets, once:

- ``cells``: the cells as GeoJSON (and the ground no cell reaches, always "no reporting"), with their areas;
- ``edges`` (and ``edge_list``, the same without geometry): the line each pair of neighbouring cells shares,
  with its length (a frontline is an edge whose two cells have different holders, neither "no reporting");
- ``rows``: the ledger, in date order, each row with its day index, place, holder, confidence and source;
- ``place_rows``: per place, the indices of its rows in date order; then the same per region (``regions``):
  a region's ground is a cell like a place's, its index follows the places' (see ``regions.py``).

The holder of a place on day ``d`` is its last row with ``day <= d`` (a binary search); a cell takes the latest
such row among its places. Areas are sums of cell areas and the frontline length a sum of edge lengths, so a
day costs O(places + edges) in the browser whatever the number of dates. :func:`state_on` is that same
derivation in Python; the tests check it against :class:`~layers.core.territory.Territory` on every change date.

Authored override polygons replace what lies under them; on days when one is in force the exact areas,
frontline length and frontline geometry come precomputed in ``exact`` (one entry per distinct state).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

import shapely

from layers.core.city import city_tables
from layers.core.dataset import is_http_url
from layers.core.geojson import collection, feature
from layers.core.ground import shared_edges
from layers.core.territory import NO_REPORTING, Territory

RECENT_DAYS = 14  # an event stays on the map (small) this many days after its date; the PNG shows the same
# What build_timeline returns: a stored copy of the tables must hold exactly these (layers/server/store.py).
TABLE_KEYS = frozenset(
    ("start", "end", "span", "holders", "colors", "labels", "places", "regions", "rows", "place_rows", "cells",
     "cell_places", "cell_km2", "uncovered_km2", "edges", "edge_list", "overrides", "exact", "city", "city_cells",
     "city_points", "city_outline")
)  # fmt: skip


def build_timeline(territory: Territory, simplify_m: float = 0.0) -> dict:
    """The JSON-ready tables described in the module docstring.

    ``simplify_m`` > 0 simplifies the cells as one coverage (shared edges stay shared: no gaps or overlaps).
    """
    ds = territory.ds
    start = ds.start
    holders = [*ds.faction_ids, NO_REPORTING]
    place_ids = sorted({r.place_id for r in ds.ledger} | set(territory._rows_by_place))
    # regions come after the places: their indices are in place_rows and cell_places, not in places
    region_ids = list(territory.region_ids)
    place_index = {p: i for i, p in enumerate([*place_ids, *region_ids])}

    rows = []
    place_rows: list[list[int]] = [[] for _ in place_index]
    merged = sorted([*ds.ledger, *ds.region_rows], key=lambda r: (r.date, r.place_id in ds.places, r.line))
    for i, r in enumerate(merged):  # in date order; a place's or a region's rows keep their (date, line) order
        place_rows[place_index[r.place_id]].append(i)
        rows.append(row_record(r, start, place_index[r.place_id], holders))

    keys = list(territory.cells)
    geoms = [territory.cells[k] for k in keys]
    uncovered = territory.uncovered
    if simplify_m > 0:
        simplified = shapely.coverage_simplify([*geoms, uncovered], simplify_m, simplify_boundary=False)
        geoms, uncovered = list(simplified[:-1]), simplified[-1]
    cell_features = [
        feature(
            territory.to_deg(g),
            {"i": i, "places": [place_index[p] for p in k], "km2": round(territory.cells[k].area / 1e6, 3)},
        )
        for i, (k, g) in enumerate(zip(keys, geoms, strict=True))
    ]
    if not uncovered.is_empty:
        cell_features.append(
            feature(territory.to_deg(uncovered), {"i": -1, "places": [], "km2": round(uncovered.area / 1e6, 3)})
        )

    edges = _edges(territory, keys)
    city, city_geometry = city_tables(ds.city, territory.to_m, territory.to_deg, holders, start)
    places = []
    for p in place_ids:
        place = ds.places[p]
        places.append(
            {
                "id": p,
                "name": place.name,
                "lon": place.lon,
                "lat": place.lat,
                "confidence": place.confidence,
                # where the coordinate comes from, for the tooltip and the Place tab
                "coord_source": place.coord_source,
                "coord_source_url": place.coord_source_url if is_http_url(place.coord_source_url) else "",
            }
        )

    return {
        "start": start.isoformat(),
        "end": ds.end.isoformat(),
        "span": (ds.end - start).days,
        "holders": holders,
        "colors": {f["id"]: f["color"] for f in ds.theatre["factions"]},
        "labels": {f["id"]: f["label"] for f in ds.theatre["factions"]} | {NO_REPORTING: "No reporting"},
        "places": places,
        "regions": [{"id": r.id, "name": r.name, "basis": r.basis} for r in ds.regions if r.id in region_ids],
        "rows": rows,
        "place_rows": place_rows,
        "cells": collection(cell_features),
        "cell_places": [[place_index[p] for p in k] for k in keys],
        "cell_km2": [territory.cells[k].area / 1e6 for k in keys],
        "uncovered_km2": uncovered.area / 1e6 if not uncovered.is_empty else 0.0,
        "edges": edges,
        "edge_list": [[f["properties"]["a"], f["properties"]["b"], f["properties"]["km"]] for f in edges["features"]],
        "overrides": _overrides(territory),
        "exact": _exact_states(territory, holders),
        # the city view: the same derivation (state_on) runs on ``city``; its geometry goes to the city layer
        "city": city,
        "city_cells": city_geometry["cells"],
        "city_points": city_geometry["points"],
        "city_outline": city_geometry["outline"],
    }


def _edges(territory: Territory, keys: Sequence[tuple]) -> dict:
    """Every boundary two cells share, as GeoJSON lines with the two cell indices and the length in km."""
    feats = []
    for i, j, shared in shared_edges([territory.cells[k] for k in keys]):
        props = {"i": len(feats), "a": i, "b": j, "km": round(shared.length / 1000, 4)}
        feats.append(feature(territory.to_deg(shared), props))
    return collection(feats)


def _overrides(territory: Territory) -> dict:
    ds = territory.ds
    feats = []
    for i, o in enumerate(ds.overrides):
        clipped = territory.to_deg(territory.override_on_ground(i))  # the clip the snapshots use, made once
        props = {
            "i": i,
            "id": o.id,
            "holder": o.holder,
            "from": (o.valid_from - ds.start).days,
            "to": (o.valid_to - ds.start).days,
            "rows": list(o.ledger_rows),
            "note": o.note,
        }
        feats.append(feature(clipped, props))
    return collection(feats)


def _exact_states(territory: Territory, holders: list[str]) -> list[dict]:
    """For every run of days with an override in force: the exact areas, frontline length and geometry."""
    ds = territory.ds
    if not ds.overrides:
        return []
    bounds = sorted({ds.start, *territory.change_dates()})
    out: list[dict] = []
    for k, d0 in enumerate(bounds):
        if not territory.overrides_on(d0):
            continue
        d1 = bounds[k + 1] - dt.timedelta(days=1) if k + 1 < len(bounds) else ds.end
        snap = territory.control_at(d0)
        fronts = territory.frontlines(snap)
        out.append(
            {
                "from": (d0 - ds.start).days,
                "to": (d1 - ds.start).days,
                "km2": [round(snap.area_km2(h), 3) for h in holders],
                "front_km": round(sum(g.length for *_, g in fronts) / 1000, 3),
                "fronts": collection([feature(territory.to_deg(g), {"between": [a, b]}) for a, b, g in fronts]),
            }
        )
    return out


# ---------------------------------------------------------------------------------------------------------
# the browser's derivation, in Python (assets/10_state.js does the same)


def place_row_on(tables: dict, place: int, day: int) -> int:
    """Index of the row in force for ``place`` on ``day``, or -1."""
    idx = tables["place_rows"][place]
    days = [tables["rows"][i]["day"] for i in idx]
    k = bisect.bisect_right(days, day)
    return idx[k - 1] if k else -1


def state_on(tables: dict, day: int) -> dict:
    """Holders of every cell, areas per holder (km², in ``holders`` order) and frontline km on ``day``."""
    rows = tables["rows"]
    no_rep = len(tables["holders"]) - 1
    cell_row = []
    for places in tables["cell_places"]:
        best = -1
        for p in places:
            r = place_row_on(tables, p, day)
            if r > best:  # rows are in (date, line) order: a higher index is the later report
                best = r
        cell_row.append(best)
    cell_holder = [rows[r]["holder"] if r >= 0 else no_rep for r in cell_row]
    km2 = [0.0] * len(tables["holders"])
    for h, a in zip(cell_holder, tables["cell_km2"], strict=True):
        km2[h] += a
    km2[no_rep] += tables["uncovered_km2"]
    front = 0.0
    for ea, eb, km in tables["edge_list"]:
        a, b = cell_holder[ea], cell_holder[eb]
        if a != b and no_rep not in (a, b):
            front += km
    for ex in tables["exact"]:
        if ex["from"] <= day <= ex["to"]:
            km2, front = list(ex["km2"]), ex["front_km"]
    return {"cell_row": cell_row, "cell_holder": cell_holder, "km2": km2, "front_km": front}


def area_steps(tables: dict) -> list[tuple[int, list[float]]]:
    """km² per holder (``holders`` order) from each day on which it changes: ``[(day, km2), …]``, day 0 first.

    One pass over the ledger in date order, updating only the cells of the place each row names, so it costs
    O(rows), not O(dates × rows) like calling :func:`state_on` for every date. Days with an override in force
    take the exact figures.
    """
    rows, holders = tables["rows"], tables["holders"]
    no_rep = len(holders) - 1
    cells_of: dict[int, list[int]] = {}
    for c, places in enumerate(tables["cell_places"]):
        for p in places:
            cells_of.setdefault(p, []).append(c)
    place_row = [-1] * len(tables["place_rows"])
    cell_holder = [no_rep] * len(tables["cell_places"])
    km2 = [0.0] * len(holders)
    km2[no_rep] = sum(tables["cell_km2"]) + tables["uncovered_km2"]
    out: list[tuple[int, list[float]]] = []
    i = 0
    while i < len(rows):
        day = rows[i]["day"]
        while i < len(rows) and rows[i]["day"] == day:  # every row of that day, in ledger order
            place_row[rows[i]["place"]] = i
            for c in cells_of.get(rows[i]["place"], ()):
                best = max(place_row[p] for p in tables["cell_places"][c])
                h = rows[best]["holder"] if best >= 0 else no_rep
                km2[cell_holder[c]] -= tables["cell_km2"][c]
                km2[h] += tables["cell_km2"][c]
                cell_holder[c] = h
            i += 1
        out.append((day, list(km2)))
    if not out or out[0][0] > 0:
        out.insert(0, (0, [0.0] * no_rep + [sum(tables["cell_km2"]) + tables["uncovered_km2"]]))
    if not tables["exact"]:
        return out
    # overrides: the exact figures on their days, the derived ones again from the day after
    derived = dict(out)
    days = sorted(set(derived) | {d for ex in tables["exact"] for d in (ex["from"], ex["to"] + 1)})
    merged, last = [], derived[0]
    for d in days:
        last = derived.get(d, last)
        ex = next((e for e in tables["exact"] if e["from"] <= d <= e["to"]), None)
        if d <= tables["span"]:
            merged.append((d, list(ex["km2"]) if ex else list(last)))
    return merged


def row_record(r, start: dt.date, place: int, holders: list[str]) -> dict:
    """A ledger row as the browser's state derivation reads it (the region's and the city's tables alike)."""
    return {
        "id": r.row_id,
        "day": (r.date - start).days,
        "date": r.date.isoformat(),
        "place": place,
        "holder": holders.index(r.holder),
        "confidence": r.confidence,
        "precision": r.date_precision,
        "source": r.source_url if is_http_url(r.source_url) else "",
        "source_title": r.source_title,
    }
