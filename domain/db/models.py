"""Every mapped table, imported in one place so that the metadata (and Alembic) sees them all."""

from domain.accounts.model import ApiKey, Seller, Workspace
from domain.catalog.model import Channel, Listing, Product
from domain.clock.model import Timer
from domain.compliance.model import ProductCertification, Registration
from domain.db.base import Base
from domain.idempotency import IdempotencyRecord
from domain.orders.model import Order, OrderLine, PaymentEntry
from domain.timeline import Event

__all__ = [
    "ApiKey",
    "Base",
    "Channel",
    "Event",
    "IdempotencyRecord",
    "Listing",
    "Order",
    "OrderLine",
    "PaymentEntry",
    "Product",
    "ProductCertification",
    "Registration",
    "Seller",
    "Timer",
    "Workspace",
]

metadata = Base.metadata
