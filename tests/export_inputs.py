"""What the export tests share besides their fixtures (``ctx`` and ``fresh_frame_cache`` in conftest.py): a
request built the way the page builds one, and a small frame size."""

from __future__ import annotations

import datetime as dt

from layers.core.export_request import Request, parse_request

D = dt.date
SMALL = (480, 270)


def req(territory, **kw) -> Request:
    data = {"kind": "png", **kw}
    return parse_request(territory, data)
