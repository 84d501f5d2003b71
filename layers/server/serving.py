"""The page's scripts and stylesheets compressed once per worker, not on every request.

Flask-Compress (``Dash(compress=True)``) compresses every response as it goes out; for the ~4 MB of
JavaScript a first visit fetches, that is ~0.1 s of CPU per visitor, which a room of analysts opening the app
at once turns into a queue. ``cache_compressed_static(app)`` keeps the brotli/gzip bodies of the component
suites and ``assets/`` files (keyed by path, query and ETag, so a changed file is compressed anew) and serves
them from memory; Flask-Compress leaves responses that already have a ``Content-Encoding`` alone, and still
compresses the callbacks' answers.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

import brotli
import dash
import flask

__all__ = ["cache_compressed_static"]

COMPRESSIBLE = {"text/javascript", "application/javascript", "text/css", "application/json", "image/svg+xml"}
MAX_ENTRIES = 128  # the page names ~25 files
BR_QUALITY, GZIP_LEVEL = 5, 6


def cache_compressed_static(app: dash.Dash) -> None:
    prefix = app.config.requests_pathname_prefix
    static = (prefix + "_dash-component-suites/", prefix + "assets/")
    cache: OrderedDict[tuple, bytes] = OrderedDict()
    lock = threading.Lock()

    @app.server.after_request
    def _compressed(response: flask.Response) -> flask.Response:
        req = flask.request
        if (
            req.method != "GET"
            or response.status_code != 200
            or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE
            or not req.path.startswith(static)
        ):
            return response
        algorithm = choose_encoding(req.headers.get("Accept-Encoding", ""))
        if algorithm is None:
            return response
        etag, _ = response.get_etag()
        key = (req.full_path, etag, algorithm)
        with lock:
            body = cache.get(key)
            if body is not None:
                cache.move_to_end(key)
        response.direct_passthrough = False
        if body is None:
            body = compress(response.get_data(), algorithm)
            with lock:
                cache[key] = body
                while len(cache) > MAX_ENTRIES:
                    cache.popitem(last=False)
        elif hasattr(response.response, "close"):
            response.response.close()  # the unread file
        response.set_data(body)
        response.headers["Content-Encoding"] = algorithm
        response.vary.add("Accept-Encoding")
        if etag:
            response.set_etag(f"{etag}:{algorithm}")
        return response.make_conditional(req)


def choose_encoding(accept: str) -> str | None:
    """``br`` if the client takes it, else ``gzip``, else None (q=0 means "not this one")."""
    offered = {}
    for part in accept.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            offered[name.strip()] = float(q)
        except ValueError:
            offered[name.strip()] = 0.0
    for algorithm in ("br", "gzip"):
        if offered.get(algorithm, 0) > 0:
            return algorithm
    return None


def compress(data: bytes, algorithm: str) -> bytes:
    if algorithm == "br":
        return brotli.compress(data, quality=BR_QUALITY)
    return gzip.compress(data, GZIP_LEVEL, mtime=0)
