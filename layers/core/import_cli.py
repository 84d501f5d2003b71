"""The ``validate`` (of import inputs) and ``import`` commands of ``python -m layers``: print every finding with
its file and feature or row, and return the exit code (0 valid, 1 not valid)."""

from __future__ import annotations

import sys
from pathlib import Path

from layers.core import imports
from layers.core.errors import DatasetError, Problem


def validate_inputs(paths: list[Path], config: Path | None = None) -> int:
    """Check snapshot files, event tables and folders of them (against ``config`` when given)."""
    try:
        inputs = imports.read_paths(paths, skip=config)
        config_file = imports.read_paths([config])[0] if config else None
    except DatasetError as exc:
        return _fail(exc.problems, [])
    found = imports.check(inputs, config_file)
    if found.errors:
        return _fail(found.errors, found.warnings)
    _print_warnings(found.warnings)
    what = "against " + str(config) if config else "without a config: factions, area and dates not checked"
    print(f"OK {len(inputs)} input file(s) ({what}); {len(found.warnings)} warning(s)")
    return 0


def import_theatre(config: Path, out: Path, inputs: list[Path], replace: bool = False) -> int:
    """Build the theatre from ``inputs`` and write it to ``out``; nothing is written unless all of it validates."""
    try:
        files = imports.read_paths(inputs, skip=config)
        imported = imports.prepare(imports.read_paths([config])[0], files)
        imports.save(imported, out, replace=replace)
    except DatasetError as exc:
        return _fail(exc.problems, [])
    _print_warnings(imported.warnings)
    counts = ", ".join(f"{n} {what}" for what, n in imported.counts.items())
    print(f"Imported {imported.config.name!r} into {out}: {counts}; {len(imported.warnings)} warning(s)")
    return 0


def _fail(errors: list[Problem], warnings: list[Problem]) -> int:
    _print_warnings(warnings)
    for p in errors:
        print(f"ERROR {p}", file=sys.stderr)
    print(f"{len(errors)} problem(s); nothing imported.", file=sys.stderr)
    return 1


def _print_warnings(warnings: list[Problem]) -> None:
    for p in warnings:
        print(f"WARNING {p}", file=sys.stderr)
