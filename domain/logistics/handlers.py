"""Commands on shipments: create one for a confirmed order, record a carrier's scan, cancel a label.

The order follows its shipments: creating the first one packs a confirmed order, the first scan that
shows the goods left the seller ships it (and takes its units out of stock), and once every unit is in
a shipment that has ended, the order ends the way they did.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from domain.catalog.model import Product
from domain.compliance.queries import assess, registrations_held
from domain.customs import handlers as customs
from domain.db.uow import UnitOfWork, constraint_name
from domain.logistics import tracking
from domain.logistics.lanes import (
    CustomsMode,
    LogisticsMethod,
    Parcel,
    lane_book,
    make_tracking_number,
    quotes,
    validate_tracking_number,
)
from domain.logistics.model import (
    EventSource,
    Shipment,
    ShipmentKind,
    ShipmentLine,
    ShipmentPackage,
    ShipmentStatus,
    TrackingEvent,
    TrackingEventType,
)
from domain.logistics.progress import apply_event, lock_shipment
from domain.markets.reference import RegistrationKind, reference
from domain.orders.loading import load_order, order_lines
from domain.orders.model import Order, OrderLine, OrderStatus
from domain.research.landed import Incoterm
from domain.shared.errors import DomainError, NotFound, SandboxOnly
from domain.shared.text import clean_text
from domain.stock.model import StockReservation, Warehouse, WarehouseKind

MAX_PACKAGES = 20
MAX_WEIGHT_GRAMS = 1_000_000  # a pallet; parcels are far lighter, freight can be this heavy
MAX_SIDE_MM = 3_000
TRACKING_SERIAL = sa.Sequence("tracking_serial")
SHIPPABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.SHIPPED})


@dataclass(frozen=True)
class PackageInput:
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int
    reference: str | None = None


@dataclass(frozen=True)
class LineAllocation:
    order_line_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class CreateShipment:
    order_id: uuid.UUID
    method: LogisticsMethod
    carrier: str | None = None
    packages: tuple[PackageInput, ...] = ()
    lines: tuple[LineAllocation, ...] | None = None  # None: every unit not yet in a shipment
    incoterm: Incoterm | None = None
    tracking_number: str | None = None
    label_reference: str | None = None
    lodge: bool = True
    expected_version: int | None = None


async def create_shipment(uow: UnitOfWork, cmd: CreateShipment) -> uuid.UUID:
    order = await load_order(uow, cmd.order_id, cmd.expected_version, lock=True)
    if order.status not in SHIPPABLE:
        raise DomainError(
            "ORDER_NOT_SHIPPABLE",
            f"The order is {order.status}; shipments are made for CONFIRMED or PACKED orders. "
            + ("Confirm it first." if order.status in (OrderStatus.PLACED, OrderStatus.PAID) else ""),
            ["input", "orderId"],
        )
    lines = await order_lines(uow, order.id)
    allocation = _allocate(cmd.lines, lines, await _allocated(uow, order.id))
    products = await _products(uow, {lines[line_id].product_id for line_id in allocation})
    packages = packages_for(cmd.packages, allocation, lines, products)
    warehouse = await _shipping_warehouse(uow, order.id)
    origin, mode = origin_for(cmd.method, warehouse, order, products, lines, allocation)
    day = uow.now.date()
    found = quotes(
        lane_book(),
        origin,
        order.ship_to_country,
        [Parcel(p.weight_grams, p.length_mm, p.width_mm, p.height_mm) for p in packages],
        day,
        {cmd.method},
    )
    if cmd.carrier is not None:
        carrier = cmd.carrier.strip().upper()
        found = [q for q in found if q.carrier.code == carrier]
    if not found:
        raise _no_lane(cmd, origin, order.ship_to_country, day)
    quote = found[0]
    await _check_compliance(uow, order, origin, mode, products)
    number = await _tracking_number(uow, cmd.tracking_number, quote.carrier)

    shipment = Shipment(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        order_id=order.id,
        kind=ShipmentKind.OUTBOUND,
        return_id=None,
        method=cmd.method,
        customs_mode=mode,
        carrier=quote.carrier.code,
        service=quote.service,
        lane_id=quote.lane.id,
        tracking_number=number,
        label_reference=clean_text(cmd.label_reference, "labelReference", 100, required=False)
        or f"LBL-{number}",
        status=ShipmentStatus.LABEL_CREATED,
        status_at=uow.now,
        origin_country=origin,
        destination_country=order.ship_to_country,
        warehouse_id=None if warehouse is None else warehouse.id,
        incoterm=cmd.incoterm or _default_incoterm(order),
        cost=quote.cost.amount,
        cost_currency=quote.cost.currency,
        estimated_delivery=quote.estimated_delivery,
        stock_shipped=False,
        created_at=uow.now,
        delivered_at=None,
        version=1,
    )
    shipment.record(
        "SHIPMENT_CREATED",
        uow.now,
        orderId=str(order.id),
        method=cmd.method.value,
        carrier=quote.carrier.code,
        trackingNumber=number,
        cost=str(quote.cost.amount),
        currency=quote.cost.currency,
        packages=len(packages),
        units=sum(allocation.values()),
    )
    uow.session.add(shipment)
    try:
        await uow.flush()
    except IntegrityError as error:
        if constraint_name(error) != TRACKING_NUMBER_TAKEN:
            raise
        raise _taken(number) from None
    add_contents(uow, shipment, packages, allocation, origin, f"{quote.carrier.name} {quote.service}")
    if order.status is OrderStatus.CONFIRMED:
        order.pack(uow.now)
    order.record("ORDER_SHIPMENT_CREATED", uow.now, shipmentId=str(shipment.id), trackingNumber=number)
    if mode is CustomsMode.PER_PARCEL:
        await customs.open_declarations(
            uow,
            order,
            shipment,
            [(lines[line_id], products[lines[line_id].product_id], q) for line_id, q in allocation.items()],
            first=not await _has_other_shipments(uow, order.id, shipment.id),
            lodge=cmd.lodge,
        )
    return shipment.id


def add_contents(
    uow: UnitOfWork,
    shipment: Shipment,
    packages: list[PackageInput],
    units: dict[uuid.UUID, int],
    location: str,
    label: str,
) -> None:
    """A new shipment's boxes, the order lines it carries, and its LABEL_CREATED event (the shipment row
    is flushed first: they refer to it)."""
    uow.session.add_all(
        ShipmentPackage(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            shipment_id=shipment.id,
            weight_grams=p.weight_grams,
            length_mm=p.length_mm,
            width_mm=p.width_mm,
            height_mm=p.height_mm,
            reference=p.reference,
        )
        for p in packages
    )
    uow.session.add_all(
        ShipmentLine(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            order_line_id=line_id,
            quantity=quantity,
        )
        for line_id, quantity in units.items()
    )
    uow.session.add(
        TrackingEvent(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            shipment_id=shipment.id,
            event_id=f"label-{shipment.id}",
            type=TrackingEventType.LABEL_CREATED,
            occurred_at=uow.now,
            recorded_at=uow.now,
            location=location,
            detail=label,
            source=EventSource.SELLER,
            applied=True,
        )
    )


def _default_incoterm(order: Order) -> Incoterm:
    """DDP when the tax was collected at sale (the consumer has paid it already), DAP otherwise."""
    snapshot = order.sale_taxes or {}
    return Incoterm.DDP if snapshot.get("lines") else Incoterm.DAP


async def _allocated(uow: UnitOfWork, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Units of each line already in a shipment that was not cancelled."""
    rows = await uow.session.execute(
        sa.select(ShipmentLine.order_line_id, sa.func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(
            ShipmentLine.workspace_id == uow.workspace_id,
            ShipmentLine.order_id == order_id,
            Shipment.status != ShipmentStatus.CANCELLED,
            Shipment.kind == ShipmentKind.OUTBOUND,
        )
        .group_by(ShipmentLine.order_line_id)
    )
    return {line_id: int(total) for line_id, total in rows}


def _allocate(
    asked: tuple[LineAllocation, ...] | None,
    lines: dict[uuid.UUID, OrderLine],
    allocated: dict[uuid.UUID, int],
) -> dict[uuid.UUID, int]:
    left = {line_id: line.quantity - allocated.get(line_id, 0) for line_id, line in lines.items()}
    if asked is None:
        chosen = {line_id: n for line_id, n in left.items() if n > 0}
        if not chosen:
            raise DomainError(
                "NOTHING_TO_SHIP",
                "Every unit of the order is already in a shipment.",
                ["input", "orderId"],
            )
        return chosen
    if not asked:
        raise DomainError("NOTHING_TO_SHIP", "Name at least one line to ship.", ["input", "lines"])
    chosen = {}
    for i, item in enumerate(asked):
        where = ["input", "lines", str(i)]
        if item.order_line_id not in lines:
            raise DomainError(
                "NOT_FOUND", f"Line {i + 1}: the order has no such line.", [*where, "orderLineId"]
            )
        if item.order_line_id in chosen:
            raise DomainError("DUPLICATE_LINE", f"Line {i + 1}: that line is named twice.", where)
        available = left[item.order_line_id]
        if not 1 <= item.quantity <= available:
            sku = lines[item.order_line_id].sku
            raise DomainError(
                "INVALID_QUANTITY",
                f"Line {i + 1} ({sku}): {available} unit(s) are left to ship; ask for 1 to {available}."
                if available
                else f"Line {i + 1} ({sku}): every unit is already in a shipment.",
                [*where, "quantity"],
            )
        chosen[item.order_line_id] = item.quantity
    return chosen


async def _products(uow: UnitOfWork, ids: set[uuid.UUID]) -> dict[uuid.UUID, Product]:
    rows = await uow.session.scalars(
        sa.select(Product).where(Product.workspace_id == uow.workspace_id, Product.id.in_(ids))
    )
    return {product.id: product for product in rows}


def packages_for(
    asked: tuple[PackageInput, ...],
    allocation: dict[uuid.UUID, int],
    lines: dict[uuid.UUID, OrderLine],
    products: dict[uuid.UUID, Product],
) -> list[PackageInput]:
    if not asked:
        # One box: the products side by side on their largest faces, stacked by height.
        items = [(products[lines[line_id].product_id], n) for line_id, n in allocation.items()]
        return [
            PackageInput(
                weight_grams=sum(p.weight_grams * n for p, n in items),
                length_mm=max(p.length_mm for p, _ in items),
                width_mm=max(p.width_mm for p, _ in items),
                height_mm=sum(p.height_mm * n for p, n in items),
            )
        ]
    if len(asked) > MAX_PACKAGES:
        raise DomainError(
            "INVALID_PACKAGE", f"A shipment has at most {MAX_PACKAGES} packages.", ["input", "packages"]
        )
    for i, package in enumerate(asked):
        where = ["input", "packages", str(i)]
        if not 1 <= package.weight_grams <= MAX_WEIGHT_GRAMS:
            raise DomainError(
                "INVALID_PACKAGE",
                f"Package {i + 1}: weightGrams must be 1 to {MAX_WEIGHT_GRAMS:,}.",
                [*where, "weightGrams"],
            )
        for name, value in (
            ("lengthMm", package.length_mm),
            ("widthMm", package.width_mm),
            ("heightMm", package.height_mm),
        ):
            if not 1 <= value <= MAX_SIDE_MM:
                raise DomainError(
                    "INVALID_PACKAGE",
                    f"Package {i + 1}: {name} must be 1 to {MAX_SIDE_MM:,}.",
                    [*where, name],
                )
    return [
        PackageInput(
            p.weight_grams,
            p.length_mm,
            p.width_mm,
            p.height_mm,
            clean_text(p.reference, "reference", 100, required=False),
        )
        for p in asked
    ]


async def _shipping_warehouse(uow: UnitOfWork, order_id: uuid.UUID) -> Warehouse | None:
    """The warehouse holding the order's stock, if its products are tracked."""
    return (
        await uow.session.scalars(
            sa.select(Warehouse)
            .join(StockReservation, StockReservation.warehouse_id == Warehouse.id)
            .where(
                StockReservation.workspace_id == uow.workspace_id,
                StockReservation.order_id == order_id,
                StockReservation.released_at.is_(None),
            )
            .limit(1)
        )
    ).one_or_none()


BULK_KINDS = {
    LogisticsMethod.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE: WarehouseKind.OVERSEAS,
    LogisticsMethod.PLATFORM_FULFILLED: WarehouseKind.PLATFORM_FULFILLED,
}


def origin_for(
    method: LogisticsMethod,
    warehouse: Warehouse | None,
    order: Order,
    products: dict[uuid.UUID, Product],
    lines: dict[uuid.UUID, OrderLine],
    allocation: dict[uuid.UUID, int],
) -> tuple[str, CustomsMode]:
    """Where the parcel leaves from, and whether it crosses a border on its own (PER_PARCEL) or delivers
    from stock imported in bulk before (IN_BULK)."""
    where = ["input", "method"]
    if method in BULK_KINDS:
        kind = BULK_KINDS[method]
        if warehouse is None or warehouse.kind is not kind or warehouse.country != order.ship_to_country:
            raise DomainError(
                "METHOD_NOT_POSSIBLE",
                f"{method} delivers from stock already in a {kind} warehouse in {order.ship_to_country}; "
                "this order's stock is "
                + ("not held in any warehouse" if warehouse is None else f"in {warehouse.name}")
                + ". Choose POSTAL, EXPRESS or AIR_FREIGHT, or hold the stock there.",
                where,
            )
        return warehouse.country, CustomsMode.IN_BULK
    if warehouse is not None:
        origin = warehouse.country
    else:
        first = min(allocation, key=lambda line_id: lines[line_id].seq)
        origin = products[lines[first].product_id].origin_country
    if origin == order.ship_to_country:
        raise DomainError(
            "METHOD_NOT_POSSIBLE",
            f"The goods are already in {origin}: {method} is for parcels that cross a border.",
            where,
        )
    return origin, CustomsMode.PER_PARCEL


def _no_lane(cmd: CreateShipment, origin: str, destination: str, day: object) -> DomainError:
    available = sorted(
        {
            f"{q.method.value} ({q.carrier.code})"
            for q in quotes(lane_book(), origin, destination, [Parcel(1000, 200, 150, 100)], day)  # type: ignore[arg-type]
        }
    )
    carrier = f" with carrier {cmd.carrier}" if cmd.carrier else ""
    offered = ", ".join(available) if available else "none"
    return DomainError(
        "NO_LANE",
        f"No {cmd.method} lane{carrier} from {origin} to {destination} is known. Lanes there: {offered}.",
        ["input", "carrier" if cmd.carrier else "method"],
    )


async def _check_compliance(
    uow: UnitOfWork, order: Order, origin: str, mode: CustomsMode, products: dict[uuid.UUID, Product]
) -> None:
    """Refuse a shipment into a market whose requirements are not met, naming all that is missing."""
    day = uow.now.date()
    missing: list[str] = []
    if reference().markets.get(order.ship_to_country) is not None:
        for product in sorted(products.values(), key=lambda p: p.sku):
            report = await assess(uow.session, uow.workspace_id, product.id, order.ship_to_country, day)
            if report is not None:
                missing.extend(f"{product.sku}: {r.describe()}" for r in report.blocking_problems)
    if mode is CustomsMode.PER_PARCEL:
        held = await registrations_held(uow.session, uow.workspace_id, (origin,), day)
        if RegistrationKind.EXPORT_RIGHTS.value not in held:
            missing.append(
                f"missing EXPORT_RIGHTS registration (scope {origin} or GLOBAL) to export from {origin}"
            )
    if missing:
        raise DomainError(
            "COMPLIANCE_MISSING",
            f"Cannot ship to {order.ship_to_country} yet: " + "; ".join(dict.fromkeys(missing)) + ".",
            ["input", "orderId"],
        )


async def _tracking_number(uow: UnitOfWork, given: str | None, carrier: object) -> str:
    if given is None:
        serial = await uow.session.scalar(TRACKING_SERIAL.next_value())
        return make_tracking_number(carrier, int(serial or 0) % 100_000_000)  # type: ignore[arg-type]
    number = validate_tracking_number(given)
    taken = await uow.session.scalar(
        sa.select(Shipment.id).where(
            Shipment.workspace_id == uow.workspace_id, Shipment.tracking_number == number
        )
    )
    if taken is not None:
        raise _taken(number)
    return number


TRACKING_NUMBER_TAKEN = "uq_shipments_workspace_id_tracking_number"


def _taken(number: str) -> DomainError:
    return DomainError(
        "DUPLICATE_TRACKING_NUMBER",
        f"Tracking number {number} is already on another shipment.",
        ["input", "trackingNumber"],
    )


async def _has_other_shipments(uow: UnitOfWork, order_id: uuid.UUID, shipment_id: uuid.UUID) -> bool:
    found = await uow.session.scalar(
        sa.select(sa.func.count())
        .select_from(Shipment)
        .where(
            Shipment.workspace_id == uow.workspace_id,
            Shipment.order_id == order_id,
            Shipment.id != shipment_id,
            Shipment.status != ShipmentStatus.CANCELLED,
        )
    )
    return bool(found)


# -- scans --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordScan:
    tracking_number: str
    type: TrackingEventType
    occurred_at: datetime | None = None  # None: now
    event_id: str | None = None  # the carrier's; None: made up (sandbox)
    location: str | None = None
    detail: str | None = None
    source: EventSource = field(default=EventSource.SANDBOX)
    carrier: str | None = None  # the carrier whose endpoint sent it: it may report only its own parcels


@dataclass(frozen=True)
class ScanResult:
    shipment_id: uuid.UUID
    event_id: uuid.UUID
    applied: bool


CARRIER_SCANS = frozenset(TrackingEventType) - {TrackingEventType.SEIZED, TrackingEventType.LABEL_CREATED}
CLOCK_SKEW = timedelta(hours=1)  # how far a carrier's clock may lag the label's


async def record_scan(uow: UnitOfWork, cmd: RecordScan) -> ScanResult:
    """Store a carrier's scan, and move the shipment if the scan moves it forward."""
    if cmd.source is EventSource.SANDBOX and not uow.is_sandbox:
        raise SandboxOnly("Recording a carrier's scan by hand")
    if cmd.type not in CARRIER_SCANS:
        raise DomainError(
            "INVALID_EVENT_TYPE",
            f"{cmd.type} is not a carrier scan: labels come from shipmentCreate, seizures from customs.",
            ["input", "type"],
        )
    number = validate_tracking_number(cmd.tracking_number)
    found = (
        await uow.session.execute(
            sa.select(Shipment.id, Shipment.order_id).where(
                Shipment.workspace_id == uow.workspace_id, Shipment.tracking_number == number
            )
        )
    ).one_or_none()
    shipment = None if found is None else await lock_shipment(uow, found.id, found.order_id)
    if shipment is None:
        raise DomainError(
            "UNKNOWN_TRACKING_NUMBER",
            f"No shipment in this workspace has tracking number {number}.",
            ["input", "trackingNumber"],
        )
    if cmd.carrier is not None and cmd.carrier != shipment.carrier:
        raise DomainError(
            "WRONG_CARRIER",
            f"{number} travels with {shipment.carrier}; a {cmd.carrier} endpoint cannot report on it.",
            ["input", "trackingNumber"],
        )
    at = cmd.occurred_at or uow.now
    if at.tzinfo is None:
        raise DomainError(
            "INVALID_TIME", "occurredAt needs a time zone (e.g. ...Z).", ["input", "occurredAt"]
        )
    if at > uow.now:
        raise DomainError(
            "INVALID_TIME",
            f"occurredAt {at.isoformat()} is after the workspace clock ({uow.now.isoformat()}); "
            "a scan reports what already happened.",
            ["input", "occurredAt"],
        )
    if at < shipment.created_at - CLOCK_SKEW:
        raise DomainError(
            "INVALID_TIME",
            f"occurredAt {at.isoformat()} is before the shipment's label was made "
            f"({shipment.created_at.isoformat()}); a carrier scans a parcel after that.",
            ["input", "occurredAt"],
        )
    event_id = (
        clean_text(cmd.event_id, "eventId", 100, required=False)
        or f"{cmd.source.value.lower()}-{uuid.uuid4()}"
    )
    # An ID made up here is new by construction; only the carrier's own can come again.
    duplicate = cmd.event_id is not None and await uow.session.scalar(
        sa.select(TrackingEvent.id).where(
            TrackingEvent.workspace_id == uow.workspace_id,
            TrackingEvent.shipment_id == shipment.id,
            TrackingEvent.event_id == event_id,
        )
    )
    if duplicate:
        raise DomainError(
            "DUPLICATE_EVENT",
            f"Event {event_id} of {number} was recorded already; it is not applied twice.",
            ["input", "eventId"],
        )
    held_back = None
    if shipment.customs_mode is CustomsMode.PER_PARCEL and shipment.kind is ShipmentKind.OUTBOUND:
        statuses = await customs.statuses(uow, shipment.id)
        held_back = tracking.customs_gate(cmd.type, statuses.get("EXPORT"), statuses.get("IMPORT"))
    event = await apply_event(
        uow,
        shipment,
        cmd.type,
        at,
        event_id,
        cmd.source,
        clean_text(cmd.location, "location", 200, required=False),
        clean_text(cmd.detail, "detail", 500, required=False),
        held_back,
    )
    if event.applied and shipment.status in (ShipmentStatus.RETURNED_TO_SENDER, ShipmentStatus.LOST):
        await customs.close_with_parcel(uow, shipment)
    return ScanResult(shipment.id, event.id, event.applied)


# -- cancelling a label -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CancelShipment:
    shipment_id: uuid.UUID
    expected_version: int | None = None


async def load_shipment(
    uow: UnitOfWork, shipment_id: uuid.UUID, expected_version: int | None = None
) -> Shipment:
    shipment = await lock_shipment(uow, shipment_id)
    if shipment is None:
        raise NotFound("shipment", ["input", "shipmentId"])
    if expected_version is not None and shipment.version != expected_version:
        raise DomainError(
            "CONFLICT",
            f"The shipment is at version {shipment.version}, not {expected_version}: it changed since you "
            "read it. Reload it and decide again.",
            ["input", "expectedVersion"],
        )
    return shipment


async def cancel_shipment(uow: UnitOfWork, cmd: CancelShipment) -> uuid.UUID:
    """Void a label that the carrier has not picked up; its units can go in another shipment."""
    shipment = await load_shipment(uow, cmd.shipment_id, cmd.expected_version)
    if shipment.kind is ShipmentKind.RETURN:
        raise DomainError(
            "SHIPMENT_NOT_CANCELLABLE",
            "This is a return's label: it is voided with its return (returnCancel), or used by the consumer.",
            ["input", "shipmentId"],
        )
    if shipment.status is not ShipmentStatus.LABEL_CREATED:
        raise DomainError(
            "SHIPMENT_NOT_CANCELLABLE",
            f"The shipment is {shipment.status}: only a label the carrier has not picked up can be voided.",
            ["input", "shipmentId"],
        )
    await cancel_label(uow, shipment)
    return shipment.id


async def cancel_label(uow: UnitOfWork, shipment: Shipment) -> None:
    shipment.status = ShipmentStatus.CANCELLED
    shipment.status_at = uow.now
    shipment.version += 1
    shipment.record("SHIPMENT_CANCELLED", uow.now)
    await customs.withdraw_declarations(uow, shipment)


async def cancel_labels_of(uow: UnitOfWork, order: Order) -> None:
    """An order cancelled while packed: its labels are voided with it."""
    rows = await uow.session.scalars(
        sa.select(Shipment)
        .where(
            Shipment.workspace_id == uow.workspace_id,
            Shipment.order_id == order.id,
            Shipment.status == ShipmentStatus.LABEL_CREATED,
        )
        .with_for_update()
    )
    for shipment in rows:
        await cancel_label(uow, shipment)
