"""The codes a feedback command can be refused with."""

from api.errors import error_code_enum, user_error_type

FeedbackErrorCode = error_code_enum(
    "FeedbackErrorCode",
    {"INVALID_RATING", "ALREADY_RATED", "NOT_DELIVERED"},
    "Why a rating was refused: INVALID_RATING (not 1 to 5 stars), ALREADY_RATED (one rating per order "
    "line), NOT_DELIVERED (the line's units have not reached the consumer).",
)
FeedbackUserError = user_error_type("FeedbackUserError", FeedbackErrorCode, "feedback")
