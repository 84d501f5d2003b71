"""HTTP hardening for the app: a strict Content-Security-Policy, request limits, callback-body checks and an
optional login. ``secure(app)`` is called once by ``app.py`` after the layout is set.

- **CSP** on every response: scripts only from the app itself plus the hashes of Dash's inline scripts
  (``app.csp_hashes()``); no plugins, no framing, no requests to other hosts (the online basemaps' tile hosts,
  passed by the caller, are added to ``img-src`` only). Also ``nosniff`` and ``Referrer-Policy: same-origin``.
- **Limits**: request bodies over the app's ``MAX_CONTENT_LENGTH`` (``RAQQA_MAX_BODY_MB`` if set, else the
  limit the app set, else 25 MB) are refused with 413 before any callback runs; a callback request must name
  a server callback and carry as many inputs and states as it declares, nested at most 32 deep, or it gets 400.
- **Hosts**: only the names in ``RAQQA_ALLOWED_HOSTS`` (default the loopback names) are answered, login on
  or off (Flask's ``TRUSTED_HOSTS``); proxy headers are trusted only with ``RAQQA_PROXIES``.
- **Errors**: a callback request whose outputs do not match its callback gets 400, an unknown component file
  404, a chunked body over the limit 413: never a 500.
- **Login** (off unless ``RAQQA_AUTH_FILE`` names a users file): ``layers/server/login.py`` (roles in ``auth.py``),
  enforced in ``before_request`` for every route (page, ``/_dash-*``, assets, component suites); only the sign-in form
  answers without a session. A form rather than HTTP Basic because the app runs on shared screens: a session
  expires and can be signed out of, Basic credentials stay cached in the browser until it closes.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import dash
import flask
from dash.exceptions import CallbackException, DependencyException, InvalidCallbackReturnValue
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from layers.core import validate
from layers.server import auth, login

__all__ = ["allowed_hosts", "content_security_policy", "same_origin", "secure"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_MB = 25
MAX_JSON_DEPTH = 32


# ---------------------------------------------------------------------------------------------------------
# entry point


def secure(app: dash.Dash, *, tile_origins: Sequence[str] = ()) -> None:
    """Apply the policy to ``app``: headers, limits, callback-body checks and (if configured) the login."""
    server = app.server
    if os.environ.get("RAQQA_MAX_BODY_MB") or server.config.get("MAX_CONTENT_LENGTH") is None:
        server.config["MAX_CONTENT_LENGTH"] = max_body_bytes()
    server.config["TRUSTED_HOSTS"] = allowed_hosts()
    _behind_proxies(server)
    server.wsgi_app = _ChunkedLimit(server.wsgi_app, server)
    auth_file = os.environ.get("RAQQA_AUTH_FILE")
    if auth_file:
        login.enable(app, Path(auth_file), same_origin)
    server.before_request(lambda: _check_callback_body(app))
    server.before_request(auth.before_callback)
    server.register_error_handler(InvalidCallbackReturnValue, _mismatched_outputs)
    server.register_error_handler(CallbackException, _mismatched_outputs)
    server.register_error_handler(DependencyException, _no_such_file)
    origins = [_origin(o) for o in tile_origins]

    @server.after_request
    def _headers(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = content_security_policy(app, origins)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # no Referer to other sites (article links), but same-origin posts keep their Origin: under
        # no-referrer Chromium sends "Origin: null" on the login form
        response.headers["Referrer-Policy"] = "same-origin"
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


def _no_such_file(exc: Exception):
    log.info("no such component file: %s", flask.request.path[:200])
    return _bad("no such file", 404)


def _bad(message: str, status: int = 400) -> flask.Response:
    return flask.Response(json.dumps({"error": message}), status=status, mimetype="application/json")


# ---------------------------------------------------------------------------------------------------------
# hosts, proxies, origins, chunked bodies


def allowed_hosts() -> list[str]:
    """The host names this app answers to: ``RAQQA_ALLOWED_HOSTS`` (comma-separated; ``.example.org`` also
    allows its subdomains), by default the loopback names. Any other ``Host`` gets 400, login on or off, so a
    DNS-rebinding page (a foreign name resolving to 127.0.0.1) cannot read or save anything."""
    raw = os.environ.get("RAQQA_ALLOWED_HOSTS", "")
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    return hosts or list(LOOPBACK_HOSTS)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost")  # the app binds 127.0.0.1 (Werkzeug cannot list an IPv6 host)


def same_origin(req: flask.Request) -> bool:
    """A state-changing request must come from a page of this app: its ``Origin`` must be this host. Chromium
    sends ``Origin: null`` for some same-origin form posts (under a strict referrer policy), so ``null`` and a
    missing Origin fall back on ``Sec-Fetch-Site``, which browsers always send: it must be ``same-origin`` (or
    ``none``: typed by the user). Clients that send neither (scripts, tests) are let through: they carry no
    ambient cookie unless their user put one there."""
    origin = req.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == req.host
    site = req.headers.get("Sec-Fetch-Site")
    if site is None:
        return origin is None
    return site in ("same-origin", "none")


def _behind_proxies(server: flask.Flask) -> None:
    """Trust ``X-Forwarded-For``/``-Proto``/``-Host`` only when ``RAQQA_PROXIES`` says how many proxies stand
    in front of the app; without it the client address is the socket's, so a forged header changes nothing."""
    count = int(os.environ.get("RAQQA_PROXIES") or 0)
    if count > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=count)


class _ChunkedLimit:
    """A body sent without a length (``Transfer-Encoding: chunked``, where a ``Content-Length`` does not count)
    is read up to the limit here: over it, 413 before anything else runs; within it, the request goes on with
    its length set, like any other."""

    def __init__(self, wsgi_app, server: flask.Flask):
        self.wsgi_app, self.server = wsgi_app, server

    def __call__(self, environ, start_response):
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():  # a declared length decides
            return self.wsgi_app(environ, start_response)
        limit = self.server.config.get("MAX_CONTENT_LENGTH") or max_body_bytes()
        data = environ["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            return RequestEntityTooLarge()(environ, start_response)
        environ.update({"wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data))})
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.wsgi_app(environ, start_response)
