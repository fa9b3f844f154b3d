"""The reference rules, pure: the data file checks out, and each rule is found as of its own day, so a
season that crosses a change applies each rule in its time. Figures are those of the rules file, checked
by hand against its sources' notes."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from domain.catalog.model import Platform, ProductCategory
from domain.markets.reference import (
    DutyTreatment,
    InvalidReferenceData,
    TaxCollection,
    parse,
    reference,
    validate_market,
)
from domain.markets.rules import (
    band_currency,
    certifications_for,
    duty_rate,
    fee_for,
    regime_for,
    rules_as_of,
)
from domain.shared.errors import DomainError
from domain.shared.money import Money

REQUIRED = {"US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "SE", "AU", "JP", "SG", "KR", "BR", "MX"}
TODAY = date(2026, 11, 23)


def _rules(code: str, day: date = TODAY):  # type: ignore[no-untyped-def]
    return rules_as_of(validate_market(code), day)


def test_every_required_market_is_there_with_iso_data() -> None:
    markets = reference().markets
    assert set(markets) >= REQUIRED
    assert markets["DE"].name == "Germany" and markets["DE"].union == "EU"
    assert {code: markets[code].currency(TODAY) for code in ("US", "GB", "JP", "PL", "KR")} == {
        "US": "USD",
        "GB": "GBP",
        "JP": "JPY",
        "PL": "PLN",
        "KR": "KRW",
    }


def test_every_market_has_a_consumption_tax_and_a_regime_today() -> None:
    for code in REQUIRED:
        rules = _rules(code)
        assert rules.taxes, code
        assert rules.regimes, code


def test_rules_of_one_kind_never_overlap_in_time() -> None:
    ref = reference()
    groups = itertools.groupby(
        sorted(ref.taxes, key=lambda t: (t.scope, t.kind)), key=lambda t: (t.scope, t.kind)
    )
    for key, taxes in groups:
        periods = sorted((t.validity.valid_from, t.validity.valid_to or date.max) for t in taxes)
        for (_, end), (start, _) in itertools.pairwise(periods):
            assert end <= start, key
    regimes = sorted(ref.regimes, key=lambda r: (r.scope, sorted(r.origins), str(r.over), str(r.up_to)))
    for key, same in itertools.groupby(
        regimes, key=lambda r: (r.scope, sorted(r.origins), str(r.over), str(r.up_to))
    ):
        periods = sorted((r.validity.valid_from, r.validity.valid_to or date.max) for r in same)
        for (_, end), (start, _) in itertools.pairwise(periods):
            assert end <= start, key


def test_every_entry_names_its_source() -> None:
    ref = reference()
    for rule in (*ref.taxes, *ref.regimes, *ref.duties, *ref.certifications, *ref.fees):
        assert rule.validity.source and rule.validity.confidence in {"H", "M", "L"}


@pytest.mark.parametrize(
    ("day", "duty", "per_line"),
    [
        (date(2026, 6, 30), DutyTreatment.EXEMPT, None),
        (date(2026, 7, 1), DutyTreatment.PER_TARIFF_LINE, Money.of(3, "EUR")),
    ],
)
def test_the_eu_low_value_duty_changes_on_2026_07_01(
    day: date, duty: DutyTreatment, per_line: Money | None
) -> None:
    regime = regime_for(_rules("FR", day), Money.of("149.99", "EUR"), "CN")
    assert regime is not None
    assert (regime.name, regime.tax, regime.duty, regime.duty_per_line) == (
        "IOSS",
        TaxCollection.AT_SALE,
        duty,
        per_line,
    )


def test_an_eu_consignment_over_150_pays_vat_and_duty_at_the_border() -> None:
    regime = regime_for(_rules("DE"), Money.of("150.01", "EUR"), "CN")
    assert regime is not None and (regime.tax, regime.duty) == (TaxCollection.AT_BORDER, DutyTreatment.FULL)
    assert regime_for(_rules("DE"), Money.of("150.00", "EUR"), "CN").name == "IOSS"  # type: ignore[union-attr]


def test_the_us_de_minimis_ends_on_2025_08_29() -> None:
    before = regime_for(_rules("US", date(2025, 8, 28)), Money.of("799", "USD"), "CN")
    after = regime_for(_rules("US", date(2025, 8, 29)), Money.of("5", "USD"), "CN")
    assert before is not None and before.duty is DutyTreatment.EXEMPT
    assert after is not None and (after.name, after.duty) == ("NO_DE_MINIMIS", DutyTreatment.FULL)


@pytest.mark.parametrize(
    ("origin", "value", "name", "tax", "duty"),
    [
        ("US", "35", "CUSMA_COURIER", TaxCollection.EXEMPT, DutyTreatment.EXEMPT),
        ("MX", "120", "CUSMA_COURIER", TaxCollection.AT_BORDER, DutyTreatment.EXEMPT),
        ("CN", "35", "STANDARD_IMPORT", TaxCollection.AT_BORDER, DutyTreatment.FULL),
        ("CN", "20", "LOW_VALUE", TaxCollection.EXEMPT, DutyTreatment.EXEMPT),
    ],
)
def test_canada_depends_on_origin_and_value(
    origin: str, value: str, name: str, tax: TaxCollection, duty: DutyTreatment
) -> None:
    regime = regime_for(_rules("CA"), Money.of(value, "CAD"), origin)
    assert regime is not None and (regime.name, regime.tax, regime.duty) == (name, tax, duty)


def test_brazil_bands_and_mexico_origins() -> None:
    small = regime_for(_rules("BR"), Money.of("50", "USD"), "CN")
    large = regime_for(_rules("BR"), Money.of("50.01", "USD"), "CN")
    assert small is not None and small.flat_rate == Decimal("0.20") and small.deduction is None
    assert large is not None and large.flat_rate == Decimal("0.60") and large.deduction == Money.of(20, "USD")
    china = regime_for(_rules("MX"), Money.of("100", "USD"), "CN")
    usa = regime_for(_rules("MX"), Money.of("100", "USD"), "US")
    assert china is not None and china.flat_rate == Decimal("0.335")
    assert usa is not None and usa.flat_rate == Decimal("0.17")


def test_singapore_gst_rose_on_2024_01_01() -> None:
    assert [t.rate for t in _rules("SG", date(2023, 12, 31)).taxes] == [Decimal("0.08")]
    assert [t.rate for t in _rules("SG", date(2024, 1, 1)).taxes] == [Decimal("0.09")]


def test_a_rule_whose_start_was_not_researched_is_not_guessed_before_it() -> None:
    assert regime_for(_rules("JP", date(2023, 12, 31)), Money.of(5000, "JPY"), "CN") is None
    regime = regime_for(_rules("JP"), Money.of(10000, "JPY"), "CN")
    assert regime is not None and regime.validity.start_known is False


def test_duty_rates_by_subheading_and_scope() -> None:
    assert duty_rate(_rules("US"), "6109100010").rate == Decimal("0.165")  # type: ignore[union-attr]
    assert duty_rate(_rules("IT"), "610910").rate == Decimal("0.12")  # type: ignore[union-attr]
    assert duty_rate(_rules("GB"), "640419").rate == Decimal("0.16")  # type: ignore[union-attr]
    assert duty_rate(_rules("JP"), "610910") is None


def test_certifications_by_market_and_category() -> None:
    assert [c.code for c in certifications_for(_rules("GB"), ProductCategory.ELECTRONICS)] == ["UKCA"]
    assert certifications_for(_rules("GB"), ProductCategory.ELECTRONICS)[0].accepts == {"CE"}
    assert [c.code for c in certifications_for(_rules("US"), ProductCategory.TOYS)] == ["CPC"]
    assert certifications_for(_rules("US"), ProductCategory.APPAREL) == ()


def test_the_most_specific_fee_schedule_wins() -> None:
    us = _rules("US")
    assert fee_for(us, Platform.AMAZON, ProductCategory.ELECTRONICS).referral_rate == Decimal("0.08")  # type: ignore[union-attr]
    assert fee_for(us, Platform.AMAZON, ProductCategory.TOYS).referral_rate == Decimal("0.15")  # type: ignore[union-attr]
    assert fee_for(_rules("DE"), Platform.ALIEXPRESS, ProductCategory.TOYS).marketplace == "*"  # type: ignore[union-attr]
    assert fee_for(_rules("DE"), Platform.EBAY, ProductCategory.TOYS) is None


def test_an_unknown_market_is_a_typed_error() -> None:
    with pytest.raises(DomainError) as refused:
        validate_market("XX")
    assert refused.value.code == "UNKNOWN_MARKET" and "US" in refused.value.message


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (
            {
                "scope": "ZZ",
                "kind": "VAT",
                "rate": "0.2",
                "valid_from": "2020-01-01",
                "source": "s",
                "confidence": "H",
            },
            "scope",
        ),
        (
            {
                "scope": "DE",
                "kind": "VAT",
                "rate": "1.2",
                "valid_from": "2020-01-01",
                "source": "s",
                "confidence": "H",
            },
            "fraction",
        ),
        (
            {
                "scope": "DE",
                "kind": "VAT",
                "rate": "0.2",
                "valid_from": "2020-01-01",
                "valid_to": "2019-01-01",
                "source": "s",
                "confidence": "H",
            },
            "after",
        ),
        (
            {"scope": "DE", "kind": "VAT", "rate": "0.2", "valid_from": "2020-01-01", "confidence": "H"},
            "source",
        ),
    ],
)
def test_a_bad_entry_in_the_rules_file_is_named(entry: dict[str, str], why: str) -> None:
    with pytest.raises(InvalidReferenceData, match=why) as refused:
        parse({"market": [{"code": "DE", "union": "EU"}], "tax": [entry]})
    assert "[[tax]] #1" in str(refused.value)


@pytest.mark.parametrize(
    "day", [date(2026, 11, 23), date(2027, 7, 1), date(2028, 5, 1), date(2028, 8, 1), date(2031, 1, 1)]
)
def test_every_value_falls_in_some_regime_on_every_day(day: date) -> None:
    for code in REQUIRED:
        rules = _rules(code, day)
        currency = next((band_currency(r) for r in rules.regimes if band_currency(r)), "USD")
        for amount in ("1", "19.99", "149.99", "150", "150.01", "999", "2600", "50000"):
            assert regime_for(rules, Money.of(amount, currency), "CN") is not None, (code, day, amount)
