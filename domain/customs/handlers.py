"""Commands on customs declarations, and the tax assessed at sale.

Customs decisions come from outside (in a sandbox, from the mutations that stand for customs); the seller
lodges declarations and answers holds. Each decision moves the declaration through its own state machine
and tells the shipment what customs did, so the parcel's tracking and the order follow.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa

from domain.catalog.hs import normalize_hs_code_on
from domain.catalog.model import Channel, Product
from domain.compliance.model import Registration
from domain.compliance.queries import registrations_held
from domain.currency.rates import convert
from domain.customs.engine import (
    Assessment,
    Collection,
    Consignment,
    DeclaredItem,
    Payer,
    Sale,
    SaleItem,
    assess_import,
    assess_sale,
)
from domain.customs.model import (
    TRANSITIONS,
    CustomsDeclaration,
    DeclarationItem,
    DeclarationStatus,
    Direction,
    HoldReason,
    IllegalDeclarationMove,
    SchemeCollector,
)
from domain.db.uow import UnitOfWork, already_locked
from domain.logistics.lanes import regime_method
from domain.logistics.model import EventSource, Shipment, ShipmentStatus, TrackingEventType
from domain.logistics.progress import apply_event, lock_shipment
from domain.logistics.tracking import FINAL as FINAL_SHIPMENT
from domain.logistics.tracking import RANK
from domain.markets.reference import Market, RegistrationKind, reference
from domain.markets.rules import rules_as_of
from domain.orders.loading import load_order
from domain.orders.model import Order, OrderLine
from domain.research.landed import Incoterm
from domain.shared.errors import DomainError, NotFound, SandboxOnly
from domain.shared.money import Money
from domain.shared.text import clean_text, required_text
from domain.taxes.ledger import entries, reverse_open_liabilities
from domain.taxes.model import EntryKind

S = DeclarationStatus
MAX_DOCUMENTS = 20

# The registration whose number a collect-at-sale scheme's declarations carry, by the scheme's scope.
SCHEME_NUMBER_KINDS = (RegistrationKind.IOSS, RegistrationKind.VAT, RegistrationKind.TAX_REGISTRATION)


# -- rates --------------------------------------------------------------------------------------------


async def rates_for(uow: UnitOfWork, market: Market, day: date, currency: str) -> dict[str, Decimal]:
    """Units of `currency` per unit of each currency the market's rules are written in, as known now.
    A currency without a rate is left out; the engine says so if it needs it."""
    rules = rules_as_of(market, day)
    wanted = {rules.currency}
    for regime in rules.regimes:
        for money in (regime.over, regime.up_to, regime.duty_per_line, regime.deduction):
            if money is not None:
                wanted.add(money.currency)
    rates: dict[str, Decimal] = {currency: Decimal(1)}
    for code in sorted(wanted - {currency}):
        try:
            done = await convert(uow.session, uow.workspace_id, Money(Decimal(1), code), currency, uow.now)
        except DomainError:
            continue
        rates[code] = done.rate
    return rates


async def held_kinds(uow: UnitOfWork, market: Market, day: date) -> dict[str, Registration]:
    return await registrations_held(uow.session, uow.workspace_id, market.scopes, day)


# -- at sale ------------------------------------------------------------------------------------------


async def assess_at_sale(
    uow: UnitOfWork,
    order: Order,
    channel: Channel,
    lines: Sequence[OrderLine],
    products: dict[uuid.UUID, Product],
) -> None:
    """Snapshot the tax the sale carries (IOSS, UK, AU, SG: collected at checkout) on the order, and
    record what is collected as liabilities in the ledger."""
    market = reference().markets.get(order.ship_to_country)
    if market is None:
        order.sale_taxes = {
            "market": order.ship_to_country,
            "lines": [],
            "problems": ["no rules for this market"],
        }
        return
    day = uow.now.date()
    sale = Sale(
        market=market,
        day=day,
        origin=products[lines[0].product_id].origin_country,
        items=tuple(
            SaleItem(
                hs_code=products[line.product_id].hs_code,
                quantity=line.quantity,
                price=Money.of(line.unit_price * line.quantity, order.currency),
            )
            for line in lines
        ),
        shipping=Money.of(order.shipping, order.currency),
        platform=channel.platform,
        registrations=frozenset((await held_kinds(uow, market, day)).keys()),
    )
    try:
        assessment = assess_sale(sale, await rates_for(uow, market, day, order.currency))
    except DomainError as error:
        if error.code != "NO_RATE":
            raise
        order.sale_taxes = {"market": market.code, "lines": [], "problems": [error.message]}
        return
    order.sale_taxes = assessment.as_json() | {"order_lines": [str(line.id) for line in lines]}
    entries(uow, assessment, assessment.lines, EntryKind.LIABILITY, order.id, None, uow.now)


# -- opening declarations with a shipment -------------------------------------------------------------


def _tax_in_prices(order: Order) -> dict[str, Decimal]:
    """Per order line (by ID), the consumption tax collected at sale inside its price, from the order's
    snapshot: the declared value is the price without it."""
    snapshot = order.sale_taxes or {}
    if not snapshot.get("lines"):
        return {}
    ids: list[str] = snapshot.get("order_lines", [])
    found: dict[str, Decimal] = {}
    for line in Assessment.from_json(snapshot).lines:
        if line.item is not None and line.tax_type != "DUTY" and line.item < len(ids):
            found[ids[line.item]] = found.get(ids[line.item], Decimal(0)) + line.amount.amount
    return found


async def open_declarations(
    uow: UnitOfWork,
    order: Order,
    shipment: Shipment,
    carried: list[tuple[OrderLine, Product, int]],
    *,
    first: bool,
    lodge: bool,
) -> None:
    """An export declaration at origin and an import declaration at destination, from the order's lines
    as sold: values net of any tax collected at sale, the order's shipping charge as freight on the
    order's first shipment."""
    taxed = _tax_in_prices(order)
    scheme = scheme_collector = scheme_number = None
    snapshot = order.sale_taxes or {}
    if snapshot.get("lines"):
        scheme = snapshot.get("regime")
        payers = {line["payer"] for line in snapshot["lines"]}
        scheme_collector = (
            SchemeCollector.MARKETPLACE if Payer.MARKETPLACE.value in payers else SchemeCollector.SELLER
        )
        if scheme_collector is SchemeCollector.SELLER:
            market = reference().markets[order.ship_to_country]
            held = await held_kinds(uow, market, uow.now.date())
            found = next((held[k.value] for k in SCHEME_NUMBER_KINDS if k.value in held), None)
            scheme_number = None if found is None else found.number
    freight = Money.of(order.shipping if first else 0, order.currency).amount
    for direction, country in (
        (Direction.EXPORT, shipment.origin_country),
        (Direction.IMPORT, shipment.destination_country),
    ):
        declaration = CustomsDeclaration(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            shipment_id=shipment.id,
            order_id=order.id,
            direction=direction,
            country=country,
            status=S.DRAFT,
            hold_reason=None,
            reference=None,
            incoterm=shipment.incoterm,
            scheme=scheme if direction is Direction.IMPORT else None,
            scheme_collector=scheme_collector if direction is Direction.IMPORT else None,
            scheme_number=scheme_number if direction is Direction.IMPORT else None,
            currency=order.currency,
            freight=freight,
            documents=[],
            assessment=None,
            duty_total=None,
            tax_total=None,
            due_from_consumer=None,
            created_at=uow.now,
            lodged_at=None,
            assessed_at=None,
            closed_at=None,
            version=1,
        )
        declaration.record(
            "DECLARATION_DRAFTED",
            uow.now,
            direction=direction.value,
            country=country,
            shipmentId=str(shipment.id),
        )
        uow.session.add(declaration)
        await uow.flush()
        items = [
            DeclarationItem(
                id=uuid.uuid4(),
                workspace_id=uow.workspace_id,
                declaration_id=declaration.id,
                order_line_id=line.id,
                hs_code=product.hs_code,
                description=line.title,
                quantity=quantity,
                value=Money.of(
                    (line.unit_price * line.quantity - taxed.get(str(line.id), Decimal(0)))
                    * quantity
                    / line.quantity,
                    order.currency,
                ).amount,
                currency=order.currency,
                origin_country=product.origin_country,
            )
            for line, product, quantity in carried
        ]
        uow.session.add_all(items)
        if lodge:
            await _lodge(uow, declaration, items)


async def withdraw_declarations(uow: UnitOfWork, shipment: Shipment) -> None:
    """The shipment's label was voided before it left: its declarations are withdrawn."""
    rows = await uow.session.scalars(
        sa.select(CustomsDeclaration)
        .where(
            CustomsDeclaration.workspace_id == uow.workspace_id, CustomsDeclaration.shipment_id == shipment.id
        )
        .order_by(CustomsDeclaration.seq)
        .with_for_update()
    )
    for declaration in rows:
        declaration.move(S.WITHDRAWN, uow.now, "DECLARATION_WITHDRAWN")


# -- loading ------------------------------------------------------------------------------------------


async def load_declaration(
    uow: UnitOfWork, declaration_id: uuid.UUID, expected_version: int | None = None
) -> CustomsDeclaration:
    """The declaration locked until commit, after its order and its shipment (see `lock_shipment`)."""
    declaration = already_locked(uow, CustomsDeclaration, declaration_id)
    if declaration is None:
        found = (
            await uow.session.execute(
                sa.select(CustomsDeclaration.shipment_id, Shipment.order_id)
                .join(Shipment, Shipment.id == CustomsDeclaration.shipment_id)
                .where(
                    CustomsDeclaration.workspace_id == uow.workspace_id,
                    CustomsDeclaration.id == declaration_id,
                )
            )
        ).one_or_none()
        if found is None:
            raise NotFound("customs declaration", ["input", "declarationId"])
        await lock_shipment(uow, found.shipment_id, found.order_id)
        declaration = (
            await uow.session.scalars(
                sa.select(CustomsDeclaration)
                .where(
                    CustomsDeclaration.workspace_id == uow.workspace_id,
                    CustomsDeclaration.id == declaration_id,
                )
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).one()
        uow.locked[CustomsDeclaration, declaration_id] = declaration
    if expected_version is not None and declaration.version != expected_version:
        raise DomainError(
            "CONFLICT",
            f"The declaration is at version {declaration.version}, not {expected_version}: it changed since "
            "you read it. Reload it and decide again.",
            ["input", "expectedVersion"],
        )
    return declaration


async def _items(uow: UnitOfWork, declaration_id: uuid.UUID) -> list[DeclarationItem]:
    return list(
        await uow.session.scalars(
            sa.select(DeclarationItem)
            .where(
                DeclarationItem.workspace_id == uow.workspace_id,
                DeclarationItem.declaration_id == declaration_id,
            )
            .order_by(DeclarationItem.seq)
        )
    )


async def _shipment(uow: UnitOfWork, declaration: CustomsDeclaration) -> Shipment:
    """The declaration's shipment, locked after its order (by `load_declaration`, so read no more)."""
    shipment = await lock_shipment(uow, declaration.shipment_id, declaration.order_id)
    assert shipment is not None  # a declaration's shipment is in its workspace
    return shipment


# -- corrections (lodging a draft, answering a hold) --------------------------------------------------


@dataclass(frozen=True)
class ItemCorrection:
    item_id: uuid.UUID
    hs_code: str | None = None
    value: Decimal | None = None
    currency: str | None = None


def _correct(
    declaration: CustomsDeclaration,
    items: list[DeclarationItem],
    corrections: Sequence[ItemCorrection],
    day: date,
) -> list[dict[str, str]]:
    by_id = {item.id: item for item in items}
    changed = []
    for i, fix in enumerate(corrections):
        where = ["input", "items", str(i)]
        item = by_id.get(fix.item_id)
        if item is None:
            raise DomainError(
                "NOT_FOUND", f"Item {i + 1}: the declaration has no such item.", [*where, "itemId"]
            )
        if fix.hs_code is None and fix.value is None:
            raise DomainError("EMPTY_CORRECTION", f"Item {i + 1}: give a corrected hsCode or value.", where)
        change = {"itemId": str(item.id)}
        if fix.hs_code is not None:
            code = normalize_hs_code_on(fix.hs_code, day, [*where, "hsCode"])
            change.update({"hsCodeFrom": item.hs_code, "hsCode": code})
            item.hs_code = code
        if fix.value is not None:
            value = _declared_value(declaration, fix.value, fix.currency, [*where, "value"])
            change.update({"valueFrom": str(item.value), "value": str(value)})
            item.value = value
        changed.append(change)
    return changed


def _declared_value(
    declaration: CustomsDeclaration, amount: Decimal, currency: str | None, where: list[str]
) -> Decimal:
    if currency is not None and currency.strip().upper() != declaration.currency:
        raise DomainError(
            "CURRENCY_MISMATCH",
            f"The declaration is in {declaration.currency}; declare values in {declaration.currency}, not "
            f"{currency.strip().upper()}.",
            [*where[:-1], "currency"],
        )
    value = Money.of(amount, declaration.currency, where).amount
    if value <= 0:
        raise DomainError(
            "INVALID_DECLARED_VALUE",
            "A declared value must be above zero: customs treat a zero-value declaration as false. "
            "Declare what the consumer paid for the goods.",
            where,
        )
    return value


def _check_items(declaration: CustomsDeclaration, items: list[DeclarationItem], day: date) -> None:
    for i, item in enumerate(items):
        where = ["input", "items", str(i)]
        normalize_hs_code_on(item.hs_code, day, [*where, "hsCode"])
        if item.currency != declaration.currency:
            raise DomainError(
                "CURRENCY_MISMATCH",
                f"Item {i + 1} is in {item.currency}, the declaration in {declaration.currency}.",
                where,
            )
        if item.value <= 0:
            raise DomainError(
                "INVALID_DECLARED_VALUE", f"Item {i + 1} has no value; declare one above zero.", where
            )
    total = sum((item.value for item in items), Decimal(0)) + declaration.freight
    Money(total, declaration.currency).bounded(["input", "items"])


# -- lodging ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LodgeDeclaration:
    declaration_id: uuid.UUID
    scheme_number: str | None = None
    items: tuple[ItemCorrection, ...] = ()
    expected_version: int | None = None


async def lodge_declaration(uow: UnitOfWork, cmd: LodgeDeclaration) -> uuid.UUID:
    declaration = await load_declaration(uow, cmd.declaration_id, cmd.expected_version)
    _not_ended(await _shipment(uow, declaration))
    if declaration.status is not S.DRAFT:
        raise DomainError(
            "NOT_A_DRAFT",
            f"The declaration is {declaration.status}; only a DRAFT is lodged.",
            ["input", "declarationId"],
        )
    items = await _items(uow, declaration.id)
    changes = _correct(declaration, items, cmd.items, uow.now.date())
    if cmd.scheme_number is not None:
        declaration.scheme_number = clean_text(cmd.scheme_number, "schemeNumber", 40)
    if changes:
        declaration.record("DECLARATION_AMENDED", uow.now, items=changes)
    await _lodge(uow, declaration, items)
    return declaration.id


async def _lodge(uow: UnitOfWork, declaration: CustomsDeclaration, items: list[DeclarationItem]) -> None:
    day = uow.now.date()
    _check_items(declaration, items, day)
    if declaration.direction is Direction.EXPORT:
        held = await registrations_held(uow.session, uow.workspace_id, (declaration.country,), day)
        if RegistrationKind.EXPORT_RIGHTS.value not in held:
            raise DomainError(
                "EXPORT_RIGHTS_MISSING",
                f"Exporting from {declaration.country} needs a valid EXPORT_RIGHTS registration (scope "
                f"{declaration.country} or GLOBAL). Add it with registrationAdd, then lodge.",
                ["input", "declarationId"],
            )
    elif declaration.scheme_collector is SchemeCollector.SELLER and not declaration.scheme_number:
        raise DomainError(
            "MISSING_SCHEME_NUMBER",
            f"The tax was collected at sale under {declaration.scheme}: the import declaration must carry "
            f"your {declaration.scheme} number (no valid registration of yours holds one today), or the "
            "tax is charged again at the border. Give it as schemeNumber to customsDeclarationLodge "
            "(make the shipment with lodgeDeclarations: false first).",
            ["input", "schemeNumber"],
        )
    declaration.reference = f"{day:%y}{declaration.country}{uuid.uuid4().hex[:14].upper()}"
    declaration.lodged_at = uow.now
    declaration.move(S.LODGED, uow.now, "DECLARATION_LODGED", reference=declaration.reference)


# -- where the parcel stands --------------------------------------------------------------------------


async def statuses(uow: UnitOfWork, shipment_id: uuid.UUID) -> dict[str, str]:
    """The status of a shipment's export and import declarations, by direction."""
    rows = await uow.session.execute(
        sa.select(CustomsDeclaration.direction, CustomsDeclaration.status).where(
            CustomsDeclaration.workspace_id == uow.workspace_id, CustomsDeclaration.shipment_id == shipment_id
        )
    )
    return {direction.value: status.value for direction, status in rows}


def _not_ended(shipment: Shipment) -> None:
    if shipment.status in FINAL_SHIPMENT:
        raise DomainError(
            "SHIPMENT_ENDED",
            f"The shipment is {shipment.status}: its parcel is no longer with customs.",
            ["input", "declarationId"],
        )


async def _presented(uow: UnitOfWork, declaration: CustomsDeclaration, shipment: Shipment) -> None:
    """Customs decide on goods presented to them: export once the carrier has the parcel, import once
    export has let it go."""
    _not_ended(shipment)
    if declaration.direction is Direction.EXPORT:
        if RANK[shipment.status.value] < RANK[TrackingEventType.PICKED_UP]:
            raise DomainError(
                "NOT_PRESENTED",
                f"The shipment is {shipment.status}: export customs see the goods once the carrier has "
                "picked them up (a PICKED_UP scan).",
                ["input", "declarationId"],
            )
        return
    export = (await statuses(uow, shipment.id)).get(Direction.EXPORT.value)
    if export != S.RELEASED.value:
        raise DomainError(
            "EXPORT_NOT_CLEARED",
            f"The goods have not left {shipment.origin_country}: its export declaration is {export}. Import "
            "customs decide once export is released.",
            ["input", "declarationId"],
        )
    if RANK[shipment.status.value] < RANK[TrackingEventType.ARRIVED_DESTINATION]:
        raise DomainError(
            "NOT_PRESENTED",
            f"The shipment is {shipment.status}: import customs see the goods once they have arrived in "
            f"{shipment.destination_country} (an ARRIVED_DESTINATION scan).",
            ["input", "declarationId"],
        )


async def _withdraw_import(uow: UnitOfWork, shipment: Shipment) -> None:
    """Goods stopped at export never reach import customs: the import declaration is withdrawn."""
    found = (
        await uow.session.scalars(
            sa.select(CustomsDeclaration)
            .where(
                CustomsDeclaration.workspace_id == uow.workspace_id,
                CustomsDeclaration.shipment_id == shipment.id,
                CustomsDeclaration.direction == Direction.IMPORT,
            )
            .with_for_update()
        )
    ).one_or_none()
    if found is not None and found.status in (S.DRAFT, S.LODGED):
        found.move(S.WITHDRAWN, uow.now, "DECLARATION_WITHDRAWN", reason="stopped at export")


async def close_with_parcel(uow: UnitOfWork, shipment: Shipment) -> None:
    """The carrier sent the parcel back, or lost it, before customs were done with it: its declarations
    end WITHDRAWN (customs never saw the goods) or RETURNED, and what the consumer owed no longer holds.
    A DDP declaration the seller already paid stays PAID: refunds of duty paid are not modelled."""
    why = "lost by the carrier" if shipment.status is ShipmentStatus.LOST else "returned by the carrier"
    found = (
        await uow.session.scalars(
            sa.select(CustomsDeclaration)
            .where(
                CustomsDeclaration.workspace_id == uow.workspace_id,
                CustomsDeclaration.shipment_id == shipment.id,
            )
            .order_by(CustomsDeclaration.seq)
            .with_for_update()
        )
    ).all()
    for declaration in found:
        if declaration.status in (S.DRAFT, S.LODGED):
            declaration.move(S.WITHDRAWN, uow.now, "DECLARATION_WITHDRAWN", reason=why)
        elif S.RETURNED in TRANSITIONS[declaration.direction][declaration.status]:
            declaration.move(S.RETURNED, uow.now, "DECLARATION_RETURNED", note=why)
            await reverse_open_liabilities(uow, declaration.order_id, declaration_id=declaration.id)


# -- customs decisions (sandbox) ----------------------------------------------------------------------


class Decision(StrEnum):
    HOLD = "HOLD"
    INSPECT = "INSPECT"
    ASSESS = "ASSESS"
    RELEASE = "RELEASE"
    SEIZE = "SEIZE"
    RETURN = "RETURN"


DECIDED = {
    Decision.HOLD: S.HELD,
    Decision.INSPECT: S.INSPECTED,
    Decision.ASSESS: S.ASSESSED,
    Decision.RELEASE: S.RELEASED,
    Decision.SEIZE: S.SEIZED,
    Decision.RETURN: S.RETURNED,
}


@dataclass(frozen=True)
class DecideDeclaration:
    declaration_id: uuid.UUID
    decision: Decision
    hold_reason: HoldReason | None = None
    note: str | None = None
    expected_version: int | None = None


async def decide(uow: UnitOfWork, cmd: DecideDeclaration) -> uuid.UUID:
    if not uow.is_sandbox:
        raise SandboxOnly("Recording a customs decision")
    declaration = await load_declaration(uow, cmd.declaration_id, cmd.expected_version)
    note = clean_text(cmd.note, "note", 500, required=False)
    if declaration.status is S.DRAFT:
        raise DomainError(
            "NOT_LODGED",
            "The declaration is a DRAFT: customs decide only on lodged declarations. Lodge it first "
            "(customsDeclarationLodge).",
            ["input", "declarationId"],
        )
    if cmd.decision is Decision.ASSESS and declaration.direction is Direction.EXPORT:
        raise DomainError(
            "ILLEGAL_TRANSITION",
            "Export declarations are not assessed: no duty or tax is due on export. Release, hold, "
            "inspect, seize or return it.",
            ["input", "decision"],
        )
    if (cmd.decision is Decision.HOLD) != (cmd.hold_reason is not None):
        raise DomainError(
            "HOLD_REASON_REQUIRED" if cmd.decision is Decision.HOLD else "UNEXPECTED_HOLD_REASON",
            "A hold needs its reason (holdReason)."
            if cmd.decision is Decision.HOLD
            else "Only a hold has a reason.",
            ["input", "holdReason"],
        )
    to = DECIDED[cmd.decision]
    if to not in TRANSITIONS[declaration.direction][declaration.status]:
        raise IllegalDeclarationMove(declaration.direction, declaration.status, to)
    shipment = await _shipment(uow, declaration)
    await _presented(uow, declaration, shipment)
    if (
        cmd.decision is Decision.RELEASE
        and declaration.status is S.ASSESSED
        and (declaration.due_from_consumer or 0) > 0
    ):
        raise DomainError(
            "CHARGES_UNPAID",
            f"{declaration.due_from_consumer} {declaration.currency} of duty and tax is due from the "
            "consumer "
            "(DAP); the goods are released once it is paid (customsChargesCollect).",
            ["input", "decision"],
        )
    if cmd.decision is Decision.ASSESS:
        await _assess(uow, declaration, shipment, note)
        return declaration.id
    if cmd.decision is Decision.HOLD:
        declaration.move(to, uow.now, "DECLARATION_HELD", reason=cmd.hold_reason.value, note=note)  # type: ignore[union-attr]
        declaration.hold_reason = cmd.hold_reason
    else:
        declaration.move(to, uow.now, f"DECLARATION_{to.value}", note=note)
    scan = _SHIPMENT_EVENT[declaration.direction].get(to)
    if to is S.RETURNED:
        await reverse_open_liabilities(uow, declaration.order_id, declaration_id=declaration.id)
    if declaration.direction is Direction.EXPORT and to in (S.SEIZED, S.RETURNED):
        await _withdraw_import(uow, shipment)
    if scan is not None:
        detail = f"customs {cmd.decision.value.lower()}" + (
            f": {cmd.hold_reason.value}" if cmd.hold_reason else ""
        )
        await apply_event(
            uow,
            shipment,
            scan,
            uow.now,
            f"customs-{declaration.id}-{declaration.version}",
            EventSource.CUSTOMS,
            declaration.country,
            detail,
        )
    return declaration.id


_SHIPMENT_EVENT = {
    Direction.IMPORT: {
        S.HELD: TrackingEventType.IMPORT_CUSTOMS_HOLD,
        S.RELEASED: TrackingEventType.IMPORT_CLEARED,
        S.SEIZED: TrackingEventType.SEIZED,
        S.RETURNED: TrackingEventType.RETURNED_TO_SENDER,
    },
    Direction.EXPORT: {
        S.RELEASED: TrackingEventType.EXPORT_CLEARED,
        S.SEIZED: TrackingEventType.SEIZED,
        S.RETURNED: TrackingEventType.RETURNED_TO_SENDER,
    },
}


async def _assess(
    uow: UnitOfWork, declaration: CustomsDeclaration, shipment: Shipment, note: str | None
) -> None:
    """Compute duty and tax by the rules in force today, snapshot them, and charge the right party: under
    DDP the seller pays at once and the declaration is PAID; under DAP it waits for the consumer."""
    market = reference().markets.get(declaration.country)
    if market is None:
        raise DomainError(
            "NO_RULES",
            f"Tradelane holds no duty and tax rules for {declaration.country}; it cannot assess there.",
            ["input", "declarationId"],
        )
    day = uow.now.date()
    items = await _items(uow, declaration.id)
    consignment = Consignment(
        market=market,
        day=day,
        items=tuple(
            DeclaredItem(
                hs_code=item.hs_code,
                quantity=item.quantity,
                value=Money.of(item.value, item.currency),
                origin=item.origin_country,
            )
            for item in items
        ),
        freight=Money.of(declaration.freight, declaration.currency),
        method=regime_method(shipment.method),
        incoterm=declaration.incoterm,
        collected_at_sale=declaration.scheme,
        scheme_number_declared=declaration.scheme_collector is SchemeCollector.MARKETPLACE
        or bool(declaration.scheme_number),
        duty_collected_at_sale=any(
            line["tax_type"] == "DUTY"
            for line in ((await load_order(uow, declaration.order_id)).sale_taxes or {}).get("lines", [])
        ),
    )
    assessment = assess_import(consignment, await rates_for(uow, market, day, declaration.currency))
    border = [line for line in assessment.lines if line.collection is Collection.AT_BORDER]
    for line in assessment.lines:
        for money in (line.base, line.amount):
            money.bounded(["input", "declarationId"])
    declaration.assessment = assessment.as_json()
    declaration.duty_total = sum((x.amount.amount for x in border if x.tax_type == "DUTY"), Decimal(0))
    declaration.tax_total = sum((x.amount.amount for x in border if x.tax_type != "DUTY"), Decimal(0))
    due = assessment.total(payer=Payer.CONSUMER, collection=Collection.AT_BORDER).amount
    declaration.due_from_consumer = due
    declaration.assessed_at = uow.now
    declaration.move(
        S.ASSESSED,
        uow.now,
        "DECLARATION_ASSESSED",
        regime=assessment.regime,
        duty=str(declaration.duty_total),
        tax=str(declaration.tax_total),
        currency=declaration.currency,
        payer=(Payer.SELLER if declaration.incoterm is Incoterm.DDP else Payer.CONSUMER).value,
        rulesVersion=assessment.rules_version,
        note=note,
    )
    entries(uow, assessment, border, EntryKind.LIABILITY, declaration.order_id, declaration.id, uow.now)
    seller_pays = [line for line in border if line.payer is Payer.SELLER]
    if seller_pays and sum(x.amount.amount for x in seller_pays) > 0:
        entries(
            uow, assessment, seller_pays, EntryKind.PAYMENT, declaration.order_id, declaration.id, uow.now
        )
        declaration.move(
            S.PAID,
            uow.now,
            "DECLARATION_PAID",
            payer=Payer.SELLER.value,
            amount=str(sum(x.amount.amount for x in seller_pays)),
            currency=declaration.currency,
        )


@dataclass(frozen=True)
class CollectCharges:
    """The consumer at the door (DAP): pays the duty and tax due, or refuses the parcel."""

    declaration_id: uuid.UUID
    paid: bool
    expected_version: int | None = None


async def collect_charges(uow: UnitOfWork, cmd: CollectCharges) -> uuid.UUID:
    if not uow.is_sandbox:
        raise SandboxOnly("Recording the consumer's payment of import charges")
    declaration = await load_declaration(uow, cmd.declaration_id, cmd.expected_version)
    if declaration.status is not S.ASSESSED or not (declaration.due_from_consumer or 0) > 0:
        raise DomainError(
            "NO_CHARGES_DUE",
            f"The declaration is {declaration.status}"
            + (" with nothing due from the consumer" if declaration.status is S.ASSESSED else "")
            + ": charges are collected from the consumer only on an ASSESSED DAP declaration with an "
            "amount due.",
            ["input", "declarationId"],
        )
    shipment = await _shipment(uow, declaration)
    _not_ended(shipment)
    if cmd.paid:
        assessment = Assessment.from_json(declaration.assessment or {})
        due = [
            x for x in assessment.lines if x.collection is Collection.AT_BORDER and x.payer is Payer.CONSUMER
        ]
        entries(uow, assessment, due, EntryKind.PAYMENT, declaration.order_id, declaration.id, uow.now)
        declaration.move(
            S.PAID,
            uow.now,
            "DECLARATION_PAID",
            payer=Payer.CONSUMER.value,
            amount=str(declaration.due_from_consumer),
            currency=declaration.currency,
        )
        return declaration.id
    declaration.move(S.RETURNED, uow.now, "DECLARATION_RETURNED", note="the consumer refused the charges")
    await reverse_open_liabilities(uow, declaration.order_id, declaration_id=declaration.id)
    await apply_event(
        uow,
        shipment,
        TrackingEventType.RETURNED_TO_SENDER,
        uow.now,
        f"refused-{declaration.id}",
        EventSource.CUSTOMS,
        declaration.country,
        "consumer refused to pay import charges",
    )
    return declaration.id


# -- answering a hold ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RespondToHold:
    declaration_id: uuid.UUID
    documents: tuple[str, ...] = ()
    items: tuple[ItemCorrection, ...] = ()
    note: str | None = None
    expected_version: int | None = None


async def respond(uow: UnitOfWork, cmd: RespondToHold) -> uuid.UUID:
    declaration = await load_declaration(uow, cmd.declaration_id, cmd.expected_version)
    _not_ended(await _shipment(uow, declaration))
    if declaration.status is not S.HELD:
        raise DomainError(
            "NOT_HELD",
            f"The declaration is {declaration.status}; a response answers a hold (HELD).",
            ["input", "declarationId"],
        )
    documents = [required_text(d, "documents", 500) for d in cmd.documents]
    if len(declaration.documents) + len(documents) > MAX_DOCUMENTS:
        raise DomainError(
            "TOO_MANY_DOCUMENTS",
            f"A declaration holds at most {MAX_DOCUMENTS} documents.",
            ["input", "documents"],
        )
    note = clean_text(cmd.note, "note", 500, required=False)
    if not documents and not cmd.items and note is None:
        raise DomainError(
            "EMPTY_RESPONSE",
            "Answer the hold with documents, a corrected value or code (items), or at least a note.",
            ["input"],
        )
    items = await _items(uow, declaration.id)
    changes = _correct(declaration, items, cmd.items, uow.now.date())
    _check_items(declaration, items, uow.now.date())
    declaration.documents = [*declaration.documents, *documents]
    declaration.move(
        S.RESUBMITTED,
        uow.now,
        "DECLARATION_RESUBMITTED",
        answering=declaration.hold_reason.value if declaration.hold_reason else None,
        documents=documents,
        items=changes,
        note=note,
    )
    return declaration.id
