"""SLA policies: how soon the seller answers and resolves tickets and complaints, per channel."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from api.aftersales.service_errors import SlaErrorCode, SlaUserError
from api.commands import INPUT, run_command
from api.context import Info
from api.errors import refusals_as_errors, to_user_error
from api.relay import decode_id, to_global_id
from domain.aftersales import model, sla

SlaSubject = strawberry.enum(
    model.SlaSubject,
    description="What a policy line is for: a kind of service ticket (WARRANTY, REPAIR, CONSULTATION), or "
    "a complaint of a severity (COMPLAINT_LOW to COMPLAINT_CRITICAL).",
)
SlaPolicySource = strawberry.enum(
    sla.PolicySource,
    description="Where the hours come from: the CHANNEL's own line, the WORKSPACE's line (for channels "
    "without their own), or Tradelane's BUILT_IN default.",
)
DEFAULTS = (
    "Tradelane's built-in defaults (its own choice, not law or a platform's rule), first response / "
    "resolution: tickets 24 h / 72 h (WARRANTY 24 h / 7 days); complaints CRITICAL 4 h / 24 h, HIGH 12 h / "
    "48 h, MEDIUM 24 h / 72 h, LOW 48 h / 7 days."
)


@strawberry.type(
    description="The service level that applies to one subject: hours to the first answer and to the "
    f"resolution, and where they come from. {DEFAULTS}"
)
class SlaPolicy:
    subject: SlaSubject = strawberry.field(description="What it applies to.")  # type: ignore[valid-type]
    first_response_hours: int = strawberry.field(
        description="Hours from opening to the seller's first answer."
    )
    resolution_hours: int = strawberry.field(description="Hours from opening to the resolution.")
    source: SlaPolicySource = strawberry.field(description="Which line it is.")  # type: ignore[valid-type]
    channel_id: strawberry.ID | None = strawberry.field(
        description="The channel asked about (or set), or null for the workspace's line."
    )

    @classmethod
    def of(cls, found: sla.Sla, channel: uuid.UUID | None) -> SlaPolicy:
        return cls(
            subject=found.subject,
            first_response_hours=found.first_response_hours,
            resolution_hours=found.resolution_hours,
            source=found.source,
            channel_id=None if channel is None else to_global_id("Channel", channel),
        )


@strawberry.input(
    description="Set one line of the SLA policy: for a channel, or (without one) for every channel without "
    "a line of its own. Tickets and complaints opened afterwards take it; open ones keep their deadlines."
)
class SlaPolicySetInput:
    subject: SlaSubject = strawberry.field(description="What the line is for.")  # type: ignore[valid-type]
    first_response_hours: int = strawberry.field(description="Hours to the first answer, 1 to 8760.")
    resolution_hours: int = strawberry.field(
        description="Hours to the resolution, at least firstResponseHours, at most 8760."
    )
    channel_id: strawberry.ID | None = strawberry.field(
        default=None, description="The channel; left out, the workspace's line."
    )


@strawberry.type(description="Result of slaPolicySet.")
class SlaPolicySetPayload:
    policy: SlaPolicy | None = strawberry.field(description="The line as set, unless refused.")
    user_errors: list[SlaUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


def _channel(id_: strawberry.ID | None) -> uuid.UUID | None:
    return None if id_ is None else decode_id(id_, "Channel", ["input", "channelId"])


@strawberry.type
class SlaMutation:
    @strawberry.mutation(
        description=f"Set how soon tickets or complaints are answered and resolved. {DEFAULTS}"
    )
    async def sla_policy_set(
        self, info: Info, input: Annotated[SlaPolicySetInput, INPUT]
    ) -> SlaPolicySetPayload:
        outcome = await run_command(
            info.context,
            "slaPolicySet",
            lambda: sla.SetSlaPolicy(
                input.subject, input.first_response_hours, input.resolution_hours, _channel(input.channel_id)
            ),
            sla.set_sla_policy,
            sla.Sla,
        )
        errors = [to_user_error(SlaUserError, SlaErrorCode, e) for e in outcome.errors]
        policy = None if outcome.result is None else SlaPolicy.of(outcome.result, _channel(input.channel_id))
        return SlaPolicySetPayload(policy=policy, user_errors=errors)


@strawberry.type
class SlaQuery:
    @strawberry.field(
        description=f"The service level that applies to each subject, on a channel or by default. {DEFAULTS}"
    )
    async def sla_policies(
        self,
        info: Info,
        channel_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The channel; left out, what applies to channels without lines."),
        ] = None,
    ) -> list[SlaPolicy]:
        ctx = info.context
        with refusals_as_errors():
            channel = None if channel_id is None else decode_id(channel_id, "Channel", ["channelId"])
        found = await ctx.read(lambda conn: sla.policies_for(conn, ctx.workspace_id, channel))
        return [SlaPolicy.of(line, channel) for line in found]
