"""Entry point: the Raqqa territorial-control dashboard, served entirely from this process (no CDN, no tiles).

Run ``make run`` (or ``python app.py``); for production, ``gunicorn app:server``.
Configuration comes from the environment: RAQQA_GEODATA (dataset folder), HOST, PORT, DEBUG, and for
security RAQQA_AUTH_FILE, RAQQA_ALLOWED_HOSTS, RAQQA_PROXIES, RAQQA_INSTANCE, RAQQA_MAX_BODY_MB (see
docs/security.md).
"""

from __future__ import annotations

import os

from dash import Dash

from layers.features import map_view, page, upload
from layers.server import jobs, layout_cache, security, serving, warmup
from layers.server.context import context

CTX = context()  # load and validate the dataset at start-up: a bad dataset stops the app with its errors
_ = CTX.tables, CTX.health, CTX.search_index  # derived once, before the first request (tables, health, search)
celery_app = jobs.celery_app()  # None unless RAQQA_CELERY_BROKER or REDIS_URL: `celery -A app.celery_app worker`

app = Dash(
    __name__,
    title=CTX.dataset.theatre.get("short_name", "Territorial control"),
    compress=True,  # flask-compress: gzip/brotli for the JS bundles and GeoJSON
    serve_locally=True,
    update_title=None,
    background_callback_manager=jobs.manager(),  # exports and imports run off the request worker
)
app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # the page's language, for readers
app.validation_layout = page.validation_layout()  # ids only: Dash writes this into every page it serves
app.layout = page.layout  # a function, built once per variant by the layout cache (layout_cache.install)
server = app.server
server.config["MAX_CONTENT_LENGTH"] = upload.MAX_REQUEST_BYTES  # larger requests get 413 before any callback
security.secure(app, tile_origins=map_view.tile_urls())  # CSP, callback-body checks, optional login
serving.cache_compressed_static(app)  # scripts and stylesheets compressed once per worker
bundles = serving.bundle_page(app)  # assets/ as one script and one stylesheet, React as one script, preloads; built now
layouts = layout_cache.install(app)  # /_dash-layout and /_dash-dependencies from memory with ETags; built now
serving.warm_up(app)  # the page's files compressed now, not for the first visitor

if __name__ == "__main__":
    warmup.start()  # the default animation's frames drawn in the background when RAQQA_WARM_EXPORTS=1
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8050")),
        debug=os.environ.get("DEBUG", "") == "1",
    )
