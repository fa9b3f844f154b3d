"""The codes currency commands can be refused with."""

from api.errors import error_code_enum, user_error_type

CurrencyErrorCode = error_code_enum(
    "CurrencyErrorCode",
    {
        "INVALID_CURRENCY",
        "INVALID_PAIR",
        "INVALID_RATE",
        "INVALID_CSV",
        "INVALID_DATE",
        "INVALID_RANGE",
        "INVALID_AMOUNT",
        "PAST_MATURITY",
        "HOME_CURRENCY_LOCKED",
    },
    "Why a currency command (rates, locks, the home currency) was refused.",
)
CurrencyUserError = user_error_type("CurrencyUserError", CurrencyErrorCode, "currency")
