"""The job machinery (layers/server/jobs.py): the manager chosen from the environment, the server-wide slots,
and what a job's own process does on entering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from layers.server import jobs
from tests.conftest import ROOT, alive, wait_for


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("RAQQA_INSTANCE", str(tmp_path))
    monkeypatch.delenv("RAQQA_CELERY_BROKER", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    jobs.celery_app.cache_clear()
    yield tmp_path
    jobs.celery_app.cache_clear()


def test_diskcache_by_default_celery_when_a_broker_is_set(instance, monkeypatch):
    from dash import CeleryManager, DiskcacheManager

    assert isinstance(jobs.manager(), DiskcacheManager) and jobs.celery_app() is None
    assert (instance / "jobs" / "results").is_dir()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # never contacted here
    jobs.celery_app.cache_clear()
    assert isinstance(jobs.manager(), CeleryManager)
    assert jobs.celery_app().conf.broker_url == "redis://127.0.0.1:1/0"
    monkeypatch.setenv("RAQQA_CELERY_BROKER", "redis://127.0.0.1:2/0")  # the app's own setting comes first
    jobs.celery_app.cache_clear()
    assert jobs.celery_app().conf.broker_url == "redis://127.0.0.1:2/0"


CPUS = max(1, (os.cpu_count() or 1) - 1)


@pytest.mark.parametrize("value, expected", [("3", 3), ("", CPUS), ("x", CPUS), ("0", CPUS), ("-4", CPUS)])
def test_the_job_limit_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("RAQQA_MAX_JOBS", value)
    assert jobs.max_jobs() == expected


def test_slots_are_shared_by_processes_and_freed_when_a_holder_dies(instance, monkeypatch):
    monkeypatch.setenv("RAQQA_MAX_JOBS", "2")
    holder = textwrap.dedent("""
        import sys, time
        from layers.server import jobs
        with jobs.heavy_slot() as slot:
            print(slot, flush=True)
            time.sleep(60)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    other = subprocess.Popen([sys.executable, "-c", holder], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "0"  # another process holds slot 0
        with jobs.heavy_slot() as mine:
            assert mine == 1
            with pytest.raises(jobs.Busy, match="busy"), jobs.heavy_slot():
                pass
        other.kill()  # killed, as a cancelled job is: the system drops its lock
        other.wait()
        with jobs.heavy_slot() as first, jobs.heavy_slot() as second:
            assert (first, second) == (0, 1)
    finally:
        other.kill()
        other.wait()


def test_a_job_process_yields_the_cpu_takes_kills_and_ends_with_its_worker(instance):
    script = textwrap.dedent("""
        import os, resource, signal, sys, time
        import multiprocess
        from layers.server import jobs

        def job(q):
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as a gunicorn worker's handler would
            jobs.enter_job()
            left = signal.alarm(0)  # the wall-time limit (read, then set again)
            signal.alarm(left)
            q.put((os.getpriority(os.PRIO_PROCESS, 0), signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
                   resource.getrlimit(resource.RLIMIT_CPU)[0], left, os.getpid()))
            time.sleep(120)

        q = multiprocess.Queue()
        multiprocess.Process(target=job, args=(q,)).start()
        print(*q.get(timeout=60), flush=True)
        time.sleep(120)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    try:
        nice, default_term, cpu, wall, pid = worker.stdout.readline().split()
        assert (int(nice), default_term, int(cpu)) == (jobs.JOB_NICE, "True", jobs.MAX_JOB_SECONDS)
        assert jobs.MAX_JOB_SECONDS - 60 < int(wall) <= jobs.MAX_JOB_SECONDS
        worker.kill()  # the web worker ends (a stopped server): its job must not go on drawing
        worker.wait()
        assert wait_for(lambda: not alive(int(pid)))
    finally:
        worker.kill()
        worker.wait()


def test_a_job_stuck_waiting_ends_at_the_wall_time_limit(instance):
    """A job that uses no CPU (blocked on a lock, say) would hold its heavy-job slot until the server stopped."""
    script = textwrap.dedent("""
        import signal, time
        import multiprocess
        from layers.server import jobs

        def job():
            jobs.MAX_JOB_SECONDS = 1
            jobs.enter_job()
            time.sleep(120)  # waits, using no CPU

        p = multiprocess.Process(target=job)
        p.start()
        p.join(60)
        print(p.exitcode, flush=True)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=90)
    assert out.stdout.strip() == str(-signal.SIGALRM), out.stderr


def test_frames_on_disk_are_shared_between_stores(instance):
    a, b = jobs.DiskFrames(), jobs.DiskFrames()
    assert a.get("frame:x") is None
    a.put("frame:x", b"\x89PNG...")
    assert b.get("frame:x") == b"\x89PNG..."
