"""Brotli at quality 11 for the files every visitor fetches: ~15 % smaller than quality 5 but ~10 s of CPU for
the page's files, so it is made by one low-priority background thread and kept on disk
(``$RAQQA_INSTANCE/compressed/<sha256>.br``); the server serves quality 5 until it exists (``serving.py``)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from collections import OrderedDict

import brotli

from layers.server import store

BEST_QUALITY = 11  # brotli's smallest, for the files every visitor fetches (made once, kept on disk)
MAX_BEST = 256  # quality-11 bodies kept in memory


class BestBrotli:
    """Brotli quality-11 bodies by the SHA-256 of their content: from memory, else from ``folder()``, else
    made by one low-priority background thread (per process) and written there; until then, None."""

    def __init__(self, folder=lambda: store.instance_dir() / "compressed"):
        self._folder = folder
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._pid = 0  # the process whose thread serves the queue (a forked worker starts its own)

    @staticmethod
    def digest(raw: bytes) -> str:
        return hashlib.sha256(raw).hexdigest()

    def get(self, digest: str, raw) -> bytes | None:
        """The quality-11 body of the content named by ``digest``, or None while it is being made (``raw()``
        gives the content, asked for only then)."""
        with self._lock:
            body = self._bodies.get(digest)
        if body is not None:
            return body
        try:
            body = (self._folder() / f"{digest}.br").read_bytes()
        except OSError:
            body = None
        if body:
            self._keep(digest, body)
            return body
        self._schedule(digest, raw)
        return None

    def wait(self) -> None:
        """Until every body asked for so far is made (for tests and benchmarks)."""
        self._queue.join()

    def _keep(self, digest: str, body: bytes) -> None:
        with self._lock:
            self._bodies[digest] = body
            self._bodies.move_to_end(digest)
            while len(self._bodies) > MAX_BEST:
                self._bodies.popitem(last=False)

    def _schedule(self, digest: str, raw) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use here, or a forked worker: the parent's thread is not ours
                self._pid, self._pending, self._queue = os.getpid(), set(), queue.Queue()
                threading.Thread(target=self._work, args=(self._queue,), name="brotli-11", daemon=True).start()
            if digest in self._pending:
                return
            self._pending.add(digest)
        self._queue.put((digest, raw()))

    def _work(self, jobs: queue.Queue) -> None:
        with contextlib.suppress(OSError):  # this thread only: the visitors' requests come first
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        while True:
            digest, raw = jobs.get()
            try:
                body = brotli.compress(raw, quality=BEST_QUALITY)
                self._keep(digest, body)
                with contextlib.suppress(OSError):  # no writable instance folder: kept in memory only
                    folder = self._folder()
                    folder.mkdir(parents=True, exist_ok=True)
                    part = folder / f"{digest}.{os.getpid()}.part"
                    part.write_bytes(body)
                    os.replace(part, folder / f"{digest}.br")  # whole files only: other workers read them
            finally:
                with self._lock:
                    self._pending.discard(digest)
                jobs.task_done()
