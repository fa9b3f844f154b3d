"""Commands on sellers and workspaces. These run as the database owner: from the command line, before
any workspace exists to scope them to, or inside a command for the statements that reach beyond its
workspace (`seller_level`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.accounts.keys import digest, new_key
from domain.accounts.model import ApiKey, Seller, Workspace, WorkspaceKind
from domain.db.base import APP_ROLE
from domain.shared.errors import DomainError
from domain.shared.money import validate_currency
from domain.shared.text import required_text

if TYPE_CHECKING:  # the unit of work knows principals from here
    from domain.db.uow import UnitOfWork

DEFAULT_HOME_CURRENCY = "USD"
WORKSPACE_NAME_LIMIT = 200
# A sandbox clock may start anywhere a season could be set: from the year 2000 to the end of 2099.
EARLIEST_CLOCK = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_CLOCK = datetime(2100, 1, 1, tzinfo=UTC)


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
    *,
    clock_start: datetime | None = None,
) -> NewWorkspace:
    """`now` is when it is made; a sandbox's clock starts at `clock_start`, or at `now` without one."""
    home = validate_currency(home_currency, ["homeCurrency"])
    if await session.get(Seller, seller_id) is None:
        raise DomainError("NOT_FOUND", f"No seller {seller_id}.", ["seller"])
    workspace = Workspace(
        id=uuid.uuid4(),
        seller_id=seller_id,
        name=name,
        kind=kind,
        sandbox_now=(clock_start or now) if kind is WorkspaceKind.SANDBOX else None,
        home_currency=home,
        created_at=now,
    )
    session.add(workspace)
    await session.flush()
    key = await issue_key(session, workspace.id, "default", now, kind)
    return NewWorkspace(seller_id, workspace.id, kind, key)


async def issue_key(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    name: str,
    now: datetime,
    kind: WorkspaceKind,
    *,
    read_only: bool = False,
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
            read_only=read_only,
        )
    )
    await session.flush()
    return key


@dataclass(frozen=True, slots=True)
class SandboxSpec:
    """A new sandbox workspace for the caller's own seller: its name, currency and where its clock starts.
    The seller is never part of it: it is the principal's."""

    name: str
    home_currency: str
    clock_start: datetime


def sandbox_spec(name: str, home_currency: str, clock_start: datetime) -> SandboxSpec:
    """Check a sandbox's input before anything is written."""
    clean = required_text(name, "name", WORKSPACE_NAME_LIMIT)
    home = validate_currency(home_currency, ["input", "homeCurrency"])
    if clock_start.tzinfo is None or clock_start.utcoffset() is None:
        raise DomainError(
            "INVALID_CLOCK_START",
            "clockStart needs a timezone, e.g. 2026-06-01T00:00:00Z.",
            ["input", "clockStart"],
        )
    if not EARLIEST_CLOCK <= clock_start < LATEST_CLOCK:
        raise DomainError(
            "INVALID_CLOCK_START",
            f"clockStart must be from {EARLIEST_CLOCK:%Y-%m-%d} to before {LATEST_CLOCK:%Y-%m-%d}.",
            ["input", "clockStart"],
        )
    return SandboxSpec(clean, home, clock_start.astimezone(UTC))


@asynccontextmanager
async def seller_level(session: AsyncSession) -> AsyncIterator[None]:
    """Run a command's next statements at the seller's level, then return to its workspace.

    A command runs as the application role, which row-level security confines to the command's
    workspace. Making another workspace of the same seller, and its key, reaches beyond that workspace by
    nature, so those statements run as the database owner, as the command line's do; the application role
    is back before anything else in the command runs (the workspace setting is never touched). Code inside
    must write only rows of the principal's own seller. An error inside leaves the role as it is: the
    transaction is rolled back anyway.
    """
    await session.execute(sa.text("SELECT set_config('role', 'none', true)"))
    yield
    await session.execute(sa.text(f"SELECT set_config('role', '{APP_ROLE}', true)"))


async def issue_viewer_key(uow: UnitOfWork, sandbox: NewWorkspace, now: datetime) -> str:
    """A read-only key to a sandbox the caller's command has just made (`create_sandbox`), for a person or
    a frontend to watch it while something else plays in it."""
    async with seller_level(uow.session):
        return await issue_key(
            uow.session, sandbox.workspace_id, "viewer", now, WorkspaceKind.SANDBOX, read_only=True
        )


async def create_sandbox(uow: UnitOfWork, spec: SandboxSpec, now: datetime) -> NewWorkspace:
    """A new SANDBOX workspace of the caller's own seller, and its first API key, in the caller's unit of
    work (`now`: when it is made, by real time). The caller may be in a live or a sandbox workspace."""
    session = uow.session
    async with seller_level(session):
        return await create_workspace(
            session,
            uow.principal.seller_id,
            spec.name,
            WorkspaceKind.SANDBOX,
            now,
            spec.home_currency,
            clock_start=spec.clock_start,
        )


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request speaks for: one workspace of one seller, through a key that may only read."""

    workspace_id: uuid.UUID
    seller_id: uuid.UUID
    kind: WorkspaceKind
    read_only: bool = False


async def find_principal(conn: AsyncConnection, key: str) -> Principal | None:
    row = (
        await conn.execute(
            sa.select(Workspace.id, Workspace.seller_id, Workspace.kind, ApiKey.read_only)
            .join(ApiKey, ApiKey.workspace_id == Workspace.id)
            .where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None))
        )
    ).one_or_none()
    return None if row is None else Principal(row.id, row.seller_id, row.kind, row.read_only)
