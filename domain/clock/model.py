from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, WorkspaceOwned, new_id


class Timer(WorkspaceOwned, Base):
    """A timed rule waiting for the clock: `kind` names the rule, `subject_id` what it applies to."""

    __tablename__ = "timers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(sa.String(60))
    subject_id: Mapped[uuid.UUID]
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index("ix_timers_pending", "workspace_id", "due_at", postgresql_where=sa.text("fired_at IS NULL")),
    )
