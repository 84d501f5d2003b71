"""The login itself: turning it on for the app (server-side sessions, CSRF on its two forms), the sign-in and
sign-out routes, the sign-in page and the "Sign out" control.

Sessions live on the server (Flask-Session over cachelib's ``FileSystemCache`` in ``$RAQQA_INSTANCE/sessions``,
shared by every worker); the cookie holds only a random id. Signing out deletes the session. A session lasts
``RAQQA_SESSION_HOURS`` (default 12) from sign-in.
"""

from __future__ import annotations

import html
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import dash
import flask
import flask_login
from cachelib import FileSystemCache
from flask_session import Session
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from layers.server.accounts import Users
from layers.server.auth import current, record
from layers.server.store import instance_dir
from layers.server.throttle import Throttle, delay_for

__all__ = ["LOGIN", "LOGOUT", "enable", "safe_next", "session_hours", "sign_out_form"]

LOGIN, LOGOUT = "_login", "_logout"
sleep = time.sleep  # the throttle's wait (tests record it instead of waiting)


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
