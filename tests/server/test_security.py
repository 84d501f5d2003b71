"""HTTP hardening: CSP and headers, body limits, hostile callback bodies, and the optional login on every route."""

from __future__ import annotations

import io
import json
import re

import pytest
from dash import Dash, html

from layers.core import validate
from layers.features import compare, feed
from layers.features.common import TABS_ID
from layers.server import security

UPDATE = "/_dash-update-component"


@pytest.fixture(scope="module")
def real_app():
    import app

    return app.app


@pytest.fixture
def client(real_app):
    return real_app.server.test_client()


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(UPDATE, data=data, content_type=content_type)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


@pytest.fixture(scope="module")
def graph(real_app):
    """The server callbacks (from /_dash-dependencies) and the pattern-matching ids on the page, by type."""
    c = real_app.server.test_client()
    deps = [d for d in c.get("/_dash-dependencies").get_json() if not d.get("clientside_function")]
    by_type = {}
    for n in _walk(c.get("/_dash-layout").get_json()):
        ident = n.get("props", {}).get("id") if isinstance(n.get("props"), dict) else None
        if isinstance(ident, dict) and "type" in ident:
            by_type.setdefault(ident["type"], []).append(ident)
    return deps, by_type


def body_for(dep: dict, by_type: dict, values: dict | None = None) -> dict:
    """The body the renderer would send for ``dep``; ``values`` sets inputs/states by ``"id.property"``."""
    values = values or {}

    def entry(spec):
        ident = spec["id"]
        if ident.startswith("{"):
            kind = json.loads(ident)["type"]
            return [{"id": i, "property": spec["property"]} for i in by_type.get(kind, [])]
        return {"id": ident, "property": spec["property"], "value": values.get(f"{ident}.{spec['property']}")}

    outs = []
    for part in dep["output"].strip(".").split("...") if dep["output"].startswith("..") else [dep["output"]]:
        ident, prop = part.split("@")[0].rsplit(".", 1)
        outs.append(entry({"id": ident, "property": prop}))
    return {
        "output": dep["output"],
        "outputs": outs if dep["output"].startswith("..") else outs[0],
        "inputs": [entry(i) for i in dep["inputs"]],
        "state": [entry(i) for i in dep["state"]],
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dep["inputs"][:1]],
    }


def search_body(graph, query="Raqqa"):
    deps, by_type = graph
    dep = next(d for d in deps if d["inputs"][0]["id"] == feed.SEARCH_ID)
    return body_for(dep, by_type, {f"{feed.SEARCH_ID}.value": query})


# ---------------------------------------------------------------------------------------------------------
# headers


def test_every_response_has_a_strict_csp_with_dash_hashes(client, real_app):
    for path in ["/", "/_dash-layout", "/assets/00_theme.css"]:
        r = client.get(path)
        assert r.status_code == 200, path
        csp = dict(d.strip().split(" ", 1) for d in r.headers["Content-Security-Policy"].split(";"))
        assert csp["script-src"].split()[0] == "'self'"
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
        for h in real_app.csp_hashes():
            assert h in csp["script-src"]
        assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
        assert csp["connect-src"] == "'self'" and csp["img-src"].startswith("'self' data: blob:")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"


def test_inline_scripts_of_the_page_match_the_hashes(client, real_app):
    """Every executable inline script on the page is covered by a hash in the header."""
    import base64
    import hashlib

    page = client.get("/")
    text = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)  # e.g. Dash's IE-only notice
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", text, re.S)
    executable = [body for attrs, body in scripts if "application/json" not in attrs]
    assert executable
    header = page.headers["Content-Security-Policy"]
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in header


def test_tile_origins_are_origins_only(real_app):
    csp = security.content_security_policy(real_app, ["https://tiles.example.org"])
    assert "img-src 'self' data: blob: https://tiles.example.org;" in csp
    assert security._origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert security._origin("http://127.0.0.1:8050/no-tiles/{z}/{x}/{y}.png") == "http://127.0.0.1:8050"
    for bad in ["javascript:alert(1)", "https://a.org; script-src *", "*", "https://{x}.a.org/", "data:x", "//a.org"]:
        with pytest.raises(ValueError):
            security._origin(bad)


def test_the_online_basemaps_are_allowed_as_images_only(client):
    from layers.features.map_view import tile_urls

    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    for url in tile_urls():
        origin = security._origin(url)
        assert origin in directives["img-src"]
        assert origin not in directives["script-src"] + directives["connect-src"]


# ---------------------------------------------------------------------------------------------------------
# limits and hostile callback bodies


def test_oversized_body_is_refused_with_413(client, graph, real_app):
    limit = real_app.server.config["MAX_CONTENT_LENGTH"]
    assert 20 * 2**20 < limit < 64 * 2**20  # room for a 20 MiB upload in base64, and no more
    big = b'{"output": "' + b"x" * (limit + 1) + b'"}'
    assert post(client, big).status_code == 413
    assert post(client, search_body(graph)).status_code == 200  # still serving


def test_valid_callbacks_still_answer(client, graph):
    r = post(client, search_body(graph, "Tabqa"))
    assert r.status_code == 200 and "events" in r.get_json()["response"][feed.SEARCH_COUNT_ID]["children"]
    deps, by_type = graph
    dep = next(d for d in deps if d["output"] == f"{compare.CHANGES_ID}.children")
    settled = {"day": 200, "compare": 100}
    body = body_for(dep, by_type, {"settled.data": settled, f"{TABS_ID}.value": "compare"})
    r = post(client, body)
    assert r.status_code == 200 and compare.CHANGES_ID in r.get_json()["response"]


HOSTILE_VALUES = [
    "abc",
    "",
    {"$ne": 1},
    {"day": "x", "compare": 1e308},
    {"day": 10**30, "compare": -1},
    {"day": True, "compare": [1]},
    1e308,
    -1,
    10**30,
    None,
    True,
    [1, [2, {"a": None}]],
    1.5,
    "<script>alert(1)</script>",
    "x" * 100_000,
    "../../etc/passwd",
    "?theatre=../../etc",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=lambda v: json.dumps(v)[:30])
def test_every_server_callback_survives_hostile_values(client, graph, value):
    """Each input and state of each server callback in turn gets ``value``: a controlled answer every time."""
    deps, by_type = graph
    tried = 0
    for dep in deps:
        for spec in dep["inputs"] + dep["state"]:
            if spec["id"].startswith("{"):
                continue
            body = body_for(dep, by_type, {f"{spec['id']}.{spec['property']}": value})
            r = post(client, body)
            assert r.status_code in (200, 204, 400), (dep["output"], spec, r.status_code, r.data[:300])
            assert b"Traceback" not in r.data
            tried += 1
    assert tried >= 8
    assert post(client, search_body(graph)).status_code == 200  # still serving


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(client, graph, literal):
    deps, by_type = graph
    dep = next(d for d in deps if d["output"] == f"{compare.CHANGES_ID}.children")
    body = body_for(dep, by_type, {f"{compare.SHOWN_ID}.data": {"day": 0, "compare": 0}, f"{TABS_ID}.value": "compare"})
    text = json.dumps(body).replace('"compare": 0}', f'"compare": {literal}}}')
    assert literal in text
    assert post(client, text).status_code in (200, 204)


def _hostile_bodies(good):
    yield "unknown output", {**good, "output": "nope.children"}
    yield "clientside output", {**good, "output": "engine-ready.data"}
    yield "output not a string", {**good, "output": [good["output"]]}
    yield "missing inputs", {k: v for k, v in good.items() if k != "inputs"}
    yield "too few inputs", {**good, "inputs": []}
    yield "inputs not a list", {**good, "inputs": "x"}
    yield "input without id", {**good, "inputs": [{"property": "value"}]}
    yield "missing state", {k: v for k, v in good.items() if k != "state"}
    yield "missing outputs", {k: v for k, v in good.items() if k != "outputs"}
    yield "outputs wrong type", {**good, "outputs": 7}
    yield "outputs too few", {**good, "outputs": good["outputs"][:1]}
    yield "changedPropIds not strings", {**good, "changedPropIds": [1, {"a": 2}]}
    yield "changed id not json", {**good, "changedPropIds": ["{not json.value"]}
    yield "body is a list", [good]
    yield "body is a string", "just text"
    yield "empty object", {}
    yield "deep nesting", '{"output": ' + "[" * 50_000 + "]" * 50_000 + "}"
    nested = 1
    for _ in range(40):
        nested = [nested]
    yield "moderate nesting", {**good, "inputs": [{**good["inputs"][0], "value": nested}]}
    yield "malformed json", '{"output": "x",'
    yield "an empty ALL list for an output", {**good, "outputs": [[], *good["outputs"][1:]]}


HOSTILE_BODY_NAMES = [n for n, _ in _hostile_bodies({"output": "", "inputs": [{}], "outputs": [[], {}]})]


@pytest.mark.parametrize("name", HOSTILE_BODY_NAMES)
def test_hostile_bodies_get_a_controlled_answer(client, graph, name):
    body = dict(_hostile_bodies(search_body(graph)))[name]
    r = post(client, body)
    assert r.status_code in (200, 204, 400), (name, r.status_code, r.data[:200])
    assert b"Traceback" not in r.data
    assert post(client, search_body(graph)).status_code == 200  # the server keeps working


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_non_json_callback_bodies_are_refused(client, graph, content_type):
    assert post(client, json.dumps(search_body(graph)), content_type).status_code == 415


# ---------------------------------------------------------------------------------------------------------
# guard


@pytest.mark.parametrize(
    "fn,args,ok",
    [
        (validate.day_index, (5, 10), 5),
        (validate.day_index, (5.0, 10), 5),
        (validate.iso_date, ("2017-06-06",), None),
        (validate.bounds, ([38.0, 35.5, 39.5, 36.5],), [38.0, 35.5, 39.5, 36.5]),
        (validate.center, ([35.9, 39.0],), [35.9, 39.0]),
        (validate.short_text, ("  Raqqa \u202e city  ",), "Raqqa  city"),
        (validate.short_text, ("",), None),
        (validate.slug, ("raqqa-2017",), "raqqa-2017"),
    ],
)
def test_guard_accepts_good_values(fn, args, ok):
    out = fn(*args)
    if ok is not None:
        assert out == ok


@pytest.mark.parametrize(
    "fn,args",
    [
        (validate.day_index, ("3", 10)),
        (validate.day_index, (11, 10)),
        (validate.day_index, (float("nan"), 10)),
        (validate.day_index, (2.5, 10)),
        (validate.iso_date, ("2017-13-01",)),
        (validate.iso_date, ("2017-06-06T00:00",)),
        (validate.iso_date, (20170606,)),
        (validate.bounds, ([39.5, 35.5, 38.0, 36.5],)),
        (validate.bounds, ([38.0, 35.5, float("inf"), 36.5],)),
        (validate.bounds, ([38.0, 35.5, 39.5],)),
        (validate.bounds, ("38,35,39,36",)),
        (validate.center, ([95, 39.0],)),
        (validate.short_text, ("x" * 301,)),
        (validate.short_text, (["a"],)),
        (validate.slug, ("Raqqa City",)),
        (validate.slug, ("../etc",)),
        (validate.slug, ("a" * 65,)),
    ],
)
def test_guard_refuses_bad_values_with_a_message(fn, args):
    with pytest.raises(validate.BadInput) as err:
        fn(*args)
    assert str(err.value)


def test_iso_date_within_the_campaign():
    import datetime as dt

    lo, hi = dt.date(2016, 11, 5), dt.date(2017, 10, 20)
    assert validate.iso_date("2017-01-01", lo, hi) == dt.date(2017, 1, 1)
    with pytest.raises(validate.BadInput, match="between"):
        validate.iso_date("2018-01-01", lo, hi)


def test_json_depth_is_iterative():
    deep = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(validate.BadInput):
        validate.json_depth(deep)
    assert validate.json_depth({"a": [1, {"b": 2}]}) == 4


# ---------------------------------------------------------------------------------------------------------
# limits and errors


def test_no_login_when_disabled(client, graph):
    for path in ["/", "/_dash-layout", "/_dash-dependencies", "/assets/00_theme.css"]:
        assert client.get(path).status_code == 200, path
    assert client.get("/_login").status_code != 401  # no login route: the page's catch-all answers
    assert post(client, search_body(graph)).status_code == 200


def test_body_limit_from_the_environment_or_the_app(monkeypatch):
    app = Dash(__name__)
    app.layout = html.Div()
    app.server.config["MAX_CONTENT_LENGTH"] = 1234
    security.secure(app)
    assert app.server.config["MAX_CONTENT_LENGTH"] == 1234  # the app's own limit is kept
    monkeypatch.setenv("RAQQA_MAX_BODY_MB", "2")
    other = Dash(__name__)
    other.layout = html.Div()
    security.secure(other)
    assert other.server.config["MAX_CONTENT_LENGTH"] == 2 * 2**20


def save_body(value):
    return {
        "output": "..briefing-status.children...briefing-refresh.data..",
        "outputs": [{"id": "briefing-status", "property": "children"}, {"id": "briefing-refresh", "property": "data"}],
        "inputs": [{"id": "briefing-save-request", "property": "data", "value": value}],
        "changedPropIds": ["briefing-save-request.data"],
    }


GOOD_VIEW = {"date": "2017-06-06", "bounds": [38.5, 35.7, 39.4, 36.2], "center": [35.9, 39.0], "zoom": 10}
HOSTILE_SAVES = [
    "not an object",
    12,
    [GOOD_VIEW],
    {"name": {"$ne": 1}, **GOOD_VIEW},
    {"name": "x" * 10_000, **GOOD_VIEW},
    {"name": "ok", **GOOD_VIEW, "date": "2017-06-06'; DROP TABLE item; --"},
    {"name": "ok", **GOOD_VIEW, "bounds": [1e308, -1e308, 1e308, 1e308]},
    {"name": "ok", **GOOD_VIEW, "zoom": "11"},
    {"name": "ok", **GOOD_VIEW, "layers": [{"a": 1}]},
    {"name": "ok", **GOOD_VIEW, "caption": "c" * 100_000},
    {"name": "ok", **GOOD_VIEW, "nonce": ["x"]},
    {"name": "ok", **GOOD_VIEW, "date": None},
]


@pytest.mark.parametrize("value", HOSTILE_SAVES, ids=lambda v: json.dumps(v)[:40])
def test_hostile_briefing_saves_are_refused_cleanly(client, value):
    r = post(client, save_body(value))
    assert r.status_code in (200, 204), r.data[:200]
    if r.status_code == 200:
        assert not r.get_json()["response"]["briefing-status"]["children"].startswith("Saved")


@pytest.mark.parametrize("literal", ["NaN", "Infinity"])
def test_briefing_save_with_non_finite_numbers_is_refused(client, literal):
    text = json.dumps(save_body({"name": "ok", **GOOD_VIEW, "zoom": 0})).replace('"zoom": 0', f'"zoom": {literal}')
    r = post(client, text)
    assert r.status_code == 200 and "Not saved: zoom" in r.get_json()["response"]["briefing-status"]["children"]


def test_a_good_briefing_save_answers(client):
    r = post(client, save_body({"name": "From the API", "nonce": "apitest-0001", **GOOD_VIEW}))
    assert r.status_code == 200 and r.get_json()["response"]["briefing-status"]["children"].startswith("Saved")


# ---------------------------------------------------------------------------------------------------------
# hosts, errors that were 500s, chunked bodies, ids


@pytest.mark.parametrize(
    "host", ["evil.example", "127.0.0.1.nip.io:8050", "rebind.attacker.test:80", "localhost.evil", "[::1]:8050"]
)
def test_a_foreign_host_is_refused_with_login_off(client, graph, host):
    assert client.get("/", headers={"Host": host}).status_code == 400
    assert client.get("/_dash-layout", headers={"Host": host}).status_code == 400
    r = client.post(
        UPDATE, data=json.dumps(search_body(graph)), content_type="application/json", headers={"Host": host}
    )
    assert r.status_code == 400 and b"search" not in r.data


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8050", "localhost:8050"])
def test_the_loopback_names_are_answered(client, host):
    assert client.get("/_dash-layout", headers={"Host": host}).status_code == 200


def test_the_host_allow_list_comes_from_the_environment(client, monkeypatch):
    client.get("/_dash-dependencies")  # the page's callbacks go to the real app, not to the one made here
    monkeypatch.setenv("RAQQA_ALLOWED_HOSTS", "maps.example.org, .team.example")
    assert security.allowed_hosts() == ["maps.example.org", ".team.example"]
    app = Dash(__name__)
    app.layout = html.Div("x")
    security.secure(app)
    c = app.server.test_client()
    assert c.get("/_dash-layout", headers={"Host": "maps.example.org"}).status_code == 200
    assert c.get("/_dash-layout", headers={"Host": "a.team.example"}).status_code == 200
    assert c.get("/_dash-layout", headers={"Host": "localhost"}).status_code == 400


def test_mismatched_outputs_get_400_on_every_server_callback(client, graph, caplog):
    deps, by_type = graph
    for dep in deps:
        body = body_for(dep, by_type)
        outs = body["outputs"]
        for o in outs if isinstance(outs, list) else [outs]:
            for entry in o if isinstance(o, list) else [o]:  # a pattern-matching output is a list of entries
                entry["id"] = "nothing-here"
        r = post(client, body)
        assert r.status_code in (204, 400), (dep["output"], r.status_code)
        assert b"Traceback" not in r.data
    assert "Traceback" not in caplog.text


def test_an_unknown_component_file_is_404_and_logs_one_short_line(client, caplog):
    for path in ["/_dash-component-suites/dash/nope.js", "/_dash-component-suites/nopkg/x.js"]:
        r = client.get(path)
        assert r.status_code == 404, path
    assert "Traceback" not in caplog.text and len(caplog.text) < 600


def test_a_chunked_body_over_the_limit_gets_413(client, graph, real_app):
    limit = real_app.server.config["MAX_CONTENT_LENGTH"]
    chunked = {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}
    for terminated in (True, False):
        big = io.BytesIO(b'{"pad": "' + b"x" * limit + b'"}')
        env = {"wsgi.input_terminated": terminated}
        r = client.post(UPDATE, input_stream=big, headers=chunked, environ_overrides=env)
        assert r.status_code == 413, terminated
    small = io.BytesIO(json.dumps(search_body(graph)).encode())
    r = client.post(UPDATE, input_stream=small, headers=chunked, environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == 200


def test_a_briefing_id_must_be_a_strict_integer(client, graph):
    from layers.features.briefings import DELETE, steps_for
    from layers.server.store import briefing_store

    deps, _ = graph
    bid, _ = briefing_store().add("Keep me", {"date": "2017-06-06"})
    dep = next(d for d in deps if DELETE in d["inputs"][0]["id"])
    for index in [bid + 0.9, float(bid), f"{bid}.9", True]:
        ident = {"index": index, "type": DELETE}
        body = body_for(dep, {DELETE: [ident]})
        body["inputs"][0][0]["value"] = 1
        body["changedPropIds"] = [json.dumps(ident, separators=(",", ":")) + ".submit_n_clicks"]
        r = post(client, body)
        assert r.status_code in (204, 400), (index, r.status_code)
        assert briefing_store().get(bid) is not None, index
    assert steps_for(f"{bid}.9") is None and steps_for(bid + 0.9) is None and steps_for(str(bid)) is not None
