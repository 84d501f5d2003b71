"""Layout rules: the domain core imports no Dash; every layer module has the common interface; docs cover them."""

from __future__ import annotations

import subprocess
import sys

import layers
from tests.conftest import GEODATA, ROOT


def test_core_imports_no_dash():
    code = (
        "import sys, layers.core, layers.core.geojson, layers.core.timeline, layers.core.search; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dash', 'dash_leaflet', 'flask')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_layer_registry_is_ordered_and_uniform():
    names = [m.NAME for m in layers.LAYERS]
    assert names == ["basemap", "control", "change", "frontline", "places", "events"]
    for m in layers.LAYERS:
        assert m.__doc__ and callable(m.parts) and isinstance(m.TITLE, str) and isinstance(m.Z, int)
        assert isinstance(m.DYNAMIC, bool) and isinstance(m.DEFAULT_ON, bool)


def test_readme_documents_every_layer_and_geodata_file():
    readme = (ROOT / "README.md").read_text()
    for m in layers.LAYERS:
        assert f"`{m.NAME}`" in readme, m.NAME
    data_readme = (GEODATA / "README.md").read_text()
    for path in sorted(GEODATA.rglob("*")):
        if path.is_file() and path.name != "README.md":
            assert str(path.relative_to(GEODATA)) in data_readme, path
