"""The codes a return (RMA) command can be refused with."""

from api.errors import error_code_enum, user_error_type

ReturnErrorCode = error_code_enum(
    "ReturnErrorCode",
    {
        "NOT_DELIVERED",
        "QUANTITY_ABOVE_DELIVERED",
        "ALREADY_RETURNED",
        "RETURN_WINDOW_CLOSED",
        "UNKNOWN_REASON",
        "INVALID_REASON_CODE",
        "DUPLICATE_REASON",
        "EMPTY_RETURN",
        "TOO_MANY_LINES",
        "DUPLICATE_LINE",
        "INVALID_QUANTITY",
        "NOT_IN_RETURN",
        "NOT_RECEIVED",
        "ALREADY_REFUNDED",
        "INVALID_RESOLUTION",
        "INVALID_AMOUNT",
        "AMOUNT_TOO_LARGE",
        "ILLEGAL_TRANSITION",
        "WAREHOUSE_REQUIRED",
        "OUT_OF_STOCK",
        "NOTHING_TO_REPLACE",
    },
    "Why a return command was refused: NOT_DELIVERED (those units have not reached the consumer), "
    "QUANTITY_ABOVE_DELIVERED (more than were delivered and not yet in a return), ALREADY_RETURNED (every "
    "delivered unit is in a return already), RETURN_WINDOW_CLOSED (the channel's return window is over), "
    "UNKNOWN_REASON, AMOUNT_TOO_LARGE (a refund above what is held for the order, or above the lines' "
    "value), ILLEGAL_TRANSITION (the return's status does not allow it), and input errors.",
)
ReturnUserError = user_error_type("ReturnUserError", ReturnErrorCode, "return")
