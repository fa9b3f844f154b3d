"""Every mapped table, imported in one place so that the metadata (and Alembic) sees them all."""

from domain.accounts.model import ApiKey, Seller, Workspace
from domain.aftersales.model import (
    Complaint,
    Feedback,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ServiceTicket,
    SlaPolicy,
    TicketMessage,
)
from domain.catalog.model import Channel, Listing, Product
from domain.clock.model import Timer
from domain.compliance.model import ProductCertification, Registration
from domain.currency.model import ExchangeRate, RateLock
from domain.customs.model import CustomsDeclaration, DeclarationItem
from domain.db.base import Base
from domain.idempotency import IdempotencyRecord
from domain.logistics.model import Shipment, ShipmentLine, ShipmentPackage, TrackingEvent, TrackingWebhook
from domain.orders.model import Order, OrderLine, PaymentEntry
from domain.simulation.model import SimulationRun
from domain.stock.model import InboundLot, StockLevel, StockReservation, Warehouse
from domain.taxes.model import TaxEntry
from domain.timeline import Event

__all__ = [
    "ApiKey",
    "Base",
    "Channel",
    "Complaint",
    "CustomsDeclaration",
    "DeclarationItem",
    "Event",
    "ExchangeRate",
    "Feedback",
    "IdempotencyRecord",
    "InboundLot",
    "Listing",
    "Order",
    "OrderLine",
    "PaymentEntry",
    "Product",
    "ProductCertification",
    "RateLock",
    "Registration",
    "ReturnLine",
    "ReturnReason",
    "ReturnRequest",
    "Seller",
    "ServiceTicket",
    "Shipment",
    "ShipmentLine",
    "ShipmentPackage",
    "SimulationRun",
    "SlaPolicy",
    "StockLevel",
    "StockReservation",
    "TaxEntry",
    "TicketMessage",
    "Timer",
    "TrackingEvent",
    "TrackingWebhook",
    "Warehouse",
    "Workspace",
]

metadata = Base.metadata
