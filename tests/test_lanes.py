"""Lanes, pure: the lane file and its checks, quotes (chargeable weight, day, method, union), the transit
lognormal, and tracking numbers with their check digits. No database.

Transit figures: ../shared/reference-facts.md section 4 (transit times from China). Check-digit examples:
the UPU S10 example RR473124829GB and jkeen/tracking_number_data's test numbers."""

from __future__ import annotations

import math
import random
from datetime import date
from decimal import Decimal
from statistics import NormalDist
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.logistics.lanes import (
    Carrier,
    CustomsMode,
    LaneBook,
    LogisticsMethod,
    Parcel,
    TrackingFormat,
    chargeable_kg,
    customs_mode,
    is_valid_s10,
    lane_book,
    make_tracking_number,
    parse,
    quotes,
    regime_method,
    s10_check_digit,
    transit_lognormal,
    validate_tracking_number,
)
from domain.markets.reference import InvalidReferenceData, Market, ShippingMethod, reference
from domain.shared.errors import DomainError
from domain.shared.money import Money

DAY = date(2026, 11, 23)
M = LogisticsMethod
MARKETS = {
    "US": Market("US", "United States", None),
    "DE": Market("DE", "Germany", "EU"),
    "FR": Market("FR", "France", "EU"),
}


def _usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def _carrier(**change: Any) -> dict[str, Any]:
    entry = {
        "code": "POST",
        "name": "A Post",
        "methods": ["POSTAL"],
        "tracking_format": "UPU_S10",
        "tracking_prefix": "LX",
        "tracking_suffix": "CN",
        "source": "s",
    }
    return {k: v for k, v in {**entry, **change}.items() if v is not None}


def _lane(**change: Any) -> dict[str, Any]:
    """A postal lane CN -> US; pass a key as None to leave it out."""
    entry = {
        "carrier": "POST",
        "service": "Small packet",
        "method": "POSTAL",
        "origin": "CN",
        "destinations": ["US"],
        "base": _usd("3.00"),
        "per_kg": _usd("9.00"),
        "volumetric_divisor": 8000,
        "max_weight_grams": 2000,
        "transit_p10_days": 10,
        "transit_p90_days": 21,
        "valid_from": "2026-01-01",
        "source": "s",
        "confidence": "L",
    }
    return {k: v for k, v in {**entry, **change}.items() if v is not None}


def _express(**change: Any) -> dict[str, Any]:
    terms = {
        "carrier": "FAST",
        "service": "Express",
        "method": "EXPRESS",
        "base": _usd("12.00"),
        "per_kg": _usd("7.00"),
        "volumetric_divisor": 5000,
        "max_weight_grams": 70000,
        "transit_p10_days": 3,
        "transit_p90_days": 7,
    }
    return _lane(**{**terms, **change})


CARRIERS = [
    _carrier(),
    _carrier(
        code="FAST",
        name="Fast",
        methods=["EXPRESS"],
        tracking_format="DHL_EXPRESS",
        tracking_prefix=None,
        tracking_suffix=None,
    ),
    _carrier(
        code="WH",
        name="A warehouse",
        methods=["PLATFORM_FULFILLED"],
        tracking_format="PREFIXED",
        tracking_prefix="TBA",
        tracking_digits=12,
        tracking_suffix=None,
    ),
]


def _book(*lanes: dict[str, Any]) -> LaneBook:
    return parse({"version": "t", "carrier": CARRIERS, "lane": list(lanes)}, MARKETS)


# A small book for quotes. To the US: postal; express repriced on 2026-06-01 (10 + 6/kg before, 12 + 7/kg
# after); a cheap packet that starts only in 2027. To the EU: express. From Hong Kong: postal. In the EU:
# platform fulfilment from stock already there.
BOOK = _book(
    _lane(),
    _express(base=_usd("10.00"), per_kg=_usd("6.00"), valid_to="2026-06-01"),
    _express(valid_from="2026-06-01"),
    _lane(service="Next year's packet", base=_usd("1.00"), valid_from="2027-01-01"),
    _express(service="Express Europe", destinations=["EU"]),
    _lane(origin="HK"),
    _lane(
        carrier="WH",
        service="Fulfilment",
        method="PLATFORM_FULFILLED",
        origin=None,
        domestic=True,
        destinations=["EU"],
        max_weight_grams=None,
        transit_p10_days=1,
        transit_p90_days=3,
    ),
)

# 500 g in a 305 x 205 x 105 mm box: 6,565,125 mm3 = 6,565.125 cm3.
LIGHT_BIG_BOX = Parcel(500, 305, 205, 105)
# 1,800 g in a 200 x 150 x 100 mm box: 3,000 cm3.
HEAVY_SMALL_BOX = Parcel(1800, 200, 150, 100)


# -- the lane file -------------------------------------------------------------------------------------------
def test_the_lane_file_loads_with_every_carrier_it_names() -> None:
    book = lane_book()
    assert book.version == "2026.11.23"
    used = {lane.carrier.code for lane in book.lanes}
    assert used == set(book.carriers), "a carrier without lanes, or a lane without its carrier"
    assert {"CHINA_POST", "DHL_EXPRESS", "AMAZON_FBA"} <= used
    assert len({lane.id for lane in book.lanes}) == len(book.lanes)
    assert {lane.base.currency for lane in book.lanes} == {"USD"}


def test_the_lane_files_costs_say_they_are_estimates() -> None:
    """Costs are not in reference-facts.md: every lane says it is a planning estimate, confidence L."""
    for lane in lane_book().lanes:
        assert lane.validity.confidence == "L", lane.id
        assert (lane.validity.note or "").startswith(
            "planning estimate, replace with your carrier's rate card"
        )


@pytest.mark.parametrize("market", sorted(reference().markets))
def test_every_market_has_postal_and_express_from_china(market: str) -> None:
    found = quotes(lane_book(), "CN", market, [Parcel(400, 250, 200, 50)], DAY)
    assert {M.POSTAL, M.EXPRESS} <= {q.method for q in found}, market


@pytest.mark.parametrize("market", ["US", "GB", "DE", "FR", "JP", "AU"])
def test_the_main_markets_have_air_sea_and_fulfilment(market: str) -> None:
    parcel = [Parcel(400, 250, 200, 50)]
    from_china = {q.method for q in quotes(lane_book(), "CN", market, parcel, DAY)}
    assert {M.AIR_FREIGHT, M.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE} <= from_china
    assert M.PLATFORM_FULFILLED not in from_china, "fulfilment starts from stock already in the market"
    from_stock = {q.method for q in quotes(lane_book(), market, market, parcel, DAY)}
    assert from_stock == {M.PLATFORM_FULFILLED, M.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE}


def test_real_transit_figures_are_the_research_notes_in_calendar_days() -> None:
    """reference-facts s4: ePacket 7-15 business days x 7/5 = 9.8-21 -> 10-21; express to the EU 2-4
    business days x 7/5 = 2.8-5.6 -> 3-6; sea to a US West Coast warehouse 20-30 + local delivery 2-5 = 22-35."""
    book = lane_book()

    def transit(carrier: str, service: str, market: str) -> tuple[int, int]:
        lane = next(
            lane
            for lane in book.lanes
            if lane.carrier.code == carrier and lane.service == service and lane.serves(book.markets[market])
        )
        return lane.transit_p10_days, lane.transit_p90_days

    assert transit("CHINA_POST", "ePacket", "US") == (10, 21)
    assert transit("DHL_EXPRESS", "DHL Express Worldwide", "DE") == (3, 6)
    assert transit("SEA_FORWARDER", "LCL sea freight to a US West Coast warehouse", "US") == (22, 35)


@pytest.mark.parametrize(
    ("change", "why", "where"),
    [
        ({"lane": [_lane(carrier="NOPE")]}, "not a \\[\\[carrier\\]\\]", "[[lane]] #1"),
        ({"lane": [_lane(method="EXPRESS")]}, "offers POSTAL, not EXPRESS", "[[lane]] #1"),
        ({"lane": [_lane(method="BOAT")]}, "not one of", "[[lane]] #1"),
        ({"lane": [_lane(destinations=["US", "XX"])]}, "\\['XX'\\] are neither markets", "[[lane]] #1"),
        ({"lane": [_lane(destinations=[])]}, "non-empty list", "[[lane]] #1"),
        ({"lane": [_lane(origin="C1")]}, "not an ISO 3166", "[[lane]] #1"),
        ({"lane": [_lane(transit_p90_days=10)]}, "more than `transit_p10_days`", "[[lane]] #1"),
        ({"lane": [_lane(transit_p10_days=0)]}, "transit_p10_days", "[[lane]] #1"),
        ({"lane": [_lane(volumetric_divisor=0)]}, "volumetric_divisor", "[[lane]] #1"),
        ({"lane": [_lane(volumetric_divisor=True)]}, "volumetric_divisor", "[[lane]] #1"),
        ({"lane": [_lane(per_kg={"amount": "9", "currency": "EUR"})]}, "one currency", "[[lane]] #1"),
        ({"lane": [_lane(base=_usd("-1"))]}, "negative", "[[lane]] #1"),
        ({"lane": [_lane(source=None)]}, "source", "[[lane]] #1"),
        ({"lane": [_lane(confidence="X")]}, "confidence", "[[lane]] #1"),
        ({"lane": [_lane(valid_to="2025-01-01")]}, "after", "[[lane]] #1"),
        ({"lane": [_lane(origin=None, domestic=True)]}, "cross a border", "[[lane]] #1"),
        (
            {"lane": [_lane(carrier="WH", method="PLATFORM_FULFILLED", domestic=True)]},
            "leave `origin` out",
            "[[lane]] #1",
        ),
        ({"lane": [_lane(origin="US")]}, "one of its destinations", "[[lane]] #1"),
        ({"lane": [_lane(origin="FR", destinations=["EU"])]}, "one of its destinations", "[[lane]] #1"),
        ({"lane": [_lane(), _lane()]}, "overlaps \\[\\[lane\\]\\] #1 for US", "[[lane]] #2"),
        (
            {"lane": [_express(destinations=["EU"]), _express(destinations=["FR", "US"])]},
            "overlaps \\[\\[lane\\]\\] #1 for FR",
            "[[lane]] #2",
        ),
        ({"carrier": [*CARRIERS, _carrier()]}, "already defined", "[[carrier]] #4"),
        ({"carrier": [_carrier(tracking_prefix="L1")]}, "two letters", "[[carrier]] #1"),
        ({"carrier": [_carrier(tracking_suffix="XX")]}, "issuing post", "[[carrier]] #1"),
        (
            {"carrier": [_carrier(tracking_format="PREFIXED", tracking_suffix=None)]},
            "tracking_digits",
            "[[carrier]] #1",
        ),
        (
            {"carrier": [_carrier(tracking_format="UPS_1Z", tracking_prefix="1Z12", tracking_suffix=None)]},
            "1Z, the 6-character shipper account",
            "[[carrier]] #1",
        ),
        ({"carrier": [_carrier(methods=["BOAT"])]}, "not one of", "[[carrier]] #1"),
    ],
)
def test_a_bad_entry_in_the_lane_file_is_named(change: dict[str, Any], why: str, where: str) -> None:
    document = {"version": "t", "carrier": CARRIERS, "lane": [_lane()], **change}
    with pytest.raises(InvalidReferenceData, match=why) as refused:
        parse(document, MARKETS)
    assert str(refused.value).startswith(f"lanes.toml {where}")


def test_lanes_of_one_service_may_follow_each_other_in_time() -> None:
    book = _book(_lane(valid_to="2026-06-01"), _lane(valid_from="2026-06-01", base=_usd("4.00")))
    assert [lane.base for lane in book.lanes] == [Money.of("3.00", "USD"), Money.of("4.00", "USD")]


def test_lanes_priced_in_two_currencies_are_refused() -> None:
    with pytest.raises(InvalidReferenceData, match=r"USD, EUR|EUR, USD"):
        _book(
            _lane(),
            _express(base={"amount": "12", "currency": "EUR"}, per_kg={"amount": "7", "currency": "EUR"}),
        )


def test_a_domestic_lane_starts_in_each_market_it_serves() -> None:
    fulfilment = [lane for lane in BOOK.lanes if lane.method is M.PLATFORM_FULFILLED]
    assert sorted((lane.origin, sorted(lane.destinations)) for lane in fulfilment) == [
        ("DE", ["DE"]),
        ("FR", ["FR"]),
    ]
    assert all(lane.customs is CustomsMode.IN_BULK for lane in fulfilment)


def test_a_lane_id_is_stable_and_changes_with_the_terms() -> None:
    first, again = _book(_lane()).lanes[0], _book(_lane()).lanes[0]
    assert first.id == again.id == f"POST/small-packet/CN-US/2026-01-01/{first.id[-8:]}"
    assert _book(_lane(per_kg=_usd("9.50"))).lanes[0].id != first.id
    assert _book(_lane(note="a different note")).lanes[0].id == first.id  # notes are not terms
    assert BOOK.lane(first.id) == BOOK.lanes[0]
    assert BOOK.lane("POST/nothing") is None


# -- methods and customs ---------------------------------------------------------------------------------------
def test_methods_map_to_customs_and_to_the_regimes_way_of_travelling() -> None:
    assert [(m, customs_mode(m), regime_method(m)) for m in M] == [
        (M.POSTAL, CustomsMode.PER_PARCEL, ShippingMethod.POSTAL),
        (M.EXPRESS, CustomsMode.PER_PARCEL, ShippingMethod.EXPRESS),
        (M.AIR_FREIGHT, CustomsMode.PER_PARCEL, ShippingMethod.AIR_FREIGHT),
        (M.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE, CustomsMode.IN_BULK, None),
        (M.PLATFORM_FULFILLED, CustomsMode.IN_BULK, None),
    ]


# -- chargeable weight and quotes -----------------------------------------------------------------------------
def test_volume_outweighs_a_light_big_box_and_rounds_up_to_a_tenth() -> None:
    """500 g in 305 x 205 x 105 mm = 6,565.125 cm3.
    Express (divisor 5000): 6,565.125 / 5000 = 1.313025 kg > 0.5 kg, billed 1.4 kg.
    Postal (divisor 8000): 6,565.125 / 8000 = 0.820640625 kg > 0.5 kg, billed 0.9 kg."""
    assert chargeable_kg(LIGHT_BIG_BOX, 5000) == Decimal("1.4")
    assert chargeable_kg(LIGHT_BIG_BOX, 8000) == Decimal("0.9")


def test_weight_wins_for_a_heavy_small_box() -> None:
    """1,800 g in 3,000 cm3: 3,000 / 5000 = 0.6 kg < 1.8 kg, billed 1.8 kg (already a tenth)."""
    assert chargeable_kg(HEAVY_SMALL_BOX, 5000) == Decimal("1.8")


def test_a_quote_adds_base_and_per_kg_for_every_parcel() -> None:
    """Express from 2026-06-01: 12.00 + 7.00/kg.
    light big box: 1.4 kg -> 12.00 + 7.00 x 1.4 = 12.00 + 9.80 = 21.80
    heavy small box: 1.8 kg -> 12.00 + 7.00 x 1.8 = 12.00 + 12.60 = 24.60
    both: 46.40 USD for 3.2 kg. Transit 3-7 days: p50 = sqrt(3 x 7) = 4.58 -> 5 days, 2026-11-28."""
    (quote,) = quotes(BOOK, "CN", "US", [LIGHT_BIG_BOX, HEAVY_SMALL_BOX], DAY, {M.EXPRESS})
    assert quote.cost == Money.of("46.40", "USD")
    assert quote.chargeable_kg == Decimal("3.2")
    assert (quote.transit_p10_days, quote.transit_p50_days, quote.transit_p90_days) == (3, 5, 7)
    assert quote.estimated_delivery == date(2026, 11, 28)
    assert (quote.carrier.code, quote.service, quote.customs) == ("FAST", "Express", CustomsMode.PER_PARCEL)


def test_quotes_come_cheapest_first() -> None:
    """Light big box on 2026-11-23: postal 3.00 + 9.00 x 0.9 = 11.10 (p50 sqrt(210) = 14.5 -> 14 days);
    express 21.80."""
    found = quotes(BOOK, "CN", "US", [LIGHT_BIG_BOX], DAY)
    assert [(q.method, q.cost, q.transit_p50_days) for q in found] == [
        (M.POSTAL, Money.of("11.10", "USD"), 14),
        (M.EXPRESS, Money.of("21.80", "USD"), 5),
    ]


def test_at_equal_cost_the_faster_lane_comes_first() -> None:
    book = _book(
        _lane(transit_p10_days=20, transit_p90_days=40), _express(base=_usd("3.00"), per_kg=_usd("9.00"))
    )
    found = quotes(book, "CN", "US", [HEAVY_SMALL_BOX], DAY)
    assert found[0].cost == found[1].cost
    assert [q.method for q in found] == [M.EXPRESS, M.POSTAL]


@pytest.mark.parametrize(
    ("day", "express_cost", "packets"),
    [
        # before the repricing: 10.00 + 6.00 x 1.4 = 18.40
        (date(2026, 5, 31), "18.40", 1),
        # from it: 12.00 + 7.00 x 1.4 = 21.80
        (date(2026, 6, 1), "21.80", 1),
        # next year's packet joins: 1.00 + 9.00 x 0.9 = 9.10, cheapest
        (date(2027, 1, 1), "21.80", 2),
        # before any lane is in force
        (date(2025, 12, 31), None, 0),
    ],
)
def test_quotes_use_the_lanes_in_force_on_the_day(day: date, express_cost: str | None, packets: int) -> None:
    found = quotes(BOOK, "CN", "US", [LIGHT_BIG_BOX], day)
    express = [q.cost for q in found if q.method is M.EXPRESS]
    assert express == ([Money.of(express_cost, "USD")] if express_cost else [])
    assert sum(q.method is M.POSTAL for q in found) == packets
    if packets == 2:
        assert found[0].cost == Money.of("9.10", "USD")


def test_quotes_keep_only_the_methods_asked() -> None:
    assert [q.method for q in quotes(BOOK, "CN", "US", [LIGHT_BIG_BOX], DAY, {M.POSTAL})] == [M.POSTAL]
    assert quotes(BOOK, "CN", "US", [LIGHT_BIG_BOX], DAY, set()) == []


def test_a_lane_to_the_union_serves_its_members_only() -> None:
    assert [q.service for q in quotes(BOOK, "CN", "FR", [LIGHT_BIG_BOX], DAY)] == ["Express Europe"]
    assert "Express Europe" not in {q.service for q in quotes(BOOK, "CN", "US", [LIGHT_BIG_BOX], DAY)}


def test_quotes_start_where_the_goods_are() -> None:
    assert [q.lane.origin for q in quotes(BOOK, "hk", "US", [LIGHT_BIG_BOX], DAY)] == ["HK"]
    assert [(q.method, q.customs) for q in quotes(BOOK, "DE", "de", [LIGHT_BIG_BOX], DAY)] == [
        (M.PLATFORM_FULFILLED, CustomsMode.IN_BULK)
    ]
    assert quotes(BOOK, "US", "DE", [LIGHT_BIG_BOX], DAY) == []


def test_a_parcel_over_a_lanes_weight_limit_leaves_the_lane_out() -> None:
    """Postal takes parcels up to 2,000 g: one of 2,001 g leaves only express."""
    found = quotes(BOOK, "CN", "US", [LIGHT_BIG_BOX, Parcel(2001, 100, 100, 100)], DAY)
    assert [q.method for q in found] == [M.EXPRESS]


@pytest.mark.parametrize(
    ("origin", "destination", "parcels", "code", "field"),
    [
        ("CN", "XX", [LIGHT_BIG_BOX], "UNKNOWN_MARKET", ["destination"]),
        ("CN", "GB", [LIGHT_BIG_BOX], "UNKNOWN_MARKET", ["destination"]),  # not a market of this book
        ("ZZ", "US", [LIGHT_BIG_BOX], "INVALID_COUNTRY", ["origin"]),
        ("CN", "US", [], "INVALID_PARCELS", ["parcels"]),
        ("CN", "US", [Parcel(0, 10, 10, 10)], "INVALID_PARCELS", ["parcels", "0", "weightGrams"]),
        ("CN", "US", [LIGHT_BIG_BOX, Parcel(10, 10, -1, 10)], "INVALID_PARCELS", ["parcels", "1", "widthMm"]),
        ("CN", "US", [Parcel(10, 10, 10, 10_001)], "INVALID_PARCELS", ["parcels", "0", "heightMm"]),
    ],
)
def test_bad_quote_requests_are_refused(
    origin: str, destination: str, parcels: list[Parcel], code: str, field: list[str]
) -> None:
    with pytest.raises(DomainError) as refused:
        quotes(BOOK, origin, destination, parcels, DAY)
    assert (refused.value.code, refused.value.field) == (code, field)


@given(
    st.integers(1, 100_000),
    st.integers(1, 2000),
    st.integers(1, 2000),
    st.integers(1, 2000),
    st.sampled_from([5000, 6000, 8000]),
)
def test_chargeable_weight_is_the_greater_weight_rounded_up_less_than_a_tenth(
    grams: int, length: int, width: int, height: int, divisor: int
) -> None:
    billed = chargeable_kg(Parcel(grams, length, width, height), divisor)
    heavier = max(Decimal(grams) / 1000, Decimal(length * width * height) / 1000 / divisor)
    assert heavier <= billed < heavier + Decimal("0.1")
    assert billed % Decimal("0.1") == 0


# -- transit as a lognormal -----------------------------------------------------------------------------------
def test_the_lognormal_of_a_lane_has_its_p10_and_p90() -> None:
    """ePacket 10-21 days: mu = (ln 10 + ln 21) / 2 = (2.302585 + 3.044522) / 2 = 2.673554;
    sigma = (3.044522 - 2.302585) / (2 x 1.281552) = 0.741937 / 2.563103 = 0.289468; p50 = e^mu = 14.49."""
    lane = BOOK.lanes[0]
    mu, sigma = transit_lognormal(lane)
    assert mu == pytest.approx(2.673554, abs=1e-6)
    assert sigma == pytest.approx(0.289468, abs=1e-6)
    assert math.exp(mu) == pytest.approx(math.sqrt(10 * 21))
    draws = random.Random(20261123)
    sample = [draws.lognormvariate(mu, sigma) for _ in range(20_000)]
    assert sum(d < 10 for d in sample) / len(sample) == pytest.approx(0.10, abs=0.01)
    assert sum(d > 21 for d in sample) / len(sample) == pytest.approx(0.10, abs=0.01)


@given(st.integers(1, 200), st.integers(1, 165))
def test_any_lanes_range_round_trips_through_its_lognormal(p10: int, spread: int) -> None:
    lane = _book(_lane(transit_p10_days=p10, transit_p90_days=p10 + spread)).lanes[0]
    mu, sigma = transit_lognormal(lane)
    normal = NormalDist(mu, sigma)
    assert math.exp(normal.inv_cdf(0.1)) == pytest.approx(p10, rel=1e-9)
    assert math.exp(normal.inv_cdf(0.9)) == pytest.approx(p10 + spread, rel=1e-9)


# -- tracking numbers -----------------------------------------------------------------------------------------
def test_s10_check_digits_of_known_numbers() -> None:
    """Weights 8 6 4 2 3 5 9 7; check = 11 - sum mod 11, 10 -> 0, 11 -> 5.
    RR 47312482 9 GB: 32+42+12+2+6+20+72+14 = 200; 200 mod 11 = 2; 11 - 2 = 9.
    RB 12345678 5 GB: 8+12+12+8+15+30+63+56 = 204; 204 mod 11 = 6; 11 - 6 = 5.
    EE 87654321 ? CN: 64+42+24+10+12+15+18+7 = 192; 192 mod 11 = 5; 11 - 5 = 6, so ...216CN, not ...210CN.
    00060000: 6 x 2 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> 0.  00000000: 0; 11 - 0 = 11 -> 5."""
    assert s10_check_digit("47312482") == 9
    assert s10_check_digit("12345678") == 5
    assert s10_check_digit("87654321") == 6
    assert s10_check_digit("00060000") == 0
    assert s10_check_digit("00000000") == 5
    for number in ("RR473124829GB", "RB123456785US", " rb123456785gb ", "EE876543216CN", "RR000600000CN"):
        assert is_valid_s10(number), number
    for number in ("EE876543210CN", "RB123456786US", "RB123456785XX", "RB12345678GB", "R1123456785GB"):
        assert not is_valid_s10(number), number
    with pytest.raises(ValueError, match="8 digits"):
        s10_check_digit("1234567")


def _carrier_of(form: TrackingFormat, prefix: str = "", suffix: str = "", digits: int = 0) -> Carrier:
    serial_digits = {"UPU_S10": 8, "DHL_EXPRESS": 9, "FEDEX_EXPRESS": 11, "UPS_1Z": 7}.get(form, digits)
    return Carrier("C", "C", frozenset({M.EXPRESS}), form, prefix, suffix, serial_digits, "s")


@pytest.mark.parametrize(
    ("carrier", "serial", "number"),
    [
        # S10 (RB 12345678 -> 5, above)
        (_carrier_of(TrackingFormat.UPU_S10, "RB", "GB"), 12345678, "RB123456785GB"),
        # DHL Express: 331881002 mod 7 = 331881002 - 7 x 47411571 = 5 (jkeen valid 3318810025)
        (_carrier_of(TrackingFormat.DHL_EXPRESS), 331881002, "3318810025"),
        # 848713550 mod 7 = 848713550 - 7 x 121244792 = 6 (jkeen valid 8487135506)
        (_carrier_of(TrackingFormat.DHL_EXPRESS), 848713550, "8487135506"),
        # FedEx 12: 9x3+8x1+6x7+5x3+7x1+8x7+7x3+8x1+8x7+8x3+5x1 = 269; 269 mod 11 = 5; mod 10 = 5
        (_carrier_of(TrackingFormat.FEDEX_EXPRESS), 98657878885, "986578788855"),
        # UPS: 5R8939035756712, R -> (82 - 3) mod 10 = 9; even places 5+8+3+0+5+5+7+2 = 35,
        # odd places (9+9+9+3+7+6+1) x 2 = 88; 123 mod 10 = 3; 10 - 3 = 7 (jkeen valid 1Z5R89390357567127)
        (_carrier_of(TrackingFormat.UPS_1Z, "1Z5R893903"), 5756712, "1Z5R89390357567127"),
        (_carrier_of(TrackingFormat.PREFIXED, "YT", digits=16), 42, "YT0000000000000042"),
    ],
)
def test_tracking_numbers_follow_the_carriers_format(carrier: Carrier, serial: int, number: str) -> None:
    assert make_tracking_number(carrier, serial) == number


def test_serials_past_a_formats_capacity_start_again() -> None:
    post = _carrier_of(TrackingFormat.UPU_S10, "LX", "CN")
    assert make_tracking_number(post, 10**8 + 12345678) == make_tracking_number(post, 12345678)
    with pytest.raises(ValueError, match="non-negative"):
        make_tracking_number(post, -1)


@pytest.mark.parametrize("code", sorted(lane_book().carriers))
def test_every_carrier_makes_distinct_valid_numbers(code: str) -> None:
    carrier = lane_book().carriers[code]
    numbers = [make_tracking_number(carrier, serial) for serial in (0, 1, 2, 99_999_999)]
    assert len(set(numbers)) == 4
    assert [validate_tracking_number(n) for n in numbers] == numbers
    assert make_tracking_number(carrier, 7) == make_tracking_number(carrier, 7)
    if carrier.tracking_format is TrackingFormat.UPU_S10:
        assert all(is_valid_s10(n) and n.endswith(carrier.tracking_suffix) for n in numbers)


def test_china_posts_sandbox_numbers_are_s10() -> None:
    """LX 00000001: 1 x 7 = 7; 11 - 7 = 4."""
    assert make_tracking_number(lane_book().carriers["CHINA_POST"], 1) == "LX000000014CN"


@pytest.mark.parametrize(
    ("text", "normalised"),
    [(" lx000000014cn\n", "LX000000014CN"), ("1Z5R89390357567127", "1Z5R89390357567127"), ("AB-12", "AB-12")],
)
def test_tracking_numbers_are_trimmed_and_capitalised(text: str, normalised: str) -> None:
    assert validate_tracking_number(text) == normalised


@pytest.mark.parametrize(
    "text", ["", "   ", "AB12", "X" * 41, "LX 000 000 014 CN", "LX_1234", "\uff2c\uff3812345", "abc\x00de"]
)
def test_malformed_tracking_numbers_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        validate_tracking_number(text, ["input", "trackingNumber"])
    assert (refused.value.code, refused.value.field) == (
        "INVALID_TRACKING_NUMBER",
        ["input", "trackingNumber"],
    )
