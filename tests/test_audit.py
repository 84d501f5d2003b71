"""The audit log (layers/core/audit.py): append-only."""

from __future__ import annotations

import sqlite3

import pytest

from layers.core.audit import AuditLog


def test_the_audit_log_is_append_only(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record("ana", "briefing.save", "briefing 1", "view 1")
    log.record("ada", "briefing.delete", "briefing 1")
    assert [e["action"] for e in log.entries()] == ["briefing.delete", "briefing.save"]
    with pytest.raises(ValueError, match="unknown audit action"):
        log.record("ana", "drop.tables", "x")
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    for sql in ["UPDATE audit SET who = 'x'", "DELETE FROM audit"]:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    assert len(log.entries()) == 2
