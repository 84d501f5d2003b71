"""bench/run.py's first-load accounting: what counts as a request, and the cold/warm table (nothing timed)."""

from __future__ import annotations

from bench import run


class FakeCDP:
    def __init__(self):
        self.handlers = {}

    def on(self, event, handler):
        self.handlers[event] = handler

    def emit(self, event, **payload):
        self.handlers[event](payload)


def _request(cdp, rid, url, nbytes, **response):
    cdp.emit("Network.requestWillBeSent", requestId=rid, request={"url": url})
    if response:
        cdp.emit("Network.responseReceived", requestId=rid, response=response)
    cdp.emit("Network.loadingFinished", requestId=rid, encodedDataLength=nbytes)


def test_only_requests_that_reach_a_server_are_counted():
    cdp = FakeCDP()
    wire = run.Wire(cdp)
    mark = wire.mark()
    _request(cdp, "1", "http://127.0.0.1:1/", 1000, fromDiskCache=False)
    _request(cdp, "2", "http://127.0.0.1:1/_bundle/a-1.js", 0, fromDiskCache=True)
    _request(cdp, "3", "data:image/png;base64,AA", 0)
    cdp.emit("Network.requestWillBeSent", requestId="4", request={"url": "http://127.0.0.1:1/x.css"})
    cdp.emit("Network.requestServedFromCache", requestId="4")
    cdp.emit("Network.loadingFinished", requestId="4", encodedDataLength=0)
    _request(cdp, "5", "http://127.0.0.1:1/_dash-layout", 300, status=304)  # a revalidation goes out
    assert wire.since(mark) == (1300, 2)
    assert wire.hosts == {"127.0.0.1"}


def test_the_cold_and_warm_table_has_a_row_per_kind_and_figure():
    summary = {
        f"{kind}_{key}": value
        for kind, _ in run.LOAD_KINDS
        for key, value in (("ms", 812.0), ("bytes", 600 * 1024), ("requests", 17))
    }
    md = run.loads_table({"app": {"label": "this app", "summary": summary}, "naive": {"label": "naive", "summary": {
        k: None for k in summary}}})  # fmt: skip
    lines = md.splitlines()
    assert lines[0] == "| first load → map drawn | this app | naive |"
    assert len(lines) == 2 + 3 * len(run.LOAD_KINDS)
    assert "| fresh server, browser cache off: (ms) | 812 | – |" in lines
    assert "| warm server, browser HTTP cache: bytes on the wire | 600.0 KB | – |" in lines


def test_first_loads_are_on_by_default_and_can_be_left_out():
    assert run.parse_args([]).load_rounds == 1
    assert run.parse_args(["--load-rounds", "0"]).load_rounds == 0
