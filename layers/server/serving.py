"""The page's scripts and stylesheets: bundled, compressed once per worker, and named early.

**Bundles.** Dash names every file of ``assets/`` in its own ``<script>`` or ``<link>`` tag (17 scripts and 11
stylesheets), and each of React's and Dash's own files likewise. :func:`bundle_page` rewrites the page Dash
writes: each run of consecutive tags becomes one tag naming a bundle of their files, in Dash's order, except
the scripts that find their own address (``document.currentScript``: dash-leaflet, Mantine and dcc load their
lazy chunks from beside themselves), which keep their own tags. So React's four files are one script; the
``assets/`` scripts and Dash's renderer another; dcc's shared chunk and the html components a third; the
stylesheets one. The order of the files is Dash's own: an added ``assets/layer_<name>.js`` joins the bundle
where it would have joined the page. A bundle is named by its first and last files and the hash of its
content (``/_bundle/00_util..dash_renderer-<hash>.js``), so it is cached for a year and a changed file makes a
new name. A component package the layout never uses (``dash_table``, which Dash always names) is left out.
The page also asks early (``<link rel="preload">``) for what Dash would only ask for once every script has
run: the layout, the callbacks, and the lazy chunks the first view needs; Dash's icon is in the page.

**Compression.** Flask-Compress (``Dash(compress=True)``) compresses every response as it goes out; for the ~4 MB of
JavaScript a first visit fetches, that is ~0.1 s of CPU per visitor, which a room of analysts opening the app
at once turns into a queue. ``cache_compressed_static(app)`` keeps the brotli/gzip bodies of the component
suites and ``assets/`` files (keyed by path, query and ETag, so a changed file is compressed anew) and serves
them from memory; Flask-Compress leaves responses that already have a ``Content-Encoding`` alone, and still
compresses the callbacks' answers. :func:`warm_up` asks for the page's files once at start-up, so the first
visitor after a start does not pay for it. Brotli at quality 5 is quick to make; quality 11 takes ~10 s of
CPU for the page's files but is ~15 % smaller, so :class:`BestBrotli` makes it in a low-priority background
thread and keeps it on disk (``$RAQQA_INSTANCE/compressed/<sha256>.br``): quality 5 is served until the
quality-11 body exists, and a restarted server serves the stored one at once.
"""

from __future__ import annotations

import base64
import gzip
import pkgutil
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import brotli
import dash
import flask
from dash.development.base_component import Component
from dash.fingerprint import check_fingerprint

from layers.server.compressed import BestBrotli

__all__ = [
    "BestBrotli",
    "Bundler",
    "bundle_page",
    "cache_compressed_static",
    "choose_encoding",
    "compress",
    "namespaces",
    "warm_up",
]

COMPRESSIBLE = {"text/javascript", "application/javascript", "text/css", "application/json", "image/svg+xml"}
MAX_ENTRIES = 128  # the page names ~25 files
BR_QUALITY, GZIP_LEVEL = 5, 6
BEST = BestBrotli()


def cache_compressed_static(app: dash.Dash) -> None:
    prefix = app.config.requests_pathname_prefix
    static = (prefix + "_dash-component-suites/", prefix + "assets/")
    cache: OrderedDict[tuple, tuple[bytes, str | None]] = OrderedDict()  # body, and digest while not the best
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
            found = cache.get(key)
            if found is not None:
                cache.move_to_end(key)
        response.direct_passthrough = False
        if found is None:
            raw = response.get_data()
            digest = BEST.digest(raw) if algorithm == "br" else None
            best = BEST.get(digest, lambda: raw) if digest else None
            found = (best, None) if best else (compress(raw, algorithm), digest)
            with lock:
                cache[key] = found
                while len(cache) > MAX_ENTRIES:
                    cache.popitem(last=False)
        elif found[1] and (best := BEST.get(found[1], response.get_data)):
            found = (best, None)
            with lock:
                cache[key] = found
        if hasattr(response.response, "close"):
            response.response.close()  # the file, read or not
        body = found[0]
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


# ---------------------------------------------------------------------------------------------------------
# bundles

SCRIPT_TAG = re.compile(r'<script src="([^"]+)"></script>')
CSS_TAG = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
SELF_LOCATING = b"currentScript"  # webpack's automatic publicPath: such a script must keep its own address
BUNDLE_ROUTE = "_bundle/"
OPTIONAL = {"dash_table": "dash/dash_table/"}  # packages Dash always names, and where their files are served
YEAR = 31_536_000
# lazy chunks the first view loads once the layout is drawn: the map's GeoJSON and the Data tab's upload
EARLY_CHUNKS = (("dash_leaflet", "async-GeoJSON.js"), ("dash", "dcc/async-upload.js"))


@dataclass
class Bundle:
    kind: str  # "js" or "css"
    members: list[str]  # the URLs it replaces, in order
    raw: bytes
    digest: str = ""
    encoded: dict[str, bytes] = field(default_factory=dict)
    sha256: str = ""

    @property
    def name(self) -> str:
        """``<first file>..<last file>-<content hash>.<kind>``: readable, and new whenever a file changes."""
        stems = [urlsplit(src).path.rsplit("/", 1)[-1].split(".")[0] for src in self.members]
        label = stems[0] if len(stems) == 1 else f"{stems[0]}..{stems[-1]}"
        return f"{label}-{self.digest}.{self.kind}"

    def __post_init__(self) -> None:
        self.sha256 = BEST.digest(self.raw)
        self.digest = self.sha256[:20]
        self.encoded = {a: compress(self.raw, a) for a in ("br", "gzip")}
        self.best()

    def best(self) -> bytes:
        """The smallest brotli body made so far (quality 11 once it exists, quality 5 until then)."""
        if "br11" not in self.encoded and (body := BEST.get(self.sha256, lambda: self.raw)):
            self.encoded["br11"] = body
        return self.encoded.get("br11") or self.encoded["br"]


class Bundler:
    """Rewrites the tags Dash writes into bundle tags, and serves the bundles (see the module's docstring)."""

    def __init__(self, app: dash.Dash, drop: Iterable[str] = ()):
        self.app = app
        self.prefix = app.config.requests_pathname_prefix
        self.assets_url = self.prefix + app.config.assets_url_path.strip("/") + "/"
        self.assets_folder = Path(app.config.assets_folder)
        self.drop = tuple(drop)
        self.bundles: dict[str, Bundle] = {}
        self._rewritten: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- the page

    def url(self, bundle: Bundle) -> str:
        return f"{self.prefix}{BUNDLE_ROUTE}{bundle.name}"

    def scripts(self, tags: str) -> str:
        return self._rewrite(tags, SCRIPT_TAG, "js")

    def stylesheets(self, tags: str) -> str:
        return self._rewrite(tags, CSS_TAG, "css")

    def _rewrite(self, tags: str, pattern: re.Pattern, kind: str) -> str:
        done = self._rewritten.get(tags)
        if done is not None:
            return done
        out: list[str | list[tuple[str, bytes]]] = []  # text between tags, kept tags, and runs to bundle
        last = 0
        for m in pattern.finditer(tags):
            between, last = tags[last : m.start()], m.end()
            src = m.group(1)
            if self._dropped(src):
                continue
            data = self._read(src, kind)
            if data is None:  # not ours to bundle: its own tag
                out += [between, m.group(0)]
            elif out and isinstance(out[-1], list) and not between.strip():
                out[-1].append((src, data))  # the run of bundled files goes on
            else:
                out += [between, [(src, data)]]
        out.append(tags[last:])
        tag = '<script src="{}"></script>' if kind == "js" else '<link rel="stylesheet" href="{}">'
        parts = [p if isinstance(p, str) else tag.format(self.url(self._bundle(kind, p))) for p in out]
        done = "".join(parts)
        with self._lock:
            self._rewritten[tags] = done
        return done

    def _dropped(self, src: str) -> bool:
        suites = self.prefix + "_dash-component-suites/"
        return any(urlsplit(src).path.startswith(suites + OPTIONAL[package]) for package in self.drop)

    def _bundle(self, kind: str, members: list[tuple[str, bytes]]) -> Bundle:
        joiner = b"\n;\n" if kind == "js" else b"\n"
        bundle = Bundle(kind, [src for src, _ in members], joiner.join(data for _, data in members) + b"\n")
        with self._lock:
            return self.bundles.setdefault(bundle.name, bundle)

    def _read(self, src: str, kind: str) -> bytes | None:
        """The file behind ``src`` if it can share a bundle, else None: a file of another site, or a script
        that finds its own address (``document.currentScript``, to load its lazy chunks from beside it)."""
        path = urlsplit(src).path
        suites = self.prefix + "_dash-component-suites/"
        if urlsplit(src).netloc:
            return None
        if path.startswith(self.assets_url):
            data = (self.assets_folder / path[len(self.assets_url) :]).read_bytes()
            if kind == "css":  # url(fonts/x.woff2) is relative to the stylesheet, which now lives elsewhere
                data = absolute_css_urls(data.decode(), path).encode()
        elif path.startswith(suites):
            package, _, fingerprinted = path[len(suites) :].partition("/")
            data = pkgutil.get_data(package, check_fingerprint(fingerprinted)[0])
        else:
            return None
        if data is None or (kind == "js" and SELF_LOCATING in data):
            return None
        return data

    def preloads(self) -> str:
        """Tags asking early for the layout, the callbacks and the first view's lazy chunks."""
        fetch = '<link rel="preload" href="{}" as="fetch" crossorigin="anonymous">'
        script = '<link rel="preload" href="{}" as="script">'
        tags = [fetch.format(self.prefix + "_dash-layout"), fetch.format(self.prefix + "_dash-dependencies")]
        for package, chunk in EARLY_CHUNKS:
            tags.append(script.format(f"{self.prefix}_dash-component-suites/{package}/{chunk}"))
        return "\n".join(tags)

    # -- the route

    def serve(self, name: str) -> flask.Response:
        bundle = self.bundles.get(name)
        if bundle is None:
            flask.abort(404)
        req = flask.request
        algorithm = choose_encoding(req.headers.get("Accept-Encoding", ""))
        body = bundle.best() if algorithm == "br" else bundle.encoded[algorithm] if algorithm else bundle.raw
        mimetype = "text/javascript" if bundle.kind == "js" else "text/css"
        response = flask.Response(body, mimetype=mimetype)
        if algorithm:
            response.headers["Content-Encoding"] = algorithm
        response.vary.add("Accept-Encoding")
        response.set_etag(f"{bundle.digest}-{algorithm or 'identity'}")
        scope = "private" if flask.current_app.config.get("RAQQA_LOGIN") else "public"  # behind the login: no proxy
        response.headers["Cache-Control"] = f"{scope}, max-age={YEAR}, immutable"
        return response.make_conditional(req)


def absolute_css_urls(css: str, css_path: str) -> str:
    """``url(fonts/a.woff2)`` in the stylesheet at ``/assets/x.css`` becomes ``url(/assets/fonts/a.woff2)``."""

    def fix(m: re.Match) -> str:
        target = m.group(2).strip()
        if urlsplit(target).scheme or target.startswith(("/", "#")):
            return m.group(0)
        return f"url({m.group(1)}{urljoin(css_path, target)}{m.group(1)})"

    return CSS_URL.sub(fix, css)


def components(root) -> Iterator[Component]:
    """Every Dash component in a layout tree (through lists, dicts and every prop), depth first."""
    stack = [root]
    while stack:
        c = stack.pop()
        if isinstance(c, (list, tuple)):
            stack.extend(c)
        elif isinstance(c, dict):
            stack.extend(c.values())
        elif isinstance(c, Component):
            yield c
            stack.extend(getattr(c, p, None) for p in c._prop_names)


def namespaces(component) -> set[str]:
    """The component packages a layout uses."""
    return {c._namespace for c in components(component)}


def favicon(app: dash.Dash) -> bytes:
    """The icon Dash would serve: ``assets/favicon.ico`` if there is one, else Dash's own."""
    own = Path(app.config.assets_folder) / "favicon.ico"
    return own.read_bytes() if own.is_file() else pkgutil.get_data("dash", "favicon.ico") or b""


def bundle_page(app: dash.Dash) -> Bundler:
    """Bundle the page's assets and React's files, leave out unused packages, add the preloads; build the
    bundles now (at start-up), so the first visit is served from memory."""
    used = namespaces(app.get_layout())
    bundler = Bundler(app, drop=[p for p in OPTIONAL if p not in used])
    original = app.interpolate_index
    # Dash's icon in the page (7 kB) rather than one more request on every first visit
    data = base64.b64encode(favicon(app)).decode()
    icon = f'<link rel="icon" type="image/x-icon" href="data:image/x-icon;base64,{data}">'

    def interpolate_index(**kwargs) -> str:
        kwargs["css"] = bundler.preloads() + "\n" + bundler.stylesheets(kwargs.get("css", ""))
        kwargs["scripts"] = bundler.scripts(kwargs.get("scripts", ""))
        kwargs["favicon"] = icon
        return original(**kwargs)

    app.interpolate_index = interpolate_index
    app.server.add_url_rule(
        f"{app.config.routes_pathname_prefix}{BUNDLE_ROUTE}<name>", "raqqa_bundle", bundler.serve, methods=["GET"]
    )
    with app.server.test_request_context(app.config.requests_pathname_prefix):
        app._setup_server()
        app.index()
    return bundler


PAGE_FILES = re.compile(r'<(?:script src|link rel="(?:stylesheet|preload)" href)="(/[^"]*)"')


def warm_up(app: dash.Dash) -> list[str]:
    """Ask this process for the page and every file it names, as a browser would (brotli, then gzip), so the
    compressed bodies are made now and the first visitor after a start is served from memory (under gunicorn,
    before the workers fork). Returns the paths asked for; nothing with the login on (every path needs a
    session)."""
    client = app.server.test_client()
    hosts = app.server.config.get("TRUSTED_HOSTS") or ["localhost"]  # a name the app answers
    base = f"http://{hosts[0].lstrip('.')}"
    page = client.get(app.config.requests_pathname_prefix, base_url=base)
    if page.status_code != 200:
        return []
    paths = PAGE_FILES.findall(page.get_data(as_text=True))
    for path in paths:
        for encoding in ("br", "gzip"):
            client.get(path, base_url=base, headers={"Accept-Encoding": encoding}).close()
    return paths
