"""Pure domain code: load and validate the dataset, derive control polygons, measure them.

Nothing in this package imports Dash; the map-layer modules in ``layers/`` and ``app.py`` build on it.
"""

from layers.core.dataset import Dataset
from layers.core.errors import DatasetError, Problem
from layers.core.loaders import load_dataset
from layers.core.territory import Territory

__all__ = ["Dataset", "DatasetError", "Problem", "Territory", "load_dataset"]
