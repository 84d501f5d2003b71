"""The instance folder and what the app keeps in it: imported theatres and saved briefings.

``$RAQQA_INSTANCE`` (default ``instance/`` in the repository) holds ``theatres/<slug>/`` (one dataset folder
per imported theatre, written atomically, never replaced by an upload), ``briefings.sqlite3``,
``audit.sqlite3`` (the audit log) and, with the login on, the sessions and the app's own secrets. Every path
is read from the environment at each call, so tests and deployments can point it elsewhere.
"""

from __future__ import annotations

import os
import shutil
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
