"""Prepare the seller's sandbox for a season through the API, as a seller would in GraphiQL: channels,
products, whatever registrations and certifications the markets ask for (read from `complianceCheck`),
listings, opening exchange rates, a warehouse at origin with an inspected lot of every product."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from babel.numbers import get_territory_currencies

from simulator.actors import rates_csv
from simulator.client import ApiError, GraphQLClient
from simulator.world import ChannelRef, Listing, World

CHANNEL = """mutation ($input: ChannelCreateInput!) { channelCreate(input: $input) {
  channel { id } userErrors { field code message } } }"""
PRODUCT = """mutation ($input: ProductCreateInput!) { productCreate(input: $input) {
  product { id } userErrors { field code message } } }"""
LISTING = """mutation ($input: ListingCreateInput!) { listingCreate(input: $input) {
  listing { id } userErrors { field code message } } }"""
CERTIFY = """mutation ($input: ProductCertificationAddInput!) { productCertificationAdd(input: $input) {
  userErrors { field code message } } }"""
REGISTER = """mutation ($input: RegistrationAddInput!) { registrationAdd(input: $input) {
  userErrors { field code message } } }"""
RATES = """mutation ($input: ExchangeRatesImportInput!) { exchangeRatesImport(input: $input) {
  userErrors { field code message } } }"""
WAREHOUSE = """mutation ($input: WarehouseCreateInput!) { warehouseCreate(input: $input) {
  warehouse { id } userErrors { field code message } } }"""
RECEIVE = """mutation ($input: LotReceiveInput!) { lotReceive(input: $input) {
  lot { id } userErrors { field code message } } }"""
INSPECT = """mutation ($input: LotInspectInput!) { lotInspect(input: $input) {
  userErrors { field code message } } }"""
CHECK = """query ($product: ID!, $market: String!) { complianceCheck(productId: $product, market: $market) {
  requirements { kind code accepts status } } }"""
CLOCK = """{ workspace { kind now homeCurrency } }"""
HOME = """mutation ($input: WorkspaceHomeCurrencySetInput!) { workspaceHomeCurrencySet(input: $input) {
  userErrors { field code message } } }"""
SAMPLE = 50  # units inspected of each opening lot


async def _mutate(client: GraphQLClient, document: str, field: str, values: dict[str, Any]) -> dict[str, Any]:
    data = await client.execute(document, {"input": values})
    payload: dict[str, Any] = data[field]
    if payload["userErrors"]:
        error = payload["userErrors"][0]
        raise ApiError(f"Preparing the season: {field} refused ({error['code']}): {error['message']}")
    return payload


async def prepare(world: World, client: GraphQLClient) -> None:
    scenario = world.scenario
    await _check_workspace(world, client)
    since = (scenario.start - timedelta(days=365)).isoformat()
    await _mutate(
        client,
        REGISTER,
        "registrationAdd",
        {
            "kind": "EXPORT_RIGHTS",
            "scope": "GLOBAL",
            "number": "CN-EXP-SIM",
            "issuer": "customs",
            "validFrom": since,
        },
    )
    channel_ids = []
    for channel in scenario.channels:
        made = await _mutate(
            client,
            CHANNEL,
            "channelCreate",
            {
                "name": f"{channel.platform.title()} {channel.country}",
                "platform": channel.platform,
                "country": channel.country,
                "currency": channel.currency,
            },
        )
        channel_ids.append(made["channel"]["id"])
    product_ids = []
    for product in scenario.products:
        made = await _mutate(
            client,
            PRODUCT,
            "productCreate",
            {
                "sku": product.sku,
                "title": product.title,
                "category": product.category,
                "hsCode": product.hs_code,
                "originCountry": scenario.seller.origin,
                "unitCost": {"amount": str(product.unit_cost), "currency": scenario.seller.home_currency},
                "weightGrams": product.weight_grams,
                "dimensions": {
                    "lengthMm": product.length_mm,
                    "widthMm": product.width_mm,
                    "heightMm": product.height_mm,
                },
            },
        )
        product_ids.append(made["product"]["id"])
    await _comply(world, client, product_ids, since)
    refs: list[ChannelRef] = []
    for channel, channel_id in zip(scenario.channels, channel_ids, strict=True):
        listings = []
        for product, product_id in zip(scenario.products, product_ids, strict=True):
            made = await _mutate(
                client,
                LISTING,
                "listingCreate",
                {
                    "productId": product_id,
                    "channelId": channel_id,
                    "price": {"amount": str(product.prices[channel.currency])},
                },
            )
            listings.append(
                Listing(
                    made["listing"]["id"],
                    product.sku,
                    product.category,
                    product.prices[channel.currency],
                    product.unit_cost,
                )
            )
        refs.append(_channel_ref(world, channel_id, channel, listings))
    await _mutate(client, RATES, "exchangeRatesImport", {"csv": rates_csv(world)})
    warehouse = await _mutate(
        client,
        WAREHOUSE,
        "warehouseCreate",
        {"name": "Origin DC", "kind": "DOMESTIC", "country": scenario.seller.origin},
    )
    world.catalog.warehouse = warehouse["warehouse"]["id"]
    for product, product_id in zip(scenario.products, product_ids, strict=True):
        lot = await _mutate(
            client,
            RECEIVE,
            "lotReceive",
            {"productId": product_id, "warehouseId": world.catalog.warehouse, "quantity": product.stock},
        )
        defects = round(product.defect_rate * SAMPLE)
        passed = product.stock - round(product.defect_rate * product.stock)
        await _mutate(
            client,
            INSPECT,
            "lotInspect",
            {
                "lotId": lot["lot"]["id"],
                "sampleSize": min(SAMPLE, product.stock),
                "defectsFound": min(defects, SAMPLE, product.stock),
                "result": "PASS" if passed == product.stock else "PARTIAL",
                "passedQuantity": passed,
            },
        )
        world.stats.units_received += product.stock
    _route(world, refs)


async def _check_workspace(world: World, client: GraphQLClient) -> None:
    data = await client.execute(CLOCK)
    workspace = data["workspace"]
    if workspace["kind"] != "SANDBOX":
        raise ApiError("A season runs only in a SANDBOX workspace; its key opens a LIVE one.")
    if workspace["now"][:10] > world.scenario.start.isoformat():
        raise ApiError(
            f"The workspace's clock ({workspace['now'][:10]}) is past the season's start "
            f"({world.scenario.start}); a sandbox clock only moves forward: run in a new workspace."
        )
    home = world.scenario.seller.home_currency
    if workspace["homeCurrency"] != home:
        await _mutate(client, HOME, "workspaceHomeCurrencySet", {"homeCurrency": home})


async def _comply(world: World, client: GraphQLClient, product_ids: list[str], since: str) -> None:
    """Add what each market asks of each product (certifications) and of the seller (registrations)."""
    registered: set[tuple[str, str]] = set()
    for product_id in product_ids:
        certified: set[str] = set()
        for market in world.scenario.markets:
            data = await client.execute(CHECK, {"product": product_id, "market": market.country})
            for requirement in data["complianceCheck"]["requirements"]:
                if requirement["status"] in ("PRESENT", "EXPIRING_SOON"):
                    continue
                code = requirement["accepts"][0] if requirement["accepts"] else requirement["code"]
                if requirement["kind"] == "CERTIFICATION" and code not in certified:
                    certified.add(code)
                    await _mutate(
                        client,
                        CERTIFY,
                        "productCertificationAdd",
                        {
                            "productId": product_id,
                            "code": code,
                            "number": f"{code}-SIM-{len(certified)}",
                            "issuer": "Simulated Test Lab",
                            "validFrom": since,
                        },
                    )
                elif requirement["kind"] == "REGISTRATION" and (code, market.country) not in registered:
                    registered.add((code, market.country))
                    await _mutate(
                        client,
                        REGISTER,
                        "registrationAdd",
                        {
                            "kind": code,
                            "scope": market.country,
                            "number": f"{code}-{market.country}-SIM",
                            "issuer": "tax authority",
                            "validFrom": since,
                        },
                    )


def _channel_ref(world: World, channel_id: str, channel: Any, listings: list[Listing]) -> ChannelRef:
    weights = [p.weight for p in world.scenario.products]
    total = sum(weights)
    return ChannelRef(
        channel_id,
        channel.platform,
        channel.country,
        channel.currency,
        tuple(listings),
        tuple(w / total for w in weights),
    )


GLOBAL_PLATFORMS = frozenset({"ALIEXPRESS", "OWN_STORE", "SHOPIFY", "WISH", "TEMU", "SHEIN", "ETSY"})


def _route(world: World, refs: list[ChannelRef]) -> None:
    """Which storefronts each market's consumers buy through: those of its country; else those selling in
    its currency (an Amazon DE listing reaches Italy); else the cross-border platforms and own shops; else
    every storefront."""
    world.catalog.all_channels = list(refs)
    pairs = list(zip(refs, world.scenario.channels, strict=True))
    for market in world.scenario.markets:
        currency = market_currency(market.country, world.scenario.start)
        for found in (
            [(ref, c.weight) for ref, c in pairs if c.country == market.country],
            [(ref, c.weight) for ref, c in pairs if c.currency == currency],
            [(ref, c.weight) for ref, c in pairs if c.platform in GLOBAL_PLATFORMS],
            [(ref, c.weight) for ref, c in pairs],
        ):
            if found:
                world.catalog.channels[market.country] = found
                break


def market_currency(country: str, day: date) -> str:
    """The currency a country pays in (CLDR's territory data, through babel)."""
    found = get_territory_currencies(country, day)
    return str(found[0]) if found else ""


def prepare_offline(world: World) -> None:
    """The same catalogue with made-up IDs, for the model run without an API."""
    scenario = world.scenario
    refs = []
    for i, channel in enumerate(scenario.channels):
        listings = [
            Listing(f"L{i}-{j}", p.sku, p.category, p.prices[channel.currency], p.unit_cost)
            for j, p in enumerate(scenario.products)
        ]
        refs.append(_channel_ref(world, f"C{i}", channel, listings))
    _route(world, refs)
