"""Commands on sellers and workspaces. These run as the database owner (from the command line), before
any workspace exists to scope them to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.accounts.keys import digest, new_key
from domain.accounts.model import ApiKey, Seller, Workspace, WorkspaceKind
from domain.shared.errors import DomainError
from domain.shared.money import validate_currency

DEFAULT_HOME_CURRENCY = "USD"


@dataclass(frozen=True)
class NewWorkspace:
    seller_id: uuid.UUID
    workspace_id: uuid.UUID
    kind: WorkspaceKind
    api_key: str


async def create_seller(
    session: AsyncSession,
    name: str,
    now: datetime,
    kind: WorkspaceKind = WorkspaceKind.SANDBOX,
    home_currency: str = DEFAULT_HOME_CURRENCY,
) -> NewWorkspace:
    name = name.strip()
    if not name:
        raise DomainError("INVALID_NAME", "A seller needs a name: pass --name 'Your Shop'.", ["name"])
    home = validate_currency(home_currency, ["homeCurrency"])  # before anything is written
    seller = Seller(id=uuid.uuid4(), name=name, created_at=now)
    session.add(seller)
    await session.flush()
    return await create_workspace(session, seller.id, f"{name} {kind.value.lower()}", kind, now, home)


async def create_workspace(
    session: AsyncSession,
    seller_id: uuid.UUID,
    name: str,
    kind: WorkspaceKind,
    now: datetime,
    home_currency: str = DEFAULT_HOME_CURRENCY,
) -> NewWorkspace:
    home = validate_currency(home_currency, ["homeCurrency"])
    if await session.get(Seller, seller_id) is None:
        raise DomainError("NOT_FOUND", f"No seller {seller_id}.", ["seller"])
    workspace = Workspace(
        id=uuid.uuid4(),
        seller_id=seller_id,
        name=name,
        kind=kind,
        sandbox_now=now if kind is WorkspaceKind.SANDBOX else None,
        home_currency=home,
        created_at=now,
    )
    session.add(workspace)
    await session.flush()
    key = await issue_key(session, workspace.id, "default", now, kind)
    return NewWorkspace(seller_id, workspace.id, kind, key)


async def issue_key(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, now: datetime, kind: WorkspaceKind
) -> str:
    key = new_key(kind.value)
    session.add(
        ApiKey(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            name=name,
            prefix=key[:12],
            key_hash=digest(key),
            created_at=now,
        )
    )
    await session.flush()
    return key


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request speaks for: one workspace of one seller."""

    workspace_id: uuid.UUID
    seller_id: uuid.UUID
    kind: WorkspaceKind


async def find_principal(conn: AsyncConnection, key: str) -> Principal | None:
    row = (
        await conn.execute(
            sa.select(Workspace.id, Workspace.seller_id, Workspace.kind)
            .join(ApiKey, ApiKey.workspace_id == Workspace.id)
            .where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None))
        )
    ).one_or_none()
    return None if row is None else Principal(row.id, row.seller_id, row.kind)
