"""The codes order and payment commands can be refused with."""

from api.errors import error_code_enum, user_error_type

OrderErrorCode = error_code_enum(
    "OrderErrorCode",
    {
        "EMPTY_ORDER",
        "TOO_MANY_LINES",
        "INVALID_QUANTITY",
        "LISTING_NOT_ON_CHANNEL",
        "LISTING_NOT_ACTIVE",
        "ILLEGAL_TRANSITION",
        "CURRENCY_MISMATCH",
        "INVALID_CURRENCY",
        "INVALID_COUNTRY",
        "INVALID_AMOUNT",
        "NOT_PAID",
        "OUT_OF_STOCK",
        "ALREADY_SETTLED",
        "NOTHING_TO_SETTLE",
        "NO_RATE",
    },
    "Why an order command was refused.",
)
OrderUserError = user_error_type("OrderUserError", OrderErrorCode, "order")

PaymentErrorCode = error_code_enum(
    "PaymentErrorCode",
    {"ORDER_NOT_PAYABLE", "NOTHING_TO_CAPTURE", "AMOUNT_TOO_LARGE", "INVALID_AMOUNT", "ILLEGAL_TRANSITION"},
    "Why a payment command was refused.",
)
PaymentUserError = user_error_type("PaymentUserError", PaymentErrorCode, "payment")
