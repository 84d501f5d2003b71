"""The loaded dataset and its derived territory, read once per process and treated as read-only."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from layers.core import Dataset, DatasetError, Problem, Territory, load_dataset
from layers.core.health import health
from layers.core.timeline import build_timeline
from layers.core.validate import SLUG
from layers.server.store import theatre_folder

ROOT = Path(__file__).resolve().parents[2]
GEODATA = Path(os.environ.get("RAQQA_GEODATA", ROOT / "geodata"))


@dataclass(frozen=True)
class Context:
    dataset: Dataset
    territory: Territory

    def date_of(self, day: int | None) -> dt.date:
        """Slider position (days since the campaign start) to a date, clamped to the campaign."""
        span = (self.dataset.end - self.dataset.start).days
        day = 0 if day is None else min(max(int(day), 0), span)
        return self.dataset.start + dt.timedelta(days=day)

    def day_of(self, date: dt.date) -> int:
        return (date - self.dataset.start).days

    @property
    def colors(self) -> dict[str, str]:
        return {f["id"]: f["color"] for f in self.dataset.theatre["factions"]}

    @cached_property
    def tables(self) -> dict:
        """The timeline tables the browser derives every day from (built once per process)."""
        return build_timeline(self.territory)

    @cached_property
    def health(self) -> dict:
        """The data's health (``layers.core.health``): what the Data tab shows, once per process."""
        return health(self.dataset, tables=self.tables)


@cache
def context(folder: str | None = None) -> Context:
    """Load and validate the dataset (default ``geodata/`` or $RAQQA_GEODATA) once per process."""
    ds = load_dataset(Path(folder) if folder else GEODATA)
    return Context(ds, Territory(ds))


def theatre_context(slug: str) -> Context | None:
    """The bundled theatre for ``""``; an imported theatre by its slug; None if there is no such theatre, or it
    fails to load or derive (its problems are then kept: :func:`theatre_failure`, and it is not tried again)."""
    if not slug:
        return context()
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        return None
    folder = theatre_folder(slug)
    if folder is None or theatre_failure(slug):
        return None
    try:
        return context(str(folder))
    except DatasetError as exc:
        record_failure(slug, exc.problems)
        return None


def _failure_key(slug: str) -> str | None:
    folder = theatre_folder(slug)
    if folder is None:
        return None
    stamp = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.iterdir()) if p.is_file()]
    return f"failed:{slug}:{stamp!r}"


def record_failure(slug: str, problems: list[Problem]) -> None:
    """Keep why theatre ``slug`` (as its files are now) cannot be opened, for every worker of this server."""
    from layers.server.jobs import shared_cache

    key = _failure_key(slug)
    if key is not None:
        shared_cache().set(key, [(p.file, p.item, p.message) for p in problems[:200]], expire=86_400)


def theatre_failure(slug: str) -> list[Problem]:
    """Why theatre ``slug`` cannot be opened, if loading or deriving it failed since its files last changed."""
    from layers.server.jobs import shared_cache

    key = _failure_key(slug) if isinstance(slug, str) and SLUG.fullmatch(slug) else None
    found = shared_cache().get(key) if key is not None else None
    return [Problem(*p) for p in found] if isinstance(found, list) else []
