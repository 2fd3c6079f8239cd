"""No import cycles between the package's modules, counting imports inside functions too.

A lazy import inside a function still ties two modules together (the montecarlo <-> sensitivity
cycle of issue 20 was one). ``KNOWN`` lists the cycles that remain; a cycle found must lie
inside one of them, so none can be added, and an entry is deleted once its cycle is broken.
Imports under ``if TYPE_CHECKING:`` do not count (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cocamonitor"

KNOWN = [
    {"cocamonitor.indicator_sources", "cocamonitor.indicators", "cocamonitor.indicators.table"},
    {"cocamonitor.report.evaluation", "cocamonitor.report.render"},
    {"cocamonitor.simulate.classified", "cocamonitor.simulate.methods"},  # came with issue 16
    {"cocamonitor.web", "cocamonitor.web.app", "cocamonitor.web.routes.api", "cocamonitor.web.routes.pages",
     "cocamonitor.web.routes.views"},
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        visit(node)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name in modules)
                continue
            base = node.module or ""
            if node.level:
                pkg = package
                for _ in range(node.level - 1):
                    pkg = pkg.rsplit(".", 1)[0]
                base = f"{pkg}.{base}" if base else pkg
            if base in modules:
                deps.add(base)
            deps.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules)
        deps.discard(name)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_cycle_finder_finds_a_lazy_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [{"a", "b", "c"}]


def test_no_new_import_cycle():
    cycles = _cycles(_graph())
    new = [sorted(c) for c in cycles if not any(c <= known for known in KNOWN)]
    assert not new, f"import cycles (lazy imports count): {new}"


def test_montecarlo_and_sensitivity_share_the_sampler_without_a_cycle():
    graph = _graph()
    assert "cocamonitor.production.montecarlo" not in graph["cocamonitor.production.sensitivity"]
    assert "cocamonitor.production.sampler" in graph["cocamonitor.production.sensitivity"]
