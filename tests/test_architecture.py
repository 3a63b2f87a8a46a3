"""The house rules of docs/architecture.md, checked on the source: no import cycle between modules or
packages, no import of another package's private names, and no topology's tier or group names outside
the topology that defines them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import lightfabric
from lightfabric.topology.registry import TOPOLOGIES

SRC = Path(lightfabric.__file__).parent


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) of every import that runs (``if TYPE_CHECKING`` blocks are for type checkers only)."""
    out: list[tuple[str, str | None]] = []

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node):
            t = node.test
            if getattr(t, "id", None) == "TYPE_CHECKING" or getattr(t, "attr", None) == "TYPE_CHECKING":
                for n in node.orelse:
                    self.visit(n)
                return
            self.generic_visit(node)

        def visit_Import(self, node):
            out.extend((a.name, None) for a in node.names)

        def visit_ImportFrom(self, node):
            if node.module:
                out.extend((node.module, a.name) for a in node.names)

    Visitor().visit(ast.parse(path.read_text()))
    return out


MODULES = {_module(p): p for p in SRC.rglob("*.py")}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "lightfabric"


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for m, p in MODULES.items():
        for target, name in _imports(p):
            if target.startswith("lightfabric"):
                full = f"{target}.{name}" if name and f"{target}.{name}" in MODULES else target
                edges.setdefault(m, set()).add(full)
    return edges


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_modules_or_packages():
    edges = _edges()
    assert _cycles(edges) == []
    packages: dict[str, set[str]] = {}
    for a, targets in edges.items():
        for b in targets:
            if _package(a) != _package(b):
                packages.setdefault(_package(a), set()).add(_package(b))
    assert _cycles(packages) == []
    # the shared plain data sits below both the code that builds it and the code that sums it
    assert "design" not in packages.get("metrics", set())


def test_no_private_name_is_imported_from_another_package():
    bad = []
    for m, p in MODULES.items():
        for target, name in _imports(p):
            if target.startswith("lightfabric") and name and name.startswith("_") and not name.endswith("__") and _package(target) != _package(m):
                bad.append(f"{m} imports {target}.{name}")
    assert bad == []


def test_tier_and_group_names_live_in_their_topology():
    """A topology's names ("leaf-spine", "rail-spine", ...) appear in no module outside topology/."""
    names = set()
    for t in TOPOLOGIES.values():
        module = SRC / "topology" / (type(t).__module__.split(".")[-1] + ".py")
        names |= {n for n in re.findall(r'"([a-z]+(?:-[a-z]+)+)"', module.read_text())
                  if any(k in n for k in ("leaf", "spine", "core", "rail", "host"))}
    assert {"host-leaf", "leaf-spine", "spine-core", "host-rail", "rail-spine"} <= names
    offenders = []
    for m, p in MODULES.items():
        if m.startswith("lightfabric.topology"):
            continue
        text = p.read_text()
        offenders += [f"{m}: {n}" for n in names if f'"{n}"' in text or f"'{n}'" in text]
    assert offenders == []
