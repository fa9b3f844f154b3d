"""The codes catalog commands can be refused with."""

from api.errors import error_code_enum, user_error_type

CatalogErrorCode = error_code_enum(
    "CatalogErrorCode",
    {
        "INVALID_HS_CODE",
        "INVALID_CURRENCY",
        "INVALID_COUNTRY",
        "CURRENCY_MISMATCH",
        "DUPLICATE_SKU",
        "DUPLICATE_LISTING",
        "INVALID_AMOUNT",
        "INVALID_MEASURE",
        "INVALID_FEE",
        "ILLEGAL_TRANSITION",
        "COMPLIANCE_MISSING",
    },
    "Why a catalog command (channels, products, listings) was refused.",
)
CatalogUserError = user_error_type("CatalogUserError", CatalogErrorCode, "catalog")
