"""The background derivation of an imported theatre's tables: ``python -m layers.server.derivation <slug>``.

Started by :func:`layers.server.context.start_derivation` when a theatre has no valid stored tables; runs at the
heavy jobs' niceness, derives the tables once and stores them for every worker
(:func:`layers.server.context.derive_stored`), then ends.
"""

from __future__ import annotations

import contextlib
import os
import sys

from layers.core.validate import SLUG


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not SLUG.fullmatch(argv[0]):
        return 2
    from layers.server.context import derive_stored
    from layers.server.jobs import JOB_NICE

    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, JOB_NICE)
    return 0 if derive_stored(argv[0]) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
