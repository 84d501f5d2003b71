"""The optional login: accounts with roles, server-side sessions, a throttle that delays and never refuses,
and the checks callbacks make before changing anything.

Off unless ``RAQQA_AUTH_FILE`` names a users file (``enable(app, path)``, called by ``security.secure``).

- **Accounts**: one ``user:role:hash`` line per analyst (``role`` is ``viewer``, ``editor`` or ``admin``;
  Werkzeug's ``scrypt:…``/``pbkdf2:…`` hash). A line without a role (``user:hash``, the format before roles) is
  an editor. The file is re-read when it changes.
- **Sessions** live on the server (Flask-Session over cachelib's ``FileSystemCache`` in
  ``$RAQQA_INSTANCE/sessions``, shared by every worker); the cookie holds only a random id. Signing out deletes
  the session; a session id is Flask-Login's ``name:stamp``, where the stamp is derived from the password hash,
  so changing a password (``python -m layers passwd``) ends every session of that user at its next request.
  A session lasts ``RAQQA_SESSION_HOURS`` (default 12) from sign-in.
- **CSRF**: the sign-in and sign-out forms carry Flask-WTF's token; every other non-GET request must come from
  this site (``security.same_origin``).
- **Throttle**: failed sign-ins are counted per account *and* client address (``$RAQQA_INSTANCE/logins.sqlite3``,
  shared by the workers). After ``FREE_FAILURES`` failures within ``FAILURE_WINDOW_S`` every further attempt
  for that pair waits (``delay_for``), right or wrong: a correct password is delayed, never refused, and an
  attacker at another address does not slow anyone else down. The client address is the socket's, or the
  proxy's ``X-Forwarded-For`` only when ``RAQQA_PROXIES`` says how many proxies to trust (``security.py``).
- **Roles**: ``viewer`` reads; ``editor`` also saves briefings (its own) and imports theatres; ``admin`` also
  deletes anyone's briefing and theatres, and manages users (the command line). ``can(role)`` is what callbacks
  ask; with the login off the app is one analyst's tool on loopback and everything is allowed.
- **Audit**: ``record(action, target)`` appends to the audit log with the signed-in user's name.
"""

from __future__ import annotations

import hashlib
import html
import os
import secrets
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import dash
import flask
import flask_login
from cachelib import FileSystemCache
from flask_session import Session
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.security import check_password_hash, generate_password_hash

from layers.core.validate import DEFAULT_ROLE, ROLES
from layers.server.store import audit_log, instance_dir

__all__ = ["ROLES", "Account", "can", "enable", "login_on", "record", "sign_out_form", "user_line", "who"]

LOGIN, LOGOUT = "_login", "_logout"
FREE_FAILURES, FAILURE_WINDOW_S, MAX_DELAY_S = 5, 600, 8.0
LOCAL = "local"  # who changed something when the login is off
_DUMMY_HASH = generate_password_hash("not a password")  # checked for unknown users: same time as a real check
sleep = time.sleep  # the throttle's wait (tests record it instead of waiting)


# ---------------------------------------------------------------------------------------------------------
# accounts


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


# ---------------------------------------------------------------------------------------------------------
# the throttle


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


# ---------------------------------------------------------------------------------------------------------
# what callbacks ask


def login_on() -> bool:
    return bool(flask.has_app_context() and flask.current_app.config.get("RAQQA_LOGIN"))


# Background callbacks run in a job process with no request, so who may start one is checked before it starts,
# and who started it travels with the job: the server sets ACTOR_HEADER on the request (any value a client sent
# is replaced), and Dash copies the request's headers into the job's callback context.
ACTOR_HEADER = "X-Raqqa-Actor"
GATED: dict[str, str] = {}  # callback output id -> the role needed to run it


def gate(output_id: str, role: str) -> None:
    """Require ``role`` of whoever runs the (background) callback writing ``output_id``, before it runs."""
    check_role(role)
    GATED[output_id] = role


def before_callback() -> flask.Response | None:
    """A request's hook: stamp the actor for background jobs; refuse a gated callback to a lesser role."""
    req = flask.request
    req.environ["HTTP_" + ACTOR_HEADER.upper().replace("-", "_")] = who()
    if req.method != "POST" or not req.path.endswith("/_dash-update-component") or not GATED:
        return None
    body = req.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    if not isinstance(output, str):
        return None
    for output_id, role in GATED.items():
        if f"{output_id}." in output and not can(role):
            return flask.Response(f"{role} role needed", status=403, mimetype="text/plain")
    return None


def current() -> Account | None:
    """The signed-in account; None when the login is off or nobody is signed in."""
    if not login_on():
        return None
    user = flask_login.current_user
    return user if isinstance(user, Account) else None


def can(role: str) -> bool:
    """May the requester act with ``role``? Always with the login off."""
    check_role(role)
    if not login_on():
        return True
    account = current()
    return account is not None and account.can(role)


def who() -> str:
    """The name changes are recorded under: the signed-in user, or ``local`` with the login off. In a
    background job, the actor the server stamped on the request that started it."""
    if not flask.has_request_context():
        try:
            headers = dash.callback_context.headers or {}
        except dash.exceptions.MissingCallbackContextException:  # neither a request nor a callback: a script
            headers = {}
        actor = {k.lower(): v for k, v in headers.items()}.get(ACTOR_HEADER.lower())
        return actor if isinstance(actor, str) and actor else LOCAL
    account = current()
    return account.name if account else LOCAL


def owns(owner: str | None) -> bool:
    """May the requester change something owned by ``owner``? Its owner (an editor) or an admin may."""
    if not login_on() or can("admin"):
        return True
    account = current()
    return account is not None and account.can("editor") and owner == account.name


def record(action: str, target: str, detail: str = "") -> None:
    audit_log().record(who(), action, target, detail)


# ---------------------------------------------------------------------------------------------------------
# the login itself


def session_hours() -> float:
    return float(os.environ.get("RAQQA_SESSION_HOURS") or 12)


def enable(app: dash.Dash, path: Path, same_origin) -> None:
    """Turn the login on for ``app`` with the users file at ``path``; ``same_origin(request)`` decides whether a
    state-changing request comes from this site."""
    server = app.server
    users = Users(path)
    prefix = app.config.requests_pathname_prefix
    login_path, logout_path = prefix + LOGIN, prefix + LOGOUT
    lifetime = timedelta(hours=session_hours())
    server.secret_key = _secret_key()
    server.config.update(
        RAQQA_LOGIN=True,
        SESSION_TYPE="cachelib",
        SESSION_CACHELIB=FileSystemCache(str(instance_dir() / "sessions"), threshold=20_000, mode=0o600),
        SESSION_PERMANENT=True,
        SESSION_KEY_PREFIX="raqqa:",
        SESSION_COOKIE_NAME="raqqa_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("RAQQA_COOKIE_SECURE", "") == "1",
        PERMANENT_SESSION_LIFETIME=lifetime,
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_CHECK_DEFAULT=False,  # only the two forms; callbacks are JSON from this site (security.py)
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_FIELD_NAME="csrf_token",
    )
    Session(server)
    csrf = CSRFProtect(server)
    manager = flask_login.LoginManager(server)
    manager.session_protection = None  # addresses change behind proxies and on phones; the session id is enough
    manager.user_loader(users.load)
    throttle = Throttle(instance_dir() / "logins.sqlite3")

    @server.before_request
    def _require_login():
        req = flask.request
        if req.method not in ("GET", "HEAD") and not same_origin(req):
            return _plain("cross-origin request refused", 403)
        if req.path == login_path:
            return None
        since = flask.session.get("since", 0)
        if flask_login.current_user.is_authenticated and time.time() - since < lifetime.total_seconds():
            return None
        if "_user_id" in flask.session:
            flask_login.logout_user()
            flask.session.clear()  # an expired or revoked session is deleted from the store
        if req.method == "GET" and "text/html" in req.headers.get("Accept", ""):
            return flask.redirect(f"{login_path}?next={quote(safe_next(req.full_path, prefix))}", 303)
        return _plain("login required", 401)

    def login():
        req = flask.request
        nxt = safe_next(req.values.get("next", prefix), prefix)
        if req.method == "GET":
            return _login_page(nxt, "")
        try:
            csrf.protect()
        except CSRFError:
            return _login_page(nxt, "The form expired; please sign in again.", 400)
        user, password = req.form.get("user", "")[:200], req.form.get("password", "")[:1024]
        key = f"{user}\n{req.remote_addr or '?'}"
        wait = delay_for(throttle.failures(key))
        if wait:
            sleep(wait)  # right or wrong, the attempt waits: a correct password is never refused
        account = users.check(user, password)
        if account is None:
            throttle.fail(key)
            return _login_page(nxt, "Unknown user or wrong password.", 401)
        throttle.clear(key)
        flask.session.clear()
        flask_login.login_user(account)
        flask.session["since"] = time.time()
        server.session_interface.regenerate(flask.session)  # a new id: a planted session id is worthless
        record("session.sign-in", account.name)
        return flask.redirect(nxt, 303)

    def logout():
        try:
            csrf.protect()
        except CSRFError:
            return _plain("the sign-out form expired: reload the page", 400)
        if flask_login.current_user.is_authenticated:
            record("session.sign-out", flask_login.current_user.name)
        flask_login.logout_user()
        flask.session.clear()  # deletes the session on the server: the old cookie no longer signs anyone in
        return flask.redirect(login_path, 303)

    server.add_url_rule(login_path, "raqqa_login", login, methods=["GET", "POST"])
    server.add_url_rule(logout_path, "raqqa_logout", logout, methods=["POST"])


def sign_out_form() -> dash.html.Form | None:
    """The "Sign out" control for the page's header (None with the login off): a form POSTing to ``/_logout``
    with the CSRF token, naming the signed-in user and role."""
    account = current()
    if account is None:
        return None
    return dash.html.Form(
        [
            dash.html.Span(f"{account.name} ({account.role})", className="signed-in"),
            dash.dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
            dash.html.Button("Sign out", type="submit", className="tool sign-out", id="sign-out"),
        ],
        method="POST",
        action="/" + LOGOUT,
        className="sign-out-form",
    )


def safe_next(target: str, prefix: str) -> str:
    """Only a path on this site (no scheme, no host, no ``//``), so the login cannot redirect elsewhere."""
    target = target or prefix
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return prefix
    return target.rstrip("?") or prefix


def _login_page(nxt: str, error: str, status: int = 200) -> flask.Response:
    err = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    page = _LOGIN_HTML.format(
        error=err, csrf=html.escape(generate_csrf()), next=html.escape(nxt), action=html.escape(flask.request.path)
    )
    return flask.Response(page, status=status, mimetype="text/html", headers={"Cache-Control": "no-store"})


def _plain(text: str, status: int) -> flask.Response:
    return flask.Response(text, status=status, mimetype="text/plain")


def _secret_key() -> bytes:
    """$RAQQA_SECRET_KEY, or a random key kept in the instance folder (signs the CSRF tokens): the same for every
    worker, made once (written to a temp file and hard-linked into place, so concurrent workers agree)."""
    if os.environ.get("RAQQA_SECRET_KEY"):
        return os.environ["RAQQA_SECRET_KEY"].encode()
    folder = instance_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        tmp = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip().encode()


_LOGIN_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f2ee; color: #1d1d1d; display: grid;
       place-items: center; min-height: 100vh; margin: 0; }}
form {{ background: #fff; padding: 2rem; border-radius: 6px; box-shadow: 0 1px 4px #0002; width: 18rem; }}
label {{ display: block; margin: .8rem 0 .2rem; }}
input {{ width: 100%; box-sizing: border-box; padding: .45rem; font-size: 1rem; }}
button {{ margin-top: 1.2rem; width: 100%; padding: .55rem; font-size: 1rem; }}
.error {{ color: #a4161a; }}
</style></head>
<body><form method="post" action="{action}">
<h1>Sign in</h1>{error}
<input type="hidden" name="csrf_token" value="{csrf}"><input type="hidden" name="next" value="{next}">
<label for="user">User</label><input id="user" name="user" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></body></html>
"""
