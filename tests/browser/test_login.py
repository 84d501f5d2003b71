"""The login in Chromium against the real app started with ``RAQQA_AUTH_FILE``: sign in, a wrong password, sign
out, CSRF (forms posted without their token, and from another origin), a session revoked by a password change
on the command line, an expired session, and what each role sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from layers.server import accounts
from tests.browser.conftest import ROOT, rendered, serve_app

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
USERS = {"ana": "editor", "ada": "admin", "vic": "viewer", "rev": "editor"}


def users_file(folder: Path) -> Path:
    path = folder / "users.txt"
    path.write_text("\n".join(accounts.user_line(u, PASSWORD, r) for u, r in USERS.items()) + "\n")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app with the login on: (url, users file, instance folder)."""
    folder = tmp_path_factory.mktemp("login")
    users, instance = users_file(folder), folder / "instance"
    with serve_app(ready_path="_login", RAQQA_AUTH_FILE=str(users), RAQQA_INSTANCE=str(instance)) as url:
        yield url, users, instance


@pytest.fixture
def tab(browser_context):
    """A page with no cookies from earlier tests, recording every request's host."""
    browser_context.clear_cookies()
    pg = browser_context.new_page()
    pg.hosts = []
    pg.on("request", lambda r: pg.hosts.append(urlparse(r.url).hostname))
    yield pg
    pg.close()
    browser_context.clear_cookies()
    assert set(pg.hosts) <= {"127.0.0.1", "localhost"}, sorted(set(pg.hosts))


def sign_in(tab, url, user="ana", password=PASSWORD):
    tab.goto(url)
    tab.wait_for_url("**/_login?next=/**")
    tab.fill("#user", user)
    tab.fill("#password", password)
    tab.click("button[type=submit]")


def test_sign_in_and_sign_out(tab, site):
    url, _, _ = site
    sign_in(tab, url)
    rendered(tab)  # the map drew: every asset and callback answered under the session
    assert urlparse(tab.url).path == "/"
    assert tab.inner_text(".signed-in") == "ana (editor)"
    tab.click("#sign-out")
    tab.wait_for_url("**/_login")
    tab.goto(url + "?date=2017-06-06")
    tab.wait_for_url("**/_login?next=/%3Fdate%3D2017-06-06")
    assert tab.is_visible("#password")


def test_a_wrong_password_stays_on_the_form(tab, site):
    url, _, _ = site
    sign_in(tab, url, password="not the password")
    assert tab.inner_text("[role=alert]") == "Unknown user or wrong password."
    assert urlparse(tab.url).path == "/_login"
    tab.goto(url)
    tab.wait_for_url("**/_login?next=/**")


def test_forms_without_their_token_or_from_another_origin_are_refused(tab, site):
    url, _, _ = site
    tab.goto(url + "_login")
    tab.evaluate("document.querySelector('[name=csrf_token]').remove()")
    tab.fill("#user", "ana")
    tab.fill("#password", PASSWORD)
    with tab.expect_navigation():
        tab.click("button[type=submit]")
    assert tab.inner_text("[role=alert]") == "The form expired; please sign in again."
    sign_in(tab, url)
    rendered(tab)
    tab.evaluate("document.querySelector('.sign-out-form [name=csrf_token]').remove()")
    with tab.expect_navigation():
        tab.click("#sign-out")
    assert "the sign-out form expired" in tab.inner_text("body")
    tab.goto(url)
    rendered(tab)  # still signed in
    # the same form from another origin (localhost is this server under another name)
    port = urlparse(url).port
    tab.goto(f"http://localhost:{port}/_login")
    tab.evaluate(f"document.querySelector('form').action = 'http://127.0.0.1:{port}/_logout'")
    with tab.expect_navigation():  # the CSP's form-action would stop it first: this context ignores the CSP
        tab.evaluate("document.querySelector('form').submit()")
    assert tab.inner_text("body") == "cross-origin request refused"
    tab.goto(url)
    rendered(tab)


def test_a_password_change_on_the_command_line_ends_the_session(tab, site):
    url, users, instance = site
    sign_in(tab, url, user="rev")
    rendered(tab)
    env = {**os.environ, "RAQQA_AUTH_FILE": str(users), "RAQQA_INSTANCE": str(instance)}
    env["RAQQA_NEW_PASSWORD"] = "a brand new password"
    subprocess.run([sys.executable, "-m", "layers", "passwd", "rev"], cwd=ROOT, env=env, check=True)
    tab.reload()
    tab.wait_for_url("**/_login?next=/**")
    sign_in(tab, url, user="rev", password="a brand new password")
    rendered(tab)


def test_what_each_role_sees(tab, site):
    url, _, _ = site
    sign_in(tab, url, user="vic")
    rendered(tab)
    tab.click("text=Saved")
    tab.fill("#briefing-name", "Viewer's")
    tab.click("#briefing-add")
    tab.wait_for_function("document.getElementById('briefing-status').textContent.length > 0")
    assert tab.inner_text("#briefing-status") == "Not saved: viewers cannot save briefings."
    tab.click("text=Data")
    assert tab.locator("text=Delete theatre").count() == 0
    tab.click("#sign-out")
    sign_in(tab, url, user="ada")
    rendered(tab)
    tab.click("text=Data")
    assert tab.locator("text=Delete theatre").count() == 1
    tab.wait_for_selector(".audit-table")
    assert "session.sign-in" in tab.inner_text(".audit-table")


def test_an_expired_session_gets_the_form(tab, tmp_path):
    users = users_file(tmp_path)
    env = {"RAQQA_AUTH_FILE": str(users), "RAQQA_INSTANCE": str(tmp_path / "i"), "RAQQA_SESSION_HOURS": "0.001"}
    with serve_app(ready_path="_login", **env) as url:
        sign_in(tab, url)
        tab.wait_for_url(url)
        tab.wait_for_timeout(4000)  # the session lasts 3.6 s
        tab.goto(url)
        tab.wait_for_url("**/_login?next=/**")
