"""Warming the frame cache: the default campaign animation's frames drawn in the background after the server
starts, so the first GIF or MP4 of that view only encodes.

Off unless ``RAQQA_WARM_EXPORTS=1`` (``make run`` and ``make serve`` set it; the test suite does not).
:func:`start` (called once by ``app.py`` run directly, and by gunicorn's ``when_ready`` hook in the master)
starts ``python -m layers.server.warmup``: a process of its own at niceness 19, so the analysts' requests
(niceness 0) and jobs (JOB_NICE) always come first, which dies with the process that started it and ends on
SIGTERM (:func:`stop`). It holds no heavy-job slot: an analyst's export or import never waits for it, and an
export started meanwhile reads the frames already drawn. It draws in one process (one core at most).

It draws only the frames missing from ``$RAQQA_INSTANCE/jobs/frames``; their keys hold a digest of the data
(:func:`layers.core.animation.frame_keys`), so it draws once per instance and data version, and a second
warm-up finds nothing to do. An exclusive ``flock`` on ``$RAQQA_INSTANCE/jobs/warm.lock`` lets one warm-up run
at a time across every process of the server (and every server sharing the instance folder).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from layers.core import animation, export, lifetime
from layers.core.export import FrameStore, Request
from layers.core.territory import Territory
from layers.server import jobs

LOG = logging.getLogger(__name__)
ENV = "RAQQA_WARM_EXPORTS"
WARM_NICE = 19  # the lowest priority: the warm-up only uses CPU nobody else wants
ROOT = Path(__file__).resolve().parents[2]
PARENT_ENV = "RAQQA_WARM_PARENT"  # the server's process id, given to the warm-up it starts

_process: subprocess.Popen | None = None


def enabled() -> bool:
    """Whether this server warms the frame cache: ``RAQQA_WARM_EXPORTS=1``."""
    return os.environ.get(ENV, "") == "1"


def default_request(territory: Territory) -> Request:
    """What the Export tab's GIF (and MP4: same frames) asks for with nothing chosen: one frame per map state of
    the area of interest, every map layer, 1280x720."""
    return export.parse_request(territory, {"kind": "gif"})


def missing(territory: Territory, req: Request, store: FrameStore) -> int:
    """Frames of ``req`` not in ``store``."""
    return sum(store.get(k) is None for k in animation.frame_keys(territory, req))


@contextlib.contextmanager
def lock() -> Iterator[bool]:
    """Hold the instance's warm-up lock for the duration; yields False (holding nothing) if another has it."""
    path = jobs.jobs_dir() / "warm.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock (and so does the process ending)


def warm(territory: Territory, store: FrameStore, req: Request | None = None, *, workers: int = 1) -> int | None:
    """Draw the frames of ``req`` (default :func:`default_request`) missing from ``store``, in date order, in
    ``workers`` processes; the number drawn (0: all were there), or None when another warm-up holds the lock."""
    req = req or default_request(territory)
    with lock() as held:
        if not held:
            return None
        todo = missing(territory, req, store)
        if todo:
            for _frame in animation.frames_rgb(territory, req, frames=store, workers=workers):
                pass
        return todo


def start() -> subprocess.Popen | None:
    """Start the warm-up process when :func:`enabled` (once per process: a running one is returned)."""
    global _process
    if not enabled():
        return None
    if _process is None or _process.poll() is not None:
        cmd = [sys.executable, "-m", "layers.server.warmup"]
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        _process = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, env=env)
    return _process


def stop(timeout: float = 10) -> None:
    """End the warm-up process this process started, if it runs (the frames drawn so far stay cached)."""
    global _process
    if _process is not None and _process.poll() is None:
        _process.terminate()
        try:
            _process.wait(timeout)
        except subprocess.TimeoutExpired:
            _process.kill()
            _process.wait()
    _process = None


def _lowest_priority() -> None:
    """Niceness WARM_NICE, and death with the process that started this one."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, WARM_NICE)
    lifetime.end_with(int(os.environ.get(PARENT_ENV) or os.getppid()), signal.SIGTERM)


def main() -> None:
    _lowest_priority()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s warm-up: %(message)s")
    from layers.server.context import context

    t0, cpu0 = time.perf_counter(), time.process_time()
    ctx = context()
    drawn = warm(ctx.territory, jobs.DiskFrames())
    if drawn is None:
        LOG.info("another warm-up is running; nothing done")
    else:
        cpu = time.process_time() - cpu0
        LOG.info("%d frame(s) drawn in %.1f s (%.1f s of CPU)", drawn, time.perf_counter() - t0, cpu)


if __name__ == "__main__":
    main()
