"""The login's accounts: the users file (one ``user:role:hash`` line per analyst, re-read when it changes), its
checks, and the edits the command line makes to it.

``role`` is ``viewer``, ``editor`` or ``admin``; the hash is Werkzeug's ``scrypt:…``/``pbkdf2:…``. A line without
a role (``user:hash``, the format before roles) is an editor. A session id is Flask-Login's ``name:stamp``, where
the stamp is derived from the password hash, so a new password ends that user's sessions.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import flask_login
from werkzeug.security import check_password_hash, generate_password_hash

from layers.core.validate import DEFAULT_ROLE, ROLES

__all__ = ["Account", "Users", "check_name", "check_role", "edit_users", "parse_users", "stamp", "user_line"]

_DUMMY_HASH = generate_password_hash("not a password")  # checked for unknown users: same time as a real check


@dataclass(frozen=True)
class Account(flask_login.UserMixin):
    name: str
    role: str
    hash: str

    def get_id(self) -> str:
        """What the session keeps: the name and a stamp of the password hash (a new password, a new id)."""
        return f"{self.name}:{stamp(self.hash)}"

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def stamp(hashed: str) -> str:
    return hashlib.sha256(hashed.encode()).hexdigest()[:24]


def parse_users(text: str) -> dict[str, Account]:
    """``{name: Account}`` from the users file; ValueError naming the line of anything malformed."""
    users = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, rest = line.partition(":")
        role, sep2, hashed = rest.partition(":")
        if sep2 and role in ROLES:
            pass
        elif rest.startswith(("scrypt:", "pbkdf2:")):
            role, hashed = DEFAULT_ROLE, rest
        else:
            raise ValueError(f"users file line {n}: expected user:role:scrypt:… (role {', '.join(ROLES)})")
        if not sep or not user or not hashed.startswith(("scrypt:", "pbkdf2:")):
            raise ValueError(f"users file line {n}: expected user:role:scrypt:… or user:role:pbkdf2:…")
        if user in users:
            raise ValueError(f"users file line {n}: {user!r} is listed twice")
        users[user] = Account(user, role, hashed)
    return users


def check_name(user: str) -> str:
    if not user or ":" in user or user != user.strip() or not user.isprintable() or len(user) > 200:
        raise ValueError("a user name is printable, has no ':', no surrounding spaces, at most 200 characters")
    return user


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def user_line(user: str, password: str, role: str = DEFAULT_ROLE) -> str:
    """One line for the users file (scrypt, Werkzeug's format)."""
    return f"{check_name(user)}:{check_role(role)}:{generate_password_hash(password, method='scrypt')}"


class Users:
    """The users file, re-read when it changes (adding or removing a user or changing a password needs no
    restart; a removed user's or an old password's session ends at the next request)."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple | None = None
        self._accounts: dict[str, Account] = {}
        self._lock = threading.Lock()
        self.accounts()  # a missing or malformed file stops the app at start-up

    def accounts(self) -> dict[str, Account]:
        st = self.path.stat()
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            if key != self._stamp:
                self._accounts, self._stamp = parse_users(self.path.read_text(encoding="utf-8")), key
            return self._accounts

    def check(self, user: str, password: str) -> Account | None:
        """The account if the password is right. Constant-time for known and unknown users alike
        (``check_password_hash`` compares digests with ``hmac.compare_digest``; an unknown user costs one check
        of a dummy hash)."""
        account = self.accounts().get(user)
        ok = check_password_hash(account.hash if account else _DUMMY_HASH, password)
        return account if ok and account is not None else None

    def load(self, session_id: str) -> Account | None:
        """The account of a session id (``name:stamp``), or None if the user is gone or the password changed."""
        name, _, mark = session_id.rpartition(":")
        account = self.accounts().get(name)
        return account if account is not None and secrets.compare_digest(stamp(account.hash), mark) else None


def edit_users(path: Path, name: str, *, line: str | None) -> bool:
    """Replace ``name``'s line with ``line`` (None removes it; a new name is appended), keeping every other
    line and comment; written to a temp file and renamed into place. Returns whether ``name`` was there."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    parse_users("\n".join(lines))  # refuse to rewrite a malformed file
    out, found = [], False
    for raw in lines:
        if raw.strip() and not raw.strip().startswith("#") and raw.strip().partition(":")[0] == name:
            found = True
            if line is not None:
                out.append(line)
        else:
            out.append(raw)
    if not found and line is not None:
        out.append(line)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return found
