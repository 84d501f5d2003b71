"""Serve one benchmarked system: ``python -m bench.serve {app,naive,animation}`` (HOST, PORT from the environment).

``app`` is this app exactly as ``app.py`` builds it; ``naive`` and ``animation`` are the two plotly peers.
"""

from __future__ import annotations

import importlib
import os
import sys

BUILDERS = {
    "app": lambda: importlib.import_module("app").app,
    "naive": lambda: importlib.import_module("bench.naive_app").build_app(),
    "animation": lambda: importlib.import_module("bench.animation_app").build_app(),
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in BUILDERS:
        print(f"usage: python -m bench.serve {{{','.join(BUILDERS)}}}", file=sys.stderr)
        return 2
    BUILDERS[argv[0]]().run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
