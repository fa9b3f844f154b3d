"""The demo seller `make run` creates once: a sandbox workspace with channels, products, listings, one
placed order, two paid, confirmed orders ready to ship (to DE and to the US), and one delivered to the US
for the after-sales examples, so that GraphiQL's examples work on the first click."""

from __future__ import annotations

import uuid
from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.graphiql import DemoIds
from api.relay import to_global_id
from domain.accounts.handlers import create_seller, find_principal
from domain.accounts.model import WorkspaceKind
from domain.catalog import handlers as catalog
from domain.catalog.model import Platform, ProductCategory
from domain.compliance import handlers as compliance
from domain.compliance.model import CertificationCode
from domain.currency.rates import import_rates
from domain.customs import handlers as customs
from domain.customs.model import CustomsDeclaration, Direction
from domain.db.uow import UnitOfWork
from domain.logistics import handlers as logistics
from domain.logistics.lanes import LogisticsMethod
from domain.logistics.model import Shipment, TrackingEventType
from domain.markets.reference import RegistrationKind
from domain.orders import handlers as orders
from domain.orders.model import OrderLine, PaymentMethod
from domain.research.landed import Incoterm
from domain.shared.clock import Clock
from domain.stock import handlers as stock
from domain.stock.rules import InspectionResult, WarehouseKind

CHANNELS = [
    ("Amazon US", Platform.AMAZON, "US", "USD"),
    ("Amazon DE", Platform.AMAZON, "DE", "EUR"),
    ("eBay UK", Platform.EBAY, "GB", "GBP"),
    ("Rakuten JP", Platform.RAKUTEN, "JP", "JPY"),
]
# sku, title, category, HS code, cost in CNY, grams, (l, w, h) mm, price per channel currency
# fmt: off
PRODUCTS = [
    ("TEE-CTN-BLK-M", "Cotton T-shirt, black, M", ProductCategory.APPAREL, "6109.10", "18.50", 180,
     (300, 250, 20), {"USD": "19.99", "EUR": "18.99", "GBP": "16.99", "JPY": "2900"}),
    ("BAG-LTH-TAN", "Leather tote bag, tan", ProductCategory.BAGS, "4202.21", "160.00", 900,
     (400, 320, 120), {"USD": "89.00", "EUR": "84.00", "GBP": "74.00", "JPY": "12800"}),
    ("HDP-BT-200", "Bluetooth headphones", ProductCategory.ELECTRONICS, "8518.30", "95.00", 350,
     (200, 180, 90), {"USD": "49.90", "EUR": "47.90", "GBP": "42.50", "JPY": "7400"}),
    ("TOY-BLK-100", "Wooden block set, 100 pieces", ProductCategory.TOYS, "9503.00", "42.00", 1200,
     (300, 300, 150), {"USD": "29.95", "EUR": "27.95", "GBP": "24.95", "JPY": "4300"}),
]
# fmt: on

# Orders the Shipping, Tracking, Customs, Deliver and ShipDap tabs walk: two T-shirts each, paid, confirmed.
# Amazon DE collects the VAT and the EUR 3 duty at sale (IOSS, Amazon as deemed supplier); the US has had
# no de minimis since 2025-08-29, so the duty is due at the border, from the consumer under DAP.
READY_TO_SHIP = [
    ("EUR", "DE", "Lena Verbraucher", "302-0000001-0000001"),
    ("USD", "US", "Sam Consumer", "111-0000001-0000002"),
]
# The order the Returns, Service, Complaints and Feedback tabs walk: two T-shirts at USD 19.99 plus 4.99
# shipping (44.97 captured), shipped DDP and delivered, as tests/test_returns.py's standard order.
DELIVERED = ("USD", "US", "Kim Consumer", "111-0000001-0000003")


# What the demo's products hold, so that their listings may go live in the channels' markets.
CERTIFICATIONS = {
    ProductCategory.ELECTRONICS: (CertificationCode.FCC, CertificationCode.CE, CertificationCode.PSE),
    ProductCategory.TOYS: (CertificationCode.CPC, CertificationCode.CE),
}
CERTIFIED_FROM = date(2026, 1, 1)
# What lets the demo export from CN at all: without it customs refuse the export declaration.
EXPORT_RIGHTS = compliance.Held("CN-EXP-0001", "China Customs (GACC)", CERTIFIED_FROM, None)
# Rates the research examples convert with: costs are in CNY, shipping estimates in USD.
RATES = """date,base,quote,rate
2026-11-01,USD,CNY,7.15
2026-11-01,EUR,CNY,7.80
2026-11-01,GBP,CNY,9.05
2026-11-01,CNY,JPY,21.30
2026-11-01,USD,EUR,0.92
2026-11-01,USD,GBP,0.79
2026-11-01,USD,JPY,152.00
"""


async def seed_demo(engine: AsyncEngine, clock: Clock) -> tuple[str, DemoIds]:
    """Create the demo seller and its sandbox; return its API key and the IDs the examples use."""
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        created = await create_seller(session, "Demo Export Co.", clock.now(), WorkspaceKind.SANDBOX, "CNY")
    async with engine.connect() as conn:
        principal = await find_principal(conn, created.api_key)
        assert principal is not None
        async with UnitOfWork(conn, principal, clock) as uow:
            channel_ids = {}
            for name, platform, country, currency in CHANNELS:
                channel_ids[currency] = await catalog.create_channel(
                    uow, catalog.CreateChannel(name, platform, country, currency)
                )
            listing_ids: dict[str, uuid.UUID] = {}
            products: dict[str, uuid.UUID] = {}
            for sku, title, category, hs, cost, grams, (length, width, height), prices in PRODUCTS:
                product_id = await catalog.create_product(
                    uow,
                    catalog.CreateProduct(
                        sku, title, category, hs, "CN", Decimal(cost), "CNY", grams, length, width, height
                    ),
                )
                products[sku] = product_id
                for code in CERTIFICATIONS.get(category, ()):
                    await compliance.certify_product(
                        uow,
                        compliance.CertifyProduct(
                            product_id,
                            code,
                            compliance.Held(f"{code}-{sku}", "Demo Test Lab", CERTIFIED_FROM, None),
                        ),
                    )
                await uow.flush()
                for currency, price in prices.items():
                    listing_id = await catalog.create_listing(
                        uow, catalog.CreateListing(product_id, channel_ids[currency], Decimal(price))
                    )
                    listing_ids.setdefault(currency, listing_id)
            await uow.flush()
            await import_rates(uow, RATES)
            headphones = products["HDP-BT-200"]
            warehouse = await stock.create_warehouse(
                uow, stock.CreateWarehouse("Shenzhen DC", WarehouseKind.DOMESTIC, "CN")
            )
            await uow.flush()
            lot = await stock.receive_lot(uow, stock.ReceiveLot(headphones, warehouse, 200))
            await uow.flush()
            await stock.inspect_lot(uow, stock.InspectLot(lot.lot_id, 20, 1, InspectionResult.PARTIAL, 190))
            order_id = await orders.place_order(
                uow,
                orders.PlaceOrder(
                    channel_id=channel_ids["USD"],
                    lines=[orders.OrderLineInput(listing_ids["USD"], 1)],
                    buyer_name="Grace Consumer",
                    ship_to_country="US",
                    shipping_price=Decimal("4.99"),
                    channel_order_id="111-0000001-0000001",
                ),
            )
            await compliance.add_registration(
                uow, compliance.AddRegistration(RegistrationKind.EXPORT_RIGHTS, "GLOBAL", EXPORT_RIGHTS)
            )
            to_ship: dict[str, uuid.UUID] = {}
            for currency, country, buyer, channel_order in READY_TO_SHIP:
                to_ship[country] = await _paid_and_confirmed(
                    uow,
                    orders.PlaceOrder(
                        channel_id=channel_ids[currency],
                        lines=[orders.OrderLineInput(listing_ids[currency], 2)],
                        buyer_name=buyer,
                        ship_to_country=country,
                        shipping_price=Decimal("4.99"),
                        channel_order_id=channel_order,
                    ),
                )
            currency, country, buyer, channel_order = DELIVERED
            delivered = await _paid_and_confirmed(
                uow,
                orders.PlaceOrder(
                    channel_id=channel_ids[currency],
                    lines=[orders.OrderLineInput(listing_ids[currency], 2)],
                    buyer_name=buyer,
                    ship_to_country=country,
                    shipping_price=Decimal("4.99"),
                    channel_order_id=channel_order,
                ),
            )
            await uow.flush()
            await _delivered(uow, delivered)
            delivered_line = await uow.session.scalar(
                sa.select(OrderLine).where(
                    OrderLine.workspace_id == uow.workspace_id, OrderLine.order_id == delivered
                )
            )
            assert delivered_line is not None
            await uow.commit()
    return created.api_key, DemoIds(
        channel_id=to_global_id("Channel", channel_ids["USD"]),
        listing_id=to_global_id("Listing", listing_ids["USD"]),
        order_id=to_global_id("Order", order_id),
        product_id=to_global_id("Product", headphones),
        channel_ids=[to_global_id("Channel", channel_ids[c]) for c in ("USD", "EUR", "GBP", "JPY")],
        de_order_id=to_global_id("Order", to_ship["DE"]),
        us_order_id=to_global_id("Order", to_ship["US"]),
        sandbox_month=f"{clock.now():%Y-%m}",
        delivered_order_id=to_global_id("Order", delivered),
        delivered_line_id=to_global_id("OrderLine", delivered_line.id),
        delivered_product_id=to_global_id("Product", delivered_line.product_id),
    )


async def _paid_and_confirmed(uow: UnitOfWork, place: orders.PlaceOrder) -> uuid.UUID:
    """The order placed, paid by card and confirmed by the seller, as the Pay and Confirm tabs do."""
    order_id = await orders.place_order(uow, place)
    await orders.authorize_payment(uow, orders.AuthorizePayment(order_id, PaymentMethod.CARD))
    await uow.flush()
    await orders.capture_payment(uow, orders.CapturePayment(order_id))
    await uow.flush()
    await orders.confirm_order(uow, orders.OrderMove(order_id))
    return order_id


async def _delivered(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    """The confirmed order shipped DDP and delivered, as the Shipping to Deliver tabs do: picked up,
    released for export, flown, assessed and released at import (the seller paid under DDP), delivered."""
    shipment_id = await logistics.create_shipment(
        uow, logistics.CreateShipment(order_id, LogisticsMethod.POSTAL, incoterm=Incoterm.DDP)
    )
    await uow.flush()
    number = await uow.session.scalar(
        sa.select(Shipment.tracking_number).where(
            Shipment.workspace_id == uow.workspace_id, Shipment.id == shipment_id
        )
    )
    assert number is not None
    declared = await uow.session.execute(
        sa.select(CustomsDeclaration.direction, CustomsDeclaration.id).where(
            CustomsDeclaration.workspace_id == uow.workspace_id, CustomsDeclaration.shipment_id == shipment_id
        )
    )
    declarations: dict[Direction, uuid.UUID] = {direction: id_ for direction, id_ in declared}
    steps: list[TrackingEventType | tuple[Direction, customs.Decision]] = [
        TrackingEventType.PICKED_UP,
        (Direction.EXPORT, customs.Decision.RELEASE),
        TrackingEventType.DEPARTED_ORIGIN,
        TrackingEventType.ARRIVED_DESTINATION,
        (Direction.IMPORT, customs.Decision.ASSESS),
        (Direction.IMPORT, customs.Decision.RELEASE),
        TrackingEventType.DELIVERED,
    ]
    for step in steps:
        if isinstance(step, TrackingEventType):
            scanned = await logistics.record_scan(uow, logistics.RecordScan(number, step))
            assert scanned.applied, step
        else:
            direction, decision = step
            await customs.decide(uow, customs.DecideDeclaration(declarations[direction], decision))
        await uow.flush()


async def ensure_demo(
    engine: AsyncEngine, clock: Clock, saved: dict[str, Any] | None
) -> tuple[dict[str, Any], bool]:
    """The demo seller `saved` describes, if its key still opens a workspace here; else a new one.

    The caller keeps the returned state in the local data folder, because keys are stored only as digests:
    without it the next `make run` could not show the key again. Returns (state, created).
    """
    if saved is not None and set(saved.get("ids", {})) == {f.name for f in fields(DemoIds)}:
        async with engine.connect() as conn:
            if await find_principal(conn, saved["api_key"]) is not None:
                return saved, False
    key, ids = await seed_demo(engine, clock)
    return {"api_key": key, "ids": asdict(ids)}, True
