"""Authored override polygons over the derived ground: which are in force when, and how they replace it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from layers.core.dataset import Override
from layers.core.errors import DerivationError, Problem
from layers.core.ground import GRID_M, polygonal, union

__all__ = ["MAX_OVERRIDE_APPLICATIONS", "apply_overrides", "override_epochs", "override_error"]

# Override polygons applied over all the periods in which the set in force is constant (an import gives each
# polygon one period, so this is at least its feature budget): checked before any overlay runs.
MAX_OVERRIDE_APPLICATIONS = 200_000


def override_error(o: Override, i: int, message: str) -> DerivationError:
    return DerivationError([Problem("overrides.geojson", f"feature {i} ({o.id})", message)])


def override_epochs(overrides: Sequence[Override]) -> tuple[list[dt.date], list[tuple[int, ...]]]:
    """The dates on which the set of overrides in force changes, and from each, the indices in force (sorted).

    One sweep over the overrides' bounds: O(n log n) plus the size of the answer, which is capped by
    MAX_OVERRIDE_APPLICATIONS (DerivationError as soon as it is exceeded, before any overlay runs).
    """
    starts: dict[dt.date, list[int]] = {}
    ends: dict[dt.date, list[int]] = {}
    for i, o in enumerate(overrides):
        starts.setdefault(o.valid_from, []).append(i)
        ends.setdefault(o.valid_to + dt.timedelta(days=1), []).append(i)
    bounds = sorted(starts.keys() | ends.keys())
    active: set[int] = set()
    sets = []
    work = 0
    for b in bounds:
        active.difference_update(ends.get(b, ()))
        active.update(starts.get(b, ()))
        work += len(active)
        if work > MAX_OVERRIDE_APPLICATIONS:
            message = (
                f"{len(overrides):,} override polygons would be applied more than {MAX_OVERRIDE_APPLICATIONS:,} "
                "times (once per period in which the set in force is constant): merge them or shorten their date ranges"
            )
            raise DerivationError([Problem("overrides.geojson", "file", message)])
        sets.append(tuple(sorted(active)))
    return bounds, sets


def apply_overrides(
    polygons: dict[str, BaseGeometry],
    rows: dict[str, list[str]],
    holders: list[str],
    areas: list[BaseGeometry],
    ledger_rows: list[Iterable[str]],
) -> None:
    """Overrides in order, each replacing what lies under it (a later one wins where they overlap).

    Near-linear in the number of overrides: the derived ground loses their union once; each override keeps
    what no later override of another holder covers (found with a spatial index, so a grid of n squares costs
    O(n log n), not n²); each holder's pieces are dissolved in one union.
    """
    try:
        covered = union(areas)
        for h in list(polygons):
            polygons[h] = polygonal(shapely.difference(polygons[h], covered, grid_size=GRID_M))
        tree = shapely.STRtree(areas)
        shapes = np.array(areas, dtype=object)
        pieces: dict[str, list[BaseGeometry]] = {}
        for i, (holder, area) in enumerate(zip(holders, areas, strict=True)):
            near = [j for j in tree.query(area).tolist() if j > i and holders[j] != holder]
            # only those whose interiors meet this one's (neighbours that merely touch take nothing from it)
            inside = shapely.relate_pattern(shapes[near], area, "2********")
            later = [j for j, hit in zip(near, inside, strict=True) if hit]
            if later:
                area = shapely.difference(area, shapely.union_all([areas[j] for j in later]), grid_size=GRID_M)
            pieces.setdefault(holder, []).append(area)
        for holder, parts in pieces.items():
            base = polygons.get(holder, shapely.MultiPolygon())
            polygons[holder] = union([base, *parts])
    except GEOSException as exc:
        raise DerivationError(
            [Problem("overrides.geojson", "polygons", f"cannot be combined ({exc}): simplify or repair them")]
        ) from exc
    for holder, ids in zip(holders, ledger_rows, strict=True):
        rows.setdefault(holder, []).extend(ids)
