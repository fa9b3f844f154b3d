"""Reads of after-sales tables: table constants for pages, loaders and read models."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from domain.aftersales.model import (
    Complaint,
    Feedback,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ServiceTicket,
    TicketMessage,
)

FEEDBACK = cast(sa.Table, Feedback.__table__)
SERVICE_TICKETS = cast(sa.Table, ServiceTicket.__table__)
TICKET_MESSAGES = cast(sa.Table, TicketMessage.__table__)
COMPLAINTS = cast(sa.Table, Complaint.__table__)
RETURNS = cast(sa.Table, ReturnRequest.__table__)
RETURN_LINES = cast(sa.Table, ReturnLine.__table__)
RETURN_REASONS = cast(sa.Table, ReturnReason.__table__)
