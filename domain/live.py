"""Changes as they commit, for subscriptions: PostgreSQL's LISTEN/NOTIFY says *that* something changed,
and a read inside the subscriber's workspace says *what*.

Triggers (migration 0008) notify on commit: `events_channel(workspace)` with the highest seq a statement
added to the workspace's events, and `run_channel(run)` with a simulation run's status whenever its row
changes. A notification carries no data, so row-level security still decides what a subscriber reads; a
missed one (a dropped connection) costs only a delay, since subscribers also read every few seconds.
Nothing is kept between processes: any worker can serve any subscriber.

Scale note: PostgreSQL serialises the commits of transactions that NOTIFY (a database-wide lock while the
notifications are queued at commit). At the API's write rates that costs little; should it show, the
trigger can notify only for workspaces someone subscribes to.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.db.uow import enter_workspace
from domain.timeline import Event

EVENTS_CHANNEL = "tradelane_events_"
RUN_CHANNEL = "tradelane_run_"
PAGE = 100
# Seqs sent above `low` are remembered to send each once; a transaction held open for very long keeps
# `low` from moving, so past this many the feed moves `low` up regardless (see FeedPosition).
MAX_DELIVERED = 10_000
DRAIN_SECONDS = 0.001


def events_channel(workspace_id: uuid.UUID) -> str:
    return f"{EVENTS_CHANNEL}{workspace_id.hex}"


def run_channel(run_id: uuid.UUID) -> str:
    return f"{RUN_CHANNEL}{run_id.hex}"


class Listener:
    """A LISTEN on a connection of its own (outside the pool: it stays open as long as the subscriber)."""

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self._conn = conn

    async def wait(self, seconds: float) -> bool:
        """Wait until a notification comes or `seconds` pass; True if one came. Those that came meanwhile
        are taken with it, so that a burst wakes the subscriber once."""
        came = False
        async with aclosing(self._conn.notifies(timeout=seconds, stop_after=1)) as notifications:
            async for _ in notifications:
                came = True
        if came:
            async with aclosing(self._conn.notifies(timeout=DRAIN_SECONDS)) as rest:
                async for _ in rest:
                    pass
        return came


@asynccontextmanager
async def listening(engine: AsyncEngine, channel: str) -> AsyncIterator[Listener]:
    """LISTEN on `channel` until the block ends; the connection is closed then, however it ends."""
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    try:
        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        yield Listener(conn)
    finally:
        await conn.close()


@dataclass(frozen=True, slots=True)
class FeedEvent:
    seq: int
    aggregate_type: str
    aggregate_id: uuid.UUID
    type: str
    occurred_at: datetime
    data: dict[str, Any]


@dataclass
class FeedPosition:
    """Where a subscriber stands in its workspace's events.

    An event gets its seq when inserted but can be read once its transaction commits, so a later seq can be
    seen before an earlier one (two commands, the second committing first). A position is therefore more
    than one number: nothing new can appear at or below `low`; `delivered` are the seqs above it already
    sent; `pending` keeps, per read, its snapshot's xmax and the highest seq sent by then. Once every
    transaction that was running at such a read has ended (the oldest running one is at or past that
    xmax), nothing at or below that seq can still commit, and `low` moves up to it.
    """

    low: int
    delivered: set[int] = field(default_factory=set)
    pending: deque[tuple[int, int]] = field(default_factory=deque)

    def advance(self, sent: Sequence[int], xmin: int, xmax: int, *, page_full: bool) -> None:
        """Record a read: the seqs it sent, and its snapshot's oldest running and next transaction IDs."""
        self.delivered.update(sent)
        top = max(self.delivered, default=self.low)
        if top > (self.pending[-1][1] if self.pending else self.low):
            self.pending.append((xmax, top))
        # With a full page, rows this read could see may lie beyond it: settle on the next read.
        while not page_full and self.pending and self.pending[0][0] <= xmin:
            self.low = max(self.low, self.pending.popleft()[1])
        self.delivered = {seq for seq in self.delivered if seq > self.low}
        if len(self.delivered) > MAX_DELIVERED:
            self.low = max(self.delivered)
            self.delivered.clear()
            self.pending.clear()


_SNAPSHOT = sa.text(
    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,"
    " pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax"
)
_EVENTS = Event.__table__


async def feed_head(engine: AsyncEngine, workspace_id: uuid.UUID) -> FeedPosition:
    """A position at the workspace's newest event, to send what commits from now on. (An event of a
    command running at this instant, with a lower seq, may be left out: resume with a seq to miss none.)"""
    async with engine.connect() as conn:
        await enter_workspace(conn, workspace_id)
        head = (
            await conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(_EVENTS.c.seq), 0)).where(
                    _EVENTS.c.workspace_id == workspace_id
                )
            )
        ).scalar_one()
        await conn.rollback()
    return FeedPosition(low=int(head))


async def read_feed(engine: AsyncEngine, workspace_id: uuid.UUID, position: FeedPosition) -> list[FeedEvent]:
    """The workspace's events that `position` has not seen, lowest seq first (at most PAGE: read again when
    a page is full); `position` moves past them. Filter what is sent by kind after reading, so that the
    position moves past the rest too."""
    t = _EVENTS
    query = sa.select(
        t.c.seq, t.c.aggregate_type, t.c.aggregate_id, t.c.type, t.c.occurred_at, t.c.data
    ).where(t.c.workspace_id == workspace_id, t.c.seq > position.low)
    if position.delivered:
        query = query.where(t.c.seq.not_in(sorted(position.delivered)))
    async with engine.connect() as conn:
        # One snapshot for the rows and the transaction horizon they are judged by.
        conn = await conn.execution_options(isolation_level="REPEATABLE READ")
        await enter_workspace(conn, workspace_id)
        snapshot = (await conn.execute(_SNAPSHOT)).one()
        rows = (await conn.execute(query.order_by(t.c.seq).limit(PAGE))).all()
        await conn.rollback()
    found = [FeedEvent(*row) for row in rows]
    position.advance(
        [event.seq for event in found], int(snapshot.xmin), int(snapshot.xmax), page_full=len(found) == PAGE
    )
    return found
