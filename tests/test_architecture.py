"""Who may import whom, and where time and randomness may come from (../shared/DESIGN.md, rules of the
house)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "domain": {"api", "simulator", "strawberry", "starlette", "simpy", "uvicorn"},
    "simulator": {"sqlalchemy", "psycopg", "domain"},
}


def _modules(package: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((ROOT / package).rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_what_they_may(package: str) -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, tree in _modules(package)
        for name in _imports(tree)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert offences == []


@pytest.mark.parametrize("package", ["domain", "simulator"])
def test_time_and_randomness_are_injected(package: str) -> None:
    offences = []
    for path, tree in _modules(package):
        if path.name == "clock.py" and path.parent.name == "shared":
            continue  # the one place real time is read, behind the Clock port
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"now", "utcnow", "today"}
                and isinstance(node.value, ast.Name)
                and node.value.id in {"datetime", "date"}
            ):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {node.value.id}.{node.attr}")
        offences += [
            f"{path.relative_to(ROOT)} imports random" for name in _imports(tree) if name == "random"
        ]
    assert offences == []


def test_resolvers_open_no_sessions() -> None:
    """Resolvers build commands and read through the request context; sessions belong to the unit of work."""
    areas = [p for p in (ROOT / "api").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for area in areas
        for path, tree in _modules(str(area.relative_to(ROOT)))
        for name in _imports(tree)
        if name.startswith(("sqlalchemy.orm", "sqlalchemy.ext.asyncio", "psycopg"))
    ]
    assert areas and offences == []


def test_relationships_never_load_implicitly() -> None:
    """Relationship fields resolve through DataLoaders; an ORM relationship, if one is ever mapped, must
    raise on access rather than load behind the resolver's back."""
    from domain.db.models import Base

    mappers = list(Base.registry.mappers)
    assert len(mappers) >= 10
    lazy = [f"{m.class_.__name__}.{r.key}" for m in mappers for r in m.relationships if r.lazy != "raise"]
    assert lazy == []
