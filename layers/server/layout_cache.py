"""``/_dash-layout`` and ``/_dash-dependencies`` from memory, compressed once, with validators.

The page's layout is ~650 kB of JSON (most of it the timeline tables and the event feed). Dash builds and
serialises it on every visit (``app.layout`` is a function); here it is built once per *variant* and kept with
its brotli and gzip bodies and an ETag, so a visit costs a dictionary look-up and a browser that already has it
gets ``304 Not Modified`` (``Cache-Control: no-cache``: it always asks, the answer is usually empty).

A variant is what makes two visitors' layouts differ:

- the **data**: the bundled theatre is read once per process, but the Data tab lists the imported theatres
  (``layers/features/admin.py``), so the variant carries a stamp of ``$RAQQA_INSTANCE/theatres`` (each
  folder's name and its ``theatre.json``'s modification time, one directory listing per request): importing,
  replacing or deleting a theatre changes it, in every worker;
- the **reader**, with the login on: the header names the signed-in user and carries the session's sign-out
  token, and only admins get the admin panel, so the variant carries the user, the role and the session's
  token (``Cache-Control: private``). With the login off there is one reader (``local``).

``?theatre=<slug>`` does not change ``/_dash-layout``: the page always starts on the bundled theatre and the
``switch_theatre`` callback (``layers/features/page.py``) swaps the page in.

:func:`install` replaces the two views (so every ``before_request`` hook, the login included, still runs
first) and prepares the login-off variant at once, so even the first visit after a start is served from memory.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import dash
import flask
from dash._utils import to_json

from layers.server import auth, store
from layers.server.serving import choose_encoding, compress

__all__ = ["CachedBody", "LayoutCache", "data_stamp", "install", "reader"]

MAX_VARIANTS = 256  # signed-in sessions each have one; the login-off page is one


@dataclass(frozen=True)
class CachedBody:
    """One JSON body with its compressed forms and its validator."""

    raw: bytes
    encoded: dict[str, bytes]
    digest: str

    @classmethod
    def of(cls, raw: bytes) -> CachedBody:
        encoded = {a: compress(raw, a) for a in ("br", "gzip")}
        return cls(raw, encoded, hashlib.sha256(raw).hexdigest()[:24])

    def etag(self, algorithm: str | None) -> str:
        return f"{self.digest}-{algorithm or 'identity'}"

    def response(self, request: flask.Request, private: bool) -> flask.Response:
        algorithm = choose_encoding(request.headers.get("Accept-Encoding", ""))
        body = self.encoded[algorithm] if algorithm else self.raw
        response = flask.Response(body, mimetype="application/json")
        if algorithm:
            response.headers["Content-Encoding"] = algorithm
        response.set_etag(self.etag(algorithm))
        response.vary.add("Accept-Encoding")
        response.headers["Cache-Control"] = ("private, " if private else "") + "no-cache"
        return response.make_conditional(request)


def data_stamp() -> tuple:
    """What of the saved data the layout shows: the imported theatres (name and modification time of each)."""
    try:
        with os.scandir(store.theatres_root()) as entries:
            folders = [e for e in entries if e.is_dir()]
    except FileNotFoundError:
        return ()
    return tuple(sorted((e.name, _mtime(os.path.join(e.path, "theatre.json"))) for e in folders))


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


def reader() -> tuple:
    """Who the layout is built for: ``("local",)`` with the login off; the user, role and session token on."""
    account = auth.current()
    if account is None:
        return ("local",) if not auth.login_on() else ("anonymous",)
    return (account.name, account.role, flask.session.get("csrf_token", ""))


class LayoutCache:
    """Bodies built by ``build()`` (a JSON string), one per key, least recently used dropped first."""

    def __init__(self, build: Callable[[], str], key: Callable[[], tuple], limit: int = MAX_VARIANTS):
        self._build, self._key, self._limit = build, key, limit
        self._entries: OrderedDict[tuple, CachedBody] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0

    def body(self) -> CachedBody:
        key = self._key()
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        built = CachedBody.of(self._build().encode())
        key = self._key()  # building may start the session's token: keep it under the key it now has
        with self._lock:
            self.builds += 1
            self._entries[key] = built
            while len(self._entries) > self._limit:
                self._entries.popitem(last=False)
        return built

    def __len__(self) -> int:
        return len(self._entries)


def install(app: dash.Dash) -> dict[str, LayoutCache]:
    """Serve ``/_dash-layout`` and ``/_dash-dependencies`` from caches; build the login-off layout now."""
    server = app.server
    prefix = app.config.routes_pathname_prefix
    layout = LayoutCache(lambda: to_json(app.get_layout()), lambda: (data_stamp(), reader()))
    dependencies = LayoutCache(lambda: to_json(app._callback_list), lambda: (len(app._callback_list),))

    def view(cache: LayoutCache) -> Callable[[], flask.Response]:
        return lambda: cache.body().response(flask.request, private=auth.login_on())

    server.view_functions[prefix + "_dash-layout"] = view(layout)
    server.view_functions[prefix + "_dash-dependencies"] = view(dependencies)
    with server.test_request_context(prefix):
        if not auth.login_on():  # with the login on, the variants are the sessions': built on their first visit
            layout.body()
    return {"layout": layout, "dependencies": dependencies}
