"""Benchmark: the app against two plotly peers, in one run and one Chromium.

    make bench                        # = .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --rounds 3
    .venv/bin/python bench/run.py --scale          # synthetic data at 1x and 100x the number of dates

Systems, each started as its own server (``python -m bench.serve NAME``) on a free 127.0.0.1 port:

- ``app``: this app (``app.py``); ArrowRight/ArrowLeft with focus on the page body move one day;
- ``naive``: ``bench/naive_app.py``, a dcc.Slider and a server callback that rebuilds the whole plotly figure;
- ``animation``: ``bench/animation_app.py``, one plotly figure with every day as an animation frame.

Every system sets ``document.body.dataset.renderedDay`` (days since the campaign start) once the map of that
day is drawn. Per system and round, in a fresh page with the browser cache off, it measures:

- first load: navigation start to the first ``renderedDay``, and the bytes on the wire until then (CDP
  ``Network.loadingFinished`` ``encodedDataLength``: compressed, with headers);
- steps: one arrow key press, then wait; time from the key's capture-phase ``keydown`` (``performance.now()``
  in the page) until ``renderedDay`` equals the target day and two animation frames have passed; the bytes
  of the requests that finished during the step; the server's CPU time (``/proc/<pid>/stat``) over all steps;
- scrubbing: bursts of key presses 40 ms apart; time from the last press until the final day is drawn.

First load, cold and warm (``--load-rounds``, default 1; 0 skips it), each system in turn:

- cold: a fresh server process (started for the measurement, nothing asked of it but ``/`` to see it is up),
  a new page with the browser cache off;
- warm: the same server, a second page with the browser cache off;
- cached: the same server, a page with the browser cache on, after one more visit filled that cache
  (revalidations answered 304 count as requests, answers from the cache do not; bytes are what crossed the
  wire).

Requests are those that reach a server: ``data:`` URLs and answers from the browser cache are not counted.

It also times deriving every dated snapshot from the ledger (``bench/derive.py``, in a fresh process) and
its Python peak memory (tracemalloc). Results: a Markdown table on stdout, ``bench/out/results.json`` and
``bench/out/results.md`` (``scale.json`` / ``scale.md`` for ``--scale``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/run.py
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from layers.core import load_dataset  # noqa: E402
from tools.chromium import CHROMIUM, FLAGS, launch  # noqa: E402

OUT = ROOT / "bench" / "out"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class System:
    name: str  # also its name for ``python -m bench.serve``
    label: str
    focus: str | None  # CSS selector to focus before pressing keys; None: the page body


SYSTEMS = {
    s.name: s
    for s in (
        System("app", "this app (dash-leaflet)", None),
        System("naive", "naive: dcc.Slider + server figure", "[role='slider']"),
        System("animation", "plotly animation frames", None),
    )
}

# Injected before any page script: records every keydown (capture phase, on window, so before the page's own
# listeners), the first renderedDay, and offers waitDay(target) -> {seen, end} (end: two frames after seen).
PAGE_PROBE = """
(() => {
  const B = window.__bench = {keys: [], first: null, firstPainted: null, renders: 0};
  const raf2 = f => requestAnimationFrame(() => requestAnimationFrame(f));
  window.addEventListener("keydown", e => { B.keys.push([performance.now(), e.timeStamp]); }, true);
  new MutationObserver(() => {
    if (!document.body || document.body.dataset.renderedDay === undefined) { return; }
    B.renders++;
    if (B.first === null) { B.first = performance.now(); raf2(() => { B.firstPainted = performance.now(); }); }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-rendered-day"]});
  B.waitDay = (target, timeoutMs) => new Promise(resolve => {
    const is = () => document.body.dataset.renderedDay === String(target);
    let obs = null, timer = null;
    const done = () => {
      const seen = performance.now();
      if (obs) { obs.disconnect(); }
      clearTimeout(timer);
      raf2(() => resolve({seen: seen, end: performance.now()}));
    };
    if (is()) { done(); return; }
    obs = new MutationObserver(() => { if (is()) { done(); } });
    obs.observe(document.body, {attributes: true, attributeFilter: ["data-rendered-day"]});
    timer = setTimeout(() => { obs.disconnect(); resolve(null); }, timeoutMs);
  });
})();
"""


# ---------------------------------------------------------------------------------------------------------
# servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One system's server process on a free loopback port, its output in ``bench/out/logs/``."""

    def __init__(
        self, system: System, geodata: Path | None, timeout: float, out: Path = OUT, log_name: str | None = None
    ):
        self.system = system
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(self.port), "PYTHONPATH": str(ROOT)}
        if geodata:
            env["RAQQA_GEODATA"] = str(geodata)
        (out / "logs").mkdir(parents=True, exist_ok=True)
        self.log = (out / "logs" / f"{log_name or system.name}.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", system.name],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_up(timeout)

    def _wait_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.system.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.system.name} did not answer on {self.url} within {timeout:.0f} s")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_mb(self) -> float:
        """Resident memory of the server process now."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


# ---------------------------------------------------------------------------------------------------------
# one page


class Wire:
    """Bytes on the wire from CDP: every finished request's encodedDataLength, in order, and every host.
    ``data:`` and ``blob:`` URLs and answers from the browser's cache are not counted as requests."""

    def __init__(self, cdp):
        self.finished: list[tuple[int, bool]] = []  # (bytes, went to the network)
        self.hosts: set[str] = set()
        self.local: set[str] = set()  # request ids that never reach a server
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.local.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, e: dict) -> None:
        url = e["request"]["url"]
        if url.startswith(("data:", "blob:")):
            self.local.add(e["requestId"])
        else:
            self.hosts.add(urlparse(url).hostname or url.split(":")[0])

    def _received(self, e: dict) -> None:
        response = e.get("response", {})
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.local.add(e["requestId"])

    def _finished(self, e: dict) -> None:
        self.finished.append((int(e["encodedDataLength"]), e["requestId"] not in self.local))

    def mark(self) -> int:
        return len(self.finished)

    def since(self, mark: int) -> tuple[int, int]:
        """(bytes, requests) finished since ``mark``."""
        done = self.finished[mark:]
        return sum(n for n, _ in done), sum(1 for _, network in done if network)


def measure(ctx, server: Server, span: int, args) -> dict:
    """First load, ``args.steps`` single steps and ``args.bursts`` scrub bursts of one system in a fresh page."""
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    cdp = ctx.new_cdp_session(page)
    wire = Wire(cdp)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.add_init_script(PAGE_PROBE)
    try:
        out = {"load": _load(page, wire, server.url, args.timeout_ms)}
        day = int(page.evaluate("document.body.dataset.renderedDay"))
        if server.system.focus:
            page.focus(server.system.focus)
        else:
            page.evaluate("document.activeElement && document.activeElement.blur()")
        cpu0 = server.cpu_seconds()
        out["steps"], day = _steps(page, wire, day, span, args)
        out["server_cpu_ms_per_step"] = 1000 * (server.cpu_seconds() - cpu0) / max(len(out["steps"]), 1)
        out["bursts"], day = _bursts(page, wire, day, span, args)
        out["server_rss_mb"] = server.rss_mb()
        out["js_heap_mb"] = cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
        out["hosts"] = sorted(wire.hosts)
        out["errors"] = errors[:20]
        return out
    finally:
        cdp.detach()
        page.close()


def _load(page, wire: Wire, url: str, timeout_ms: int) -> dict:
    mark = wire.mark()
    try:
        page.goto(url, wait_until="commit")
    except PlaywrightError:  # a busy shared machine: one more try before giving up on this round
        page.wait_for_timeout(1000)
        page.goto(url, wait_until="commit")
    page.wait_for_function("window.__bench && window.__bench.firstPainted !== null", timeout=timeout_ms)
    page.wait_for_timeout(50)  # let CDP events of the last responses arrive
    first = page.evaluate("({first: __bench.first, painted: __bench.firstPainted})")
    nbytes, requests = wire.since(mark)
    return {"rendered_ms": first["first"], "painted_ms": first["painted"], "bytes": nbytes, "requests": requests}


LOAD_KINDS = (
    ("cold", "fresh server, browser cache off"),
    ("warm", "warm server, browser cache off"),
    ("cached", "warm server, browser HTTP cache"),
)


def visit(ctx, url: str, *, cache: bool, timeout_ms: int) -> dict:
    """One page load in a new page (the browser cache on or off) until the map is drawn."""
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    wire = Wire(cdp)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": not cache})
    page.add_init_script(PAGE_PROBE)
    try:
        return _load(page, wire, url, timeout_ms)
    finally:
        cdp.detach()
        page.close()


def first_loads(ctx, names: list[str], geodata: Path | None, args) -> dict[str, dict]:
    """Cold, warm and cached first loads of every system: a fresh server per round and system."""
    results: dict[str, dict] = {n: {"label": SYSTEMS[n].label, "loads": []} for n in names}
    for rnd in range(args.load_rounds):
        for n in names:
            print(f"first loads {rnd + 1}/{args.load_rounds}: {n}", file=sys.stderr, flush=True)
            server = None
            try:
                server = Server(SYSTEMS[n], geodata, args.start_timeout, args.out, log_name=f"{n}-loads")
                cold = visit(ctx, server.url, cache=False, timeout_ms=args.timeout_ms)
                warm = visit(ctx, server.url, cache=False, timeout_ms=args.timeout_ms)
                visit(ctx, server.url, cache=True, timeout_ms=args.timeout_ms)  # fills the browser cache
                cached = visit(ctx, server.url, cache=True, timeout_ms=args.timeout_ms)
                results[n]["loads"].append({"cold": cold, "warm": warm, "cached": cached})
            except Exception as exc:  # noqa: BLE001 - one system's failure must not lose the others
                results[n].setdefault("errors", []).append(f"round {rnd + 1}: {exc}"[:2000])
            finally:
                if server is not None:
                    server.stop()
    for r in results.values():
        loads = r["loads"]
        r["summary"] = {
            f"{kind}_{key}": _median([x[kind][field] for x in loads])
            for kind, _ in LOAD_KINDS
            for key, field in (("ms", "rendered_ms"), ("bytes", "bytes"), ("requests", "requests"))
        }
    return results


def loads_table(systems: dict[str, dict]) -> str:
    """Cold and warm first loads, the systems side by side."""
    names = list(systems)
    lines = [
        "| first load → map drawn | " + " | ".join(systems[n]["label"] for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for kind, label in LOAD_KINDS:
        for key, unit, fmt_kind in (
            ("ms", "(ms)", "ms"),
            ("bytes", "bytes on the wire", "bytes"),
            ("requests", "requests", "n"),
        ):
            cells = [fmt(systems[n]["summary"][f"{kind}_{key}"], fmt_kind) for n in names]
            lines.append(f"| {label}: {unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _direction(day: int, span: int, want: int, n: int) -> int:
    """+1 or -1: the direction that has ``n`` more days in it, preferring ``want``."""
    if 0 <= day + want * n <= span:
        return want
    return -want


def _steps(page, wire: Wire, day: int, span: int, args) -> tuple[list[dict], int]:
    steps, want = [], 1
    for _ in range(args.steps):
        want = _direction(day, span, want, 1)
        target = day + want
        page.wait_for_timeout(args.settle_ms)
        page.evaluate("([t, ms]) => { window.__step = __bench.waitDay(t, ms); }", [target, args.timeout_ms])
        mark = wire.mark()
        page.keyboard.press("ArrowRight" if want > 0 else "ArrowLeft")
        res = page.evaluate(
            "async () => { const r = await window.__step; return r && {...r, t0: __bench.keys.at(-1)[0]}; }"
        )
        page.wait_for_timeout(args.settle_ms)
        nbytes, requests = wire.since(mark)
        if res is None:
            steps.append({"target": target, "ms": None, "bytes": nbytes, "requests": requests})
            break  # the system did not reach the day: stop rather than wait out every step
        steps.append(
            {
                "target": target,
                "ms": res["end"] - res["t0"],
                "seen_ms": res["seen"] - res["t0"],
                "bytes": nbytes,
                "requests": requests,
            }
        )
        day = target
    return steps, day


def _bursts(page, wire: Wire, day: int, span: int, args) -> tuple[list[dict], int]:
    bursts, want = [], 1
    gap = args.gap_ms / 1000
    for _ in range(args.bursts):
        want = _direction(day, span, want, args.presses)
        target = day + want * args.presses
        page.wait_for_timeout(args.burst_settle_ms)
        page.evaluate("([t, ms]) => { window.__burst = __bench.waitDay(t, ms); }", [target, args.timeout_ms])
        renders0, keys0 = page.evaluate("[__bench.renders, __bench.keys.length]")
        mark = wire.mark()
        key = "ArrowRight" if want > 0 else "ArrowLeft"
        start_epoch_ms, start = time.time() * 1000, time.perf_counter()
        for i in range(args.presses):
            time.sleep(max(0.0, start + i * gap - time.perf_counter()))
            page.keyboard.press(key)
        res = page.evaluate(
            "async (k0) => { const r = await window.__burst; const ks = __bench.keys.slice(k0);"
            " return {r: r, keys: ks.map(k => k[0]), renders: __bench.renders, origin: performance.timeOrigin}; }",
            keys0,
        )
        page.wait_for_timeout(args.settle_ms)
        nbytes, requests = wire.since(mark)
        keys, r = res["keys"], res["r"]
        burst = {"target": target, "presses": len(keys), "bytes": nbytes, "requests": requests}
        burst["drawn"] = res["renders"] - renders0
        burst["press_gap_ms"] = (keys[-1] - keys[0]) / (len(keys) - 1) if len(keys) > 1 else None
        if r is None:
            burst["ms"] = None
            bursts.append(burst)
            break
        burst["ms"] = r["end"] - keys[-1]
        scheduled_last = start_epoch_ms + (args.presses - 1) * args.gap_ms
        burst["ms_from_schedule"] = res["origin"] + r["end"] - scheduled_last
        bursts.append(burst)
        day = target
    return bursts, day


# ---------------------------------------------------------------------------------------------------------
# summaries


def pct(values: list[float], q: float) -> float | None:
    """The q-quantile (nearest rank) of ``values``."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    return vals[min(len(vals) - 1, max(0, math.ceil(q * len(vals)) - 1))]


def summarise(rounds: list[dict]) -> dict:
    """Pool the steps and bursts of every round; medians over rounds for the once-per-round figures."""
    steps = [s for r in rounds for s in r["steps"]]
    bursts = [b for r in rounds for b in r["bursts"]]
    ms = [s["ms"] for s in steps if s["ms"] is not None]
    burst_ms = [b["ms"] for b in bursts if b["ms"] is not None]
    return {
        "steps": len(steps),
        "failed_steps": sum(1 for s in steps if s["ms"] is None),
        "step_median_ms": statistics.median(ms) if ms else None,
        "step_p95_ms": pct(ms, 0.95),
        "step_max_ms": max(ms) if ms else None,
        "step_bytes_median": statistics.median([s["bytes"] for s in steps]) if steps else None,
        "step_bytes_mean": statistics.mean([s["bytes"] for s in steps]) if steps else None,
        "server_cpu_ms_per_step": statistics.median([r["server_cpu_ms_per_step"] for r in rounds]),
        "bursts": len(bursts),
        "failed_bursts": sum(1 for b in bursts if b["ms"] is None),
        "scrub_median_ms": statistics.median(burst_ms) if burst_ms else None,
        "scrub_max_ms": max(burst_ms) if burst_ms else None,
        "scrub_from_schedule_median_ms": _median([b.get("ms_from_schedule") for b in bursts]),
        "scrub_press_gap_ms": _median([b["press_gap_ms"] for b in bursts]),
        "scrub_drawn_median": _median([b["drawn"] for b in bursts]),
        "scrub_bytes_median": _median([b["bytes"] for b in bursts]),
        "server_rss_mb": statistics.median([r["server_rss_mb"] for r in rounds]),
        "js_heap_mb": statistics.median([r["js_heap_mb"] for r in rounds]),
        "load_ms": statistics.median([r["load"]["rendered_ms"] for r in rounds]),
        "load_bytes": statistics.median([r["load"]["bytes"] for r in rounds]),
        "load_requests": statistics.median([r["load"]["requests"] for r in rounds]),
        "external_hosts": sorted({h for r in rounds for h in r["hosts"] if h != "127.0.0.1"}),
    }


def _median(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


ROWS = (
    ("step: date change → map redrawn, median (ms)", "step_median_ms", "ms"),
    ("step: p95 (ms)", "step_p95_ms", "ms"),
    ("step: max (ms)", "step_max_ms", "ms"),
    ("step: steps measured (failed)", None, "steps"),
    ("step: bytes on the wire, median", "step_bytes_median", "bytes"),
    ("step: server CPU per step (ms)", "server_cpu_ms_per_step", "ms"),
    ("scrub: last press → final day drawn, median (ms)", "scrub_median_ms", "ms"),
    ("scrub: max (ms)", "scrub_max_ms", "ms"),
    ("scrub: from the scheduled last press, median (ms)", "scrub_from_schedule_median_ms", "ms"),
    ("scrub: press gap as seen by the page, median (ms)", "scrub_press_gap_ms", "ms"),
    ("scrub: days drawn per burst, median", "scrub_drawn_median", "n"),
    ("scrub: bytes per burst, median", "scrub_bytes_median", "bytes"),
    ("server memory (RSS) after the steps (MB)", "server_rss_mb", "mb"),
    ("page JS heap after the steps (MB)", "js_heap_mb", "mb"),
    ("first load → map drawn (ms)", "load_ms", "ms"),
    ("first load: bytes on the wire (compressed)", "load_bytes", "bytes"),
    ("first load: requests", "load_requests", "n"),
    ("requests leaving 127.0.0.1", None, "hosts"),
)


def fmt(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "ms":
        return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    if kind == "mb":
        return f"{value:,.1f}"
    if kind == "bytes":
        return f"{value / 1024:,.1f} KB" if value < 2**20 else f"{value / 2**20:,.2f} MB"
    return f"{value:,.0f}" if isinstance(value, float) else str(value)


def table(systems: dict[str, dict]) -> str:
    """The systems side by side, one row per metric."""
    names = list(systems)
    lines = [
        "| metric | " + " | ".join(systems[n]["label"] for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for title, key, kind in ROWS:
        cells = []
        for n in names:
            s = systems[n].get("summary")
            if s is None:
                cells.append(systems[n].get("skipped", "–"))
            elif kind == "steps":
                cells.append(f"{s['steps'] - s['failed_steps']} ({s['failed_steps']})")
            elif kind == "hosts":
                cells.append(", ".join(s["external_hosts"]) or "none")
            else:
                cells.append(fmt(s[key], kind))
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def derivation_table(rows: list[dict]) -> str:
    lines = [
        "| dataset | days | ledger rows | distinct states | territory set-up (s) | all snapshots / tables (s) | "
        "every day's state (s) | Python peak, tracemalloc (MB) | max RSS (MB) | method |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        every = f"{r['every_day_s']:.2f}" if "every_day_s" in r else "–"
        lines.append(
            f"| {r['label']} | {r['days']:,} | {r['ledger_rows']:,} | {r['states']:,} | {r['territory_s']:.2f} | "
            f"{r['snapshots_s']:.2f} | {every} | {r.get('tracemalloc_peak_mb', 0):,.1f} | {r['maxrss_mb']:,.0f} | "
            f"{r['method']} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# runs


def derivation(folder: Path, label: str) -> dict:
    """Time in one fresh process, tracemalloc peak in another (tracing slows the run it measures)."""
    cmd = [sys.executable, str(ROOT / "bench" / "derive.py"), str(folder)]
    timed = json.loads(subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    traced = json.loads(
        subprocess.run([*cmd, "--tracemalloc"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    )
    return {**timed, "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"], "label": label}


def run_systems(names: list[str], geodata: Path | None, args, loads: dict | None = None) -> dict[str, dict]:
    """Start every system, then measure them round-robin in one browser; then, if ``loads`` is a dict, fill it
    with their cold and warm first loads (:func:`first_loads`) in the same browser."""
    ds = load_dataset(geodata or ROOT / "geodata")
    span = (ds.end - ds.start).days
    results = {n: {"label": SYSTEMS[n].label, "rounds": []} for n in names}
    servers: dict[str, Server] = {}
    try:
        for n in names:
            print(f"starting {n} …", file=sys.stderr, flush=True)
            try:
                servers[n] = Server(SYSTEMS[n], geodata, args.start_timeout, args.out)
            except RuntimeError as exc:
                results[n]["skipped"] = f"did not start: {exc}"
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            ctx = launch(p, profile)
            try:
                for rnd in range(args.rounds):
                    for n in list(servers):
                        print(f"round {rnd + 1}/{args.rounds}: {n}", file=sys.stderr, flush=True)
                        try:
                            if servers[n].proc.poll() is not None:  # stopped from outside: start it again
                                results[n].setdefault("restarts", []).append(servers[n].proc.returncode)
                                servers[n].stop()
                                servers[n] = Server(SYSTEMS[n], geodata, args.start_timeout, args.out)
                            results[n]["rounds"].append(measure(ctx, servers[n], span, args))
                        except Exception as exc:  # noqa: BLE001 - one system's failure must not lose the others
                            results[n].setdefault("errors", []).append(f"round {rnd + 1}: {exc}"[:2000])
                if loads is not None:
                    for server in servers.values():  # the first loads start their own servers
                        server.stop()
                    loads.update(first_loads(ctx, names, geodata, args))
                page = ctx.new_page()
                version = ctx.new_cdp_session(page).send("Browser.getVersion")["product"]
                page.close()
            finally:
                ctx.close()
    finally:
        for server in servers.values():
            server.stop()
    for r in results.values():
        if r["rounds"]:
            r["summary"] = summarise(r["rounds"])
        elif "skipped" not in r:
            r["skipped"] = "failed: " + r.get("errors", ["?"])[0].splitlines()[0][:100]
    results["_browser"] = version
    return results


def machine(browser: str) -> dict:
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "browser": browser,
        "chromium_flags": FLAGS,
    }


def header(meta: dict, args) -> str:
    return (
        f"{meta['date']}; {meta['cpus']} CPUs; {meta['browser']} (headless, software rendering); "
        f"{args.rounds} round(s) of {args.steps} steps and {args.bursts} bursts of {args.presses} presses "
        f"{args.gap_ms:g} ms apart per system."
    )


def main_run(args) -> int:
    names = args.systems
    loads: dict | None = {} if args.load_rounds > 0 else None
    results = run_systems(names, args.geodata, args, loads)
    meta = machine(results.pop("_browser"))
    folder = args.geodata or ROOT / "geodata"
    derived = [derivation(folder, folder.name)] if not args.no_derive else []
    cold_warm = loads and f"First load, cold and warm ({args.load_rounds} round(s), medians):\n\n{loads_table(loads)}"
    parts = (header(meta, args), table(results), cold_warm, derived and derivation_table(derived))
    md = "\n\n".join(x for x in parts if x)
    data = {"meta": meta, "args": _jsonable(args), "systems": results, "first_loads": loads, "derivation": derived}
    _write(args.out, "results", data, md)
    return 0 if all("summary" in results[n] for n in names) else 1


def main_scale(args) -> int:
    """The same per-step metrics and the derivation at 1x and ``--factor``x the number of dates."""
    from bench import synth

    sections, data = [], {"scales": []}
    browser = None
    for factor in (1, args.factor):
        dates = args.base_dates * factor
        folder = args.out / f"synth-{args.places}p-{dates}d"
        if not (folder / "ledger.csv").exists():
            synth.write(folder, args.places, dates)
        label = f"synthetic, {args.places} places, {dates:,} dates ({factor}×)"
        names = [n for n in args.systems if factor == 1 or n != "animation" or args.animation_at_scale]
        results = run_systems(names, folder, args)
        browser = results.pop("_browser")
        for n in args.systems:
            if n not in names:
                results[n] = {
                    "label": SYSTEMS[n].label,
                    "skipped": "not run: one figure of every state",
                }
        derived = derivation(folder, label) if not args.no_derive else None
        data["scales"].append({"factor": factor, "folder": str(folder), "systems": results, "derivation": derived})
        sections += [f"### {label}", table(results)]
        if derived:
            sections.append(derivation_table([derived]))
    meta = machine(browser)
    data["meta"], data["args"] = meta, _jsonable(args)
    _write(args.out, "scale", data, "\n\n".join([header(meta, args), *sections]))
    return 0


def _write(out: Path, stem: str, data: dict, md: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    (out / f"{stem}.md").write_text(md + "\n")
    print(md)


def _jsonable(args) -> dict:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--rounds", type=int, default=1, help="rounds per system, round-robin (default 1)")
    parser.add_argument("--steps", type=int, default=60, help="single steps per round (default 60)")
    parser.add_argument("--bursts", type=int, default=3, help="scrub bursts per round (default 3)")
    parser.add_argument("--presses", type=int, default=12, help="key presses per burst (default 12)")
    parser.add_argument("--gap-ms", type=float, default=40, help="time between presses in a burst (default 40)")
    parser.add_argument("--settle-ms", type=int, default=150, help="idle time before and after each step")
    parser.add_argument("--burst-settle-ms", type=int, default=500, help="idle time before each burst")
    parser.add_argument("--timeout-ms", type=int, default=30_000, help="give up on a step or load after this")
    parser.add_argument("--start-timeout", type=float, default=900, help="seconds for a server to start")
    parser.add_argument("--geodata", type=Path, help="dataset folder (default: the bundled geodata/)")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default bench/out/)")
    parser.add_argument("--no-derive", action="store_true", help="skip the derivation measurement")
    parser.add_argument(
        "--load-rounds", type=int, default=1, help="cold/warm first loads per system, a fresh server each (0: none)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 steps, 1 burst of 4 presses")
    scale = parser.add_argument_group("scale (--scale): synthetic data at 1x and FACTORx the number of dates")
    scale.add_argument("--scale", action="store_true")
    scale.add_argument("--places", type=int, default=300, help="places in the synthetic data (default 300)")
    scale.add_argument("--base-dates", type=int, default=37, help="dates at 1x (default 37)")
    scale.add_argument("--factor", type=int, default=100, help="the larger scale (default 100)")
    scale.add_argument(
        "--animation-at-scale", action="store_true", help="also run the animation peer at the larger scale"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.bursts, args.presses, args.rounds = 3, 1, 4, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.path.exists(CHROMIUM):
        print(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)", file=sys.stderr)
        return 2
    return main_scale(args) if args.scale else main_run(args)


if __name__ == "__main__":
    raise SystemExit(main())
