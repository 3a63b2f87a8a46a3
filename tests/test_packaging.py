"""Packaging: what the package imports at run time is what pyproject.toml installs."""

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT_NAME = {"pyyaml": "yaml", "protobuf": "google", "fastapi-offline": "fastapi_offline"}   # distribution -> import name


def test_runtime_imports_are_declared_dependencies():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {IMPORT_NAME.get(n, n) for n in (re.split(r"[<>=!~\[ ]", d)[0].lower() for d in deps)}
    imported = set()
    for f in (ROOT / "src" / "lightfabric").rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            # imports inside functions (e.g. pandas in to_frame) are optional and guarded
            if isinstance(node, ast.Import) and node.col_offset == 0:
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.col_offset == 0:
                imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m != "lightfabric"}
    assert third_party <= declared, f"imported but not declared: {sorted(third_party - declared)}"


def test_catalog_data_and_default_scenario_are_package_data():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = cfg["tool"]["setuptools"]["package-data"]["lightfabric"]
    assert "catalog/data/*.yaml" in patterns and "scenario/*.yaml" in patterns
