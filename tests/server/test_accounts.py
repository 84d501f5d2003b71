"""The users file (layers/server/accounts.py): its format, and the command line's user commands that edit it and
are audited, and its audit command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from layers.core.audit import AuditLog
from layers.server import accounts
from tests.conftest import ROOT
from tests.server.conftest import PASSWORD


def test_users_file_format_is_checked():
    users = accounts.parse_users("# c\n\nana:scrypt:32768:8:1$x$y\nvic:viewer:pbkdf2:sha256:1$x$y\n")
    assert users["ana"].role == "editor" and users["ana"].hash == "scrypt:32768:8:1$x$y"  # no role: editor
    assert users["vic"].role == "viewer"
    for bad in ["ana", "ana:plaintext", ":scrypt:1$x$y", "ana:boss:scrypt:1$x$y", "a:scrypt:1\na:scrypt:2"]:
        with pytest.raises(ValueError, match="line"):
            accounts.parse_users(bad)
    for name in ["a:b", " a", "a\x1b[2J", ""]:
        with pytest.raises(ValueError):
            accounts.user_line(name, PASSWORD)
    with pytest.raises(ValueError, match="role"):
        accounts.user_line("ana", PASSWORD, "root")


def cli(*args, env=None, check=True):
    base = {"RAQQA_NEW_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "layers", *args], cwd=ROOT, env=base, capture_output=True, text=True, check=check
    )


def test_user_commands_edit_the_file_and_are_audited(tmp_path):
    users, instance = tmp_path / "users.txt", tmp_path / "inst"
    env = {"RAQQA_AUTH_FILE": str(users), "RAQQA_INSTANCE": str(instance)}
    line = cli("add-user", "ana").stdout  # without a file: the line is printed
    assert accounts.parse_users(line)["ana"].role == "editor"
    cli("add-user", "ana", "--role", "admin", env=env)
    assert accounts.Users(users).check("ana", PASSWORD).role == "admin"
    assert cli("add-user", "ana", env=env, check=False).returncode == 1  # already there
    old = accounts.Users(users).accounts()["ana"].get_id()
    cli("passwd", "ana", env={**env, "RAQQA_NEW_PASSWORD": "another long one"})
    assert accounts.Users(users).load(old) is None and accounts.Users(users).check("ana", "another long one")
    cli("set-role", "ana", "viewer", env=env)
    assert accounts.Users(users).accounts()["ana"].role == "viewer"
    assert cli("set-role", "ana", "root", env=env, check=False).returncode == 2
    cli("remove-user", "ana", env=env)
    assert accounts.Users(users).accounts() == {}
    assert cli("passwd", "nobody", env=env, check=False).returncode == 1
    assert cli("passwd", "ana", check=False).returncode == 2  # no users file named
    assert cli("add-user", "ana", env={**env, "RAQQA_NEW_PASSWORD": "short"}, check=False).returncode == 1
    out = cli("audit", env=env).stdout.splitlines()
    assert [ln.split("  ")[2] for ln in out] == ["user.remove", "user.role", "user.password", "user.add"]
    assert "(command line)" in out[0]


def test_audit_output_escapes_control_characters(tmp_path):
    AuditLog(tmp_path / "audit.sqlite3").record("ana\x1b[2J", "briefing.save", "brief\x07")
    out = cli("audit", env={"RAQQA_INSTANCE": str(tmp_path)}).stdout
    assert "\x1b" not in out and "\x07" not in out and "ana" in out
