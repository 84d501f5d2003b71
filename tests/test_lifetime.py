"""A child process ends with the process that started it, not with the thread that forked it
(layers/core/lifetime.py)."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from layers.core import lifetime
from tests.conftest import alive, wait_for

WAIT = 30  # seconds to wait for what a test waits for (a bound, not a measurement)


def _job(parent_pid: int, out: str) -> None:
    lifetime.end_with(parent_pid)
    Path(out).write_text("ready")  # the thread that forked this process ends now
    time.sleep(3 * lifetime.WATCH_SECONDS)
    Path(out).write_text("done")


def test_a_child_outlives_the_thread_that_forked_it(tmp_path):
    """Before: with the parent-death signal, a job forked by a request thread was killed when that thread
    ended, and its result was never written."""
    out = tmp_path / "result"
    procs, ready = [], []

    def request_thread():
        proc = mp.get_context("fork").Process(target=_job, args=(os.getpid(), str(out)))
        proc.start()
        procs.append(proc)
        ready.append(wait_for(out.is_file))  # the child watches before this thread ends

    t = threading.Thread(target=request_thread)
    t.start()
    t.join()  # the forking thread has ended
    (proc,) = procs
    assert ready == [True]
    proc.join(WAIT)
    assert proc.exitcode == 0 and out.read_text() == "done"


def test_a_child_ends_when_the_process_that_started_it_ends(tmp_path):
    pid_file = tmp_path / "child.pid"
    script = textwrap.dedent(
        f"""
        import multiprocessing as mp, os, time, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from layers.core import lifetime

        def child(parent):
            lifetime.end_with(parent)
            open({str(pid_file)!r}, "w").write(str(os.getpid()))
            time.sleep(600)

        if __name__ == "__main__":
            mp.get_context("fork").Process(target=child, args=(os.getpid(),)).start()
            time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        assert wait_for(lambda: pid_file.is_file() and pid_file.read_text().isdigit())
        child = int(pid_file.read_text())
        assert alive(child)
    finally:
        parent.kill()
        parent.wait()
    assert wait_for(lambda: not alive(child))


def test_a_child_whose_parent_is_already_gone_ends_at_once():
    code = "import os, time; from layers.core import lifetime; lifetime.end_with(os.getppid() + 1); time.sleep(60)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], timeout=WAIT)
    assert proc.returncode == -9  # SIGKILL
