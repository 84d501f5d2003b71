"""Layout rules: the domain core imports no Dash, prints nothing and parses no arguments; every layer keeps the
plug-in contract on both sides (its module and its ``assets/layer_<name>.js``); no module outgrows its size limit
unless it is declared here with a reason; docs cover them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

import layers
from tests.conftest import GEODATA, ROOT

CORE = sorted((ROOT / "layers" / "core").glob("*.py"))
WEB = ("dash", "dash_leaflet", "dash_mantine_components", "flask", "werkzeug")
MAX_LINES = {".py": 400, ".js": 300}  # a Python module under layers/, a script under assets/
# Files allowed over their limit, each with its reason. A file that is back under its limit must leave this list.
OVER_LIMIT: dict[str, str] = {}


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_every_domain_module_imports_no_web_framework_prints_nothing_parses_no_arguments(path):
    imported = {n.split(".")[0] for n in _imports(path)}
    assert not imported & {*WEB, "argparse"}, sorted(imported & {*WEB, "argparse"})
    calls = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)]
    assert not [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "print"]


def test_importing_the_domain_and_the_layer_registry_loads_no_dash():
    modules = ", ".join(f"layers.core.{p.stem}" for p in CORE if p.stem != "__init__")
    code = (
        f"import sys, layers, layers.core, {modules}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dash', 'dash_leaflet', 'flask')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_layer_registry_is_ordered_and_uniform():
    names = [m.NAME for m in layers.LAYERS]
    assert names == ["basemap", "control", "change", "frontline", "places", "city", "events"]
    assert layers.__all__ == ["LAYERS", *sorted(names)]
    for m in layers.LAYERS:
        assert m.__doc__ and callable(m.parts) and isinstance(m.TITLE, str) and isinstance(m.Z, int)
        assert isinstance(m.DYNAMIC, bool) and isinstance(m.DEFAULT_ON, bool)
    dynamic = [m.Z for m in layers.LAYERS if m.DYNAMIC]
    assert dynamic == sorted(dynamic) and len(set(dynamic)) == len(dynamic)  # panes stack in registry order


@pytest.mark.parametrize("m", layers.LAYERS, ids=lambda m: m.NAME)
def test_every_layer_has_its_js_twin(m):
    js = (ROOT / "assets" / f"layer_{m.NAME}.js").read_text()
    assert re.search(rf"^\s+{m.NAME}: \{{$", js, re.M), f"assets/layer_{m.NAME}.js adds no raqqaLayers.{m.NAME}"
    hooks = set(re.findall(r"^\s+(\w+): (?:function|\{|patterns)", js, re.M))
    assert {"style", "point"} & hooks, m.NAME
    if m.DYNAMIC:  # what the engine calls for every date-dependent layer
        assert {"kinds", "bind", "restyle"} <= hooks, (m.NAME, hooks)


def test_readme_documents_every_layer_and_geodata_file():
    readme = (ROOT / "README.md").read_text()
    for m in layers.LAYERS:
        assert f"`{m.NAME}`" in readme, m.NAME
    data_readme = (GEODATA / "README.md").read_text()
    for path in sorted(GEODATA.rglob("*")):
        if path.is_file() and path.name != "README.md":
            assert str(path.relative_to(GEODATA)) in data_readme, path


def _lines() -> dict[str, int]:
    files = [*(ROOT / "layers").rglob("*.py"), *(ROOT / "assets").rglob("*.js")]
    return {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in files}


def test_no_module_is_over_its_size_limit_unless_declared():
    lines = _lines()
    over = {path: n for path, n in lines.items() if n > MAX_LINES[path[path.rindex(".") :]]}
    assert sorted(set(over) - set(OVER_LIMIT)) == [], over
    assert sorted(set(OVER_LIMIT) - set(over)) == [], "back under the limit (or gone): remove from OVER_LIMIT"
    assert all(reason.strip() for reason in OVER_LIMIT.values())
