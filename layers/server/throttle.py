"""The sign-in throttle: failed sign-ins counted per account *and* client address, in SQLite shared by the
workers; after ``FREE_FAILURES`` failures within ``FAILURE_WINDOW_S`` every further attempt for that pair waits
(``delay_for``), right or wrong, so a correct password is delayed, never refused."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

__all__ = ["FAILURE_WINDOW_S", "FREE_FAILURES", "MAX_DELAY_S", "Throttle", "delay_for"]

FREE_FAILURES, FAILURE_WINDOW_S, MAX_DELAY_S = 5, 600, 8.0


def delay_for(failures: int) -> float:
    """Seconds every attempt waits after ``failures`` recent failures of the same account and address."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_S, 0.5 * 2 ** (failures - FREE_FAILURES))


class Throttle:
    """Failed sign-ins per key (account and address) within the window, in SQLite (shared by the workers)."""

    def __init__(self, path: Path):
        self.path = path

    def _db(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE IF NOT EXISTS failure (key TEXT NOT NULL, at REAL NOT NULL)")
        db.execute("CREATE INDEX IF NOT EXISTS failure_key ON failure (key, at)")
        return db

    def failures(self, key: str) -> int:
        with closing(self._db()) as db, db:
            db.execute("DELETE FROM failure WHERE at < ?", (time.time() - FAILURE_WINDOW_S,))
            return db.execute("SELECT count(*) FROM failure WHERE key = ?", (key,)).fetchone()[0]

    def fail(self, key: str) -> None:
        with closing(self._db()) as db, db:
            db.execute("INSERT INTO failure (key, at) VALUES (?, ?)", (key, time.time()))

    def clear(self, key: str) -> None:
        with closing(self._db()) as db, db:
            db.execute("DELETE FROM failure WHERE key = ?", (key,))
