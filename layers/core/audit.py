"""The audit log: who changed what, and when. An append-only table in SQLite (standard library only).

Every change analysts make through the app or the command line is one row: ``{id, at, who, action, target,
detail}`` (``at`` in UTC, ISO 8601). Triggers refuse ``UPDATE`` and ``DELETE`` on the table, so the log can
only grow. Like the briefings store, a connection is opened per operation (safe across gunicorn workers) in WAL
mode with a ``busy_timeout``. Text is stored as text; whoever prints it escapes it (``terminal_text``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

__all__ = ["ACTIONS", "AuditLog"]

BUSY_TIMEOUT_MS = 10_000
MAX_TEXT = 500
ACTIONS = frozenset(
    {
        "briefing.save",
        "briefing.delete",
        "theatre.import",
        "theatre.delete",
        "user.add",
        "user.password",
        "user.role",
        "user.remove",
        "session.sign-in",
        "session.sign-out",
    }
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class AuditLog:
    """The log in one SQLite file (created on first use)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def record(self, who: str, action: str, target: str, detail: str = "") -> int:
        """Append one entry; return its id. ``action`` must be one of ``ACTIONS``."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        row = (at, _text(who) or "?", action, _text(target), _text(detail))
        with closing(self._connect()) as db, db:
            cur = db.execute("INSERT INTO audit (at, who, action, target, detail) VALUES (?, ?, ?, ?, ?)", row)
            return int(cur.lastrowid)

    def entries(self, limit: int = 200) -> list[dict]:
        """The latest ``limit`` entries, newest first."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT id, at, who, action, target, detail FROM audit ORDER BY id DESC LIMIT ?", (int(limit),)
            ).fetchall()
        keys = ("id", "at", "who", "action", "target", "detail")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.executescript(SCHEMA)
        db.isolation_level = "DEFERRED"
        return db


def _text(value) -> str:
    return str(value if value is not None else "")[:MAX_TEXT]
