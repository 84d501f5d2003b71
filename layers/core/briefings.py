"""Saved briefings: a named, ordered sequence of map views that analysts save and present.

A pure store on SQLite (standard library only). Several gunicorn workers may write at once, so:

- the database is in WAL mode (readers never block the one writer) with a ``busy_timeout``;
- every write is one short ``BEGIN IMMEDIATE`` transaction (takes the write lock up front, so a read-then-write
  cannot fail with "database is locked" half-way);
- a connection is opened per operation and never shared across processes or threads;
- an item may carry a ``nonce`` (the browser sends one per click): saving the same nonce twice stores it once.

A view is ``{date, compare, bounds, center, zoom, layers, caption, theatre}``; ``clean_view`` checks it.
Text is stored as text and is never interpreted as markup.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path

from layers.core import validate

__all__ = ["BriefingError", "BriefingStore", "clean_view"]

MAX_NAME = 80
MAX_CAPTION = 300
MAX_ITEMS = 2000  # per briefing
MAX_BRIEFINGS = 500
MAX_LAYERS = 32
BUSY_TIMEOUT_MS = 10_000
_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS briefing (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    owner TEXT
);
CREATE TABLE IF NOT EXISTS item (
    briefing_id INTEGER NOT NULL REFERENCES briefing(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    nonce TEXT,
    date TEXT NOT NULL,
    compare TEXT,
    west REAL, south REAL, east REAL, north REAL,
    lat REAL, lon REAL, zoom REAL,
    layers TEXT NOT NULL,
    caption TEXT,
    theatre TEXT,
    created TEXT NOT NULL,
    PRIMARY KEY (briefing_id, position),
    UNIQUE (briefing_id, nonce)
);
"""


class BriefingError(ValueError):
    """A name, view or operation the store refuses; the message says why."""


class BriefingStore:
    """Briefings in one SQLite file (created on first use)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._ready = False

    # -- operations ---------------------------------------------------------------------------------------

    def create(self, name: str) -> int:
        """The id of the briefing called ``name``, creating it if there is none."""
        name = clean_name(name)
        with self._write() as db:
            return _get_or_create(db, name)

    def append(self, briefing_id: int, view: dict, nonce: str | None = None) -> int:
        """Add ``view`` at the end of the briefing; return its position (0-based). A nonce already saved in this
        briefing returns that item's position and stores nothing."""
        v, nonce = clean_view(view), _clean_nonce(nonce)
        with self._write() as db:
            if not db.execute("SELECT 1 FROM briefing WHERE id = ?", (briefing_id,)).fetchone():
                raise BriefingError("no such briefing")
            return _append(db, briefing_id, v, nonce)

    def add(
        self, name: str, view: dict, nonce: str | None = None, *, owner: str | None = None, admin: bool = True
    ) -> tuple[int, int]:
        """Append ``view`` to the briefing called ``name`` (created if new, owned by ``owner``) in one
        transaction: nothing is stored if the view is refused, or if the briefing is someone else's and
        ``admin`` is false. Returns (briefing id, position)."""
        name, v, nonce = clean_name(name), clean_view(view), _clean_nonce(nonce)
        with self._write() as db:
            bid = _get_or_create(db, name, owner)
            _may_change(db, bid, owner, admin)
            return bid, _append(db, bid, v, nonce)

    def list_briefings(self) -> list[dict]:
        """Every briefing, newest first: ``{id, name, created, items, owner}`` (items = number of views)."""
        with self._read() as db:
            rows = db.execute(
                "SELECT b.id, b.name, b.created, count(i.position), b.owner FROM briefing b"
                " LEFT JOIN item i ON i.briefing_id = b.id GROUP BY b.id ORDER BY b.id DESC"
            ).fetchall()
        return [{"id": r[0], "name": r[1], "created": r[2], "items": r[3], "owner": r[4]} for r in rows]

    def get(self, briefing_id: int) -> dict | None:
        """``{id, name, created, items: [view, ...]}`` in order, or None."""
        with self._read() as db:
            head = db.execute("SELECT id, name, created FROM briefing WHERE id = ?", (briefing_id,)).fetchone()
            if head is None:
                return None
            rows = db.execute(
                "SELECT date, compare, west, south, east, north, lat, lon, zoom, layers, caption, theatre"
                " FROM item WHERE briefing_id = ? ORDER BY position",
                (briefing_id,),
            ).fetchall()
        return {"id": head[0], "name": head[1], "created": head[2], "items": [_view(r) for r in rows]}

    def delete(self, briefing_id: int, *, owner: str | None = None, admin: bool = True) -> bool:
        """Delete the briefing and its views; False if there was none; BriefingError if it is not ``owner``'s
        and ``admin`` is false."""
        with self._write() as db:
            if not db.execute("SELECT 1 FROM briefing WHERE id = ?", (briefing_id,)).fetchone():
                return False
            _may_change(db, briefing_id, owner, admin)
            db.execute("DELETE FROM item WHERE briefing_id = ?", (briefing_id,))
            return db.execute("DELETE FROM briefing WHERE id = ?", (briefing_id,)).rowcount > 0

    def integrity(self) -> str:
        with self._read() as db:
            return db.execute("PRAGMA integrity_check").fetchone()[0]

    # -- connections --------------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")  # a saved view survives a power cut
        if not self._ready:
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                raise BriefingError(f"{self.path}: cannot use WAL mode (a network file system?)")
            db.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            if "owner" not in {r[1] for r in db.execute("PRAGMA table_info(briefing)")}:  # saved before owners
                db.execute("ALTER TABLE briefing ADD COLUMN owner TEXT")
            db.execute("COMMIT")
            self._ready = True
        return db

    @contextmanager
    def _write(self):
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def _read(self):
        with closing(self._connect()) as db:
            yield db


# ---------------------------------------------------------------------------------------------------------
# validation


def clean_name(name) -> str:
    text = _checked(validate.short_text, name, MAX_NAME, name="name")
    if not text:
        raise BriefingError("a briefing needs a name")
    return text


def clean_view(view) -> dict:
    """A view with every field checked (``layers/core/validate.py``): ISO dates, finite numbers in range, layer
    names, caption ≤ 300 characters of plain text. Unknown keys are dropped; missing optional fields become None
    (layers: [])."""
    if not isinstance(view, dict):
        raise BriefingError("a view must be an object")
    return _checked(_clean_view, view)


def _clean_view(view: dict) -> dict:
    date = validate.iso_date(view.get("date"), name="date").isoformat()
    compare = None if view.get("compare") in (None, "") else validate.iso_date(view["compare"], name="compare")
    bounds = None if view.get("bounds") is None else validate.bounds(view["bounds"])
    center = None if view.get("center") is None else validate.center(view["center"])
    zoom = None if view.get("zoom") is None else validate.number(view["zoom"], lo=0, hi=24, name="zoom")
    layers = view.get("layers") or []
    if not isinstance(layers, list) or len(layers) > MAX_LAYERS:
        raise BriefingError(f"layers must be a list of at most {MAX_LAYERS} names")
    layers = [validate.slug(x, name="layer") for x in layers]
    theatre = None if view.get("theatre") in (None, "") else validate.slug(view["theatre"], name="theatre")
    caption = validate.short_text(view.get("caption"), MAX_CAPTION, name="caption")
    return {"date": date, "compare": compare and compare.isoformat(), "bounds": bounds, "center": center,
            "zoom": zoom, "layers": layers, "caption": caption, "theatre": theatre}  # fmt: skip


def _checked(check, *args, **kwargs):
    """``check(*args, **kwargs)``, its refusal raised as a BriefingError."""
    try:
        return check(*args, **kwargs)
    except validate.BadInput as exc:
        raise BriefingError(str(exc)) from None


def _get_or_create(db: sqlite3.Connection, name: str, owner: str | None = None) -> int:
    row = db.execute("SELECT id FROM briefing WHERE name = ?", (name,)).fetchone()
    if row:
        return row[0]
    if db.execute("SELECT count(*) FROM briefing").fetchone()[0] >= MAX_BRIEFINGS:
        raise BriefingError(f"at most {MAX_BRIEFINGS} briefings; delete one first")
    sql = "INSERT INTO briefing (name, created, owner) VALUES (?, ?, ?)"
    return db.execute(sql, (name, _now(), owner)).lastrowid


def _may_change(db: sqlite3.Connection, briefing_id: int, owner: str | None, admin: bool) -> None:
    """Only its owner or an admin changes a briefing (one saved before owners existed: an admin only)."""
    found = db.execute("SELECT owner FROM briefing WHERE id = ?", (briefing_id,)).fetchone()[0]
    if not admin and (found is None or found != owner):
        raise BriefingError(f"this briefing belongs to {found or 'nobody'}: only its owner or an admin changes it")


def _append(db: sqlite3.Connection, briefing_id: int, v: dict, nonce: str | None) -> int:
    if nonce is not None:
        seen = db.execute(
            "SELECT position FROM item WHERE briefing_id = ? AND nonce = ?", (briefing_id, nonce)
        ).fetchone()
        if seen:
            return seen[0]
    pos = db.execute("SELECT coalesce(max(position) + 1, 0) FROM item WHERE briefing_id = ?", (briefing_id,))
    pos = pos.fetchone()[0]
    if pos >= MAX_ITEMS:
        raise BriefingError(f"a briefing holds at most {MAX_ITEMS} views")
    w, s, e, n = v["bounds"] or (None,) * 4
    lat, lon = v["center"] or (None, None)
    db.execute(
        "INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (briefing_id, pos, nonce, v["date"], v["compare"], w, s, e, n, lat, lon, v["zoom"],
         json.dumps(v["layers"]), v["caption"], v["theatre"], _now()),
    )  # fmt: skip
    return pos


def _clean_nonce(nonce) -> str | None:
    if nonce is not None and not (isinstance(nonce, str) and _NONCE.fullmatch(nonce)):
        raise BriefingError("nonce must be 8–64 letters, digits, '-' or '_'")
    return nonce


def _view(row) -> dict:
    date, compare, w, s, e, n, lat, lon, zoom, layers, caption, theatre = row
    return {
        "date": date,
        "compare": compare,
        "bounds": None if w is None else [w, s, e, n],
        "center": None if lat is None else [lat, lon],
        "zoom": zoom,
        "layers": json.loads(layers),
        "caption": caption,
        "theatre": theatre,
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
