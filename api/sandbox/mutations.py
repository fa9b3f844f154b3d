"""Moving a sandbox workspace's clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry

from api.accounts.queries import load_workspace
from api.accounts.types import Workspace
from api.commands import IDEMPOTENCY, INPUT, run_command
from api.context import Info
from api.errors import error_code_enum, to_user_error, user_error_type
from domain.clock.service import ClockMoved, advance_sandbox_clock
from domain.db.uow import UnitOfWork
from domain.shared.errors import DomainError

SandboxErrorCode = error_code_enum(
    "SandboxErrorCode", {"CLOCK_BACKWARDS", "INVALID_DURATION"}, "Why a sandbox command was refused."
)
SandboxUserError = user_error_type("SandboxUserError", SandboxErrorCode, "sandbox")


@strawberry.input(
    description="How far to move the clock: a duration (the parts add up), or a time to move to."
)
class SandboxClockAdvanceInput:
    days: int = strawberry.field(default=0, description="Days forward.")
    hours: int = strawberry.field(default=0, description="Hours forward.")
    minutes: int = strawberry.field(default=0, description="Minutes forward.")
    seconds: int = strawberry.field(default=0, description="Seconds forward.")
    to: datetime | None = strawberry.field(
        default=None, description="Move to this time instead (timezone-aware, later than now)."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of sandboxClockAdvance.")
class SandboxClockAdvancePayload:
    moved: strawberry.Private[bool]
    timers_fired: int = strawberry.field(description="How many timed rules fired on the way, in time order.")
    user_errors: list[SandboxUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]

    @strawberry.field(description="The workspace with its new time, unless refused.")
    async def workspace(self, info: Info) -> Workspace | None:
        # Read only when asked for: a season moves the clock thousands of times and never looks.
        return await load_workspace(info.context) if self.moved else None


def _target(input: SandboxClockAdvanceInput) -> tuple[timedelta | None, datetime | None]:
    try:
        by = timedelta(days=input.days, hours=input.hours, minutes=input.minutes, seconds=input.seconds)
    except OverflowError:
        raise DomainError(
            "INVALID_DURATION", "That duration is too long; move at most ten years at a time.", ["input"]
        ) from None
    if input.to is not None:
        if by:
            raise DomainError("INVALID_DURATION", "Give either `to` or a duration, not both.", ["input"])
        if input.to.tzinfo is None:
            raise DomainError(
                "INVALID_DURATION", "`to` needs a timezone, e.g. 2026-12-24T09:00:00Z.", ["input", "to"]
            )
        return None, input.to
    if by <= timedelta(0):
        raise DomainError(
            "INVALID_DURATION",
            "Give a positive duration (days, hours, minutes, seconds) or a later `to`; "
            "the clock only moves forward.",
            ["input"],
        )
    return by, None


@strawberry.type
class SandboxMutation:
    @strawberry.mutation(
        description="Move the sandbox clock forward; timed rules (such as the confirmation deadline) "
        "fire on the way."
    )
    async def sandbox_clock_advance(
        self, info: Info, input: Annotated[SandboxClockAdvanceInput, INPUT]
    ) -> SandboxClockAdvancePayload:
        async def advance(uow: UnitOfWork, target: tuple[timedelta | None, datetime | None]) -> ClockMoved:
            by, to = target
            return await advance_sandbox_clock(uow, to if to is not None else uow.now + (by or timedelta(0)))

        outcome = await run_command(
            info.context,
            "sandboxClockAdvance",
            lambda: _target(input),
            advance,
            ClockMoved,
            input_=input,
            idempotency_key=input.idempotency_key,
            moves_clock=True,
        )
        errors = [to_user_error(SandboxUserError, SandboxErrorCode, e) for e in outcome.errors]
        if outcome.result is None:
            return SandboxClockAdvancePayload(moved=False, timers_fired=0, user_errors=errors)
        return SandboxClockAdvancePayload(
            moved=True, timers_fired=outcome.result.timers_fired, user_errors=[]
        )
