"""The codes compliance commands can be refused with."""

from api.errors import error_code_enum, user_error_type

ComplianceErrorCode = error_code_enum(
    "ComplianceErrorCode",
    {"INVALID_VALIDITY", "INVALID_COUNTRY"},
    "Why a compliance command (registrations, certifications) was refused.",
)
ComplianceUserError = user_error_type("ComplianceUserError", ComplianceErrorCode, "compliance")
