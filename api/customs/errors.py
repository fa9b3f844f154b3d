"""The codes customs commands can be refused with."""

from api.errors import error_code_enum, user_error_type
from api.logistics.errors import DECLARATION_CODES

CustomsErrorCode = error_code_enum(
    "CustomsErrorCode",
    {
        "NOT_A_DRAFT",
        "NOT_LODGED",
        "NOT_HELD",
        "NOT_PRESENTED",
        "EXPORT_NOT_CLEARED",
        "SHIPMENT_ENDED",
        "ILLEGAL_TRANSITION",
        "HOLD_REASON_REQUIRED",
        "UNEXPECTED_HOLD_REASON",
        "CHARGES_UNPAID",
        "NO_CHARGES_DUE",
        "TOO_MANY_DOCUMENTS",
        "EMPTY_RESPONSE",
        "EMPTY_CORRECTION",
        "NO_RULES",
        "NO_RATE",
        "INVALID_AMOUNT",
        "INVALID_CURRENCY",
        *DECLARATION_CODES,
    },
    "Why a customs command (lodging, decisions, responses, charges) was refused.",
)
CustomsUserError = user_error_type("CustomsUserError", CustomsErrorCode, "customs")
