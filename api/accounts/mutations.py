"""Making a sandbox workspace: a separate world for the caller's own seller, with its own key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import strawberry

from api.accounts.types import Workspace
from api.commands import IDEMPOTENCY, INPUT, run_command
from api.context import Info
from api.errors import error_code_enum, to_user_error, user_error_type
from api.relay import to_global_id
from domain.accounts.handlers import (
    DEFAULT_HOME_CURRENCY,
    WORKSPACE_NAME_LIMIT,
    SandboxSpec,
    create_sandbox,
    sandbox_spec,
)
from domain.accounts.model import WorkspaceKind
from domain.db.uow import UnitOfWork

AccountErrorCode = error_code_enum(
    "AccountErrorCode",
    {"INVALID_CURRENCY", "INVALID_CLOCK_START"},
    "Why a command on workspaces was refused.",
)
AccountUserError = user_error_type("AccountUserError", AccountErrorCode, "workspace")


@strawberry.input(description="A new sandbox workspace for your seller.")
class SandboxWorkspaceCreateInput:
    name: str = strawberry.field(description=f"Its name, 1 to {WORKSPACE_NAME_LIMIT} characters.")
    home_currency: str = strawberry.field(
        default=DEFAULT_HOME_CURRENCY, description="The currency it books in (ISO 4217), e.g. CNY."
    )
    clock_start: datetime | None = strawberry.field(
        default=None,
        description="Where its clock starts (timezone-aware, years 2000 to 2099), e.g. a season's first "
        "day 2026-06-01T00:00:00Z; now when left out.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of sandboxWorkspaceCreate.")
class SandboxWorkspaceCreatePayload:
    workspace: Workspace | None = strawberry.field(
        description="The new workspace as it was made (its clock at its start), unless refused."
    )
    api_key: str | None = strawberry.field(
        description="The new workspace's API key. Shown once: keep it now. Null when refused, and when an "
        "idempotent repeat answers (the key is not stored in a readable form)."
    )
    user_errors: list[AccountUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@dataclass(frozen=True)
class SandboxMade:
    """What an idempotent repeat answers with: the workspace, never its key."""

    workspace_id: uuid.UUID
    name: str
    home_currency: str
    clock_start: datetime


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="Make a SANDBOX workspace for your seller (from a live or a sandbox key), with its own "
        "clock and its own API key: a separate world, e.g. for a simulated season."
    )
    async def sandbox_workspace_create(
        self, info: Info, input: Annotated[SandboxWorkspaceCreateInput, INPUT]
    ) -> SandboxWorkspaceCreatePayload:
        now = info.context.services.clock.now()
        keys: list[str] = []

        async def create(uow: UnitOfWork, spec: SandboxSpec) -> SandboxMade:
            made = await create_sandbox(uow, spec, now)
            keys.append(made.api_key)
            return SandboxMade(made.workspace_id, spec.name, spec.home_currency, spec.clock_start)

        outcome = await run_command(
            info.context,
            "sandboxWorkspaceCreate",
            lambda: sandbox_spec(input.name, input.home_currency, input.clock_start or now),
            create,
            SandboxMade,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        errors = [to_user_error(AccountUserError, AccountErrorCode, e) for e in outcome.errors]
        made = outcome.result
        if made is None:
            return SandboxWorkspaceCreatePayload(workspace=None, api_key=None, user_errors=errors)
        workspace = Workspace(
            id=to_global_id("Workspace", made.workspace_id),
            name=made.name,
            kind=WorkspaceKind.SANDBOX,
            now=made.clock_start,
            home_currency=made.home_currency,
        )
        return SandboxWorkspaceCreatePayload(
            workspace=workspace, api_key=keys[-1] if keys else None, user_errors=[]
        )
