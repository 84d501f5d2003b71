"""The page's bundles (layers/server/serving.py): every file in Dash's order, content-named, cached, 304."""

from __future__ import annotations

import re
from pathlib import Path

import brotli
import pytest
from dash import Dash, html

from layers.server import serving

SRC = re.compile(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"')


@pytest.fixture(scope="module")
def real():
    import app

    return app


def _dash_order(app: Dash) -> tuple[list[str], list[str]]:
    """The script and stylesheet URLs Dash itself names, in its order (its own methods, unrewritten)."""
    with app.server.test_request_context("/"):
        return SRC.findall(app._generate_scripts_html()), SRC.findall(app._generate_css_dist_html())


def _page_order(app: Dash, bundler: serving.Bundler) -> list[str]:
    """What the served page names, each bundle replaced by the files it holds."""
    page = app.server.test_client().get("/").get_data(as_text=True)
    out = []
    for src in SRC.findall(page):
        name = src.rsplit("/", 1)[-1]
        out += bundler.bundles[name].members if src.startswith("/_bundle/") else [src]
    return out


def test_the_page_names_every_file_dash_names_in_its_order(real):
    scripts, sheets = _dash_order(real.app)
    assert any("/assets/layer_" in s for s in scripts) and len(sheets) > 5
    expected = [s for s in sheets + scripts if "/dash_table/" not in s]  # dash_table: the page has none
    assert _page_order(real.app, real.bundles) == expected


def test_the_page_asks_for_few_files(real):
    page = real.server.test_client().get("/").get_data(as_text=True)
    named = SRC.findall(page)
    assert len([s for s in named if s.endswith(".css")]) == 1  # one stylesheet for assets/
    assert len(named) <= 8 and not [s for s in named if s.startswith("/assets/")]
    assert 'rel="preload" href="/_dash-layout" as="fetch" crossorigin="anonymous"' in page
    assert "_favicon.ico" not in page and "data:image/x-icon;base64," in page
    assert len(page) < 80_000  # the ids of the page, not the page itself (~650 kB) in its config


def test_a_bundle_holds_its_files_byte_for_byte(real):
    assets = Path(real.app.config.assets_folder)
    js = next(b for b in real.bundles.bundles.values() if any("/assets/layer_" in m for m in b.members))
    at = 0
    for member in js.members:
        if member.startswith("/assets/"):
            data = (assets / member.split("?")[0].removeprefix("/assets/")).read_bytes()
            found = js.raw.find(data, at)
            assert found >= at, member
            at = found + len(data)
    assert b"new DashRenderer" not in js.raw  # the renderer's start stays in Dash's own inline script


def test_the_bundle_route_caches_for_a_year_and_validates(real):
    client = real.server.test_client()
    page = client.get("/").get_data(as_text=True)
    src = next(s for s in SRC.findall(page) if s.startswith("/_bundle/") and s.endswith(".js"))
    r = client.get(src, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    assert "immutable" in r.headers["Cache-Control"] and "max-age=31536000" in r.headers["Cache-Control"]
    assert brotli.decompress(r.get_data()) == real.bundles.bundles[src.rsplit("/", 1)[-1]].raw
    assert client.get(src, headers={"Accept-Encoding": "br", "If-None-Match": r.headers["ETag"]}).status_code == 304
    assert client.get("/_bundle/nothing-0000.js").status_code == 404


@pytest.fixture
def small_app(tmp_path):
    """A Dash app with its own assets: plain scripts, a layer's script added later, one that finds its own
    address, and a stylesheet naming a font beside it."""
    assets = tmp_path / "assets"
    (assets / "fonts").mkdir(parents=True)
    (assets / "00_a.js").write_text("window.order = ['a'];\n")
    (assets / "10_b.js").write_text("window.order.push('b');\n")
    (assets / "20_self.js").write_text("window.here = document.currentScript.src;\n")
    (assets / "30_c.js").write_text("window.order.push('c');\n")
    (assets / "layer_zz.js").write_text("window.order.push('zz');\n")
    (assets / "00_fonts.css").write_text("@font-face { src: url(fonts/x.woff2); }\n")
    (assets / "10_page.css").write_text("body { background: url('data:image/png;base64,AA'); }\n")
    app = Dash(__name__, assets_folder=str(assets), serve_locally=True)
    app.layout = html.Div("small")
    return app


def test_runs_of_plain_files_are_bundled_and_self_locating_scripts_keep_their_tag(small_app):
    bundler = serving.bundle_page(small_app)
    page = small_app.server.test_client().get("/").get_data(as_text=True)
    named = SRC.findall(page)
    assert "/assets/20_self.js" in [s.split("?")[0] for s in named]  # finds its own address: not moved
    bundles = [bundler.bundles[s.rsplit("/", 1)[-1]] for s in named if s.startswith("/_bundle/")]
    members = [[m.split("?")[0].rsplit("/", 1)[-1] for m in b.members] for b in bundles]
    assert ["00_fonts.css", "10_page.css"] in members
    which = {name: i for i, names in enumerate(members) for name in names}
    assert which["00_a.js"] == which["10_b.js"] != which["30_c.js"] == which["layer_zz.js"]  # the layer joins in
    assert members[which["30_c.js"]].index("layer_zz.js") == members[which["30_c.js"]].index("30_c.js") + 1
    css = next(b for b in bundles if b.kind == "css").raw.decode()
    assert "url(/assets/fonts/x.woff2)" in css and "url('data:image/png;base64,AA')" in css
    scripts, sheets = _dash_order(small_app)
    assert _page_order(small_app, bundler) == [s for s in sheets + scripts if "/dash_table/" not in s]


def test_absolute_css_urls_leave_absolute_and_other_sites_alone():
    css = 'a{b:url(/x.png)} c{d:url(https://e.example/f.png)} g{h:url("../up.png")} i{j:url(#k)}'
    fixed = serving.absolute_css_urls(css, "/assets/sub/s.css")
    assert "url(/x.png)" in fixed and "url(https://e.example/f.png)" in fixed and "url(#k)" in fixed
    assert 'url("/assets/up.png")' in fixed


def test_namespaces_look_into_every_property():
    import dash_mantine_components as dmc
    from dash import dcc

    layout = html.Div([dmc.Tooltip(html.Span("x"), label=dcc.Markdown("y"))])
    assert serving.namespaces(layout) == {"dash_html_components", "dash_mantine_components", "dash_core_components"}


def test_warm_up_asks_for_every_file_the_page_names(real):
    page = real.server.test_client().get("/").get_data(as_text=True)
    asked = serving.warm_up(real.app)
    assert set(SRC.findall(page)) <= set(asked)
    assert {"/_dash-layout", "/_dash-dependencies"} <= set(asked)
    assert any(p.endswith("async-GeoJSON.js") for p in asked)  # the preloaded lazy chunk


# ---------------------------------------------------------------------------------------------------------
# brotli quality 11, made in the background and kept on disk

JS = b"".join(b"function f%d(a, b) { return a + b * %d; }\n" % (i, i % 7) for i in range(3000))


def test_best_brotli_is_made_in_the_background_then_kept_on_disk_for_the_next_start(tmp_path):
    best = serving.BestBrotli(lambda: tmp_path)
    digest = best.digest(JS)
    assert best.get(digest, lambda: JS) is None  # not made yet: the caller serves quality 5 meanwhile
    best.wait()
    body = best.get(digest, lambda: pytest.fail("made already: the content is not needed"))
    assert body == brotli.compress(JS, quality=11) and brotli.decompress(body) == JS
    assert len(body) < len(serving.compress(JS, "br"))
    assert (tmp_path / f"{digest}.br").read_bytes() == body and not list(tmp_path.glob("*.part"))
    restarted = serving.BestBrotli(lambda: tmp_path)  # a new process: read from disk, nothing made again
    assert restarted.get(digest, lambda: pytest.fail("on disk: not made again")) == body


def test_best_brotli_without_a_writable_folder_is_kept_in_memory(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    best = serving.BestBrotli(lambda: blocked / "compressed")
    digest = best.digest(JS)
    assert best.get(digest, lambda: JS) is None
    best.wait()
    assert best.get(digest, lambda: pytest.fail("kept in memory")) == brotli.compress(JS, quality=11)
    assert blocked.read_text() == "not a folder"


def test_static_files_and_bundles_move_to_quality_11_once_it_is_made(tmp_path, monkeypatch, small_app):
    best = serving.BestBrotli(lambda: tmp_path / "compressed")
    monkeypatch.setattr(serving, "BEST", best)
    assets = Path(small_app.config.assets_folder)
    (assets / "40_big.js").write_bytes(JS)
    serving.cache_compressed_static(small_app)
    bundler = serving.bundle_page(small_app)
    client = small_app.server.test_client()
    first = client.get("/assets/20_self.js", headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    assert first.get_data() == serving.compress((assets / "20_self.js").read_bytes(), "br")  # quality 5 at first
    bundle = next(b for b in bundler.bundles.values() if any(m.split("?")[0].endswith("40_big.js") for m in b.members))
    src = f"/_bundle/{bundle.name}"
    assert client.get(src, headers={"Accept-Encoding": "br"}).get_data() == serving.compress(bundle.raw, "br")
    best.wait()
    again = client.get("/assets/20_self.js", headers={"Accept-Encoding": "br"})
    assert again.get_data() == brotli.compress((assets / "20_self.js").read_bytes(), quality=11)
    assert again.headers["ETag"] == first.headers["ETag"]  # the same file, only packed tighter
    r = client.get(src, headers={"Accept-Encoding": "br"})
    assert r.get_data() == brotli.compress(bundle.raw, quality=11) and brotli.decompress(r.get_data()) == bundle.raw
    assert client.get(src, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
