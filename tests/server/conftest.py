"""The login's test app (its users ana, vic and ada) and a test client's sign-in, sign-out and callback posts."""

from __future__ import annotations

import json
import re

import pytest
from dash import Dash, Input, Output, html

from layers.features import admin
from layers.server import accounts, security
from layers.server import login as login_module
from tests.conftest import ROOT

UPDATE = "/_dash-update-component"
PASSWORD = "correct horse battery"


@pytest.fixture
def auth_app(tmp_path, monkeypatch):
    """A Dash app with the login on (its own instance folder) and one server callback; users ana (editor),
    vic (viewer) and ada (admin)."""
    import app as real  # the page's callbacks are the real app's: it takes them at its first request

    real.server.test_client().get("/_dash-dependencies")
    users = tmp_path / "users.txt"
    lines = [accounts.user_line("ana", PASSWORD), accounts.user_line("vic", PASSWORD, "viewer")]
    users.write_text("# analysts\n" + "\n".join([*lines, accounts.user_line("ada", PASSWORD, "admin")]) + "\n")
    monkeypatch.setenv("RAQQA_AUTH_FILE", str(users))
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("RAQQA_SECRET_KEY", raising=False)
    monkeypatch.delenv("RAQQA_PROXIES", raising=False)
    app = Dash(__name__, assets_folder=str(ROOT / "assets"), serve_locally=True)
    app.layout = lambda: html.Div([html.Button(id="b"), html.Div(id="out"), *admin.header_controls()])

    @app.callback(Output("out", "children"), Input("b", "n_clicks"))
    def echo(n):
        return f"secret {n}"

    security.secure(app)
    app.users_file = users
    return app


@pytest.fixture
def waits(monkeypatch):
    """The throttle's waits, recorded instead of slept."""
    seen: list[float] = []
    monkeypatch.setattr(login_module, "sleep", seen.append)
    return seen


def client_of(app, **environ):
    c = app.server.test_client()
    c.environ_base.update(environ)
    return c


def token(c) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', c.get("/_login").get_data(as_text=True)).group(1)


def login(c, user="ana", password=PASSWORD, next_="/", headers=None):
    form = {"user": user, "password": password, "csrf_token": token(c), "next": next_}
    return c.post("/_login", data=form, headers=headers or {})


def logout(c):
    """Press the page's "Sign out": post its form with the token the page carries."""
    form = next(n for n in walk(c.get("/_dash-layout").get_json()) if n.get("type") == "Form")
    assert form["props"]["action"] == "/_logout" and form["props"]["method"] == "POST"
    tok = next(n["props"]["value"] for n in walk(form) if n.get("props", {}).get("name") == "csrf_token")
    return c.post("/_logout", data={"csrf_token": tok})


def walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def post(c, body, headers=None):
    return c.post(UPDATE, data=json.dumps(body), content_type="application/json", headers=headers or {})


def cookie(c) -> str:
    return c.get_cookie("raqqa_session").value
