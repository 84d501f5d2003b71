"""The city view: the city's districts as cells coloured by the city ledger, their labels, landmarks and the
city's outline (marked when it is estimated), shown from the zoom ``city.json`` sets (``min_zoom``, carried in
the tables as ``city.min_zoom``). See ``layers/core/city.py`` for the model.
"""

from __future__ import annotations

from layers.base import Part

NAME = "city"
TITLE = "City districts"
DYNAMIC = True
DEFAULT_ON = True
Z = 605  # above the regional places (600), whose neighbourhood dots the city cells cover; below the events


def parts(ctx, tables: dict) -> list[Part]:
    return [
        Part(tables["city_outline"], name="backdrop"),  # hides the regional cells and dots under the city
        Part(tables["city_cells"], name="cells"),
        Part(tables["city_outline"], name="outline"),
        Part(tables["city_points"], name="points", point=True),
    ]
