"""gunicorn settings for the production start (`make serve`, or `gunicorn app:server` from this folder, which
reads this file). HOST, PORT and WEB_CONCURRENCY (number of workers) come from the environment.

Run it behind a buffering reverse proxy (nginx or similar) that terminates TLS: sync workers must not talk to
slow clients directly. Set the same body limit on the proxy as RAQQA_MAX_BODY_MB.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "5"))  # 2 x cores + 1; see docs/load.md
worker_class = "sync"
preload_app = True  # load the dataset and derive its tables once, before forking (read-only afterwards)
timeout = 60
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500
