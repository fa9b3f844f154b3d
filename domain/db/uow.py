"""The unit of work: one transaction per command, run as the application role inside one workspace."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import sqlalchemy as sa
from psycopg.pq import TransactionStatus
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from domain.accounts.handlers import Principal
from domain.accounts.model import WorkspaceKind
from domain.db.base import APP_ROLE, RECORDED, WORKSPACE_SETTING, Base, RecordsEvents
from domain.shared.clock import Clock
from domain.shared.errors import ConcurrentChange, NotFound
from domain.timeline import Event

# One statement enters the workspace: it switches to the role that row-level security applies to, names
# the workspace the policies compare against, and reads the sandbox clock. All three last until commit.
# A command in a sandbox holds its clock (FOR SHARE) so that the clock cannot move past the command's time
# while it runs: a timer it registers is then never behind the clock. Moving the clock takes it FOR UPDATE.
_ENTER = (
    f"SELECT set_config('role', '{APP_ROLE}', true), set_config('{WORKSPACE_SETTING}', :ws, true),"
    " (SELECT sandbox_now FROM workspaces WHERE id = CAST(:ws AS uuid){lock}) AS sandbox_now"
)
ENTER_WORKSPACE = sa.text(_ENTER.format(lock=""))
HOLD_CLOCK = sa.text(_ENTER.format(lock=" FOR SHARE"))
MOVE_CLOCK = sa.text(_ENTER.format(lock=" FOR UPDATE"))


async def enter_workspace(
    conn: AsyncConnection | AsyncSession, workspace_id: uuid.UUID, statement: sa.TextClause = ENTER_WORKSPACE
) -> datetime | None:
    row = (await conn.execute(statement, {"ws": str(workspace_id)})).one()
    sandbox_now: datetime | None = row.sandbox_now
    return sandbox_now


class UnitOfWork:
    """`async with UnitOfWork(...) as uow:` ... `await uow.commit()`; leaving without commit rolls back."""

    session: AsyncSession
    now: datetime

    def __init__(
        self, conn: AsyncConnection, principal: Principal, clock: Clock, *, moves_clock: bool = False
    ) -> None:
        self._conn = conn
        self.principal = principal
        self._clock = clock
        self._moves_clock = moves_clock
        self._committed = False
        # The rows this command holds FOR UPDATE, by model and ID (see `already_locked`). Held strongly:
        # the session keeps unchanged objects only while something else refers to them.
        self.locked: dict[tuple[type[Base], uuid.UUID], Base] = {}

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.principal.workspace_id

    @property
    def is_sandbox(self) -> bool:
        return self.principal.kind is WorkspaceKind.SANDBOX

    @property
    def moves_clock(self) -> bool:
        """Whether this command took its sandbox's clock FOR UPDATE (to move it) rather than FOR SHARE."""
        return self._moves_clock

    async def __aenter__(self) -> Self:
        # A transaction the connection already has open held only reads (the key's look-up, or the fields
        # of an earlier mutation's payload in the same request): the command takes it over rather than
        # paying a commit and a new BEGIN, and its commit or rollback ends it. Entering the workspace below
        # sets the role and workspace afresh either way, and under READ COMMITTED every statement of the
        # command reads what is committed when it runs. A transaction that failed (a read that raised) can
        # run nothing more: it is rolled back first, as the commit that used to stand here did.
        if self._conn.in_transaction() and await _failed(self._conn):
            await self._conn.rollback()
        self.session = AsyncSession(
            bind=self._conn, expire_on_commit=False, autoflush=False, join_transaction_mode="control_fully"
        )
        sa.event.listen(self.session.sync_session, "before_flush", self._store_events)
        statement = ENTER_WORKSPACE
        if self.is_sandbox:
            statement = MOVE_CLOCK if self._moves_clock else HOLD_CLOCK
        try:
            sandbox_now = await enter_workspace(self.session, self.workspace_id, statement)
        except BaseException:
            # `async with` runs no __aexit__ when __aenter__ raises: end the transaction here, so the
            # connection is fit for whatever the request does next.
            await self.session.rollback()
            await self.session.close()
            raise
        self.now = sandbox_now if sandbox_now is not None else self._clock.now()
        return self

    async def flush(self) -> None:
        try:
            await self.session.flush()
        except StaleDataError as error:
            raise ConcurrentChange(_what(error)) from error

    async def commit(self) -> None:
        try:
            await self.session.commit()
        except StaleDataError as error:
            raise ConcurrentChange(_what(error)) from error
        self._committed = True

    @staticmethod
    def _store_events(session: Session, flush_context: object, instances: object) -> None:
        """Before each flush, write down the events of the aggregates it saves (the identity map holds
        them weakly, so they are collected while the flush still holds them)."""
        for obj in [*session.new, *session.dirty, *session.info.pop(RECORDED, [])]:
            if isinstance(obj, RecordsEvents):
                for event in obj.take_events():
                    session.add(
                        Event(
                            id=uuid.uuid4(),
                            workspace_id=obj.workspace_id,
                            aggregate_type=obj.__aggregate_type__,
                            aggregate_id=obj.id,
                            type=event.type,
                            occurred_at=event.occurred_at,
                            data=event.data,
                        )
                    )

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
        finally:
            await self.session.close()


async def _failed(conn: AsyncConnection) -> bool:
    """Whether the connection's open transaction hit an error (PostgreSQL then refuses every statement)."""
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    return bool(driver.info.transaction_status == TransactionStatus.INERROR)


def _what(error: StaleDataError) -> str:
    text = str(error)
    for name in ("orders", "listings", "products", "channels", "workspaces"):
        if f"'{name}'" in text:
            return name.rstrip("s")
    return "record"


def constraint_name(error: IntegrityError) -> str | None:
    diag: Any = getattr(error.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return str(name) if name else None


M = TypeVar("M", bound=Base)


def already_locked(uow: UnitOfWork, model: type[M], id_: uuid.UUID) -> M | None:
    """The row, if this command locked it before: as the command left it (no other transaction can
    change a row this one holds FOR UPDATE), so it is not read again. None when it was not locked yet:
    the caller locks it and keeps it with `uow.locked[model, id_] = row`."""
    found = uow.locked.get((model, id_))
    return found if isinstance(found, model) else None


async def get_owned(uow: UnitOfWork, model: type[M], id_: uuid.UUID, what: str, field: list[str]) -> M:
    """Load a row of this workspace by ID; another workspace's row is as absent as one that never was."""
    found = (
        await uow.session.scalars(
            sa.select(model).where(model.workspace_id == uow.workspace_id, model.id == id_)  # type: ignore[attr-defined]
        )
    ).one_or_none()
    if found is None:
        raise NotFound(what, field)
    return found
