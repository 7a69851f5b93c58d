"""No module of ours imports itself back through others: the rooms' import graph has no cycle.

import-linter's contracts say which room may import which; a cycle inside a room (a server
that registers grants which import the server) is found here, with grimp, the graph library
import-linter is built on. Imports under TYPE_CHECKING count: they couple modules too.
"""

from __future__ import annotations

import grimp

PACKAGES = ("gateway", "consent", "connectors", "mock_registries", "examples")


def strongly_connected_components(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm, iterative; each component of more than one module is a cycle."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = []
        index[root] = lowlink[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work.append((root, sorted(graph.find_modules_directly_imported_by(root))))
        while work:
            node, children = work[-1]
            if children:
                child = children.pop()
                if child not in index:
                    index[child] = lowlink[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(graph.find_modules_directly_imported_by(child))))
                elif child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    return [sorted(c) for c in strongly_connected_components(graph) if len(c) > 1]


def test_the_finder_sees_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("room.server", "room.grants", "room.base", "room.alone"):
        graph.add_module(module)
    graph.add_import(importer="room.server", imported="room.grants")
    graph.add_import(importer="room.grants", imported="room.base")
    graph.add_import(importer="room.base", imported="room.server")
    graph.add_import(importer="room.alone", imported="room.base")
    assert cycles(graph) == [["room.base", "room.grants", "room.server"]]


def test_no_module_of_ours_imports_itself_back() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert cycles(graph) == []
