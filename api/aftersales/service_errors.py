"""The codes service-ticket, complaint and SLA-policy commands can be refused with."""

from api.errors import error_code_enum, user_error_type

TicketErrorCode = error_code_enum(
    "TicketErrorCode",
    {"ORDER_NOT_DELIVERED", "TICKET_CLOSED", "ILLEGAL_TRANSITION"},
    "Why a service-ticket command was refused: ORDER_NOT_DELIVERED (a WARRANTY or REPAIR ticket needs "
    "delivered goods), TICKET_CLOSED (a closed ticket takes no more messages or changes), "
    "ILLEGAL_TRANSITION (the ticket cannot move there from where it is).",
)
TicketUserError = user_error_type("TicketUserError", TicketErrorCode, "service-ticket")

ComplaintErrorCode = error_code_enum(
    "ComplaintErrorCode",
    {
        "AMOUNT_REQUIRED",
        "INVALID_AMOUNT",
        "INVALID_CURRENCY",
        "AMOUNT_TOO_LARGE",
        "UNEXPECTED_AMOUNT",
        "UNEXPECTED_LINES",
        "ALREADY_CHARGED_BACK",
        "NOTHING_TO_REFUND",
        "NOTHING_TO_REPLACE",
        "ALREADY_REFUNDED",
        "COMPLAINT_RESOLVED",
        "ILLEGAL_TRANSITION",
        "DUPLICATE_LINE",
        "INVALID_QUANTITY",
        "OUT_OF_STOCK",
        "ORDER_NOT_DELIVERED",
    },
    "Why a complaint command was refused: AMOUNT_TOO_LARGE (more than the seller holds for the order), "
    "ALREADY_CHARGED_BACK (the bank already took the money back: no second remedy), COMPLAINT_RESOLVED (a "
    "resolved complaint takes no more changes), ORDER_NOT_DELIVERED (a REPLACEMENT needs a delivered "
    "order), NOTHING_TO_REPLACE (a REPLACEMENT only for units delivered, not in a return and not sent again "
    "already), OUT_OF_STOCK (no warehouse can send a replacement), and input codes.",
)
ComplaintUserError = user_error_type("ComplaintUserError", ComplaintErrorCode, "complaint")

SlaErrorCode = error_code_enum(
    "SlaErrorCode",
    {"INVALID_HOURS"},
    "Why an SLA policy was refused: INVALID_HOURS (first response 1 to 8760 hours, resolution no sooner "
    "than the first response), NOT_FOUND (no such channel).",
)
SlaUserError = user_error_type("SlaUserError", SlaErrorCode, "SLA policy")
