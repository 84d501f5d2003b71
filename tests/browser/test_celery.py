"""Several servers: exports through Celery on Redis (Debian's redis-server on a free loopback port, a Celery
worker, the app), with the heavy-job slots kept in Redis."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, _free_port, rendered, serve_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


@contextlib.contextmanager
def process(args: list[str], log: Path, **env: str):
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_line(log: Path, text: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"{text!r} not in {log.name}:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def celery_app_url(tmp_path_factory):
    if not os.path.exists(REDIS):
        pytest.fail(f"{REDIS} is missing: install Debian's redis-server (make redis)")
    tmp = tmp_path_factory.mktemp("celery")
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    env = {"RAQQA_CELERY_BROKER": broker, "RAQQA_INSTANCE": str(tmp / "instance"), "RAQQA_MAX_JOBS": "1"}
    redis_args = [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    worker_args = [sys.executable, "-m", "celery", "-A", "app.celery_app", "worker", "--concurrency", "1"]
    with (
        process([*redis_args, "--dir", str(tmp)], tmp / "redis.log") as redis,
        process([*worker_args, "--loglevel", "info"], tmp / "worker.log", **env) as worker,
    ):
        wait_for_line(tmp / "redis.log", "Ready to accept connections", redis)
        wait_for_line(tmp / "worker.log", "ready.", worker, timeout=120)
        with serve_app(**env) as url:
            yield url, tmp, broker


def test_an_export_runs_through_celery_on_redis(page, celery_app_url, tmp_path):
    url, tmp, broker = celery_app_url
    page.goto(url)
    rendered(page)
    page.click("[role=tab]:has-text('Data')")
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Places table (CSV)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.read_bytes().decode("utf-8-sig").startswith("place_id,name,")
    page.wait_for_function("document.getElementById('export-status').textContent.startsWith('Saved')")
    log = (tmp / "worker.log").read_text(errors="replace")
    assert "Task background_callback_" in log and " succeeded in " in log  # the worker made it, not the app

    import redis

    client = redis.Redis.from_url(broker)
    client.set("raqqa:job-slot:0", "elsewhere", ex=60)  # another server's job holds the only slot
    try:
        page.get_by_role("button", name="Image of this view (PNG)").click()
        page.wait_for_function("document.getElementById('export-status').textContent.includes('busy')")
    finally:
        client.delete("raqqa:job-slot:0")
    assert page.errors == []
