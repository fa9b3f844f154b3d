"""The declarative base every table maps from, and column helpers the stages share."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, object_session

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}

# The role the service's queries run as: neither a superuser nor a table owner, so row-level security
# applies to it. Migrations create it; the unit of work switches to it at the start of each transaction.
APP_ROLE = "tradelane_app"
WORKSPACE_SETTING = "tradelane.workspace_id"

MONEY = sa.Numeric(20, 4)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: UUID(as_uuid=True),
        datetime: sa.DateTime(timezone=True),
        Decimal: MONEY,
    }


def enum_column(enum: type[StrEnum], **kw: Any) -> Any:
    """An enum stored as its text value with a CHECK constraint, so adding a value is a cheap migration."""
    return mapped_column(
        sa.Enum(
            enum,
            native_enum=False,
            create_constraint=True,
            length=max(32, *(len(member.value) for member in enum)),
            values_callable=_values,
            name=enum.__name__.lower(),
        ),
        **kw,
    )


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


class WorkspaceOwned:
    """Every row belongs to a workspace; row-level security keys on this column."""

    workspace_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workspaces.id"), index=True)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


RECORDED = "tradelane.recorded"  # session.info key: aggregates that recorded events since the last flush


@dataclass(frozen=True, slots=True)
class PendingEvent:
    type: str
    occurred_at: datetime
    data: dict[str, Any]


class RecordsEvents:
    """An aggregate that writes down each state change; the unit of work stores them on commit."""

    __aggregate_type__: ClassVar[str]
    id: Mapped[uuid.UUID]
    workspace_id: Mapped[uuid.UUID]

    def record(self, type_: str, at: datetime, **data: Any) -> None:
        self.__dict__.setdefault("_pending_events", []).append(PendingEvent(type_, at, data))
        # The session holds its objects weakly: keep this one until its events are stored, even if
        # nothing else about it changed.
        session = object_session(self)
        if session is not None:
            session.info.setdefault(RECORDED, []).append(self)

    def take_events(self) -> list[PendingEvent]:
        events: list[PendingEvent] = self.__dict__.pop("_pending_events", [])
        return events
