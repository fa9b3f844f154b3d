"""Reads of shipments, their packages, lines and tracking events."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from domain.logistics.model import Shipment, ShipmentLine, ShipmentPackage, TrackingEvent, TrackingWebhook

SHIPMENTS = cast(sa.Table, Shipment.__table__)
PACKAGES = cast(sa.Table, ShipmentPackage.__table__)
SHIPMENT_LINES = cast(sa.Table, ShipmentLine.__table__)
TRACKING_EVENTS = cast(sa.Table, TrackingEvent.__table__)
WEBHOOKS = cast(sa.Table, TrackingWebhook.__table__)
