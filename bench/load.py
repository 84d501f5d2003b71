"""Load test on loopback: N simulated analysts open the page and move through the campaign's dates.

    python bench/load.py --serve --users 100 --duration 60     # starts gunicorn on a free loopback port
    python bench/load.py --url http://127.0.0.1:8050/ --users 100

Each analyst loads the page like a browser with an empty cache (page, layout, dependencies, every script and
stylesheet the page names), then repeats, with 0.5–1.5 s between moves: step to the next or previous event
(the ``date-slider.value`` callback) and, like the browser after it, every server callback that listens to
the slider; now and then a jump to a clicked event, and every ~20th move saves the view into a briefing and
refreshes the briefing list. The callbacks are found in ``/_dash-dependencies`` at run time; the ones this
script does not know are listed and skipped.

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
SLIDER = "date-slider"
START = dt.date.fromisoformat(json.loads((ROOT / "geodata" / "theatre.json").read_text())["start"])
SAVE_OUTPUT = "..briefing-status.children...briefing-refresh.data.."
LIST_OUTPUT = "briefing-list.children"


# ---------------------------------------------------------------------------------------------------------
# the app's callbacks, from /_dash-dependencies and /_dash-layout


class Plan:
    """Request bodies for the server callbacks this test knows, built from the running app's graph."""

    def __init__(self, deps: list[dict], layout: dict, index_html: str, base: str):
        self.event_ids = sorted(_ids_of_type(layout, "event-item"))
        self.span = _slider_max(layout)
        self.assets = sorted({urljoin(base, u) for u in re.findall(r'(?:src|href)="(/[^"]+)"', index_html)})
        server = [d for d in deps if not d.get("clientside_function")]
        self.move = next((d for d in server if d["output"] == f"{SLIDER}.value"), None)
        self.on_date = [d for d in server if [i["id"] for i in d["inputs"]] == [SLIDER]]
        self.save = next((d for d in server if d["output"] == SAVE_OUTPUT), None)
        self.list = next((d for d in server if d["output"] == LIST_OUTPUT), None)
        known = {id(d) for d in [self.move, self.save, self.list, *self.on_date] if d}
        self.skipped = [d["output"] for d in server if id(d) not in known]

    def move_body(self, day: int, how: str) -> dict:
        items = [{"id": {"index": e, "type": "event-item"}, "property": "n_clicks", "value": 0} for e in self.event_ids]
        if how == "event":
            pick = random.randrange(len(items))
            items[pick]["value"] = 1
            changed = json.dumps(items[pick]["id"], separators=(",", ":"), sort_keys=True) + ".n_clicks"
        else:
            changed = f"{how}-event.n_clicks"
        return {
            "output": self.move["output"],
            "outputs": {"id": SLIDER, "property": "value"},
            "inputs": [
                {"id": "prev-event", "property": "n_clicks", "value": 1},
                {"id": "next-event", "property": "n_clicks", "value": 1},
                items,
            ],
            "changedPropIds": [changed],
            "state": [{"id": SLIDER, "property": "value", "value": day}],
        }

    def date_body(self, dep: dict, day: int) -> dict:
        return {
            "output": dep["output"],
            "outputs": _outputs(dep["output"], self.event_ids),
            "inputs": [{"id": SLIDER, "property": "value", "value": day}],
            "changedPropIds": [f"{SLIDER}.value"],
            "state": [{"id": s["id"], "property": s["property"]} for s in dep.get("state", [])],
        }

    def save_body(self, user: int, day: int) -> dict:
        view = {"date": (START + dt.timedelta(days=day)).isoformat(), "compare": None,
                "bounds": [38.2, 35.6, 39.8, 36.4], "center": [36.0, 39.0], "zoom": 9.5,
                "layers": ["control", "frontline", "events"], "caption": f"Load test view {day}",
                "theatre": None}  # fmt: skip
        request = {"name": f"Load test analyst {user}", "nonce": os.urandom(12).hex(), **view}
        return {
            "output": self.save["output"],
            "outputs": _outputs(self.save["output"], []),
            "inputs": [{"id": "briefing-save-request", "property": "data", "value": request}],
            "changedPropIds": ["briefing-save-request.data"],
        }

    def list_body(self) -> dict:
        return {
            "output": self.list["output"],
            "outputs": {"id": "briefing-list", "property": "children"},
            "inputs": [{"id": "briefing-refresh", "property": "data", "value": time.time()}],
            "changedPropIds": ["briefing-refresh.data"],
        }


def _outputs(output: str, event_ids: list[str]):
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    outs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        if ident.startswith("{"):
            kind = json.loads(ident)["type"]
            outs.append([{"id": {"index": e, "type": kind}, "property": prop} for e in event_ids])
        else:
            outs.append({"id": ident, "property": prop})
    return outs if output.startswith("..") else outs[0]


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _ids_of_type(layout: dict, kind: str) -> set[str]:
    return {
        n["props"]["id"]["index"]
        for n in _walk(layout)
        if isinstance(n.get("props"), dict)
        and isinstance(n["props"].get("id"), dict)
        and n["props"]["id"].get("type") == kind
    }


def _slider_max(layout: dict) -> int:
    for n in _walk(layout):
        props = n.get("props")
        if isinstance(props, dict) and props.get("id") == SLIDER:
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

    def full(self) -> bool:
        return self.count >= self.max_requests


ASSET_HEADERS = {"Accept-Encoding": os.environ.get("ASSET_ENCODING", "gzip, deflate, br")}


async def timed(session, stats: Stats, kind: str, method: str, url: str, body=None, headers=None):
    """One request; its time covers reading the whole response."""
    if stats.full():
        return None
    stats.count += 1
    t0 = time.perf_counter()
    try:
        kw = {"json": body} if body is not None else {}
        if headers:
            kw["headers"] = headers
        async with session.request(method, url, **kw) as r:
            data = await r.read()
            status = r.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        stats.errors[kind] += 1
        if len(stats.samples) < 10:
            stats.samples.append(f"{kind}: {type(exc).__name__} {exc}")
        return None
    stats.times[kind].append(time.perf_counter() - t0)
    if status not in (200, 204):
        stats.errors[kind] += 1
        if len(stats.samples) < 10:
            stats.samples.append(f"{kind}: HTTP {status} {data[:120]!r}")
        return None
    return data


async def analyst(n: int, base: str, plan: Plan, stats: Stats, deadline: float, think: tuple[float, float]):
    timeout = aiohttp.ClientTimeout(total=15)
    headers = {"Accept-Encoding": "gzip, deflate, br", "Accept": "*/*"}
    async with aiohttp.ClientSession(timeout=timeout, headers=headers, auto_decompress=False) as s:
        update = urljoin(base, "_dash-update-component")
        await timed(s, stats, "page /", "GET", base)
        await timed(s, stats, "page /_dash-layout", "GET", urljoin(base, "_dash-layout"))
        await timed(s, stats, "page /_dash-dependencies", "GET", urljoin(base, "_dash-dependencies"))
        await asyncio.gather(*(timed(s, stats, "page assets", "GET", u, headers=ASSET_HEADERS) for u in plan.assets))
        for dep in plan.on_date:  # the initial call the browser makes
            await timed(s, stats, "cb show date", "POST", update, plan.date_body(dep, 0))
        if plan.list:
            await timed(s, stats, "cb briefing list", "POST", update, plan.list_body())
        day, moves = 0, 0
        while time.monotonic() < deadline and not stats.full():
            await asyncio.sleep(random.uniform(*think))
            moves += 1
            how = random.choices(["next", "prev", "event"], weights=[6, 2, 2])[0]
            if day == 0 and how == "prev":
                how = "next"
            if plan.move:
                data = await timed(s, stats, "cb move date", "POST", update, plan.move_body(day, how))
                if data:
                    with contextlib.suppress(ValueError, KeyError):
                        day = json.loads(_inflate(data))["response"][SLIDER]["value"]
                if day >= plan.span:
                    day = 0
            else:
                day = random.randrange(plan.span + 1)
            for dep in plan.on_date:
                await timed(s, stats, "cb show date", "POST", update, plan.date_body(dep, day))
            if plan.save and moves % 20 == n % 20:
                await timed(s, stats, "cb briefing save", "POST", update, plan.save_body(n, day))
                if plan.list:
                    await timed(s, stats, "cb briefing list", "POST", update, plan.list_body())


def _inflate(data: bytes) -> bytes:
    """Responses are read raw (the server may compress them); JSON starts with '{'."""
    if data[:1] == b"{":
        return data
    import gzip
    import zlib

    with contextlib.suppress(OSError, zlib.error):
        return gzip.decompress(data)
    with contextlib.suppress(ImportError, Exception):
        import brotli  # type: ignore[import-not-found]

        return brotli.decompress(data)
    return data


async def warm_up(base: str, plan: Plan, passes: int) -> None:
    """Ask every date-dependent callback for every day ``passes`` times (8 at a time), so that each worker has
    computed each date once before the measured run; not counted."""
    update = urljoin(base, "_dash-update-component")
    jobs = [(dep, day) for _ in range(passes) for dep in plan.on_date for day in range(plan.span + 1)]
    random.shuffle(jobs)
    sem = asyncio.Semaphore(8)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as s:

        async def one(dep, day):
            async with sem, s.post(update, json=plan.date_body(dep, day)) as r:
                await r.read()

        await asyncio.gather(*(one(dep, day) for dep, day in jobs))


async def run(base: str, users: int, duration: float, max_requests: int, ramp: float, think, warm: int, master):
    async with aiohttp.ClientSession() as s:
        async with s.get(urljoin(base, "_dash-dependencies")) as r:
            deps = await r.json()
        async with s.get(urljoin(base, "_dash-layout")) as r:
            layout = await r.json()
        async with s.get(base) as r:
            index_html = await r.text()
    plan = Plan(deps, layout, index_html, base)
    print(f"callbacks: move={'yes' if plan.move else 'no'}, on-date={len(plan.on_date)}, "
          f"save={'yes' if plan.save else 'no'}, list={'yes' if plan.list else 'no'}; "
          f"skipped: {plan.skipped or 'none'}; {len(plan.assets)} scripts/stylesheets", flush=True)  # fmt: skip
    if warm:
        t = time.monotonic()
        await warm_up(base, plan, warm)
        print(f"warm-up: {warm} pass(es) over {plan.span + 1} days in {time.monotonic() - t:.0f} s", flush=True)
    stats = Stats(max_requests)
    cpu0 = cpu_seconds(master) if master else None
    t0 = time.monotonic()
    deadline = t0 + duration

    async def start(n):
        await asyncio.sleep(ramp * n / users)
        await analyst(n, base, plan, stats, deadline, think)

    await asyncio.gather(*(start(n) for n in range(users)))
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
    rows.append(("**all requests**", every, sum(stats.errors.values())))
    for name, ts, errs in rows:
        lines.append(
            f"| {name} | {len(ts) + (errs if not ts else 0):,} | {errs} | {pct(ts, 50):.1f} | {pct(ts, 95):.1f} |"
            f" {pct(ts, 99):.1f} | {max(ts, default=float('nan')) * 1000:.1f} |"
        )
    total = sum(len(v) for v in stats.times.values()) + sum(stats.errors.values())
    lines.append("")
    lines.append(f"{total:,} requests in {elapsed:.1f} s: {total / elapsed:.0f} requests/s "
                 f"({len(cbs) / elapsed:.0f} callbacks/s)")  # fmt: skip
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
    ap.add_argument("--workers", type=int, default=3, help="gunicorn workers with --serve")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--duration", type=float, default=60, help="seconds, ramp-up included")
    ap.add_argument("--ramp", type=float, default=10, help="seconds over which the analysts arrive")
    ap.add_argument("--max-requests", type=int, default=100_000)
    ap.add_argument("--warm", type=int, default=0, metavar="PASSES",
                    help="first ask for every day PASSES times, unmeasured (e.g. 2 x workers)")  # fmt: skip
    ap.add_argument("--think", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"))
    args = ap.parse_args()
    load_before, pressure_before = os.getloadavg()[0], cpu_pressure()
    with gunicorn(args.workers) if args.serve else contextlib.nullcontext((args.url, None)) as (url, master):
        base = loopback_only(url)
        stats, elapsed, cpu_used = asyncio.run(
            run(base, args.users, args.duration, args.max_requests, args.ramp, tuple(args.think), args.warm, master)
        )
    cpu = f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}"
    print(f"\n{args.users} analysts, {args.duration:.0f} s, think {args.think[0]}–{args.think[1]} s, "
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
