"""``python -m layers``: the command line (``layers/cli.py``)."""

from layers.cli import main

raise SystemExit(main())
