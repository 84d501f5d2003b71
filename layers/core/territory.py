"""Who held which ground at a date, derived from the control ledger.

The model, stated once:

1. The ground is the area of interest, less water and, where the basemap has it, anything outside Syria.
2. The ground is split by the river into its two banks; a place only ever holds ground on its own bank.
3. Every place with ledger rows is a seed. Each bank is cut into Voronoi cells of its seeds (computed in an
   equal-area projection), and each cell is capped at ``max_cell_radius_km`` from its seed: ground farther
   from every reported place is shown as "no reporting" rather than guessed.
4. Ground no cell reaches falls to the dataset's sourced regions (``regions.py``): each region's part of it,
   on its bank, is one more cell, held as the region's rows say. Only what is left is "no reporting".
5. At a date, each cell takes the holder of its place's (or region's) latest row on or before that date; cells
   are dissolved per holder. Authored override polygons, where valid for the date, replace what lies under them.

So every polygon traces to ledger rows, factions never overlap, and their union stays inside the ground.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.errors import GEOSException
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from layers.core.dataset import Dataset, LedgerRow, Override
from layers.core.ground import GRID_M, drop_slivers, polygonal, shared_line, split_banks, union, voronoi
from layers.core.overrides import apply_overrides, override_epochs, override_error

__all__ = ["DEFAULT_PROJECTION", "NO_REPORTING", "SNAPSHOT_CACHE", "Snapshot", "Territory"]


NO_REPORTING = "no reporting"
SNAPSHOT_CACHE = 4096  # distinct ledger states kept per process
DEFAULT_PROJECTION = "+proj=laea +lat_0=36 +lon_0=39 +datum=WGS84 +units=m +no_defs"


@dataclass(frozen=True)
class Snapshot:
    """Control in one state of the ledger: one (multi)polygon per holder, in projected metres."""

    key: tuple
    polygons: dict[str, BaseGeometry]
    rows: dict[str, tuple[str, ...]]
    places: dict[str, tuple[str, ...]]

    def area_km2(self, holder: str) -> float:
        geom = self.polygons.get(holder)
        return 0.0 if geom is None else geom.area / 1e6


class Territory:
    """Derives control snapshots, frontlines, areas and changes from a :class:`Dataset`."""

    def __init__(self, dataset: Dataset):
        self.ds = dataset
        proj = dataset.theatre.get("projection", DEFAULT_PROJECTION)
        self._fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
        self._inv = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)
        self.radius_m = float(dataset.theatre.get("max_cell_radius_km", 25)) * 1000
        self._override_bounds, self._override_sets = override_epochs(dataset.overrides)  # budget checked first
        self.ground = self._ground()
        self.river = self._river()
        self.banks = split_banks(self.ground, self.river)
        self._rows_by_place: dict[str, list[LedgerRow]] = {}
        for row in dataset.ledger:
            self._rows_by_place.setdefault(row.place_id, []).append(row)
        self.cells = self._cells()
        self.uncovered = self._uncovered()
        # rows of places and of regions: a region is a cell's "place" like any other
        self._rows_of = dict(self._rows_by_place)
        for row in dataset.region_rows:
            self._rows_of.setdefault(row.place_id, []).append(row)
        self._dates_of = {p: [r.date for r in rows] for p, rows in self._rows_of.items()}
        self.region_ids = self._add_regions()
        self._snapshots: dict[tuple, Snapshot] = {}
        self._memo: dict[str, dict] = {}
        # Only cells with ground take part in a snapshot: an imported theatre's places (radius 0) hold none, its
        # overrides hold it all, so a date costs O(overrides in force), not O(every place ever reported).
        self._grounded = {pids: cell for pids, cell in self.cells.items() if not cell.is_empty}
        self._grounded_places = [p for pids in self._grounded for p in pids]
        self._override_ground: dict[int, BaseGeometry] = {}  # override index -> its polygon on the ground, metres

    # ----------------------------------------------------------------------------------------------------
    # geometry set-up (once)

    def to_m(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda xy: np.column_stack(self._fwd.transform(xy[:, 0], xy[:, 1])))

    def to_deg(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda xy: np.column_stack(self._inv.transform(xy[:, 0], xy[:, 1])))

    def _basemap_union(self, name: str, types: tuple[str, ...]) -> BaseGeometry | None:
        layer = self.ds.basemap.get(name)
        if not layer:
            return None
        geoms = [shape(f["geometry"]) for f in layer["features"]]
        geoms = [g for g in geoms if g.geom_type in types]
        return shapely.union_all(geoms) if geoms else None

    def _ground(self) -> BaseGeometry:
        ground = self.ds.aoi
        syria = self._basemap_union("syria", ("Polygon", "MultiPolygon"))
        if syria is not None:
            ground = ground.intersection(syria)
        water = self._basemap_union("water", ("Polygon", "MultiPolygon"))
        if water is not None:
            ground = ground.difference(water)
        ground = shapely.set_precision(self.to_m(shapely.make_valid(ground)), GRID_M)
        return polygonal(ground)

    def _river(self) -> BaseGeometry | None:
        layer = self.ds.basemap.get("rivers")
        name = self.ds.theatre.get("river")
        if not layer or not name:
            return None
        lines = [shape(f["geometry"]) for f in layer["features"] if (f.get("properties") or {}).get("name") == name]
        if not lines:
            return None
        return self.to_m(shapely.line_merge(shapely.union_all(lines)))

    def bank_of(self, place_id: str) -> str:
        """The bank a place holds ground on: its gazetteer ``bank`` if set, else where its point lies."""
        place = self.ds.places[place_id]
        if place.bank in self.banks:
            return place.bank
        pt = self.to_m(Point(place.lon, place.lat))
        return min(self.banks, key=lambda b: self.banks[b].distance(pt))

    def _cells(self) -> dict[tuple[str, ...], BaseGeometry]:
        """Voronoi cell per seed location (places sharing a point share a cell), capped by radius."""
        by_bank: dict[str, dict[tuple[float, float], list[str]]] = {b: {} for b in self.banks}
        for pid in self._rows_by_place:
            place = self.ds.places[pid]
            xy = self._fwd.transform(place.lon, place.lat)
            by_bank[self.bank_of(pid)].setdefault((round(xy[0], 1), round(xy[1], 1)), []).append(pid)
        cells: dict[tuple[str, ...], BaseGeometry] = {}
        for bank, seeds in by_bank.items():
            area = self.banks[bank]
            if not seeds or area.is_empty:
                continue
            points = [Point(xy) for xy in seeds]
            # Ground beyond the radius of every seed: cut from all cells with the same polygon, so neighbouring
            # cells keep identical shared edges.
            discs = shapely.union_all([pt.buffer(self.radius_m, quad_segs=16) for pt in points], grid_size=GRID_M)
            beyond = shapely.difference(area, discs, grid_size=GRID_M)
            for cell, pids in zip(voronoi(points, area), seeds.values(), strict=True):
                within = shapely.intersection(shapely.set_precision(cell, GRID_M), area, grid_size=GRID_M)
                cells[tuple(pids)] = polygonal(shapely.difference(within, beyond, grid_size=GRID_M))
        return cells

    def _add_regions(self) -> tuple[str, ...]:
        """Cut each region's share of the uncovered ground into a cell of its own; return their ids."""
        added = []
        for region in self.ds.regions:
            area = self.banks.get(region.bank, self.ground) if region.bank else self.ground
            within = shapely.intersection(
                shapely.set_precision(self.to_m(region.geometry), GRID_M), area, grid_size=GRID_M
            )
            cell = drop_slivers(polygonal(shapely.intersection(within, self.uncovered, grid_size=GRID_M)))
            if cell.is_empty:
                continue
            self.cells[(region.id,)] = cell
            self.uncovered = drop_slivers(polygonal(shapely.difference(self.uncovered, cell, grid_size=GRID_M)))
            added.append(region.id)
        return tuple(added)

    def _uncovered(self) -> BaseGeometry:
        """Ground no cell reaches: "no reporting" on every date."""
        covered = shapely.union_all(list(self.cells.values()), grid_size=GRID_M)
        return drop_slivers(polygonal(shapely.difference(self.ground, covered, grid_size=GRID_M)))

    # ----------------------------------------------------------------------------------------------------
    # queries

    def row_at(self, place_id: str, date: dt.date) -> LedgerRow | None:
        """The row in force for a place (or region) on ``date`` (the latest on or before it), if any."""
        dates = self._dates_of.get(place_id)
        if not dates:
            return None
        i = bisect.bisect_right(dates, date)
        return self._rows_of[place_id][i - 1] if i else None

    def state_key(self, date: dt.date) -> tuple:
        """Rows and overrides in force on ``date``: equal keys mean identical maps."""
        rows = tuple(r.row_id if (r := self.row_at(p, date)) else "" for p in self._grounded_places)
        overrides = tuple(self.ds.overrides[i].id for i in self._overrides_on(date))
        return rows + overrides

    def overrides_on(self, date: dt.date) -> tuple[Override, ...]:
        """The override polygons in force on ``date``, in the dataset's order (a later one wins)."""
        return tuple(self.ds.overrides[i] for i in self._overrides_on(date))

    def _overrides_on(self, date: dt.date) -> tuple[int, ...]:
        k = bisect.bisect_right(self._override_bounds, date)
        return self._override_sets[k - 1] if k else ()

    def change_dates(self) -> list[dt.date]:
        """Every date on which the map can change (ledger dates and override bounds), sorted."""
        dates = {r.date for r in self.ds.ledger} | {r.date for r in self.ds.region_rows}
        for o in self.ds.overrides:
            dates |= {o.valid_from, o.valid_to + dt.timedelta(days=1)}
        return sorted(d for d in dates if self.ds.start <= d <= self.ds.end)

    def control_at(self, date: dt.date) -> Snapshot:
        """Control polygons on ``date``; dates with the same rows in force share one cached snapshot."""
        key = self.state_key(date)
        snap = self._snapshots.get(key)
        if snap is None:
            if len(self._snapshots) >= SNAPSHOT_CACHE:
                self._snapshots.pop(next(iter(self._snapshots)))
            snap = self._snapshots[key] = self._snapshot(date, key)
        return snap

    def _snapshot(self, date: dt.date, key: tuple) -> Snapshot:
        parts: dict[str, list[BaseGeometry]] = {}
        rows: dict[str, list[str]] = {}
        places: dict[str, list[str]] = {}
        for pids, cell in self._grounded.items():
            current = [r for p in pids if (r := self.row_at(p, date))]
            if not current:
                holder, ids = NO_REPORTING, []
            else:
                latest = max(current, key=lambda r: (r.date, r.line))
                holder, ids = latest.holder, [latest.row_id]
            parts.setdefault(holder, []).append(cell)
            rows.setdefault(holder, []).extend(ids)
            places.setdefault(holder, []).extend(p for p in pids if p in self.ds.places)
        if not self.uncovered.is_empty:
            parts.setdefault(NO_REPORTING, []).append(self.uncovered)
        polygons = {h: union(gs) for h, gs in parts.items()}
        in_force = self._overrides_on(date)
        if in_force:
            overrides = [self.ds.overrides[i] for i in in_force]
            apply_overrides(
                polygons,
                rows,
                [o.holder for o in overrides],
                [self.override_on_ground(i) for i in in_force],
                [o.ledger_rows for o in overrides],
            )
        polygons = {h: g for h, g in polygons.items() if not g.is_empty}
        return Snapshot(
            key=key,
            polygons=polygons,
            rows={h: tuple(rows.get(h, ())) for h in polygons},
            places={h: tuple(places.get(h, ())) for h in polygons},
        )

    def override_on_ground(self, i: int) -> BaseGeometry:
        """Override ``i`` clipped to the ground, in metres (computed once)."""
        if i not in self._override_ground:
            geom = self.to_m(self.ds.overrides[i].geometry)
            try:
                self._override_ground[i] = shapely.intersection(geom, self.ground, grid_size=GRID_M)
            except GEOSException as exc:
                raise override_error(self.ds.overrides[i], i, f"cannot be clipped to the ground ({exc})") from exc
        return self._override_ground[i]

    def memo(self, kind: str, key: tuple, build):
        """Cache a value derived from one ledger state (e.g. its GeoJSON), bounded like the snapshots."""
        cache = self._memo.setdefault(kind, {})
        if key not in cache:
            if len(cache) >= SNAPSHOT_CACHE:
                cache.pop(next(iter(cache)))
            cache[key] = build()
        return cache[key]

    def frontlines(self, snap: Snapshot) -> list[tuple[str, str, BaseGeometry]]:
        """Lines where two factions' ground meets (no-reporting edges are not fronts), in metres."""
        return self.memo("frontlines", snap.key, lambda: self._frontlines(snap))

    def _frontlines(self, snap: Snapshot) -> list[tuple[str, str, BaseGeometry]]:
        holders = sorted(h for h in snap.polygons if h != NO_REPORTING)
        out = []
        for i, a in enumerate(holders):
            for b in holders[i + 1 :]:
                lines = shared_line(snap.polygons[a], snap.polygons[b])
                if not lines.is_empty:
                    out.append((a, b, lines))
        return out

    def frontline_km(self, snap: Snapshot) -> float:
        return sum(g.length for _, _, g in self.frontlines(snap)) / 1000

    def changes(self, d1: dt.date, d2: dt.date) -> list[tuple[str, str, BaseGeometry]]:
        """Ground that changed hands between two dates as (from holder, to holder, polygon in metres)."""
        s1, s2 = self.control_at(d1), self.control_at(d2)
        out = []
        for a, ga in s1.polygons.items():
            for b, gb in s2.polygons.items():
                if a != b:
                    moved = polygonal(shapely.intersection(ga, gb, grid_size=GRID_M))
                    if moved.area > 1.0:
                        out.append((a, b, moved))
        return out

    def place_changes(self, d1: dt.date, d2: dt.date) -> list[tuple[str, LedgerRow | None, LedgerRow]]:
        """Places whose holder differs between two dates, with the rows in force on each."""
        out = []
        for pid in self._rows_by_place:
            r1, r2 = self.row_at(pid, d1), self.row_at(pid, d2)
            if r2 is not None and (r1 is None or r1.holder != r2.holder):
                out.append((pid, r1, r2))
        return out
