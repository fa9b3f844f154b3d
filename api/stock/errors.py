"""The codes stock commands can be refused with."""

from api.errors import error_code_enum, user_error_type

StockErrorCode = error_code_enum(
    "StockErrorCode",
    {
        "INVALID_COUNTRY",
        "CHANNEL_NOT_ALLOWED",
        "INVALID_QUANTITY",
        "INVALID_SAMPLE_SIZE",
        "DEFECTS_EXCEED_SAMPLE",
        "INVALID_PASSED_QUANTITY",
        "LOT_ALREADY_INSPECTED",
    },
    "Why a stock command (warehouses, lots, inspections) was refused.",
)
StockUserError = user_error_type("StockUserError", StockErrorCode, "stock")
