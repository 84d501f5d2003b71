"""Export buttons: PNG of the current view, GIF and MP4 of the campaign, GeoJSON and CSV of the date's slice.

A click becomes an ``export-request`` (clientside, ``assets/export.js``: the kind plus the map's current view
from ``window.raqqaEngine.view()``); the server validates every field of it (it is an open HTTP endpoint) and
checks its size, then builds the file with :mod:`layers.core.export` in a background job
(:mod:`layers.server.jobs`: off the request worker, within the server's limit of heavy jobs), showing the
frames drawn so far and a Cancel button, and hands it to ``dcc.Download``.
"""

from __future__ import annotations

import logging
import time

from dash import ALL, ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html, no_update

from layers.core import export as core_export
from layers.core.formats import EXPORTS
from layers.server import jobs
from layers.server.context import Context, theatre_context

LOG = logging.getLogger(__name__)
NAME = "export"
BUTTON_TYPE = "export-button"
REQUEST_ID = "export-request"
DOWNLOAD_ID = "export-download"
STATUS_ID = "export-status"
PROGRESS_ID = "export-progress"
PROGRESS_TEXT_ID = "export-progress-text"
CANCEL_ID = "export-cancel"
JOB_ID = "export-job"
BUTTONS = tuple((f.kind, f.label, f.hint) for f in EXPORTS)
KIND_WORDS = {f.kind: f.words for f in EXPORTS}


def component(ctx: Context) -> html.Div:
    """The export panel (for the Data tab): one button per kind, the request store, the download and a status line."""
    buttons = [
        html.Button(label, id={"type": BUTTON_TYPE, "kind": kind}, className="export-button", title=hint, n_clicks=0)
        for kind, label, hint in BUTTONS
    ]
    return html.Div(
        [
            html.H3("Export"),
            html.Div(buttons, className="export-buttons"),
            html.Div(
                [
                    html.Progress(id=PROGRESS_ID, value="0", max="1", **{"aria-labelledby": PROGRESS_TEXT_ID}),
                    html.Span(id=PROGRESS_TEXT_ID, className="export-progress-text"),
                    html.Button("Cancel", id=CANCEL_ID, className="export-cancel", n_clicks=0),
                ],
                id=JOB_ID,
                className="export-job",
                hidden=True,
            ),
            html.Div(id=STATUS_ID, className="export-status", role="status", **{"aria-live": "polite"}),
            dcc.Store(id=REQUEST_ID),
            dcc.Download(id=DOWNLOAD_ID),
        ],
        className="export-panel",
        id="export-panel",
    )


clientside_callback(
    ClientsideFunction(namespace="export", function_name="request"),
    Output(REQUEST_ID, "data"),
    Input({"type": BUTTON_TYPE, "kind": ALL}, "n_clicks"),
    prevent_initial_call=True,
)


@callback(
    Output(DOWNLOAD_ID, "data"),
    Output(STATUS_ID, "children"),
    Input(REQUEST_ID, "data"),
    prevent_initial_call=True,
    background=True,
    running=[
        (Output(JOB_ID, "hidden"), False, True),
        (Output({"type": BUTTON_TYPE, "kind": ALL}, "disabled"), True, False),
    ],
    progress=[Output(PROGRESS_ID, "value"), Output(PROGRESS_ID, "max"), Output(PROGRESS_TEXT_ID, "children")],
    progress_default=["0", "1", "Preparing the file…"],
    cancel=[Input(CANCEL_ID, "n_clicks")],
)
def export_file(set_progress, request):
    """Validate the request, build the file in this background job, hand it to the browser; bad input, a
    request over the size caps or a busy server give a message, not an error."""
    jobs.enter_job()
    theatre = request.get("theatre") if isinstance(request, dict) else None
    ctx = theatre_context(theatre or "") if theatre is None or isinstance(theatre, str) else None
    if ctx is None:
        return no_update, "Export not made: that theatre is not open on this server."

    def progress(done: int, total: int) -> None:
        words = f"Drawing frame {done} of {total}…" if done < total else f"Encoding {total} frames…"
        set_progress([str(done), str(total), words])

    return build_download(ctx, request, progress=progress, frames=jobs.DiskFrames())


def build_download(ctx: Context, request, *, progress=None, frames=None) -> tuple:
    """(dcc.Download data, status text) for a request dict from the browser, against theatre ``ctx``; the build
    holds one of the server's heavy-job slots."""
    try:
        req = core_export.parse_request(ctx.territory, request)
        core_export.check_size(ctx.territory, req)
        t0 = time.perf_counter()
        with jobs.heavy_slot():
            payload = core_export.build(ctx.territory, req, frames=frames, progress=progress)
    except core_export.ExportError as exc:
        return no_update, f"Export not made: {exc}"
    except jobs.Busy as exc:
        return no_update, f"Export not made: {exc}"
    except Exception:  # a valid request that failed to build: say so in the page, keep the details in the log
        LOG.exception("export failed for %r", request if isinstance(request, dict) else type(request))
        return no_update, "Export failed on the server; the error is in its log."
    name = core_export.filename(ctx.territory, req)
    data = dcc.send_bytes(payload, name, type=core_export.MEDIA_TYPES[req.kind])
    took = time.perf_counter() - t0
    return data, f"Saved {KIND_WORDS[req.kind]} {name} ({_size(len(payload))}, {took:.1f} s)."


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"
