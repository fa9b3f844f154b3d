"""Mutations on the tax ledger: filing the return of tax collected at sale."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.commands import IDEMPOTENCY, INPUT, run_command
from api.context import Info
from api.errors import to_user_error
from api.taxes.errors import TaxErrorCode, TaxUserError
from api.taxes.types import TaxReturnFiling
from domain.taxes import handlers


@strawberry.input(description="The return to file: a scheme's tax collected at sale in one month.")
class TaxReturnFileInput:
    scheme: str = strawberry.field(
        description="The collect-at-sale scheme, as the tax ledger names it (IOSS, UK_LOW_VALUE...)."
    )
    jurisdiction: str | None = strawberry.field(
        default=None, description="Only this jurisdiction's tax (DE, EU); leave out for all of the scheme's."
    )
    month: str = strawberry.field(description="The month, YYYY-MM; it must have ended.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of taxReturnFile.")
class TaxReturnFilePayload:
    filed: TaxReturnFiling | None = strawberry.field(description="The filing, unless refused.")
    user_errors: list[TaxUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type
class TaxMutation:
    @strawberry.mutation(
        description="File and pay a month's return of the tax you collected at sale under a scheme (IOSS, "
        "the UK's, Australia's...): each of your at-sale liabilities of the scheme from that month that is "
        "neither paid nor reversed gets a PAYMENT, and taxReport shows it paid. A return is filed after "
        "its month (PERIOD_NOT_ENDED before). Tax a marketplace collected is its to remit, not yours. "
        "A paid liability is not reversed when its sale is cancelled later: the ledger keeps the return "
        "as filed (in real life such a cancellation is corrected in a later return)."
    )
    async def tax_return_file(
        self, info: Info, input: Annotated[TaxReturnFileInput, INPUT]
    ) -> TaxReturnFilePayload:
        outcome = await run_command(
            info.context,
            "taxReturnFile",
            lambda: handlers.FileReturn(
                scheme=input.scheme, month=input.month, jurisdiction=input.jurisdiction
            ),
            handlers.file_return,
            handlers.ReturnFiled,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return TaxReturnFilePayload(
            filed=None if outcome.result is None else TaxReturnFiling.from_result(outcome.result),
            user_errors=[to_user_error(TaxUserError, TaxErrorCode, e) for e in outcome.errors],
        )
