"""gunicorn settings for the production start (`make serve`, or `gunicorn app:server` from this folder, which
reads this file). HOST, PORT and WEB_CONCURRENCY (number of workers) come from the environment.

Run it behind a buffering reverse proxy (nginx or similar) that terminates TLS: sync workers must not talk to
slow clients directly. Set the same body limit on the proxy as RAQQA_MAX_BODY_MB.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))  # 2 cores: measured in docs/load.md
worker_class = "sync"
preload_app = True  # load and validate the dataset once, before forking (read-only afterwards)
timeout = 60
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500


def when_ready(server):
    """Derive every day's map once in the master, before the workers fork (``preload_app``), so each worker
    starts with all of them (shared copy-on-write) instead of paying 0.1–0.6 s the first time it meets each
    of the ledger's ~110 states. Takes ~15 s at start on 2 cores; RAQQA_WARM=0 skips it."""
    if os.environ.get("RAQQA_WARM", "1") != "1":
        return
    import datetime as dt
    import time

    from layers import DYNAMIC_LAYERS
    from layers._context import context

    t0, ctx = time.monotonic(), context()
    day = ctx.dataset.start
    try:
        while day <= ctx.dataset.end:
            for layer in DYNAMIC_LAYERS:
                layer.data(ctx, day)
            day += dt.timedelta(days=1)
    except Exception:  # a failed warm-up only costs speed; the workers derive what they need
        server.log.exception("warm-up stopped at %s", day)
    server.log.info("warm-up: %s days in %.1f s", (day - ctx.dataset.start).days, time.monotonic() - t0)
