"""gunicorn settings for the production start (`make serve`, or `gunicorn app:server` from this folder, which
reads this file). HOST, PORT, WEB_CONCURRENCY (number of workers) and GUNICORN_THREADS (threads per worker)
come from the environment.

Threaded workers (``gthread``): a worker keeps its clients' connections open between requests (keep-alive)
and answers several at once, so a room of analysts opening the app together (each browser asks for ~10 files
at once) does not queue one new connection per file behind one request per worker. The work itself is mostly
Python holding the GIL, so there are about as many workers as cores plus one, each with a few threads for the
moments a request waits (a saved view's fsync, a slow client). See docs/load.md for the figures.

Run it behind a buffering reverse proxy (nginx or similar) that terminates TLS; set the same body limit on the
proxy as RAQQA_MAX_BODY_MB, and the proxy's upstream keep-alive timeout below ``keepalive`` here.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))  # cores + 1; see docs/load.md
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
preload_app = True  # load the dataset, derive its tables, build the page and compress its files once, before forking
timeout = 60
graceful_timeout = 20
keepalive = 30  # longer than clients keep an idle connection (aiohttp 15 s), so the client closes first
# No recycling: a threaded worker that restarts drops every keep-alive connection it holds, and under load its
# clients see "connection reset" (70 of 17,833 requests with 300 analysts at max_requests = 5000).
max_requests = 0


def when_ready(server):
    """The master is listening: warm the default animation's frame cache in a background process at the lowest
    priority, when RAQQA_WARM_EXPORTS=1 (`make serve` sets it; see docs/export.md)."""
    from layers.server import warmup

    warmup.start()
