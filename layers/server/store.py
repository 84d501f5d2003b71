"""The instance folder and what the app keeps in it: imported theatres and saved briefings.

``$RAQQA_INSTANCE`` (default ``instance/`` in the repository) holds ``theatres/<slug>/`` (one dataset folder
per imported theatre, written atomically, never replaced by an upload, with its derived tables in
``derived/tables.json``: see :func:`write_derived`), ``briefings.sqlite3``,
``audit.sqlite3`` (the audit log) and, with the login on, the sessions and the app's own secrets. Every path
is read from the environment at each call, so tests and deployments can point it elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from functools import cache
from pathlib import Path

from layers.core import DatasetError, Problem, imports
from layers.core.audit import AuditLog
from layers.core.briefings import BriefingStore
from layers.core.validate import SLUG

ROOT = Path(__file__).resolve().parents[2]
MAX_THEATRES = 200  # imported theatres kept in the instance folder; uploads beyond are refused
UPLOAD_FILE = "upload"  # the "file" named by problems with an upload itself
DERIVED = "derived"  # a theatre's derived tables, beside its data (load_dataset does not read this folder)
TABLES_FILE = f"{DERIVED}/tables.json"
DERIVED_FORMAT = 2  # raise when what is stored changes: older files are then stale and derived again
NOT_DATA = (DERIVED, "sources")  # a theatre's folders that are not its data (the data hash leaves them out)


def instance_dir() -> Path:
    """Where the app keeps what analysts save and its own secrets: $RAQQA_INSTANCE, default ``instance/``."""
    return Path(os.environ.get("RAQQA_INSTANCE") or ROOT / "instance")


def theatres_root() -> Path:
    """Where imported theatres live: ``$RAQQA_INSTANCE/theatres``."""
    return instance_dir() / "theatres"


def theatre_folder(slug: str) -> Path | None:
    """The folder of an imported theatre, or None if ``slug`` is malformed or names none."""
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        return None
    folder = theatres_root() / slug
    return folder if (folder / "theatre.json").is_file() else None


def add_theatre(imported: imports.Imported, config_name: str, check=None) -> str:
    """Write an imported theatre to ``theatres/<slug>/`` atomically and return its slug; DatasetError if a
    theatre of that slug exists (an upload never replaces one), the folder is full, or ``check`` (given the
    written dataset) raises it."""
    slug = imported.config.slug
    target = theatres_root() / slug
    if target.exists():
        raise DatasetError(
            [Problem(config_name, "slug", f"a theatre {slug!r} already exists: set another slug in the config")]
        )
    if target.parent.is_dir() and sum(1 for p in target.parent.iterdir() if SLUG.fullmatch(p.name)) >= MAX_THEATRES:
        raise DatasetError([Problem(UPLOAD_FILE, "theatres", f"already {MAX_THEATRES} imported theatres: remove some")])
    imports.save(imported, target, replace=False, check=check)
    return slug


@cache
def _briefings_at(path: Path) -> BriefingStore:
    return BriefingStore(path)


def briefing_store() -> BriefingStore:
    """The saved briefings in ``$RAQQA_INSTANCE/briefings.sqlite3`` (opened per operation; safe across workers)."""
    return _briefings_at(instance_dir() / "briefings.sqlite3")


def delete_theatre(slug: str) -> bool:
    """Remove an imported theatre's folder (renamed aside first, so no reader sees half a folder); False if
    there is no such theatre. Processes that loaded it keep their copy in memory until they restart."""
    folder = theatre_folder(slug)
    if folder is None:
        return False
    aside = folder.parent / f".{slug}.deleted-{uuid.uuid4().hex}"
    try:
        os.rename(folder, aside)
    except FileNotFoundError:  # deleted by another request meanwhile
        return False
    shutil.rmtree(aside)
    return True


@cache
def _audit_at(path: Path) -> AuditLog:
    return AuditLog(path)


def audit_log() -> AuditLog:
    """The audit log in ``$RAQQA_INSTANCE/audit.sqlite3``."""
    return _audit_at(instance_dir() / "audit.sqlite3")


# ---------------------------------------------------------------------------------------------------------
# derived tables, stored once for every worker


def data_hash(folder: Path) -> str:
    """SHA-256 of a dataset folder's data: every file's path, size and bytes, in path order (its derived tables
    and kept sources left out). Stored tables are valid for exactly this data."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if rel.parts[0] in NOT_DATA:
            continue
        digest.update(f"{rel.as_posix()}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(2**20), b""):
                digest.update(block)
    return digest.hexdigest()


def write_derived(folder: Path, tables: dict, health: dict, search: dict) -> Path:
    """Store a theatre's derived tables (the timeline tables, its data health and its events' search index:
    ``{"folded", "skeletons"}``) in ``derived/tables.json``,
    stamped with :func:`data_hash` of its data; written to a temp file and renamed, so a reader never sees half
    a file."""
    target = Path(folder) / TABLES_FILE
    target.parent.mkdir(exist_ok=True)
    payload = {"format": DERIVED_FORMAT, "data": data_hash(folder)}
    payload |= {"tables": tables, "health": health, "search": search}
    fd, tmp = tempfile.mkstemp(prefix=".tables-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def read_derived(folder: Path, keys: frozenset[str]) -> dict | None:
    """A theatre's stored tables (``{"tables": ..., "health": ..., "search": ...}``), or None if there are none
    or they are stale (derived from other data, or by another version of the format); DatasetError naming the file if it
    cannot be read or its ``tables`` lack any of ``keys`` or hold others."""
    path = Path(folder) / TABLES_FILE
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise _corrupt(f"not valid JSON ({exc})") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("format"), int):
        raise _corrupt("not a file of derived tables (no format)")
    if payload["format"] != DERIVED_FORMAT or payload.get("data") != data_hash(folder):
        return None
    tables, health, search = payload.get("tables"), payload.get("health"), payload.get("search")
    if not isinstance(tables, dict) or not isinstance(health, dict):
        raise _corrupt("tables or health missing")
    if set(tables) != keys:
        missing, extra = sorted(keys - set(tables)), sorted(set(tables) - keys)
        raise _corrupt(f"tables missing {', '.join(missing) or 'none'}; unknown {', '.join(extra) or 'none'}")
    if not (
        isinstance(search, dict) and isinstance(search.get("folded"), str) and isinstance(search.get("skeletons"), str)
    ):
        raise _corrupt("the search index is missing or malformed")
    return {"tables": tables, "health": health, "search": search}


def _corrupt(why: str) -> DatasetError:
    return DatasetError([Problem(TABLES_FILE, "file", f"{why}: delete the file and the tables are derived again")])
