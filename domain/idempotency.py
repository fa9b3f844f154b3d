"""Idempotency keys, as Stripe keeps them: the first result under a key is stored and replayed; the same
key with other input is refused; a concurrent duplicate waits for the first and then gets its result.

The result stored is what the command made (its IDs); a replay answers with those objects as they are now.
Keys are kept without expiry for now (Stripe keeps them at least 24 hours).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, WorkspaceOwned
from domain.db.uow import UnitOfWork
from domain.shared.errors import DomainError

MAX_KEY_LENGTH = 255


class IdempotencyRecord(WorkspaceOwned, Base):
    __tablename__ = "idempotency_keys"

    workspace_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workspaces.id"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_LENGTH), primary_key=True)
    operation: Mapped[str] = mapped_column(sa.String(60))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime]


TABLE = cast(sa.Table, IdempotencyRecord.__table__)


def _canonical(value: Any) -> str:
    # 1.0 and 1.00 are the same amount: the same request.
    return str(value.normalize()) if isinstance(value, Decimal) else str(value)


def request_hash(operation: str, payload: Any) -> str:
    canonical = json.dumps([operation, payload], sort_keys=True, default=_canonical, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise DomainError(
            "INVALID_IDEMPOTENCY_KEY",
            f"An idempotency key has 1 to {MAX_KEY_LENGTH} printable characters; a UUID is a good choice.",
            ["input", "idempotencyKey"],
        )


async def claim(uow: UnitOfWork, key: str, operation: str, digest: str) -> dict[str, Any] | None:
    """Claim `key` for this command, or return the stored result of the command that claimed it first.

    The insert waits on the unique index while another transaction holds the same key, so concurrent
    duplicates queue behind the first and replay what it committed.
    """
    _check_key(key)
    table = TABLE
    claimed = await uow.session.execute(
        insert(table)
        .values(
            workspace_id=uow.workspace_id,
            key=key,
            operation=operation,
            request_hash=digest,
            result=None,
            created_at=uow.now,
        )
        .on_conflict_do_nothing()
        .returning(table.c.key)
    )
    if claimed.first() is not None:
        return None
    row = (
        await uow.session.execute(
            sa.select(table.c.operation, table.c.request_hash, table.c.result).where(
                table.c.workspace_id == uow.workspace_id, table.c.key == key
            )
        )
    ).one()
    if row.operation != operation or row.request_hash != digest:
        raise DomainError(
            "IDEMPOTENCY_KEY_REUSED",
            "This idempotency key was already used with other input. Use a new key for a new request.",
            ["input", "idempotencyKey"],
        )
    result: dict[str, Any] = row.result
    return result


async def store(uow: UnitOfWork, key: str, result: dict[str, Any]) -> None:
    table = TABLE
    await uow.session.execute(
        sa.update(table)
        .where(table.c.workspace_id == uow.workspace_id, table.c.key == key)
        .values(result=result)
    )
