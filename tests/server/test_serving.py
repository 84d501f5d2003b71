"""The production start (gunicorn with gunicorn.conf.py) and the load-test script, on loopback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request

import pytest

from tests.browser.conftest import _free_port, _wait_until_up
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def gunicorn_url(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2",
           "RAQQA_INSTANCE": str(tmp_path_factory.mktemp("instance"))}  # fmt: skip
    log = tmp_path_factory.mktemp("log") / "gunicorn.log"
    with log.open("wb") as out:  # a file, not a pipe: nobody reads it while the tests run
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "app:server"], cwd=ROOT, env=env, stdout=out,
                                stderr=out)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, proc, log=log)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_gunicorn_serves_the_app_with_its_headers(gunicorn_url):
    with urllib.request.urlopen(gunicorn_url) as r:
        assert r.status == 200 and "script-src 'self' 'sha256-" in r.headers["Content-Security-Policy"]
        assert r.headers["Server"].startswith("gunicorn")
    body = json.dumps(
        {
            "output": "place-history.children",
            "outputs": {"id": "place-history", "property": "children"},
            "inputs": [
                {"id": "selected-place", "property": "data", "value": "raqqa_city"},
                {"id": "side-tabs", "property": "value", "value": "place"},
            ],
            "state": [{"id": "theatre", "property": "data", "value": ""}],
            "changedPropIds": ["selected-place.data"],
        }
    ).encode()
    req = urllib.request.Request(
        gunicorn_url + "_dash-update-component", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as r:
        assert "Raqqa" in json.dumps(json.load(r)["response"]["place-history"])


def test_gunicorn_refuses_oversized_bodies(gunicorn_url):
    """Refused on the declared length, before the body is read (the client need not send 64 MB)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(gunicorn_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest("POST", "/_dash-update-component")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(64 * 1024 * 1024))
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()


def test_load_script_runs_and_stops_by_itself():
    """A tiny run of bench/load.py (3 analysts, 3 s): it finds the callbacks, stops, and reports no errors."""
    out = subprocess.run(
        [sys.executable, "bench/load.py", "--serve", "--workers", "1", "--users", "3", "--duration", "3",
         "--ramp", "0.5", "--think", "0.1", "0.2"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=True,
    ).stdout  # fmt: skip
    assert "compare=yes" in out and "save=yes" in out
    total = re.search(r"\| \*\*all requests\*\* \| ([\d,]+) \| (\d+) \|", out)
    assert total and int(total.group(1).replace(",", "")) > 30 and total.group(2) == "0", out


def test_load_script_refuses_other_hosts():
    out = subprocess.run(
        [sys.executable, "bench/load.py", "--url", "http://192.0.2.1:8050/", "--users", "1", "--duration", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode != 0 and "only targets loopback" in out.stderr


@pytest.mark.parametrize(
    "accept,expected",
    [("br", "br"), ("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", None),
     ("identity", None), ("br;q=x", None)],
)  # fmt: skip
def test_choose_encoding(accept, expected):
    from layers.server.serving import choose_encoding

    assert choose_encoding(accept) == expected


def test_scripts_are_served_compressed_from_the_cache():
    import gzip
    import re

    import brotli

    import app

    c = app.server.test_client()
    page = c.get("/").get_data(as_text=True)
    url = re.search(r'src="(/_dash-component-suites/dash_mantine_components/[^"]+)"', page).group(1)
    plain = c.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    for enc, decode in [("br", brotli.decompress), ("gzip", gzip.decompress)]:
        first, again = (c.get(url, headers={"Accept-Encoding": enc}) for _ in range(2))
        assert first.headers["Content-Encoding"] == enc and "Accept-Encoding" in first.headers["Vary"]
        assert first.data == again.data and decode(first.data) == plain.data
        assert int(first.headers["Content-Length"]) == len(first.data) < len(plain.data) / 3
    css = c.get("/assets/00_theme.css", headers={"Accept-Encoding": "br"})
    assert css.headers["Content-Encoding"] == "br" and b"palette" in brotli.decompress(css.data)
    assert "script-src" in css.headers["Content-Security-Policy"]
