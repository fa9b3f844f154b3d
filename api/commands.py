"""Running a mutation: build the domain command from the input, run its handler in one unit of work
(with the idempotency key, if given), and hand back the result or the userErrors."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import strawberry

from api.context import RequestContext
from domain import idempotency
from domain.db.uow import UnitOfWork
from domain.shared.errors import DomainError

log = logging.getLogger(__name__)

INPUT = strawberry.argument(description="What to do; see the input type.")
IDEMPOTENCY = "Repeat a request with the same key and input to get its first result again, changing nothing."

C = TypeVar("C")
R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[R]):
    result: R | None
    errors: list[DomainError]


def _encode(result: Any) -> dict[str, Any]:
    if isinstance(result, uuid.UUID):
        return {"id": str(result)}
    return {
        k: str(v) if isinstance(v, uuid.UUID | datetime) else v for k, v in dataclasses.asdict(result).items()
    }


def _decode(stored: dict[str, Any], result_type: type[R]) -> R:
    if result_type is uuid.UUID:
        return uuid.UUID(stored["id"])  # type: ignore[return-value]
    values: dict[str, Any] = {}
    for f in dataclasses.fields(result_type):  # type: ignore[arg-type]
        value = stored[f.name]
        if f.type in ("uuid.UUID", uuid.UUID):
            value = uuid.UUID(value)
        elif f.type in ("datetime", datetime):
            value = datetime.fromisoformat(value)
        values[f.name] = value
    return result_type(**values)


def fingerprint(input_: Any) -> Any:
    """What an idempotency key is bound to: the input without the key itself."""
    data = strawberry.asdict(input_) if dataclasses.is_dataclass(input_) else input_
    if isinstance(data, dict):
        data.pop("idempotency_key", None)
    return data


async def run_command(
    ctx: RequestContext,
    operation: str,
    build: Callable[[], C],
    handler: Callable[[UnitOfWork, C], Awaitable[R]],
    result_type: type[R],
    *,
    input_: Any = None,
    idempotency_key: str | None = None,
    moves_clock: bool = False,
) -> Outcome[R]:
    try:
        command = build()

        async def execute(uow: UnitOfWork) -> R:
            digest = idempotency.request_hash(operation, fingerprint(input_))
            if idempotency_key is not None:
                stored = await idempotency.claim(uow, idempotency_key, operation, digest)
                if stored is not None:
                    return _decode(stored, result_type)
            result = await handler(uow, command)
            if idempotency_key is not None:
                await idempotency.store(uow, idempotency_key, _encode(result))
            await uow.commit()
            return result

        return Outcome(await ctx.write(execute, moves_clock=moves_clock), [])
    except DomainError as error:
        log.info("%s refused: %s %s", operation, error.code, error.message)
        return Outcome(None, [error])
