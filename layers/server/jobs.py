"""Long work off the request worker: the background-callback manager, the server-wide limit on heavy jobs,
and the caches the jobs share.

Exports and imports run as Dash background callbacks. By default their manager is Dash's DiskcacheManager
(each job in its own process, results in ``$RAQQA_INSTANCE/jobs/``); with ``RAQQA_CELERY_BROKER`` (or
``REDIS_URL``) set, it is Celery on that broker, so several servers share the jobs (``celery -A
app.celery_app worker``; see docs/jobs.md).

At most ``RAQQA_MAX_JOBS`` heavy jobs (default: one less than the CPUs, at least 1) run at once on the whole
server, whatever the number of workers: each job holds one slot, a file lock in ``$RAQQA_INSTANCE/jobs/slots/``
(released by the system when the job's process ends, even killed by a cancel), or a key in Redis when Celery
runs on Redis (expiring after MAX_JOB_SECONDS). A job that finds every slot taken is refused with a message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import resource
import secrets
import signal
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from layers.core import lifetime
from layers.core.export import FrameStore
from layers.server.store import instance_dir

JOB_NICE = 10  # heavy jobs yield the CPU to the workers answering requests (Unix niceness, 0-19)
MAX_JOB_SECONDS = 600  # a Redis slot expires after this; Dash forgets a job's result after it too
BUSY = "The server is busy with other exports and imports; try again in a minute."
FRAME_CACHE_BYTES = 512 * 2**20  # rendered animation frames kept on disk, shared by every worker and job


class Busy(RuntimeError):
    """Every heavy-job slot is taken."""


def broker_url() -> str:
    """The Celery broker (and result backend) URL, or "" for the embedded DiskCache manager."""
    return os.environ.get("RAQQA_CELERY_BROKER") or os.environ.get("REDIS_URL") or ""


def max_jobs() -> int:
    """Heavy jobs the whole server runs at once: $RAQQA_MAX_JOBS, default one less than the CPUs (at least 1),
    so a core is left for the analysts' requests."""
    try:
        n = int(os.environ.get("RAQQA_MAX_JOBS") or 0)
    except ValueError:
        n = 0
    return n if n > 0 else max(1, (os.cpu_count() or 1) - 1)


def jobs_dir() -> Path:
    return instance_dir() / "jobs"


@cache
def celery_app():
    """The Celery application on :func:`broker_url` (None without one); its worker imports ``app``."""
    url = broker_url()
    if not url:
        return None
    from celery import Celery

    app = Celery("raqqa", broker=url, backend=url)
    app.conf.update(
        result_expires=MAX_JOB_SECONDS,
        task_time_limit=MAX_JOB_SECONDS,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
    )
    return app


def manager():
    """Dash's background-callback manager: Celery when a broker is set, else DiskCache in the instance folder."""
    from dash import CeleryManager, DiskcacheManager

    if celery_app() is not None:
        return CeleryManager(celery_app(), expire=MAX_JOB_SECONDS)
    import diskcache

    folder = jobs_dir() / "results"
    folder.mkdir(parents=True, exist_ok=True)
    results = diskcache.Cache(str(folder))
    results.close()  # reopened on first use: gunicorn forks its workers after this, and no SQLite handle may cross
    return DiskcacheManager(results, expire=MAX_JOB_SECONDS)


# ---------------------------------------------------------------------------------------------------------
# the server-wide limit


@contextlib.contextmanager
def heavy_slot() -> Iterator[int]:
    """Hold one of the server's :func:`max_jobs` slots for the duration; :class:`Busy` if none is free."""
    with _redis_slot() if _redis() is not None else _file_slot() as slot:
        yield slot


def enter_job() -> None:
    """Called first by every heavy job. Everywhere: niceness JOB_NICE, so the workers answering the analysts'
    requests come first when the cores are busy (setting it again changes nothing). In a job's own process
    (DiskCache forks one per job from the web worker): the default signal handlers back (the worker's would
    ignore a plain kill), the job dies with the worker that started it (a stopped server leaves no job
    behind), and it may run at most MAX_JOB_SECONDS, of CPU or of wall time (a job stuck waiting would otherwise
    hold its heavy-job slot until the server stops)."""
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, 0) < JOB_NICE:
            os.setpriority(os.PRIO_PROCESS, 0, JOB_NICE)
    import multiprocess

    parent = multiprocess.parent_process()
    if parent is None:  # the web worker itself (a direct call), or a Celery worker (its own time limit applies)
        return
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the wall-time limit below ends the process
        signal.alarm(MAX_JOB_SECONDS)
    lifetime.end_with(parent.pid)  # the process, not the request thread that forked this one
    resource.setrlimit(resource.RLIMIT_CPU, (MAX_JOB_SECONDS, MAX_JOB_SECONDS + 10))


@contextlib.contextmanager
def _file_slot() -> Iterator[int]:
    folder = jobs_dir() / "slots"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(max_jobs()):
        fd = os.open(folder / f"slot-{i}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield i
        finally:
            os.close(fd)  # closing the descriptor releases the lock (and so does the process ending)
        return
    raise Busy(BUSY)


@contextlib.contextmanager
def _redis_slot() -> Iterator[int]:
    r, token = _redis(), secrets.token_hex(8)
    for i in range(max_jobs()):
        key = f"raqqa:job-slot:{i}"
        if r.set(key, token, nx=True, ex=MAX_JOB_SECONDS):
            try:
                yield i
            finally:
                if r.get(key) == token.encode():
                    r.delete(key)
            return
    raise Busy(BUSY)


def _redis():
    url = broker_url()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return _redis_client(url)


@cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


# ---------------------------------------------------------------------------------------------------------
# caches the jobs share


@cache
def _shared_at(folder: str):
    import diskcache

    return diskcache.Cache(folder, size_limit=64 * 2**20)


def shared_cache():
    """A small cache every worker and job of this server shares (``$RAQQA_INSTANCE/jobs/shared``): the problems
    of theatres that failed to open."""
    return _shared_at(str(jobs_dir() / "shared"))


class DiskFrames(FrameStore):
    """Rendered animation frames in ``$RAQQA_INSTANCE/jobs/frames`` (the oldest evicted past
    FRAME_CACHE_BYTES): every worker and every job process reads what another drew."""

    def __init__(self) -> None:
        import diskcache

        self.cache = diskcache.Cache(str(jobs_dir() / "frames"), size_limit=FRAME_CACHE_BYTES)

    def get(self, key: str) -> bytes | None:
        value = self.cache.get(key)
        return value if isinstance(value, bytes) else None

    def put(self, key: str, value: bytes) -> None:
        self.cache.set(key, value)
