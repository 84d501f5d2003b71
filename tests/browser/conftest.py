"""Browser fixtures: the real app in a subprocess on a free loopback port, and Debian's Chromium via Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tools.chromium import CHROMIUM, launch

ROOT = Path(__file__).resolve().parents[2]
LIVE_LOGS: list[Path] = []  # the logs of the apps running now: a failing test's report shows their last lines


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for log in LIVE_LOGS:
            lines = log.read_text(errors="replace").splitlines()[-60:] if log.exists() else []
            report.sections.append((f"app log {log}", "\n".join(lines)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60, log=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = log.read_text(errors="replace") if log else proc.stdout.read().decode(errors="replace")
            raise RuntimeError(f"app exited with {proc.returncode}:\n{out}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"app did not answer on {url} within {timeout}s")


@contextlib.contextmanager
def serve_app(*, cwd: Path = ROOT, ready_path: str = "", **env_overrides: str):
    """The app (``app.py`` in ``cwd``) in a subprocess on a free loopback port, with extra environment; yields
    its URL once ``ready_path`` answers 200 (with the login on, the page itself answers 401: pass ``_login``)."""
    port = _free_port()
    # the online basemaps point at this server (a 404), so choosing one fails the way it does offline
    tiles = f"http://127.0.0.1:{port}/no-tiles-here/{{z}}/{{x}}/{{y}}.png"
    env = {**os.environ, **env_overrides, "PORT": str(port), "HOST": "127.0.0.1", "RAQQA_TILE_URL": tiles}
    # the server's log goes to a file: an unread pipe fills up and then blocks the server mid-session
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "app.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "app.py"], cwd=cwd, env=env, stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}/"
        LIVE_LOGS.append(log)
        try:
            _wait_until_up(url + ready_path, proc, log=log)
            yield url
        finally:
            LIVE_LOGS.remove(log)
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url():
    with serve_app() as url:
        yield url


@pytest.fixture(scope="module")
def app_with_env():
    """Start further apps with environment overrides (``app_with_env(RAQQA_GEODATA=...)`` returns the URL);
    all are stopped at the end of the module."""
    with contextlib.ExitStack() as stack:
        yield lambda **env: stack.enter_context(serve_app(**env))


@pytest.fixture(scope="session")
def pw():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser_context(pw):
    """Chromium that ignores the app's CSP (Playwright's polled waits use eval); see test_security.py."""
    with tempfile.TemporaryDirectory() as profile:
        ctx = launch(pw, profile)
        yield ctx
        ctx.close()


@pytest.fixture(scope="session")
def strict_context(pw):
    """Chromium that enforces the app's Content-Security-Policy."""
    with tempfile.TemporaryDirectory() as profile:
        ctx = launch(pw, profile, bypass_csp=False)
        yield ctx
        ctx.close()


@pytest.fixture
def page(browser_context, app_url):
    """A fresh page that records every request's host and every console error."""
    pg = browser_context.new_page()
    pg.hosts = []
    pg.urls = []
    pg.on("request", lambda r: pg.urls.append(r.url))
    pg.errors = []
    pg.on("request", lambda r: pg.hosts.append(urlparse(r.url).hostname or r.url.split(":")[0]))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()
    assert set(pg.hosts) <= {"127.0.0.1"}, f"a request left 127.0.0.1: {sorted(set(pg.hosts))}"


@pytest.fixture
def tab(browser_context):
    """A fresh page for a test's own app (no bundled app started); an uncaught page error fails the test."""
    pg = browser_context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()
    assert pg.errors == []


def rendered(page, day: int | None = None, timeout: float = 15000) -> int:
    """Wait until the map shows ``day`` (any day if None) and return the day shown."""
    if day is None:
        page.wait_for_function("document.body.dataset.renderedDay !== undefined", timeout=timeout)
    else:
        page.wait_for_function(f"document.body.dataset.renderedDay === '{day}'", timeout=timeout)
    return int(page.evaluate("document.body.dataset.renderedDay"))
