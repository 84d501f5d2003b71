"""Load test on loopback: N simulated analysts open the page and work through the campaign.

    python bench/load.py --serve --users 100 --duration 60     # starts gunicorn on a free loopback port
    python bench/load.py --url http://127.0.0.1:8050/ --users 100

Moving the date is done in the browser (no request), so the load is what still reaches the server. Each
analyst loads the page like a browser with an empty cache (page, layout, dependencies, every script and
stylesheet the page names, the briefing list), then repeats, with 0.5–1.5 s between actions: move the date
with the Compare tab open (the changed-hands table for the new date pair), open a place's history, search the
event feed, and every ~20th action save the view into a briefing and refresh the list. The callbacks are found
in ``/_dash-dependencies`` at run time by their outputs; others are listed and skipped.

With ``--exports N``, N more clients export the campaign's default GIF over and over meanwhile (each waits for
its file, polling the background job as the page does, then starts the next), so the browsing is measured
while heavy jobs run; each export's outcome (saved, or refused because the server is busy) is counted.

Bounded: it stops after --duration seconds or --max-requests requests, whichever comes first, and only ever
talks to 127.0.0.1 / ::1 / localhost. Prints requests/s and p50/p95/p99 per kind of request, and errors
(any status other than 200/204, or a failed connection).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
START = dt.date.fromisoformat(json.loads((ROOT / "geodata" / "theatre.json").read_text())["start"])
_FEATURES = json.loads((ROOT / "geodata" / "places.geojson").read_text())["features"]
PLACES = [f["properties"]["id"] for f in _FEATURES]
PLACE_NAMES = [f["properties"]["name"] for f in _FEATURES]
SAVE_OUTPUT = "..briefing-status.children...briefing-refresh.data.."
LIST_OUTPUT = "briefing-list.children"


# ---------------------------------------------------------------------------------------------------------
# the app's callbacks, from /_dash-dependencies and /_dash-layout


class Plan:
    """Request bodies for the server callbacks this test knows, built from the running app's graph."""

    KNOWN = {
        "compare": "changed-hands.children",
        "place": "place-history.children",
        "search": "feed-count.children",
        "save": "briefing-status.children",
        "list": "briefing-list.children",
        "export": "export-download.data",
    }

    def __init__(self, deps: list[dict], layout: dict, index_html: str, base: str):
        self.by_type: dict[str, list] = defaultdict(list)
        for n in _walk(layout):
            ident = n.get("props", {}).get("id") if isinstance(n.get("props"), dict) else None
            if isinstance(ident, dict) and "type" in ident:
                self.by_type[ident["type"]].append(ident)
        self.span = _slider_max(layout)
        named = set(re.findall(r'(?:src|href)="(/[^"]+)"', index_html))  # scripts, stylesheets and preloads
        named -= {"/_dash-layout", "/_dash-dependencies"}  # asked for on their own
        self.assets = sorted(urljoin(base, u) for u in named)
        server = [d for d in deps if not d.get("clientside_function")]
        self.deps = {}
        for key, output in self.KNOWN.items():
            self.deps[key] = next((d for d in server if output in d["output"] and "@" not in d["output"]), None)
        known = {id(d) for d in self.deps.values() if d}
        self.skipped = [d["output"].split("@")[0] for d in server if id(d) not in known]

    def body(self, key: str, values: dict) -> dict:
        """The body the renderer sends for callback ``key``; ``values`` by ``"id.property"``."""
        dep = self.deps[key]

        def entry(spec):
            ident = spec["id"]
            if ident.startswith("{"):
                kind = json.loads(ident)["type"]
                return [{"id": i, "property": spec["property"]} for i in self.by_type.get(kind, [])]
            return {"id": ident, "property": spec["property"], "value": values.get(f"{ident}.{spec['property']}")}

        multi = dep["output"].startswith("..")
        parts = dep["output"].strip(".").split("...") if multi else [dep["output"]]
        outs = [entry({"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}) for p in parts]
        return {
            "output": dep["output"],
            "outputs": outs if multi else outs[0],
            "inputs": [entry(i) for i in dep["inputs"]],
            "state": [entry(i) for i in dep["state"]],
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in dep["inputs"][:1]],
        }

    def compare_body(self, day: int, other: int) -> dict:
        return self.body("compare", {"settled.data": {"day": day, "compare": other}, "side-tabs.value": "compare",
                                     "theatre.data": ""})  # fmt: skip

    def export_body(self, kind: str, nonce: int) -> dict:
        return self.body("export", {"export-request.data": {"kind": kind, "theatre": "", "nonce": nonce}})

    def place_body(self) -> dict:
        return self.body("place", {"selected-place.data": random.choice(PLACES), "side-tabs.value": "place",
                                   "theatre.data": ""})  # fmt: skip

    def search_body(self) -> dict:
        name = random.choice(PLACE_NAMES)
        query = name[: random.randint(3, max(3, len(name)))]
        return self.body("search", {"feed-search.value": query, "theatre.data": ""})

    def save_body(self, user: int, day: int) -> dict:
        view = {"date": (START + dt.timedelta(days=day)).isoformat(), "compare": None,
                "bounds": [38.2, 35.6, 39.8, 36.4], "center": [36.0, 39.0], "zoom": 9.5,
                "layers": ["control", "frontline", "events"], "caption": f"Load test view {day}",
                "theatre": None}  # fmt: skip
        request = {"name": f"Load test analyst {user}", "nonce": os.urandom(12).hex(), **view}
        return self.body("save", {"briefing-save-request.data": request})

    def list_body(self) -> dict:
        return self.body("list", {"briefing-refresh.data": time.time()})


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _slider_max(layout: dict) -> int:
    for n in _walk(layout):
        props = n.get("props")
        if isinstance(props, dict) and props.get("id") == "date-slider":
            return int(props["max"])
    return 349


# ---------------------------------------------------------------------------------------------------------
# the simulated analysts


class Stats:
    def __init__(self, max_requests: int):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.max_requests = max_requests
        self.count = 0
        self.callbacks: list[tuple[float, float]] = []  # (start, seconds) of every answered callback
        self.loaded = 0  # analysts whose page has loaded
        self.steady_from: float | None = None  # when the last analyst's page had loaded
        self.exports: dict[str, list[float]] = defaultdict(list)  # outcome -> seconds from click to answer

    def full(self) -> bool:
        return self.count >= self.max_requests


async def timed(session, stats: Stats, kind: str, method: str, url: str, body=None):
    """One request; its time covers reading the whole response."""
    if stats.full():
        return None
    stats.count += 1
    t0 = time.perf_counter()
    try:
        kw = {"json": body} if body is not None else {}
        async with session.request(method, url, **kw) as r:
            data = await r.read()
            status = r.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        stats.errors[kind] += 1
        if len(stats.samples) < 10:
            stats.samples.append(f"{kind}: {type(exc).__name__} {exc}")
        return None
    stats.times[kind].append(time.perf_counter() - t0)
    if kind.startswith("cb "):
        stats.callbacks.append((t0, time.perf_counter() - t0))
    if status not in (200, 204):
        stats.errors[kind] += 1
        if len(stats.samples) < 10:
            stats.samples.append(f"{kind}: HTTP {status} {data[:120]!r}")
        return None
    return data


async def analyst(n: int, users: int, base: str, plan: Plan, stats: Stats, deadline: float, think):
    timeout = aiohttp.ClientTimeout(total=15)
    headers = {"Accept-Encoding": "gzip, deflate, br", "Accept": "*/*"}
    async with aiohttp.ClientSession(timeout=timeout, headers=headers, auto_decompress=False) as s:
        update = urljoin(base, "_dash-update-component")
        await timed(s, stats, "page /", "GET", base)
        await timed(s, stats, "page /_dash-layout", "GET", urljoin(base, "_dash-layout"))
        await timed(s, stats, "page /_dash-dependencies", "GET", urljoin(base, "_dash-dependencies"))
        await asyncio.gather(*(timed(s, stats, "page assets", "GET", u) for u in plan.assets))
        if plan.deps["list"]:  # the list's initial call
            await timed(s, stats, "cb briefing list", "POST", update, plan.list_body())
        stats.loaded += 1
        if stats.loaded == users:
            stats.steady_from = time.perf_counter()
        day, actions = 0, 0
        while time.monotonic() < deadline and not stats.full():
            await asyncio.sleep(random.uniform(*think))
            actions += 1
            day = min(plan.span, max(0, day + random.choice([1, 1, 7, 30, -1, -7])))
            if plan.deps["save"] and actions % 20 == n % 20:
                await timed(s, stats, "cb briefing save", "POST", update, plan.save_body(n, day))
                if plan.deps["list"]:
                    await timed(s, stats, "cb briefing list", "POST", update, plan.list_body())
                continue
            action = random.choices(["compare", "place", "search"], weights=[5, 3, 3])[0]
            if not plan.deps[action]:
                continue
            if action == "compare":
                body = plan.compare_body(day, max(0, day - random.choice([7, 30, 90])))
            else:
                body = plan.place_body() if action == "place" else plan.search_body()
            await timed(s, stats, f"cb {action}", "POST", update, body)


async def exporter(n: int, base: str, plan: Plan, stats: Stats, deadline: float, end_id: str):
    """Export the default GIF again and again, as the page does: start the job, poll it every 0.5 s, read the file
    (waiting at most 60 s past the deadline: an export still running then is counted as unfinished)."""
    timeout = aiohttp.ClientTimeout(total=60)
    update = urljoin(base, "_dash-update-component")
    async with aiohttp.ClientSession(timeout=timeout) as s:
        nonce = 0
        while time.monotonic() < deadline:
            nonce += 1
            body = plan.export_body("gif", n * 100_000 + nonce)
            t0 = time.perf_counter()
            try:
                async with s.post(update, params={"endId": end_id}, json=body) as r:
                    start = await r.json(content_type=None) if r.status == 200 else None
                    status = r.status
                if start is None:
                    raise ValueError(f"HTTP {status}")
                outcome, give_up = "unfinished", time.monotonic() + min(300, max(0, deadline - time.monotonic()) + 60)
                while start and time.monotonic() < give_up:
                    await asyncio.sleep(0.5)
                    params = {"endId": end_id, "cacheKey": start["cacheKey"], "job": start["job"]}
                    async with s.post(update, params=params, json=body) as r:
                        status, data = r.status, await r.read()
                    if status == 204:
                        outcome = "no answer"
                        break
                    answer = json.loads(data) if status == 200 else {}
                    if "response" in answer:
                        text = json.dumps(answer["response"].get("export-status", {}))
                        outcome = "saved" if "Saved" in text else "busy" if "busy" in text else "refused"
                        break
                    if status != 200:
                        outcome = "error"
                        break
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                status, outcome = type(exc).__name__, "error"
            stats.exports[outcome].append(time.perf_counter() - t0)
            if outcome in ("error", "no answer", "unfinished") and len(stats.samples) < 10:
                stats.samples.append(f"export: {outcome} (status {status})")
            if outcome == "busy":
                await asyncio.sleep(2)  # as an analyst would, a moment before trying again


async def run(base: str, users: int, duration: float, max_requests: int, ramp: float, think, master, exports=0):
    async with aiohttp.ClientSession() as s:
        async with s.get(urljoin(base, "_dash-dependencies")) as r:
            deps = await r.json()
        async with s.get(urljoin(base, "_dash-layout")) as r:
            layout = await r.json()
        async with s.get(base) as r:
            index_html = await r.text()
    plan = Plan(deps, layout, index_html, base)
    found = ", ".join(f"{k}={'yes' if d else 'no'}" for k, d in plan.deps.items())
    print(f"callbacks: {found}; skipped: {plan.skipped or 'none'}; {len(plan.assets)} scripts/stylesheets", flush=True)
    stats = Stats(max_requests)
    cpu0 = cpu_seconds(master) if master else None
    t0 = time.monotonic()
    deadline = t0 + duration

    async def start(n):
        await asyncio.sleep(ramp * n / users)
        await analyst(n, users, base, plan, stats, deadline, think)

    end_id = re.search(r'"end_id":\s*"([^"]+)"', index_html)
    if exports and (not plan.deps["export"] or not end_id):
        sys.exit("the export callback or the page's end_id was not found: cannot run --exports")
    jobs = [exporter(n, base, plan, stats, deadline, end_id.group(1)) for n in range(exports)]
    await asyncio.gather(*(start(n) for n in range(users)), *jobs)
    elapsed = time.monotonic() - t0
    return stats, elapsed, (cpu_seconds(master) - cpu0 if master else None)


# ---------------------------------------------------------------------------------------------------------
# report


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000 if xs else float("nan")


def report(stats: Stats, elapsed: float) -> str:
    lines = ["| requests | count | errors | p50 ms | p95 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    kinds = sorted(set(stats.times) | set(stats.errors))
    every = [t for k in kinds for t in stats.times[k]]
    cbs = [t for k in kinds if k.startswith("cb ") for t in stats.times[k]]
    rows = [(k, stats.times[k], stats.errors[k]) for k in kinds]
    rows.append(("**all callbacks**", cbs, sum(v for k, v in stats.errors.items() if k.startswith("cb "))))
    if stats.steady_from is not None:
        steady = [d for t, d in stats.callbacks if t >= stats.steady_from]
        rows.append(("**callbacks once every page had loaded**", steady, None))
    rows.append(("**all requests**", every, sum(stats.errors.values())))
    for name, ts, errs in rows:
        lines.append(
            f"| {name} | {len(ts) + (errs or 0 if not ts else 0):,} | {'–' if errs is None else errs} |"
            f" {pct(ts, 50):.1f} | {pct(ts, 95):.1f} |"
            f" {pct(ts, 99):.1f} | {max(ts, default=float('nan')) * 1000:.1f} |"
        )
    total = sum(len(v) for v in stats.times.values()) + sum(stats.errors.values())
    lines.append("")
    lines.append(f"{total:,} requests in {elapsed:.1f} s: {total / elapsed:.0f} requests/s "
                 f"({len(cbs) / elapsed:.0f} callbacks/s)")  # fmt: skip
    if stats.exports:
        lines += ["", "| exports (default GIF) | count | p50 s | max s |", "|---|---:|---:|---:|"]
        for outcome, ts in sorted(stats.exports.items()):
            lines.append(f"| {outcome} | {len(ts)} | {pct(ts, 50) / 1000:.1f} | {max(ts):.1f} |")
    if stats.samples:
        lines += ["", "errors (first 10):", *[f"- {s}" for s in stats.samples]]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# the server (optional) and the command line


def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname or ""
    addrs = {ai[4][0] for ai in socket.getaddrinfo(host, None)}
    if not addrs or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addrs):
        sys.exit(f"refusing {url}: the load test only targets loopback addresses")
    return url if url.endswith("/") else url + "/"


def cpu_pressure() -> str:
    """Share of the last 10 s in which some runnable task waited for a CPU (Linux PSI), e.g. "35%"."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0]
        return f"{float(some.split()[1].split('=')[1]):.0f}%"
    return "n/a"


def cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master and its workers, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid, ppid = int(stat.parent.name), int(fields[1])
            if pid == master or ppid == master:
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


@contextlib.contextmanager
def gunicorn(workers: int):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    instance = tempfile.TemporaryDirectory(prefix="raqqa-load-")
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers),
           "RAQQA_INSTANCE": instance.name}  # fmt: skip
    cmd = [sys.executable, "-m", "gunicorn", "app:server"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(900):
            if proc.poll() is not None:
                sys.exit(f"gunicorn exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url, timeout=2).close()
                break
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        instance.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8050/", help="a running app (loopback only)")
    ap.add_argument("--serve", action="store_true", help="start gunicorn (gunicorn.conf.py) on a free port")
    ap.add_argument("--workers", type=int, default=3, help="gunicorn workers with --serve (WEB_CONCURRENCY)")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--duration", type=float, default=60, help="seconds, ramp-up included")
    ap.add_argument("--ramp", type=float, default=10, help="seconds over which the analysts arrive")
    ap.add_argument("--max-requests", type=int, default=100_000)
    ap.add_argument("--think", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"))
    ap.add_argument("--exports", type=int, default=0, help="clients exporting the default GIF meanwhile")
    args = ap.parse_args()
    load_before, pressure_before = os.getloadavg()[0], cpu_pressure()
    with gunicorn(args.workers) if args.serve else contextlib.nullcontext((args.url, None)) as (url, master):
        base = loopback_only(url)
        stats, elapsed, cpu_used = asyncio.run(
            run(base, args.users, args.duration, args.max_requests, args.ramp, tuple(args.think), master, args.exports)
        )
    cpu = f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}"
    print(f"\n{args.users} analysts, {args.exports} exporting clients, {args.duration:.0f} s, "
          f"think {args.think[0]}–{args.think[1]} s, "
          f"{'gunicorn ' + str(args.workers) + ' workers' if args.serve else base}; {cpu}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")  # fmt: skip
    print(report(stats, elapsed))
    total = sum(len(v) for v in stats.times.values()) + sum(stats.errors.values())
    print(f"\nmachine before the run: load average {load_before:.1f}, CPU pressure {pressure_before}; "
          f"after: {os.getloadavg()[0]:.1f}, {cpu_pressure()} (other work on the same cores adds latency)")  # fmt: skip
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"load generator CPU: {own.ru_utime + own.ru_stime:.1f} s")
    if cpu_used is not None:
        print(f"server CPU during the run: {cpu_used:.1f} s = {1000 * cpu_used / max(total, 1):.2f} ms per request")


if __name__ == "__main__":
    main()
