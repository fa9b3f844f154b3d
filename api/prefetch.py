"""Prefetching a page's relations through the DataLoaders, guided by what the query selects.

A connection resolver that knows its page asks each selected relation's DataLoader for all of the page's
keys at once (and then for the relations below those), so that the field resolvers find the loaders'
caches filled and answer synchronously. The same SQL runs as without it; only the Python per field shrinks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from api.loaders import Loaders
from domain.db.reads import Row


@dataclass(frozen=True)
class Relation:
    """A relationship field: which loader serves it, and which attribute of the parent row is its key."""

    loader: str
    key: str
    many: bool = False
    below: Mapping[str, Relation] = field(default_factory=dict)


def selected(selections: Iterable[Selection], name: str) -> list[Selection] | None:
    """The sub-selections of field `name` among `selections` (through fragments), or None if absent."""
    found: list[Selection] | None = None
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                found = (found or []) + list(selection.selections)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            inner = selected(selection.selections, name)
            if inner is not None:
                found = (found or []) + inner
    return found


def path(selections: Iterable[Selection], *names: str) -> list[Selection] | None:
    current: list[Selection] | None = list(selections)
    for name in names:
        if current is None:
            return None
        current = selected(current, name)
    return current


async def prefetch(
    loaders: Loaders, rows: Sequence[Row], relations: Mapping[str, Relation], selections: list[Selection]
) -> None:
    fetches: list[Coroutine[Any, Any, None]] = []
    for name, relation in relations.items():
        below = selected(selections, name)
        if below is not None and rows:
            fetches.append(_fetch(loaders, rows, relation, below))
    if fetches:
        await asyncio.gather(*fetches)


async def _fetch(
    loaders: Loaders, rows: Sequence[Row], relation: Relation, selections: list[Selection]
) -> None:
    loader = getattr(loaders, relation.loader)
    keys = list(dict.fromkeys(getattr(row, relation.key) for row in rows))
    results = await loader.load_many(keys)
    if relation.below:
        found = [row for group in results for row in group] if relation.many else [r for r in results if r]
        await prefetch(loaders, found, relation.below, selections)
