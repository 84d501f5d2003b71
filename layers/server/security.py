"""HTTP hardening for the app: a strict Content-Security-Policy, request limits, callback-body checks and an
optional login. ``secure(app)`` is called once by ``app.py`` after the layout is set.

- **CSP** on every response: scripts only from the app itself plus the hashes of Dash's inline scripts
  (``app.csp_hashes()``); no plugins, no framing, no requests to other hosts (the online basemaps' tile hosts,
  passed by the caller, are added to ``img-src`` only). Also ``nosniff`` and ``Referrer-Policy: no-referrer``.
- **Limits**: request bodies over the app's ``MAX_CONTENT_LENGTH`` (``RAQQA_MAX_BODY_MB`` if set, else the
  limit the app set, else 25 MB) are refused with 413 before any callback runs; a callback request must name
  a server callback and carry as many inputs and states as it declares, nested at most 32 deep, or it gets 400.
- **Login** (off unless ``RAQQA_AUTH_FILE`` names a file of ``user:hash`` lines): a form login with a signed
  session cookie, enforced in ``before_request`` for every route (page, ``/_dash-*``, assets, component
  suites); only the login form itself answers without a session. A form rather than HTTP Basic because the
  app runs on shared screens: a session expires and can be signed out of, Basic credentials stay cached in the
  browser until it closes. Create a line for the file with ``python -m layers add-user NAME``.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import dash
import flask
from dash.exceptions import InvalidCallbackReturnValue
from werkzeug.security import check_password_hash, generate_password_hash

from layers.core import validate
from layers.server.store import instance_dir

__all__ = ["content_security_policy", "logout_form", "secure", "user_line"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_MB = 25
MAX_JSON_DEPTH = 32
SESSION_HOURS = 12
LOGIN, LOGOUT = "_login", "_logout"
MAX_FAILURES, FAILURE_WINDOW_S = 10, 600  # per client address and worker
_DUMMY_HASH = generate_password_hash("not a password")  # checked for unknown users: same time as a real check


# ---------------------------------------------------------------------------------------------------------
# entry point


def secure(app: dash.Dash, *, tile_origins: Sequence[str] = ()) -> None:
    """Apply the policy to ``app``: headers, limits, callback-body checks and (if configured) the login."""
    server = app.server
    if os.environ.get("RAQQA_MAX_BODY_MB") or server.config.get("MAX_CONTENT_LENGTH") is None:
        server.config["MAX_CONTENT_LENGTH"] = max_body_bytes()
    auth_file = os.environ.get("RAQQA_AUTH_FILE")
    if auth_file:
        _enable_login(app, Path(auth_file))
    server.before_request(lambda: _check_callback_body(app))
    server.register_error_handler(InvalidCallbackReturnValue, _mismatched_outputs)
    origins = [_origin(o) for o in tile_origins]

    @server.after_request
    def _headers(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = content_security_policy(app, origins)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if flask.request.path.startswith(app.config.requests_pathname_prefix + "_dash-update-component"):
            response.headers["Cache-Control"] = "no-store"
        return response


def max_body_bytes() -> int:
    mb = float(os.environ.get("RAQQA_MAX_BODY_MB") or DEFAULT_MAX_BODY_MB)
    return int(mb * 1024 * 1024)


# ---------------------------------------------------------------------------------------------------------
# Content-Security-Policy


def content_security_policy(app: dash.Dash, tile_origins: Sequence[str] = ()) -> str:
    """The policy string. Hashes are computed per response (a few short strings), so inline scripts that
    Dash registers after ``secure()`` is called are covered too."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],  # Dash, Mantine and Leaflet set inline styles
        "img-src": ["'self'", "data:", "blob:", *tile_origins],
        "worker-src": ["blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def _origin(value: str) -> str:
    """A tile host as a CSP source: an origin or a tile URL template (``https://{s}.tile.example.org/{z}/…``)
    becomes ``https://host[:port]``, with ``{s}`` (subdomains) as ``*.``; anything else is refused."""
    parts = urlsplit(value)
    host = parts.netloc.replace("{s}.", "*.", 1)
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        raise ValueError(f"not a tile origin: {value!r}")
    return f"{parts.scheme}://{host}"


_HOST = re.compile(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


# ---------------------------------------------------------------------------------------------------------
# callback bodies


def _check_callback_body(app: dash.Dash):
    """Refuse callback requests whose shape Dash would crash on (400) before Dash parses them."""
    req = flask.request
    if req.method != "POST" or req.path != app.config.requests_pathname_prefix + "_dash-update-component":
        return None
    try:
        body = req.get_json()  # 415 for non-JSON, 400 for malformed JSON; cached for Dash
    except RecursionError:
        return _bad("request body nested too deeply")
    try:
        _validate_body(app, body)
    except validate.BadInput as exc:
        return _bad(str(exc))
    return None


def _validate_body(app: dash.Dash, body) -> None:
    if not isinstance(body, dict):
        raise validate.BadInput("request body must be a JSON object")
    validate.json_depth(body, MAX_JSON_DEPTH)
    output = body.get("output")
    cb = app.callback_map.get(output) if isinstance(output, str) else None
    if cb is None or "callback" not in cb:
        raise validate.BadInput("no such server callback")
    for key in ("inputs", "state"):
        values, specs = body.get(key, []), cb[key]
        if not isinstance(values, list) or len(values) != len(specs):
            raise validate.BadInput(f"{key} must be a list of {len(specs)} values")
        for v in values:
            _check_prop(v, key)
    outputs = body.get("outputs")
    if isinstance(cb["output"], list):
        if not isinstance(outputs, list) or len(outputs) != len(cb["output"]):
            raise validate.BadInput(f"outputs must be a list of {len(cb['output'])}")
        for o in outputs:
            _check_prop(o, "outputs")
    else:
        _check_prop(outputs, "outputs")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) and _prop_id_ok(c) for c in changed):
        raise validate.BadInput("changedPropIds must be a list of component.property strings")


def _prop_id_ok(prop_id: str) -> bool:
    """``id.property``, where a pattern-matching id is a JSON object."""
    ident, dot, _ = prop_id.rpartition(".")
    if not dot:
        return False
    if not ident.startswith("{"):
        return True
    try:
        return isinstance(json.loads(ident), dict)
    except ValueError:
        return False


def _check_prop(value, key: str) -> None:
    """One ``{"id", "property", "value"}`` entry, or a list of them (pattern-matching ids)."""
    for item in value if isinstance(value, list) else [value]:
        if not (
            isinstance(item, dict) and isinstance(item.get("id"), str | dict) and isinstance(item.get("property"), str)
        ):
            raise validate.BadInput(f"each of {key} must have an id and a property")


def _mismatched_outputs(exc: Exception):
    log.warning("callback return did not match the requested outputs: %s", exc)
    return _bad("the request's outputs do not match the callback")


def _bad(message: str, status: int = 400) -> flask.Response:
    return flask.Response(json.dumps({"error": message}), status=status, mimetype="application/json")


# ---------------------------------------------------------------------------------------------------------
# login


class Users:
    """``user:hash`` lines from the auth file, re-read when the file changes (adding or removing a user needs
    no restart; a removed user's session ends at the next request)."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple | None = None
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()
        self.hashes()  # a missing or unreadable file stops the app at start-up

    def hashes(self) -> dict[str, str]:
        st = self.path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            if stamp != self._stamp:
                self._hashes, self._stamp = parse_users(self.path.read_text(encoding="utf-8")), stamp
            return self._hashes

    def check(self, user: str, password: str) -> bool:
        """Constant-time for known and unknown users alike (``check_password_hash`` compares digests with
        ``hmac.compare_digest``; an unknown user costs one check of a dummy hash)."""
        stored = self.hashes().get(user)
        ok = check_password_hash(stored or _DUMMY_HASH, password)
        return ok and stored is not None


def parse_users(text: str) -> dict[str, str]:
    users = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, hashed = line.partition(":")
        if not sep or not user or not hashed.startswith(("scrypt:", "pbkdf2:")):
            raise ValueError(f"auth file line {n}: expected user:scrypt:… or user:pbkdf2:…")
        users[user] = hashed
    return users


def user_line(user: str, password: str) -> str:
    """One line for the auth file (scrypt, Werkzeug's format)."""
    if not user or ":" in user or user != user.strip() or not user.isprintable():
        raise ValueError("a user name is printable, has no ':' and no surrounding spaces")
    return f"{user}:{generate_password_hash(password, method='scrypt')}"


def _enable_login(app: dash.Dash, path: Path) -> None:
    server = app.server
    users = Users(path)
    prefix = app.config.requests_pathname_prefix
    login_path, logout_path = prefix + LOGIN, prefix + LOGOUT
    server.secret_key = _secret_key()
    server.config.update(
        SESSION_COOKIE_NAME="raqqa_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("RAQQA_COOKIE_SECURE", "") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    failures: dict[str, list[float]] = {}

    @server.before_request
    def _require_login():
        req = flask.request
        if req.method not in ("GET", "HEAD") and not _same_origin(req):
            return _plain("cross-origin request refused", 403)
        if req.path == login_path:
            return None
        user = flask.session.get("user")
        started = flask.session.get("since", 0)
        if user and user in users.hashes() and time.time() - started < SESSION_HOURS * 3600:
            return None
        flask.session.pop("user", None)
        if req.method == "GET" and "text/html" in req.headers.get("Accept", ""):
            return flask.redirect(f"{login_path}?next={quote(_safe_next(req.full_path, prefix))}", 303)
        return _plain("login required", 401)

    def login():
        req = flask.request
        nxt = _safe_next(req.values.get("next", prefix), prefix)
        if req.method == "GET":
            return _login_page(nxt, "")
        addr = req.remote_addr or "?"
        recent = [t for t in failures.get(addr, []) if time.time() - t < FAILURE_WINDOW_S]
        if len(recent) >= MAX_FAILURES:
            return _login_page(nxt, "Too many failed attempts; try again in a few minutes.", 429)
        token = flask.session.get("csrf", "")
        if not token or not hmac.compare_digest(token, req.form.get("csrf", "")):
            return _login_page(nxt, "The form expired; please sign in again.", 400)
        user, password = req.form.get("user", ""), req.form.get("password", "")
        if len(user) > 200 or len(password) > 1024 or not users.check(user, password):
            failures[addr] = [*recent, time.time()]
            if len(failures) > 10_000:
                failures.clear()
            return _login_page(nxt, "Unknown user or wrong password.", 401)
        failures.pop(addr, None)
        flask.session.clear()
        flask.session.update(user=user, since=time.time())
        flask.session.permanent = True
        return flask.redirect(nxt, 303)

    def logout():
        flask.session.clear()
        return flask.redirect(login_path, 303)

    server.add_url_rule(login_path, "raqqa_login", login, methods=["GET", "POST"])
    server.add_url_rule(logout_path, "raqqa_logout", logout, methods=["POST"])


def logout_form() -> dash.html.Form:
    """A "Sign out" button for the page (only useful when the login is on)."""
    return dash.html.Form(
        dash.html.Button("Sign out", type="submit", className="sign-out"), method="POST", action="/" + LOGOUT
    )


def _login_page(nxt: str, error: str, status: int = 200) -> flask.Response:
    token = flask.session.get("csrf") or secrets.token_urlsafe(32)
    flask.session["csrf"] = token
    err = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    page = _LOGIN_HTML.format(
        error=err, csrf=html.escape(token), next=html.escape(nxt), action=html.escape(flask.request.path)
    )
    return flask.Response(page, status=status, mimetype="text/html", headers={"Cache-Control": "no-store"})


def _same_origin(req: flask.Request) -> bool:
    """A state-changing request must come from a page of this app: its Origin (or, without one, its
    Sec-Fetch-Site) must match. Requests from non-browser clients that send neither are let through; they
    carry no ambient cookie unless their user put one there."""
    origin = req.headers.get("Origin")
    if origin:
        return origin != "null" and urlsplit(origin).netloc == req.host
    return req.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")


def _safe_next(target: str, prefix: str) -> str:
    """Only a path on this site (no scheme, no host, no ``//``), so the login cannot redirect elsewhere."""
    target = target or prefix
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return prefix
    return target.rstrip("?") or prefix


def _plain(text: str, status: int) -> flask.Response:
    return flask.Response(text, status=status, mimetype="text/plain")


def _secret_key() -> bytes:
    """$RAQQA_SECRET_KEY, or a random key kept in the instance folder: the same for every worker, made once
    (written to a temp file and hard-linked into place, so concurrent workers agree on one key)."""
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
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="next" value="{next}">
<label for="user">User</label><input id="user" name="user" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></body></html>
"""
