"""The login (layers/server/auth.py, login.py, accounts.py, throttle.py): every route, server-side sessions revoked on
sign-out and password change, CSRF and origins, the throttle (per account and address, delaying and never refusing),
roles, the audit log and the user commands."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from types import SimpleNamespace

import flask
import flask_login
import pytest
from dash import Dash, Input, Output, html
from dash._callback_context import context_value

from layers.core import validate
from layers.core.audit import AuditLog
from layers.core.briefings import BriefingError, BriefingStore
from layers.features import admin, briefings, upload
from layers.server import accounts, auth, security, store, throttle
from layers.server import login as login_module
from tests.conftest import ROOT

UPDATE = "/_dash-update-component"
PASSWORD = "correct horse battery"
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


# ---------------------------------------------------------------------------------------------------------
# every route, sign-in, sign-out


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


# ---------------------------------------------------------------------------------------------------------
# origins and CSRF


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


# ---------------------------------------------------------------------------------------------------------
# the throttle


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


def test_delays_grow_and_stay_bounded():
    delays = [throttle.delay_for(n) for n in range(60)]
    assert delays[: throttle.FREE_FAILURES] == [0.0] * throttle.FREE_FAILURES
    assert all(a <= b for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] == throttle.MAX_DELAY_S


# ---------------------------------------------------------------------------------------------------------
# roles, owners, the audit log


def as_user(app, name):
    """A request context of ``app`` with ``name`` signed in (for calling callbacks as functions)."""
    ctx = app.server.test_request_context("/")
    ctx.push()
    account = accounts.Users(app.users_file).accounts()[name]
    flask_login.login_user(account)
    return ctx


def request(name="Brief", nonce="nonce-00000001"):
    return {"name": name, "nonce": nonce, "date": "2017-06-06", "bounds": [38.5, 35.7, 39.4, 36.2], "zoom": 10}


def briefing_id(name):
    return next(b["id"] for b in store.briefing_store().list_briefings() if b["name"] == name)


def test_viewers_read_editors_save_their_own_admins_delete_any(auth_app):
    ctx = as_user(auth_app, "vic")
    assert briefings.save_view(request())[0] == "Not saved: viewers cannot save briefings."
    ctx.pop()
    ctx = as_user(auth_app, "ana")
    assert briefings.save_view(request())[0].startswith("Saved as view 1")
    mine = briefing_id("Brief")
    items = str(briefings.show_list(None))
    assert "by ana" in items and "briefing-delete" in items
    ctx.pop()
    ctx = as_user(auth_app, "vic")
    assert "briefing-delete" not in str(briefings.show_list(None))  # no Delete shown to a viewer
    assert delete(mine) == "Not deleted: viewers cannot delete briefings."
    ctx.pop()
    ctx = as_user(auth_app, "ada")
    assert briefings.save_view(request("Ada's"))[0].startswith("Saved as view 1")
    theirs = briefing_id("Ada's")
    assert briefings.save_view(request(nonce="nonce-00000002"))[0].startswith("Saved as view 2")  # admin: any
    ctx.pop()
    ctx = as_user(auth_app, "ana")
    assert "belongs to ada" in briefings.save_view(request("Ada's", "nonce-00000003"))[0]
    assert "belongs to ada" in delete(theirs)
    assert "briefing-delete" not in str(briefings.show_list(None)).split("Ada's")[1].split("Brief")[0]
    ctx.pop()
    ctx = as_user(auth_app, "ada")
    assert delete(mine) == "Briefing deleted."
    ctx.pop()
    log = [(e["who"], e["action"], e["target"]) for e in store.audit_log().entries()]
    assert ("ada", "briefing.delete", f"briefing {mine}") in log
    assert ("ana", "briefing.save", f"briefing {mine} “Brief”") in log
    assert store.briefing_store().get(theirs) is not None and store.briefing_store().get(mine) is None


def delete(bid, value=1) -> str:
    """``delete_briefing`` as Dash calls it when the delete button of briefing ``bid`` was pressed."""
    prop = json.dumps({"index": bid, "type": briefings.DELETE}, separators=(",", ":")) + ".submit_n_clicks"
    token_ = context_value.set(SimpleNamespace(triggered_inputs=[{"prop_id": prop, "value": value}]))
    try:
        return briefings.delete_briefing([value])[0]
    finally:
        context_value.reset(token_)


def test_an_admin_is_needed_to_delete_a_theatre(auth_app, tiny_dir):
    folder = store.theatres_root() / "tiny"
    folder.parent.mkdir(parents=True)
    shutil.copytree(tiny_dir, folder)
    ctx = as_user(auth_app, "ana")
    assert admin.panel(None) == []  # no control for editors
    assert admin.delete_theatre(1, "tiny")[0] == "Not deleted: only an admin deletes theatres."
    assert store.theatre_folder("tiny") is not None
    ctx.pop()
    ctx = as_user(auth_app, "ada")
    assert admin.panel(None) != []
    status, _, options = admin.delete_theatre(1, "tiny")
    assert status == "Theatre “tiny” deleted." and options == []
    assert store.theatre_folder("tiny") is None
    assert admin.delete_theatre(1, "tiny")[0] == "There is no imported theatre “tiny”."
    table = str(admin.show_audit(None))
    assert "theatre.delete" in table and "ada" in table
    ctx.pop()
    assert ("ada", "theatre.delete", "theatre tiny") in [
        (e["who"], e["action"], e["target"]) for e in store.audit_log().entries()
    ]


def test_the_audit_log_is_append_only(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.record("ana", "briefing.save", "briefing 1", "view 1")
    log.record("ada", "briefing.delete", "briefing 1")
    assert [e["action"] for e in log.entries()] == ["briefing.delete", "briefing.save"]
    with pytest.raises(ValueError, match="unknown audit action"):
        log.record("ana", "drop.tables", "x")
    db = sqlite3.connect(tmp_path / "audit.sqlite3")
    for sql in ["UPDATE audit SET who = 'x'", "DELETE FROM audit"]:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    assert len(log.entries()) == 2


def test_briefing_owners_in_the_store(tmp_path):
    s = BriefingStore(tmp_path / "b.sqlite3")
    view = {"date": "2017-06-06"}
    bid, _ = s.add("Mine", view, owner="ana", admin=False)
    with pytest.raises(BriefingError, match="belongs to ana"):
        s.add("Mine", view, owner="bo", admin=False)
    with pytest.raises(BriefingError, match="belongs to ana"):
        s.delete(bid, owner="bo", admin=False)
    assert s.add("Mine", view, owner="ada", admin=True)[1] == 1
    assert s.list_briefings()[0]["owner"] == "ana"
    assert s.delete(bid, owner="ana", admin=False) and not s.delete(bid, owner="ana", admin=False)


def test_a_store_from_before_owners_gains_the_column(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE briefing (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, created TEXT)")
    db.execute("INSERT INTO briefing (name, created) VALUES ('old', '2026-01-01')")
    db.commit()
    db.close()
    s = BriefingStore(path)
    assert s.list_briefings()[0]["owner"] is None
    with pytest.raises(BriefingError, match="belongs to nobody"):
        s.delete(1, owner="ana", admin=False)


def test_with_login_off_everything_is_allowed_and_recorded_as_local(monkeypatch, tmp_path):
    app = flask.Flask(__name__)
    with app.test_request_context("/"):
        assert auth.can("admin") and auth.who() == auth.LOCAL and auth.owns(None)
    with pytest.raises(ValueError):
        auth.can("superuser")


# ---------------------------------------------------------------------------------------------------------
# the users file and its commands


def test_users_file_format_is_checked():
    users = accounts.parse_users("# c\n\nana:scrypt:32768:8:1$x$y\nvic:viewer:pbkdf2:sha256:1$x$y\n")
    assert users["ana"].role == "editor" and users["ana"].hash == "scrypt:32768:8:1$x$y"  # no role: editor
    assert users["vic"].role == "viewer"
    for bad in ["ana", "ana:plaintext", ":scrypt:1$x$y", "ana:boss:scrypt:1$x$y", "a:scrypt:1\na:scrypt:2"]:
        with pytest.raises(ValueError, match="line"):
            accounts.parse_users(bad)
    for name in ["a:b", " a", "a\x1b[2J", ""]:
        with pytest.raises(ValueError):
            accounts.user_line(name, PASSWORD)
    with pytest.raises(ValueError, match="role"):
        accounts.user_line("ana", PASSWORD, "root")


def cli(*args, env=None, check=True):
    base = {"RAQQA_NEW_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "layers", *args], cwd=ROOT, env=base, capture_output=True, text=True, check=check
    )


def test_user_commands_edit_the_file_and_are_audited(tmp_path):
    users, instance = tmp_path / "users.txt", tmp_path / "inst"
    env = {"RAQQA_AUTH_FILE": str(users), "RAQQA_INSTANCE": str(instance)}
    line = cli("add-user", "ana").stdout  # without a file: the line is printed
    assert accounts.parse_users(line)["ana"].role == "editor"
    cli("add-user", "ana", "--role", "admin", env=env)
    assert accounts.Users(users).check("ana", PASSWORD).role == "admin"
    assert cli("add-user", "ana", env=env, check=False).returncode == 1  # already there
    old = accounts.Users(users).accounts()["ana"].get_id()
    cli("passwd", "ana", env={**env, "RAQQA_NEW_PASSWORD": "another long one"})
    assert accounts.Users(users).load(old) is None and accounts.Users(users).check("ana", "another long one")
    cli("set-role", "ana", "viewer", env=env)
    assert accounts.Users(users).accounts()["ana"].role == "viewer"
    assert cli("set-role", "ana", "root", env=env, check=False).returncode == 2
    cli("remove-user", "ana", env=env)
    assert accounts.Users(users).accounts() == {}
    assert cli("passwd", "nobody", env=env, check=False).returncode == 1
    assert cli("passwd", "ana", check=False).returncode == 2  # no users file named
    assert cli("add-user", "ana", env={**env, "RAQQA_NEW_PASSWORD": "short"}, check=False).returncode == 1
    out = cli("audit", env=env).stdout.splitlines()
    assert [ln.split("  ")[2] for ln in out] == ["user.remove", "user.role", "user.password", "user.add"]
    assert "(command line)" in out[0]


def test_audit_output_escapes_control_characters(tmp_path):
    AuditLog(tmp_path / "audit.sqlite3").record("ana\x1b[2J", "briefing.save", "brief\x07")
    out = cli("audit", env={"RAQQA_INSTANCE": str(tmp_path)}).stdout
    assert "\x1b" not in out and "\x07" not in out and "ana" in out


def test_strict_integer_ids():
    assert validate.integer(3, lo=1, hi=9) == 3 and validate.integer("3", lo=1, hi=9) == 3
    for bad in [1.9, 1.0, "1.9", True, "", "-1", None, [1], "٣"]:
        with pytest.raises(validate.BadInput):
            validate.integer(bad, lo=1, hi=9)


def gated_call(app, name, sent_actor="mallory"):
    """The upload's callback request as ``name`` (a client also sending a forged actor header): the gate's answer
    and the actor the job will see."""
    body = {"output": f"..{upload.RESULT_ID}.children...{upload.UPLOAD_ID}.contents..", "inputs": []}
    headers = {auth.ACTOR_HEADER: sent_actor}
    with app.server.test_request_context("/_dash-update-component", method="POST", json=body, headers=headers):
        flask_login.login_user(accounts.Users(app.users_file).accounts()[name])
        answer = auth.before_callback()
        return answer, flask.request.headers.get(auth.ACTOR_HEADER)


def test_a_viewer_cannot_start_an_import_job_and_the_job_knows_who_started_it(auth_app):
    refused, _ = gated_call(auth_app, "vic")
    assert refused.status_code == 403 and refused.get_data(as_text=True) == "editor role needed"
    allowed, actor = gated_call(auth_app, "ana")
    assert allowed is None and actor == "ana"  # the forged header is replaced by the signed-in user
    # in the job (no request), who() reads the actor Dash copied from the request's headers
    from dash._utils import AttributeDict

    token = context_value.set(AttributeDict(headers={auth.ACTOR_HEADER: "ana"}))
    try:
        assert auth.who() == "ana"
    finally:
        context_value.reset(token)
