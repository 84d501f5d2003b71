"""The loaded dataset and its derived territory, read once per process and treated as read-only.

An imported theatre's derived tables (the timeline tables and its data health) are stored beside its data
(``derived/tables.json``, :mod:`layers.server.store`), written by the import job: every worker, and a restarted
server, reads them instead of deriving. A theatre without valid stored tables (none, or derived from other data)
is derived by a background process (:mod:`layers.server.derivation`), never inside a request: until it is done,
:func:`theatre_context` returns None and :func:`theatre_preparing` says what it is doing.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from layers.core import Dataset, DatasetError, Problem, Territory, load_dataset
from layers.core.health import health
from layers.core.search import Index, event_index, place_index
from layers.core.timeline import TABLE_KEYS, build_timeline
from layers.core.validate import SLUG
from layers.server.store import DERIVED, TABLES_FILE, read_derived, theatre_folder, write_derived

ROOT = Path(__file__).resolve().parents[2]
GEODATA = Path(os.environ.get("RAQQA_GEODATA", ROOT / "geodata"))
WAIT_SECONDS = 15.0  # a request that starts a derivation waits this long for it (a small theatre is done by then)
LOCK_FILE = f"{DERIVED}/derive.lock"  # held by the process deriving a theatre's tables
PROGRESS_FILE = f"{DERIVED}/progress.json"  # what that process is doing


@dataclass(frozen=True)
class Context:
    """A theatre as the app shows it: its dataset, its territory (``base``, or built when first asked for) and
    the tables derived from them (``stored``: ``{"tables", "health", "search"}`` read from disk, or derived when
    first asked for)."""

    dataset: Dataset
    base: Territory | None = None
    stored: dict | None = None

    @cached_property
    def territory(self) -> Territory:
        return self.base if self.base is not None else Territory(self.dataset)

    @cached_property
    def search_index(self) -> Index:
        """The events' search index (``layers.core.search``): stored, or built once per process when first asked
        for (app.py asks at start-up, the derivation before storing); DatasetError if the stored one does not fit
        the events."""
        if self.stored is None:
            return event_index(self.dataset)
        found = self.stored["search"]
        try:
            return Index.joined(found["folded"], found["skeletons"], len(self.dataset.events))
        except ValueError as exc:
            raise DatasetError([Problem(TABLES_FILE, "search", f"{exc}: delete the file to derive it again")]) from exc

    @cached_property
    def place_search(self) -> tuple[list[str], Index]:
        """The places with a control history (those a search may open), by name, and their search index."""
        ids = sorted((p["id"] for p in self.tables["places"]), key=lambda p: self.dataset.places[p].name.lower())
        return ids, place_index(self.dataset, ids)

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
        """The timeline tables the browser derives every day from (stored, or built once per process)."""
        return self.stored["tables"] if self.stored is not None else build_timeline(self.territory)

    @cached_property
    def health(self) -> dict:
        """The data's health (``layers.core.health``): what the Data tab shows (stored, or once per process)."""
        return self.stored["health"] if self.stored is not None else health(self.dataset, tables=self.tables)


@cache
def context(folder: str | None = None) -> Context:
    """Load and validate the dataset (default ``geodata/`` or $RAQQA_GEODATA) once per process."""
    ds = load_dataset(Path(folder) if folder else GEODATA)
    return Context(ds, Territory(ds))


_stored: dict[str, Context] = {}  # imported theatres opened from their stored tables, by folder
_stored_lock = threading.Lock()


def stored_context(folder: Path) -> Context | None:
    """An imported theatre from its stored tables (loaded once per process), or None if they are missing or
    stale; DatasetError if its data or its stored tables cannot be read."""
    key = str(folder)
    with _stored_lock:
        if key in _stored:
            return _stored[key]
        found = read_derived(folder, TABLE_KEYS)
        if found is None:
            return None
        ctx = Context(load_dataset(folder), stored=found)
        _ = ctx.search_index  # checked now: a stored index that does not fit fails the theatre, not a search
        _stored[key] = ctx
        return ctx


def store_tables(ctx: Context) -> Path:
    """Derive (if not yet) and store a theatre's tables beside its data, for every worker."""
    index = ctx.search_index
    search = {"folded": index.folded, "skeletons": index.skeletons}
    return write_derived(ctx.dataset.folder, ctx.tables, ctx.health, search)


def theatre_context(slug: str) -> Context | None:
    """The bundled theatre for ``""``; an imported theatre by its slug; None if there is no such theatre, it
    fails to load or derive (its problems are then kept: :func:`theatre_failure`, and it is not tried again), or
    its tables are being derived in the background (:func:`theatre_preparing`; started here if needed)."""
    if not slug:
        return context()
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        return None
    folder = theatre_folder(slug)
    if folder is None or theatre_failure(slug):
        return None
    try:
        ctx = stored_context(folder)
        if ctx is None and start_derivation(slug) and not theatre_failure(slug):
            ctx = stored_context(folder)  # derived meanwhile (or still under way: None)
    except DatasetError as exc:
        record_failure(slug, exc.problems)
        return None
    return ctx


# ---------------------------------------------------------------------------------------------------------
# the background derivation


_started: list[subprocess.Popen] = []  # derivations started by this process (reaped when they end)


def start_derivation(slug: str) -> bool:
    """Start deriving theatre ``slug``'s tables in a process of its own (``python -m layers.server.derivation``),
    unless one is already at it, and wait up to WAIT_SECONDS for it; True if it ended within that time. The
    process holds LOCK_FILE while it works, so of several workers asking at once only one derivation runs."""
    _started[:] = [p for p in _started if p.poll() is None]
    folder = theatre_folder(slug)
    if folder is None or deriving(folder):
        return False
    (folder / DERIVED).mkdir(exist_ok=True)
    _progress(folder, "Waiting to start…")
    proc = subprocess.Popen(  # noqa: S603 - our own module, with a slug checked against SLUG
        [sys.executable, "-m", "layers.server.derivation", slug],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc.wait(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        _started.append(proc)
        return False
    return True


def deriving(folder: Path) -> bool:
    """True if a process holds the theatre's derivation lock."""
    path = folder / LOCK_FILE
    if not path.is_file():
        return False
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def derive_stored(slug: str, progress=lambda text: None) -> bool:
    """Derive and store theatre ``slug``'s tables, holding its lock (False, doing nothing, if another process
    holds it). A theatre that cannot be derived has its problems recorded (:func:`record_failure`)."""
    folder = theatre_folder(slug)
    if folder is None:
        return False
    (folder / DERIVED).mkdir(exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        try:
            for stage, text in enumerate(("Reading the data…", "Deriving the map…", "Storing the tables…")):
                progress(text)
                _progress(folder, text)
                if stage == 0:
                    ctx = Context(load_dataset(folder))
                elif stage == 1:
                    _ = ctx.tables, ctx.health, ctx.search_index
                else:
                    store_tables(ctx)
        except DatasetError as exc:  # DerivationError too: the page names the problems
            record_failure(slug, exc.problems)
        finally:
            (folder / PROGRESS_FILE).unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


def _progress(folder: Path, text: str) -> None:
    tmp = folder / f"{PROGRESS_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps({"stage": text}), encoding="utf-8")
    os.replace(tmp, folder / PROGRESS_FILE)


def theatre_preparing(slug: str) -> str | None:
    """What the background derivation of theatre ``slug`` is doing, or None if none is under way."""
    folder = theatre_folder(slug)
    if folder is None:
        return None
    try:
        stage = json.loads((folder / PROGRESS_FILE).read_text(encoding="utf-8")).get("stage")
    except (OSError, ValueError, AttributeError):
        return None
    return stage if isinstance(stage, str) else None


# ---------------------------------------------------------------------------------------------------------
# failures


def _failure_key(slug: str) -> str | None:
    folder = theatre_folder(slug)
    if folder is None:
        return None
    files = [p for p in sorted(folder.iterdir()) if p.is_file()] + [p for p in [folder / TABLES_FILE] if p.is_file()]
    stamp = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files]  # the stored tables too
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
