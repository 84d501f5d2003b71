"""Upload an analyst's own theatre in the app: drop the config and the data files, get a link or every problem.

The upload goes through the same checks as ``python -m layers import``. A valid theatre is written atomically
(temp folder, then rename) to ``$RAQQA_INSTANCE/theatres/<slug>/`` (default ``instance/`` in the repository),
with the uploaded bytes kept under ``sources/upload/`` for audit, and opens at ``/?theatre=<slug>``; an upload
never replaces an existing theatre, and a failed one writes nothing. Problems are shown as text, never HTML,
and capped (:mod:`layers.features.problems`).

The import runs as a background job (:mod:`layers.server.jobs`: off the request worker, within the server's
limit of heavy jobs), with its stage shown and a Cancel button; before the theatre is written, its page is
built once from the written files, so a theatre whose map cannot be derived is refused with its problems.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import unicodedata

from dash import Input, Output, State, callback, dcc, html

from layers.core import DatasetError, Problem, imports
from layers.core.dataset import MAX_FILE_BYTES
from layers.core.formats import IMPORT_SUFFIXES
from layers.core.import_config import InputFile
from layers.features.problems import problem_list
from layers.server import auth, jobs, store
from layers.server.store import UPLOAD_FILE

NAME = "upload"
UPLOAD_ID = f"{NAME}-files"
RESULT_ID = f"{NAME}-result"
STAGE_ID = f"{NAME}-stage"
CANCEL_ID = f"{NAME}-cancel"
JOB_ID = f"{NAME}-job"
auth.gate(RESULT_ID, "editor")  # viewers cannot import: checked before the job starts (layers/server/auth.py)
MAX_UPLOAD_FILES = 50
MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # all files of one upload together
# The upload travels base64-encoded in the callback's JSON body (4/3 of its size): cap the request with
# app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES * 4 // 3 + 2**20
ACCEPT = ",".join(IMPORT_SUFFIXES)


def component(ctx) -> list:
    """The drop zone and the area where the result of an upload is shown."""
    return [
        dcc.Upload(
            html.Div(["Import a theatre: drop its config (.toml/.json) and data files here, or ", html.U("choose")]),
            id=UPLOAD_ID,
            multiple=True,
            max_size=MAX_UPLOAD_BYTES,
            accept=ACCEPT,
            className="upload-drop",
        ),
        html.Div(
            [
                html.Span(id=STAGE_ID, className="export-progress-text", role="status"),
                html.Button("Cancel", id=CANCEL_ID, className="export-cancel", n_clicks=0),
            ],
            id=JOB_ID,
            className="export-job",
            hidden=True,
        ),
        html.Div(id=RESULT_ID, className="upload-result", **{"aria-live": "polite"}),
    ]


@callback(
    Output(RESULT_ID, "children"),
    Output(UPLOAD_ID, "contents"),
    Input(UPLOAD_ID, "contents"),
    State(UPLOAD_ID, "filename"),
    prevent_initial_call=True,
    background=True,
    running=[(Output(JOB_ID, "hidden"), False, True), (Output(UPLOAD_ID, "disabled"), True, False)],
    progress=Output(STAGE_ID, "children"),
    progress_default="",
    cancel=[Input(CANCEL_ID, "n_clicks")],
)
def handle_upload(set_progress, contents, filenames):
    """Validate and import the uploaded files in this background job; clear ``contents`` so the files are not
    sent again."""
    jobs.enter_job()
    try:
        set_progress("Reading the files…")
        files = decode_uploads(contents, filenames)
        with jobs.heavy_slot():
            slug, imported = import_uploaded(files, set_progress)
    except DatasetError as exc:
        return failure(exc.problems), None
    except jobs.Busy as exc:
        return [html.P(f"Not imported: {exc} Nothing was written.")], None
    auth.record("theatre.import", f"theatre {slug}", imported.config.name)
    return success(slug, imported), None


# ---------------------------------------------------------------------------------------------------------
# pure helpers


def decode_uploads(contents, filenames) -> list[InputFile]:
    """The uploaded files from ``dcc.Upload``'s data URLs; DatasetError if anything about them is off.

    The client's file names are kept for messages only (cleaned, never used as paths); sizes are checked
    before decoding; base64 is decoded strictly.
    """
    contents = [contents] if isinstance(contents, str) else contents
    filenames = [filenames] if isinstance(filenames, str) else filenames
    if not isinstance(contents, list) or not contents or not all(isinstance(c, str) for c in contents):
        raise DatasetError([Problem(UPLOAD_FILE, "files", "no files received")])
    if not isinstance(filenames, list) or len(filenames) != len(contents):
        filenames = [""] * len(contents)
    if len(contents) > MAX_UPLOAD_FILES:
        raise DatasetError([Problem(UPLOAD_FILE, "files", f"{len(contents)} files: at most {MAX_UPLOAD_FILES}")])
    if sum(len(c) for c in contents) > MAX_REQUEST_BYTES:  # checked before decoding anything
        raise DatasetError([Problem(UPLOAD_FILE, "files", f"larger than {MAX_UPLOAD_BYTES // 2**20} MiB in all")])
    files, problems = [], []
    for i, (content, raw_name) in enumerate(zip(contents, filenames, strict=True)):
        name = display_name(raw_name, i)
        data = _decode(content)
        if data is None:
            problems.append(Problem(name, "file", "not a base64 data URL: the upload is damaged"))
        else:
            files.append(InputFile(name, data))
    if sum(len(f.data) for f in files) > MAX_UPLOAD_BYTES:
        problems.append(Problem(UPLOAD_FILE, "files", f"larger than {MAX_UPLOAD_BYTES // 2**20} MiB in all"))
    if problems:
        raise DatasetError(problems)
    return files


def _decode(content: str) -> bytes | None:
    head, sep, body = content.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        return None
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None


def display_name(name, index: int) -> str:
    """A client file name fit for messages: its last path part, no control characters, at most 100 characters."""
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C").strip()
    return text[:100] or f"file {index + 1}"


def split_config(files: list[InputFile]) -> tuple[InputFile, list[InputFile]]:
    """The config among the uploaded files (a .toml, or a .json object with 'factions') and the inputs."""
    configs = [f for f in files if f.suffix == ".toml" or (f.suffix == ".json" and _is_config_json(f.data))]
    if len(configs) != 1:
        found = ", ".join(f.name for f in configs) or "none"
        raise DatasetError(
            [Problem(UPLOAD_FILE, "config", f"upload exactly one config file (.toml or .json); found {found}")]
        )
    return configs[0], [f for f in files if f is not configs[0]]


def _is_config_json(data: bytes) -> bool:
    try:
        obj = json.loads(data[: 2**20].decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(obj, dict) and "factions" in obj and "type" not in obj


def import_uploaded(files: list[InputFile], stage=lambda text: None) -> tuple[str, imports.Imported]:
    """Validate and import; the store writes ``theatres/<slug>/`` atomically, after its page was built from the
    written files (:func:`opens`), and never replaces a theatre. ``stage`` is told what is being done."""
    config, inputs = split_config(files)
    stage(f"Checking {len(files)} file(s)…")
    imported = imports.prepare(config, inputs)
    imported.files.update(originals([config, *inputs]))
    stage("Deriving the map…")
    return store.add_theatre(imported, config.name, check=opens(imported.config.slug)), imported


def opens(slug: str):
    """A check for a written theatre folder: build its page as opening it would (DatasetError if its map cannot
    be derived)."""

    def check(ds) -> None:
        from layers.core import Territory
        from layers.features import page
        from layers.server.context import Context, store_tables

        ctx = Context(ds, Territory(ds))
        page.page(ctx, slug)
        store_tables(ctx)  # every worker opens the theatre from these, instead of deriving it

    return check


def originals(files: list[InputFile]) -> dict[str, bytes]:
    """The uploaded bytes, kept for audit under ``sources/upload/`` with server-made names, and a manifest of
    the names the client gave and each file's SHA-256 (load_dataset does not read this folder)."""
    out, manifest = {}, []
    for i, f in enumerate(files, start=1):
        stored = f"{i:02d}{f.suffix if f.suffix in ACCEPT.split(',') else '.bin'}"
        out[f"sources/upload/{stored}"] = f.data
        manifest.append({"file": stored, "name": f.name, "sha256": hashlib.sha256(f.data).hexdigest()})
    out["sources/upload/manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    return out


def success(slug: str, imported: imports.Imported) -> list:
    """What was imported, the link that opens it, and the flagged repairs, all as text."""
    counts = ", ".join(f"{n} {what}" for what, n in imported.counts.items())
    out = [
        html.P(f"Imported {imported.config.name}: {counts}."),
        html.A(f"Open {imported.config.name}", href=f"/?theatre={slug}"),
    ]
    if imported.warnings:
        out += [
            html.P(f"{len(imported.warnings)} repair(s) flagged:"),
            html.Ul([html.Li(str(p)) for p in imported.warnings], className="upload-warnings"),
        ]
    return out


def failure(problems: list[Problem]) -> list:
    """Every problem, one per line, as text."""
    return [
        html.P(f"Not imported: {len(problems):,} problem(s). Nothing was written."),
        problem_list(problems, "upload-problems"),
    ]
