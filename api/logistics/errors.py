"""The codes shipping commands can be refused with."""

from api.errors import error_code_enum, user_error_type

DECLARATION_CODES = {
    "INVALID_HS_CODE",
    "HS_EDITION_NOT_LOADED",
    "CURRENCY_MISMATCH",
    "INVALID_DECLARED_VALUE",
    "EXPORT_RIGHTS_MISSING",
    "MISSING_SCHEME_NUMBER",
}

ShippingErrorCode = error_code_enum(
    "ShippingErrorCode",
    {
        "ORDER_NOT_SHIPPABLE",
        "NOTHING_TO_SHIP",
        "DUPLICATE_LINE",
        "INVALID_QUANTITY",
        "INVALID_PACKAGE",
        "INVALID_PARCELS",
        "METHOD_NOT_POSSIBLE",
        "NO_LANE",
        "UNKNOWN_MARKET",
        "INVALID_COUNTRY",
        "COMPLIANCE_MISSING",
        "DUPLICATE_TRACKING_NUMBER",
        "INVALID_TRACKING_NUMBER",
        "UNKNOWN_TRACKING_NUMBER",
        "UNKNOWN_CARRIER",
        "INVALID_EVENT_TYPE",
        "INVALID_TIME",
        "DUPLICATE_EVENT",
        "SHIPMENT_NOT_CANCELLABLE",
        "ILLEGAL_TRANSITION",
        "INVALID_AMOUNT",
        *DECLARATION_CODES,
    },
    "Why a shipping command (shipments, scans) was refused.",
)
ShippingUserError = user_error_type("ShippingUserError", ShippingErrorCode, "shipping")
