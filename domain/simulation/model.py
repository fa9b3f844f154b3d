"""A simulation run: which season, in which sandbox, how far it has come, and how it ended.

The row belongs to the workspace that started the run; the season plays in another workspace of the same
seller (`run_workspace_id`), a sandbox made for it. Times here are real (wall-clock) time: a run takes
seconds or minutes of the server's time, whatever the clocks of the workspaces say.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, WorkspaceOwned, enum_column
from domain.shared.errors import DomainError

MAX_ORDERS = 5_000
MAX_RUNNING = 3  # seasons one workspace may have running at once
ERROR_LIMIT = 2_000
INTERRUPTED = "Interrupted by a server restart before the season ended. Start the run again."


class RunStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    INVARIANT_BROKEN = "INVARIANT_BROKEN"


RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.RUNNING: frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.INVARIANT_BROKEN}),
    RunStatus.SUCCEEDED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.INVARIANT_BROKEN: frozenset(),
}
FINAL = frozenset(status for status, following in RUN_TRANSITIONS.items() if not following)


class RunAlreadyEnded(DomainError):
    """A run that has ended takes no more progress and no other ending (the server that played it may have
    been judged gone and the run failed meanwhile)."""

    def __init__(self, status: RunStatus, wanted: RunStatus) -> None:
        super().__init__("ILLEGAL_TRANSITION", f"The run is {status}; it cannot become {wanted}.")


class SimulationRun(WorkspaceOwned, Base):
    __tablename__ = "simulation_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    run_workspace_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workspaces.id"), unique=True)
    # Kept here because the run's sandbox is another workspace, which this one's queries cannot read.
    run_workspace_name: Mapped[str] = mapped_column(sa.String(200))
    scenario: Mapped[str] = mapped_column(sa.String(100))
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    orders: Mapped[int | None]  # overrides the scenario's number of orders
    status: Mapped[RunStatus] = enum_column(RunStatus)
    progress: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))  # 0 to 1
    simulated_day: Mapped[date | None]
    orders_placed: Mapped[int]
    orders_finished: Mapped[int]
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    error: Mapped[str | None] = mapped_column(sa.String(ERROR_LIMIT))
    created_at: Mapped[datetime]
    # Last sign of life from the server playing the season: a run whose server stopped answering is failed.
    heartbeat_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("seed >= 0", name="seed_not_negative"),
        sa.CheckConstraint(f"orders IS NULL OR orders BETWEEN 1 AND {MAX_ORDERS}", name="orders_in_range"),
        sa.CheckConstraint("progress BETWEEN 0 AND 1", name="progress_fraction"),
        sa.CheckConstraint(
            "orders_placed >= 0 AND orders_finished BETWEEN 0 AND orders_placed", name="counts_consistent"
        ),
        sa.CheckConstraint("(status = 'RUNNING') = (finished_at IS NULL)", name="finished_when_ended"),
        sa.CheckConstraint("(status = 'FAILED') = (error IS NOT NULL)", name="failed_with_error"),
        sa.CheckConstraint(
            "(status IN ('SUCCEEDED', 'INVARIANT_BROKEN')) = (report IS NOT NULL)", name="report_when_played"
        ),
    )

    @classmethod
    def begin(
        cls,
        workspace_id: uuid.UUID,
        run_workspace_id: uuid.UUID,
        run_workspace_name: str,
        scenario: str,
        seed: int,
        orders: int | None,
        at: datetime,
    ) -> SimulationRun:
        return cls(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            run_workspace_id=run_workspace_id,
            run_workspace_name=run_workspace_name,
            scenario=scenario,
            seed=seed,
            orders=orders,
            status=RunStatus.RUNNING,
            progress=Decimal(0),
            simulated_day=None,
            orders_placed=0,
            orders_finished=0,
            report=None,
            error=None,
            created_at=at,
            heartbeat_at=at,
            finished_at=None,
        )

    def _end(self, to: RunStatus, at: datetime) -> None:
        if to not in RUN_TRANSITIONS[self.status]:
            raise RunAlreadyEnded(self.status, to)
        self.status = to
        self.finished_at = at
        self.heartbeat_at = at

    def advance(
        self, fraction: float, simulated_day: date, orders_placed: int, orders_finished: int, at: datetime
    ) -> None:
        """The season moved on. Progress never goes back."""
        if self.status is not RunStatus.RUNNING:
            raise RunAlreadyEnded(self.status, RunStatus.RUNNING)
        bounded = Decimal(str(round(min(max(fraction, 0.0), 1.0), 4)))
        self.progress = max(self.progress, bounded)
        self.simulated_day = simulated_day
        self.orders_placed = max(orders_placed, 0)
        self.orders_finished = min(max(orders_finished, 0), self.orders_placed)
        self.heartbeat_at = at

    def beat(self, at: datetime) -> None:
        if self.status is RunStatus.RUNNING:
            self.heartbeat_at = at

    def finish(self, report: dict[str, Any], at: datetime) -> None:
        """The season played to its end: SUCCEEDED, or INVARIANT_BROKEN when any invariant of its report
        does not hold."""
        self._end(RunStatus.SUCCEEDED if invariants_hold(report) else RunStatus.INVARIANT_BROKEN, at)
        self.report = report
        self.progress = Decimal(1)

    def fail(self, message: str, at: datetime) -> None:
        self._end(RunStatus.FAILED, at)
        self.error = message[:ERROR_LIMIT]


def invariants_hold(report: dict[str, Any]) -> bool:
    """Whether every invariant the report lists (`{"name", "holds", "detail"}`) holds."""
    invariants = report.get("invariants") or []
    return all(bool(item.get("holds")) for item in invariants if isinstance(item, dict))
