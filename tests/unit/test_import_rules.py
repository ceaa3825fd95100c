"""The import rules of the layout, checked over the import graph of services/ (every import, relative ones too)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
WORKERS = ("ingest", "classify", "notify")
SHARED = (
    "config",
    "records",
    "record_types",
    "bus",
    "broker",
    "store",
    "errors",
    "logs",
    "metrics",
    "deals",
    "channels",
    "reference",
    "netguard",
)


def _module(path: Path) -> str:
    parts = ("services", *path.relative_to(SERVICES).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Map each module of services/ to the services modules it imports."""
    graph: dict[str, set[str]] = {}
    for path in SERVICES.rglob("*.py"):
        module = _module(path)
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("services"))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module or ""
                if target.startswith("services"):
                    found.add(target)
                    found.update(f"{target}.{a.name}" for a in node.names)
        graph[module] = found
    return graph


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_is_read() -> None:
    """The walk finds the modules and their imports (a broken walk would make every rule pass)."""
    graph = import_graph()
    assert "services.classify.pipeline" in graph
    assert "services.classify.lexicon" in graph["services.classify.pipeline"]
    assert any(_area(t) == "store" for t in graph["services.classify.agent"])


def _violations(rule: Callable[[str, str], bool]) -> list[str]:
    """Every import (module -> target) that breaks `rule`."""
    return [f"{m} -> {t}" for m, targets in import_graph().items() for t in targets if rule(m, t)]


def test_workers_never_import_each_other() -> None:
    """ingest, classify and notify talk through topics, never through imports."""
    bad = _violations(lambda m, t: _area(m) in WORKERS and _area(t) in WORKERS and _area(m) != _area(t))
    assert not bad, bad


def test_only_the_classify_agent_touches_the_store_and_the_bus() -> None:
    """The classifier is pure: only its agent module wires it to topics and tables."""
    bad = _violations(
        lambda m, t: (
            _area(m) == "classify"
            and m != "services.classify.agent"
            and _area(t) in ("store", "bus", "broker")
        )
    )
    assert not bad, bad


def test_shared_modules_import_no_worker() -> None:
    """The shared few (records, store, bus, deals, channels ...) depend on no worker."""
    bad = _violations(lambda m, t: _area(m) in SHARED and _area(t) in WORKERS)
    assert not bad, bad
