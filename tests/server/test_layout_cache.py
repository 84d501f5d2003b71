"""The layout and the callbacks from memory (layers/server/layout_cache.py): validators, variants, invalidation."""

from __future__ import annotations

import gzip
import json
import os

import brotli
import pytest
from dash import Dash, Input, Output, html
from dash._utils import to_json

from layers.features import admin
from layers.server import accounts, layout_cache, security
from tests.conftest import ROOT
from tests.server.conftest import PASSWORD, login, logout, walk

LAYOUT = "/_dash-layout"


@pytest.fixture(scope="module")
def real():
    import app

    return app


@pytest.fixture
def client(real):
    return real.server.test_client()


def test_the_layout_is_built_at_start_and_not_per_visit(real, client):
    cache = real.layouts["layout"]
    before = cache.builds
    assert before >= 1 and len(cache) >= 1  # built by install(), before any request
    for _ in range(3):
        assert client.get(LAYOUT, headers={"Accept-Encoding": "br"}).status_code == 200
    assert cache.builds == before


def test_the_layout_is_the_page_dash_would_build(real, client):
    with real.server.test_request_context("/"):
        expected = json.loads(to_json(real.app.get_layout()))
    r = client.get(LAYOUT, headers={"Accept-Encoding": "br"})
    assert r.headers["Content-Encoding"] == "br" and "Accept-Encoding" in r.headers["Vary"]
    assert json.loads(brotli.decompress(r.get_data())) == expected
    r = client.get(LAYOUT, headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and json.loads(gzip.decompress(r.get_data())) == expected
    r = client.get(LAYOUT, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in r.headers and r.get_json() == expected
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]  # every hook still runs


@pytest.mark.parametrize("path", [LAYOUT, "/_dash-dependencies"])
def test_an_etag_round_trip_gives_304(client, path):
    r = client.get(path, headers={"Accept-Encoding": "br"})
    etag = r.headers["ETag"]
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"
    again = client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    other = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag  # another encoding, another validator
    stale = client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": '"not-this-one"'})
    assert stale.status_code == 200 and stale.get_data()


def test_the_callbacks_are_dash_own(real, client):
    assert client.get("/_dash-dependencies").get_json() == json.loads(to_json(real.app._callback_list))


def _theatre_options(layout: dict) -> list:
    select = next(n for n in walk(layout) if n.get("props", {}).get("id") == admin.THEATRE_SELECT)
    return [o["value"] for o in select["props"]["data"]]


def test_importing_replacing_and_deleting_a_theatre_changes_the_layout(client, tmp_path, monkeypatch):
    """The Data tab lists the imported theatres: the cached layout follows the folder, in every worker."""
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path))
    empty = client.get(LAYOUT)
    assert _theatre_options(empty.get_json()) == []
    folder = tmp_path / "theatres" / "manbij"
    folder.mkdir(parents=True)
    (folder / "theatre.json").write_text("{}")
    added = client.get(LAYOUT, headers={"If-None-Match": empty.headers["ETag"]})
    assert added.status_code == 200 and _theatre_options(added.get_json()) == ["manbij"]
    (folder / "theatre.json").unlink()
    folder.rmdir()
    gone = client.get(LAYOUT, headers={"If-None-Match": added.headers["ETag"]})
    assert gone.status_code == 200 and _theatre_options(gone.get_json()) == []
    assert gone.headers["ETag"] == empty.headers["ETag"]  # the same page again: the same validator


def test_a_replaced_theatre_gets_a_new_stamp(tmp_path, monkeypatch):
    """Replaced in place (a new theatre.json): the stamp, and with it the cached layout's key, changes."""
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path))
    folder = tmp_path / "theatres" / "manbij"
    folder.mkdir(parents=True)
    config = folder / "theatre.json"
    config.write_text("{}")
    first = layout_cache.data_stamp()
    os.utime(config, ns=(1, 1))
    assert layout_cache.data_stamp() != first and layout_cache.data_stamp()[0][0] == "manbij"


# ---------------------------------------------------------------------------------------------------------
# with the login on: one variant per signed-in session


@pytest.fixture
def login_app(tmp_path, monkeypatch):
    import app as real  # the page's callbacks are the real app's: it takes them at its first request

    real.server.test_client().get("/_dash-dependencies")
    users = tmp_path / "users.txt"
    lines = [accounts.user_line("ana", PASSWORD), accounts.user_line("ada", PASSWORD, "admin")]
    users.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("RAQQA_AUTH_FILE", str(users))
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("RAQQA_SECRET_KEY", raising=False)
    monkeypatch.delenv("RAQQA_PROXIES", raising=False)
    app = Dash(__name__, assets_folder=str(ROOT / "assets"), serve_locally=True)
    app.layout = lambda: html.Div(
        [html.Button(id="b"), html.Div(id="out"), *admin.header_controls(), *admin.panel(None)]
    )

    @app.callback(Output("out", "children"), Input("b", "n_clicks"))
    def echo(n):
        return f"secret {n}"

    security.secure(app)
    caches = layout_cache.install(app)
    assert len(caches["layout"]) == 0  # nobody to build it for before someone signs in
    return app


def test_each_session_gets_its_own_layout_and_signs_out_with_it(login_app):
    ana, ada, ana2 = (login_app.server.test_client() for _ in range(3))
    login(ana)
    login(ada, user="ada")
    login(ana2)
    r = ana.get(LAYOUT)
    assert r.status_code == 200 and "private" in r.headers["Cache-Control"]
    assert "ana (editor)" in r.get_data(as_text=True) and admin.THEATRE_SELECT not in r.get_data(as_text=True)
    assert ana.get(LAYOUT, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    admin_page = ada.get(LAYOUT).get_data(as_text=True)
    assert "ada (admin)" in admin_page and admin.THEATRE_SELECT in admin_page  # admins get the admin panel
    other = ana2.get(LAYOUT)
    assert other.headers["ETag"] != r.headers["ETag"]  # another session, another sign-out token
    assert ana2.get(LAYOUT, headers={"If-None-Match": r.headers["ETag"]}).status_code == 200
    assert logout(ana).status_code == 303  # the token in the cached page signs out
    assert ana.get(LAYOUT, headers={"Accept": "text/html"}).status_code == 303  # and the page is gone
    assert ana2.get(LAYOUT).status_code == 200  # the other session stays signed in


def test_the_page_carries_the_ids_of_the_layout_not_the_layout(real):
    """Dash writes app.validation_layout into every page: every component with an id, its type, nothing else."""
    from layers.features import page

    with real.server.test_request_context("/"):
        full = json.loads(to_json(page.layout()))
    slim = json.loads(to_json(page.validation_layout()))

    def ids(tree):
        return {
            (n["namespace"], n["type"], json.dumps(n["props"]["id"], sort_keys=True))
            for n in walk(tree)
            if isinstance(n.get("props"), dict) and "id" in n["props"] and "namespace" in n
        }

    assert ids(slim) == ids(full) and len(ids(full)) > 50
    assert all(set(c["props"]) == {"id"} for c in slim["props"]["children"])
    assert len(json.dumps(slim)) < len(json.dumps(full)) / 10
