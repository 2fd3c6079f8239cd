"""Layer rules of the package, checked on the source (the AST of every module), not by importing it.

Layers, from the bottom:

* **core** — every module except the ones below: reading, checking, estimating, results;
* **application** — :mod:`cocamonitor.documents`: the JSON-ready documents both edges serve;
* **edges** — the command line (:mod:`cocamonitor.cli`, :mod:`cocamonitor.__main__`,
  :mod:`cocamonitor.commands`), the web (:mod:`cocamonitor.web`) and the report
  (:mod:`cocamonitor.report`).

Rules: the command line and the web do not import each other (the one exception: the
``serve`` command imports :func:`cocamonitor.web.create_app` to launch it, inside the command);
the application layer imports no edge; the core imports no edge and nothing of the
application layer but its standard-library leaf :mod:`cocamonitor.documents.jsonable`; and
there is no import cycle.

Imports are every ``import`` and ``from ... import`` statement of a module, at module level or
inside functions and classes alike (a function-level import is still a dependency); only those
under ``if TYPE_CHECKING:`` are left out (they never run). ``from package import name`` counts
as importing ``package.name`` when that is a module, else ``package``.

Cycles: module-level imports must form a directed acyclic graph, strictly. Counting
function-level imports too, every strongly connected component of more than one module is a
failure, except the ones listed in :data:`KNOWN_CYCLES` with the branch that removes them;
each of those is an expected failure of its own test (strict: the test turns red once the
cycle is gone, to remove it from the list).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "cocamonitor"

#: Function-level import cycles still to break (none left: add one here only with a reason and an issue).
KNOWN_CYCLES: dict[frozenset[str], str] = {}

#: Core modules that still import an edge (importer, imported): fixed where their owner works.
KNOWN_CORE_EDGE_IMPORTS: dict[tuple[str, str], str] = {}

#: The command line may import the web only to launch it.
LAUNCHERS = {("cocamonitor.commands.serve", "cocamonitor.web")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


@cache
def _imports(module: str) -> tuple[tuple[str, bool, int], ...]:
    """``(imported module, inside a function, line)`` for every import of ``module`` within the package."""
    path = _modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    known = _modules()
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit_node(other, in_function)
                continue
            visit_node(child, in_function)

    def visit_node(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, in_function, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                name = f"{base}.{alias.name}"
                found.append((name if name in known else base, in_function, node.lineno))
        visit(node, in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return tuple((name, f, line) for name, f, line in found
                 if (name == PACKAGE or name.startswith(PACKAGE + ".")) and name in known and name != module)


def _in(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


CLI = ("cocamonitor.cli", "cocamonitor.__main__", "cocamonitor.commands")
WEB = ("cocamonitor.web",)
REPORT = ("cocamonitor.report",)
DOCUMENTS = ("cocamonitor.documents",)
EDGES = CLI + WEB + REPORT


def _violations(importers: tuple[str, ...] | None, forbidden: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """Imports of a module in ``forbidden`` by a module in ``importers`` (``None``: the core)."""
    out = []
    for module in _modules():
        mine = (not _in(module, *EDGES, *DOCUMENTS)) if importers is None else _in(module, *importers)
        if mine:
            out += [(module, name, line) for name, _, line in _imports(module) if _in(name, *forbidden)]
    return out


def _where(found: list[tuple[str, str, int]]) -> list[str]:
    return [f"{_modules()[m].relative_to(SRC)}:{line} imports {name}" for m, name, line in found]


def test_the_scan_sees_the_package():
    """The import scan finds the modules and their imports (a broken scan would pass every rule)."""
    mods = _modules()
    assert "cocamonitor.commands.trend" in mods and "cocamonitor.web.routes.api" in mods
    imported = {name for name, _, _ in _imports("cocamonitor.commands.trend")}
    assert {"cocamonitor.commands._common", "cocamonitor.documents.trend"} <= imported
    inside = {name for name, f, _ in _imports("cocamonitor.commands.serve") if f}
    assert "cocamonitor.web" in inside  # a function-level import is seen, as such


def test_web_does_not_import_the_command_line():
    assert _where(_violations(WEB, CLI)) == []


def test_command_line_does_not_import_the_web_but_to_launch_it():
    found = _violations(CLI, WEB)
    assert _where([v for v in found if (v[0], v[1]) not in LAUNCHERS]) == []
    # the launch is a function-level import, so `cocamonitor --help` never loads the web stack
    assert all(f for m, _ in LAUNCHERS for name, f, _ in _imports(m) if _in(name, *WEB))


def test_documents_import_no_edge():
    assert _where(_violations(DOCUMENTS, EDGES)) == []


def test_core_imports_no_edge():
    found = [v for v in _violations(None, EDGES) if (v[0], v[1]) not in KNOWN_CORE_EDGE_IMPORTS]
    assert _where(found) == []


def test_core_imports_of_the_documents_are_its_light_leaf_only():
    found = [v for v in _violations(None, DOCUMENTS) if v[1] != "cocamonitor.documents.jsonable"]
    assert _where(found) == []


@pytest.mark.parametrize("pair", sorted(KNOWN_CORE_EDGE_IMPORTS), ids="->".join)
@pytest.mark.xfail(reason="listed in KNOWN_CORE_EDGE_IMPORTS; remove it from the list once fixed", strict=True)
def test_known_core_edge_import_is_gone(pair):
    assert pair not in {(m, n) for m, n, _ in _violations(None, EDGES)}, KNOWN_CORE_EDGE_IMPORTS[pair]


def _cycles(with_functions: bool) -> list[frozenset[str]]:
    """Import cycles of the package: components of more than one module of its import graph."""
    return _components({m: sorted({n for n, f, _ in _imports(m) if with_functions or not f}) for m in _modules()})


def _components(graph: dict[str, list[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one node (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(graph[node]):
                work.append((node, i + 1))
                nxt = graph[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:  # back in the caller: pass the low-link up
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.add(member)
                    if member == node:
                        break
                if len(comp) > 1:
                    out.append(frozenset(comp))
    return out


def test_cycle_finder_on_a_known_graph():
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": [], "e": ["d", "f"], "f": ["e"], "g": ["g"]}
    assert sorted(map(sorted, _components(graph))) == [["a", "b", "c"], ["e", "f"]]
    assert _components({"a": ["b"], "b": ["c"], "c": []}) == []


def test_cycles_found_in_the_package_are_cycles():
    with_functions = _cycles(True)
    assert set(_cycles(False)) <= set(with_functions)
    for comp in with_functions:  # each member imports another member of its component
        assert all({n for n, _, _ in _imports(m)} & (comp - {m}) for m in comp), comp


def test_no_import_cycle_at_module_level():
    assert [sorted(c) for c in _cycles(False)] == []


def test_no_import_cycle_counting_function_level_imports():
    """Only the cycles listed in KNOWN_CYCLES remain (each with the branch that removes it)."""
    assert [sorted(c) for c in _cycles(True) if c not in KNOWN_CYCLES] == []


@pytest.mark.parametrize("cycle", sorted(KNOWN_CYCLES, key=sorted), ids=lambda c: "<->".join(sorted(c)))
def test_known_cycle_is_gone(cycle, request):
    request.applymarker(pytest.mark.xfail(reason=KNOWN_CYCLES[cycle], strict=True))
    assert cycle not in _cycles(True)
