"""The login (layers/server/login.py): every route, server-side sessions revoked on sign-out and password change,
CSRF and origins, no redirect off the site, and the sign-in throttle as the routes apply it (per account and address,
delaying and never refusing)."""

from __future__ import annotations

from dash import Dash, html

from layers.server import accounts, security, throttle
from layers.server import login as login_module
from tests.conftest import ROOT
from tests.server.conftest import PASSWORD, client_of, cookie, login, logout, post, token

ROUTES = [
    "/",
    "/some/page",
    "/_dash-layout",
    "/_dash-dependencies",
    "/_reload-hash",
    "/_favicon.ico",
    "/assets/00_theme.css",
    "/assets/00_util.js",
    "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v4_4_1m1.min.js",
]


ECHO = {
    "output": "out.children",
    "outputs": {"id": "out", "property": "children"},
    "inputs": [{"id": "b", "property": "n_clicks", "value": 1}],
    "changedPropIds": ["b.n_clicks"],
}


def test_login_is_required_on_every_route(auth_app):
    c = client_of(auth_app)
    for path in ROUTES:
        r = c.get(path)
        assert r.status_code == 401, (path, r.status_code)
        assert b"secret" not in r.data
    r = c.get("/_dash-layout", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/_login?next=")
    r = post(c, ECHO)
    assert r.status_code == 401 and b"secret" not in r.data
    relabelled = {**ECHO, "inputs": [{"id": "b", "property": "pathname", "value": "/_login"}]}
    assert post(c, relabelled).status_code == 401
    assert c.get("/_login").status_code == 200


def test_after_login_every_route_answers_and_the_session_lives_on_the_server(auth_app, tmp_path):
    c = client_of(auth_app)
    r = login(c, next_="/_dash-layout")
    assert r.status_code == 303 and r.headers["Location"] == "/_dash-layout"
    for path in ["/", "/_dash-layout", "/_dash-dependencies", "/assets/00_theme.css"]:
        assert c.get(path).status_code == 200, path
    r = post(c, ECHO)
    assert r.status_code == 200 and "secret 1" in r.get_data(as_text=True)
    ck = c.get_cookie("raqqa_session")
    assert ck.http_only and ck.same_site == "Lax"
    assert "ana" not in ck.value and "." not in ck.value  # a random id, not signed data
    assert list((tmp_path / "instance" / "sessions").iterdir())  # the session itself is on the server


def test_the_session_id_changes_at_sign_in(auth_app):
    c = client_of(auth_app)
    c.get("/_login")
    before = cookie(c)
    login(c)
    assert cookie(c) != before
    planted = client_of(auth_app)
    planted.set_cookie("raqqa_session", before)
    assert planted.get("/").status_code == 401


def test_wrong_password_unknown_user_and_missing_token_are_refused(auth_app, waits):
    c = client_of(auth_app)
    assert login(c, password="wrong").status_code == 401
    assert login(c, user="nobody").status_code == 401
    assert c.post("/_login", data={"user": "ana", "password": PASSWORD}).status_code == 400  # no CSRF token
    assert c.post("/_login", data={"user": "ana", "password": PASSWORD, "csrf_token": "forged"}).status_code == 400
    assert c.get("/").status_code == 401


def test_sign_out_deletes_the_session_on_the_server(auth_app):
    c = client_of(auth_app)
    login(c)
    old = cookie(c)
    assert c.post("/_logout").status_code == 400  # the sign-out form needs its token too
    assert c.get("/").status_code == 200
    assert "ana (editor)" in c.get("/_dash-layout").get_data(as_text=True)  # who is signed in, and "Sign out"
    r = logout(c)
    assert r.status_code == 303 and r.headers["Location"] == "/_login"
    assert c.get("/").status_code == 401
    replay = client_of(auth_app)
    replay.set_cookie("raqqa_session", old)  # the cookie a thief copied before sign-out
    assert replay.get("/").status_code == 401


def test_a_password_change_ends_that_users_sessions_only(auth_app):
    ana, ada = client_of(auth_app), client_of(auth_app)
    login(ana)
    login(ada, user="ada")
    accounts.edit_users(auth_app.users_file, "ana", line=accounts.user_line("ana", "a new password 2"))
    assert ana.get("/").status_code == 401
    assert ada.get("/").status_code == 200
    assert login(ana).status_code == 401
    assert login(ana, password="a new password 2").status_code == 303


def test_removed_users_and_expired_sessions_end(auth_app, monkeypatch):
    c = client_of(auth_app)
    login(c)
    accounts.edit_users(auth_app.users_file, "ana", line=None)
    assert c.get("/").status_code == 401
    login(c, user="ada")
    assert c.get("/").status_code == 200
    later = login_module.time.time() + 12 * 3600 + 1
    monkeypatch.setattr(login_module.time, "time", lambda: later)
    assert c.get("/").status_code == 401


def test_cross_origin_posts_are_refused_and_same_origin_null_is_not(auth_app):
    c = client_of(auth_app)
    form = {"user": "ana", "password": PASSWORD, "csrf_token": token(c)}
    assert c.post("/_login", data=form, headers={"Origin": "https://evil.example"}).status_code == 403
    assert c.post("/_login", data=form, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert c.post("/_login", data=form, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    # what Chromium sends for a same-origin form post under a strict referrer policy
    r = c.post("/_login", data=form, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 303
    assert post(c, ECHO).status_code == 200
    assert post(c, ECHO, headers={"Origin": "http://evil.test"}).status_code == 403
    assert post(c, ECHO, headers={"Origin": "http://localhost"}).status_code == 200


def test_the_login_never_redirects_to_another_site(auth_app):
    c = client_of(auth_app)
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        r = login(c, next_=target)
        assert r.status_code == 303 and r.headers["Location"] == "/", target
        logout(c)


def test_failures_delay_every_attempt_and_a_correct_password_still_signs_in(auth_app, waits):
    c = client_of(auth_app)
    for _ in range(throttle.FREE_FAILURES + 3):
        assert login(c, password="wrong").status_code == 401
    assert waits == [throttle.delay_for(n) for n in range(throttle.FREE_FAILURES, throttle.FREE_FAILURES + 3)]
    assert login(c).status_code == 303  # delayed, not refused
    assert waits[-1] == throttle.delay_for(throttle.FREE_FAILURES + 3)
    logout(c)
    waits.clear()
    assert login(c).status_code == 303 and waits == []  # a success clears the count


def test_the_throttle_counts_per_account_and_address(auth_app, waits):
    attacker = client_of(auth_app, REMOTE_ADDR="10.0.0.9")
    for _ in range(throttle.FREE_FAILURES + 2):
        login(attacker, password="wrong")
    waits.clear()
    assert login(client_of(auth_app, REMOTE_ADDR="10.0.0.7")).status_code == 303  # ana elsewhere: no wait
    assert login(client_of(auth_app, REMOTE_ADDR="10.0.0.9"), user="ada").status_code == 303  # another account
    assert waits == []


def test_forwarded_addresses_count_only_behind_a_configured_proxy(auth_app, waits, monkeypatch):
    for i in range(throttle.FREE_FAILURES + 1):  # forged X-Forwarded-For: still one address
        login(client_of(auth_app), password="wrong", headers={"X-Forwarded-For": f"10.1.0.{i}"})
    assert waits == [throttle.delay_for(throttle.FREE_FAILURES)]
    monkeypatch.setenv("RAQQA_PROXIES", "1")
    app = Dash(__name__, assets_folder=str(ROOT / "assets"))
    app.layout = html.Div()
    security.secure(app)
    waits.clear()
    for i in range(throttle.FREE_FAILURES + 1):
        login(client_of(app), password="wrong", headers={"X-Forwarded-For": f"10.2.0.{i}"})
    assert waits == []
