"""Time and peak memory of the heavy jobs: uploads at the limits (the largest refused, the largest accepted) and
the campaign's GIF and MP4 exports (frames drawn, then read from the frame cache; ``gif-warmed``: the server's
warm-up process run first, then the export, with the warm-up's own time).

    python bench/jobs.py              # every case, each in a fresh process (its own peak RSS)
    python bench/jobs.py --case gif   # one case

Each case runs the job's own code (the upload callback, the export builder with the disk frame cache) in a
fresh Python process with an empty instance folder, and reports wall time and the process's peak RSS. Nothing
here is asserted: the tests check what the jobs do, this measures how long they take.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIG = """
name = "Bench theatre"
slug = "bench-theatre"
start = 2017-01-01
end = "2017-12-31"
source_url = "https://example.org/source"

[aoi]
bbox = [38.0, 35.5, 40.0, 36.5]

[[factions]]
id = "SDF"
label = "Syrian Democratic Forces"
color = "#e8b70e"

[[factions]]
id = "ISIS"
label = "Islamic State"
color = "#3a3a3a"
"""
ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "actor2,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities"
)


def _grid_snapshot(day: int, cols: int, rows: int, per_side: int) -> bytes:
    """A snapshot of cols x rows adjacent squares over the AOI, each edge cut into ``per_side`` segments."""
    w, s, e, n = 38.0, 35.5, 40.0, 36.5
    dx, dy = (e - w) / cols, (n - s) / rows
    feats = []
    for i in range(cols):
        for j in range(rows):
            x0, y0 = w + i * dx, s + j * dy
            ring = []
            for k in range(per_side):
                ring.append([round(x0 + dx * k / per_side, 5), round(y0, 5)])
            for k in range(per_side):
                ring.append([round(x0 + dx, 5), round(y0 + dy * k / per_side, 5)])
            for k in range(per_side):
                ring.append([round(x0 + dx - dx * k / per_side, 5), round(y0 + dy, 5)])
            for k in range(per_side):
                ring.append([round(x0, 5), round(y0 + dy - dy * k / per_side, 5)])
            ring.append(ring[0])
            faction = "SDF" if (i + j + day) % 2 else "ISIS"
            feats.append({"type": "Feature", "properties": {"faction": faction},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":")).encode()


def _data_url(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def upload_files(case: str) -> list[tuple[str, bytes]]:
    files = [("theatre.toml", CONFIG.encode())]
    if case == "upload-accepted":  # 10 dates x 999 squares x 81 positions: under every budget
        files += [(f"2017-{m:02d}-01.geojson", _grid_snapshot(m, 37, 27, 20)) for m in range(1, 11)]
    elif case == "upload-refused-positions":  # the same with 101 positions a square: over the position budget
        files += [(f"2017-{m:02d}-01.geojson", _grid_snapshot(m, 37, 27, 25)) for m in range(1, 11)]
    elif case == "upload-refused-rows":  # 1,000,000 empty rows of an ACLED table
        files.append(("acled.csv", (ACLED_HEADER + "\n" + "," * 17 + "\n" * 1 + ("," * 17 + "\n") * 999_999).encode()))
    return files


def run_case(case: str) -> dict:
    if case.startswith("upload"):
        from layers.features import upload

        files = upload_files(case)
        contents, names = [_data_url(d) for _, d in files], [n for n, _ in files]
        size = sum(len(d) for _, d in files)
        t0 = time.perf_counter()
        children, _ = upload.handle_upload(lambda _text: None, contents, names)
        took = time.perf_counter() - t0
        first = children[0].children if children else ""
        answer = len(json.dumps(children, default=lambda c: c.to_plotly_json()))
        return {"case": case, "bytes": size, "seconds": took, "result": first, "answer_bytes": answer}
    from layers.core import export
    from layers.server import jobs
    from layers.server.context import context

    ctx = context()
    frames = jobs.DiskFrames()
    req = export.parse_request(ctx.territory, {"kind": "gif" if case.startswith("gif") else "mp4"})
    out = {"case": case}
    warm = ""
    if case.endswith("-warmed"):  # the server's warm-up process (niceness 19, one process), then the export
        cpu0, t0 = _cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-m", "layers.server.warmup"], cwd=ROOT, check=True, capture_output=True)
        warm = f"; warm-up before it {time.perf_counter() - t0:.1f} s, CPU {_cpu() - cpu0:.1f} s"
    elif not case.endswith("-cold"):  # draw the frames first (not timed), then time the export from the cache
        export.build(ctx.territory, req, frames=frames)
    cpu0 = _cpu()
    t0 = time.perf_counter()
    data = export.build(ctx.territory, req, frames=frames)
    out.update(seconds=time.perf_counter() - t0, bytes=len(data))
    n = export.check_size(ctx.territory, req)
    drawers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the drawing processes, ffmpeg
    out["result"] = f"{n} frames; CPU {_cpu() - cpu0:.1f} s; largest child process {drawers:.0f} MB{warm}"
    return out


def _cpu() -> float:
    """CPU seconds of this process and of its ended children (frame-drawing processes, ffmpeg)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


CASES = (
    "upload-refused-rows",
    "upload-refused-positions",
    "upload-accepted",
    "gif-cold",
    "gif-cached",
    "gif-warmed",
    "mp4-cold",
    "mp4-cached",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", choices=CASES)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        result = run_case(args.case)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    pressure = Path("/proc/pressure/cpu").read_text().splitlines()[0] if Path("/proc/pressure/cpu").exists() else ""
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()[0]:.1f}; cpu {pressure}"
    )
    print("| case | input / output | result | time | peak RSS |\n|---|---:|---|---:|---:|")
    for case in [args.case] if args.case else CASES:
        with tempfile.TemporaryDirectory(prefix="raqqa-bench-jobs-") as instance:
            env = {**os.environ, "RAQQA_INSTANCE": instance}
            cmd = [sys.executable, __file__, "--case", case, "--child"]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode:
            print(f"| {case} | | failed: {proc.stderr.strip().splitlines()[-1:]} | | |")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        result = r.get("result") or f"{r.get('frames')} frames"
        print(
            f"| {case} | {r['bytes'] / 2**20:.1f} MiB | {result} | {r['seconds']:.1f} s | {r['peak_rss_mb']:.0f} MB |"
        )


if __name__ == "__main__":
    main()
