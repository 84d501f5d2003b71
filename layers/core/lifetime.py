"""A child process that ends with the process that started it (a stopped server or a cancelled job leaves no
process behind).

Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG)``) follows the *thread* that forked, not the process: a
job forked by a request thread of a threaded server (Flask's own server starts a thread per connection) was
killed as soon as that connection closed, its result never written. So the parent process is watched instead.
"""

from __future__ import annotations

import os
import signal
import threading
import time

WATCH_SECONDS = 0.5  # how often a child looks whether the process that started it is still there


def end_with(parent_pid: int, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to this process once it is no longer the child of process ``parent_pid`` (that process
    ended and this one was handed to another), checked every WATCH_SECONDS by a daemon thread; at once if it
    already is not."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCH_SECONDS)
        os.kill(os.getpid(), sig)

    if os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
