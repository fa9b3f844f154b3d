from __future__ import annotations

from datetime import datetime

import strawberry

from api.relay import Node
from domain.accounts import model

WorkspaceKind = strawberry.enum(
    model.WorkspaceKind,
    description="LIVE runs on real time and real channels; SANDBOX has its own clock and a simulated world.",
)


@strawberry.type(description="The workspace the API key opens: a seller's separate world of data.")
class Workspace(Node):
    name: str = strawberry.field(description="Its name.")
    kind: WorkspaceKind = strawberry.field(description="LIVE or SANDBOX.")  # type: ignore[valid-type]
    now: datetime = strawberry.field(description="The workspace clock: real time, or the sandbox's own time.")
    home_currency: str = strawberry.field(
        description="The currency the seller books in (ISO 4217), e.g. CNY for a Chinese exporter: "
        "settlements are paid out in it, and FX gains, losses and exposure are measured in it."
    )
