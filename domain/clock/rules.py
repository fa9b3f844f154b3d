"""The registry of timed rules, and how a command registers a timer for one."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from domain.clock.model import Timer
from domain.db.uow import UnitOfWork

TimerRule = Callable[[UnitOfWork, uuid.UUID], Awaitable[None]]

RULES: dict[str, TimerRule] = {}


def timer_rule(kind: str) -> Callable[[TimerRule], TimerRule]:
    def register(rule: TimerRule) -> TimerRule:
        RULES[kind] = rule
        return rule

    return register


def schedule(uow: UnitOfWork, kind: str, subject_id: uuid.UUID, due_at: datetime) -> None:
    uow.session.add(
        Timer(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            kind=kind,
            subject_id=subject_id,
            due_at=due_at,
            created_at=uow.now,
        )
    )
