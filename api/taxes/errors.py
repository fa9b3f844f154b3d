"""The codes tax commands can be refused with."""

from api.errors import error_code_enum, user_error_type

TaxErrorCode = error_code_enum(
    "TaxErrorCode",
    {"INVALID_PERIOD", "PERIOD_NOT_ENDED", "UNKNOWN_SCHEME", "NOTHING_OUTSTANDING"},
    "Why a tax command (filing a return) was refused.",
)
TaxUserError = user_error_type("TaxUserError", TaxErrorCode, "tax")
