"""GraphQL for feedback: the consumer's rating of a delivered order line (a sandbox mutation), the list of
ratings, and a product's quality per market."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import sqlalchemy as sa
import strawberry

from api.aftersales.feedback_errors import FeedbackErrorCode, FeedbackUserError
from api.catalog.types import Product
from api.commands import INPUT, run_command
from api.context import Info
from api.errors import refusals_as_errors, to_user_error
from api.markets.types import Confidence
from api.money import Money
from api.paging import After, First, connection, query_id, query_text
from api.prefetch import Relation
from api.relay import Connection, Node, decode_id, to_global_id
from domain.aftersales import feedback as handlers
from domain.aftersales import quality
from domain.aftersales.queries import FEEDBACK
from domain.db.reads import Row

if TYPE_CHECKING:
    from api.orders.types import Order

RELATIONS = {"order": Relation("order", "order_id"), "product": Relation("product", "product_id")}


@strawberry.type(description="A consumer's rating of one order line, given after delivery; never changed.")
class Feedback(Node):
    rating: int = strawberry.field(description="Stars, 1 to 5.")
    text: str | None = strawberry.field(description="What the consumer wrote, if anything.")
    market: str = strawberry.field(description="The order's destination country (ISO 3166-1 alpha-2).")
    order_line_id: strawberry.ID = strawberry.field(description="The order line rated (OrderLine.id).")
    given_at: datetime = strawberry.field(description="When it was given (workspace clock).")
    _order_id: strawberry.Private[uuid.UUID]
    _product_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The order the rated line belongs to.")
    def order(self, info: Info) -> Annotated[Order, strawberry.lazy("api.orders.types")]:
        from api.orders.types import Order

        return info.context.loaders.order.node(self._order_id, Order.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The product rated, as it is now.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Row) -> Feedback:
        return cls(
            id=to_global_id("Feedback", row.id),
            rating=row.rating,
            text=row.text,
            market=row.market,
            order_line_id=to_global_id("OrderLine", row.order_line_id),
            given_at=row.given_at,
            _order_id=row.order_id,
            _product_id=row.product_id,
        )

    @classmethod
    def of_line(cls, rows: list[Row]) -> Feedback | None:
        """A line's rating (there is at most one), or null."""
        return cls.from_row(rows[0]) if rows else None


# -- rating -----------------------------------------------------------------------------------------------


@strawberry.input(description="The consumer rates a delivered order line (sandbox only: it stands for them).")
class FeedbackGiveInput:
    order_line_id: strawberry.ID = strawberry.field(description="The line (Order.lines.id).")
    rating: int = strawberry.field(description="Stars, 1 to 5.")
    text: str | None = strawberry.field(default=None, description="What the consumer writes, up to 2,000.")


@strawberry.type(description="Result of feedbackGive.")
class FeedbackGivePayload:
    feedback: Feedback | None = strawberry.field(description="The rating as stored, unless refused.")
    order: Annotated[Order, strawberry.lazy("api.orders.types")] | None = strawberry.field(
        description="The rated line's order as it is now (its timeline shows the rating), unless refused."
    )
    user_errors: list[FeedbackUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        description="The consumer rates a delivered order line, 1 to 5 stars with optional text (sandbox "
        "only). Once per line; the line's units must have been delivered."
    )
    async def feedback_give(
        self, info: Info, input: Annotated[FeedbackGiveInput, INPUT]
    ) -> FeedbackGivePayload:
        from api.orders.types import Order

        outcome = await run_command(
            info.context,
            "feedbackGive",
            lambda: handlers.GiveFeedback(
                decode_id(input.order_line_id, "OrderLine", ["input", "orderLineId"]),
                input.rating,
                input.text,
            ),
            handlers.give_feedback,
            uuid.UUID,
        )
        errors = [to_user_error(FeedbackUserError, FeedbackErrorCode, e) for e in outcome.errors]
        if outcome.result is None:
            return FeedbackGivePayload(feedback=None, order=None, user_errors=errors)
        row = await info.context.loaders.feedback.get(outcome.result)
        order = Order.from_row(await info.context.loaders.order.get(row.order_id))
        return FeedbackGivePayload(feedback=Feedback.from_row(row), order=order, user_errors=errors)


# -- product quality --------------------------------------------------------------------------------------


@strawberry.type(description="How many ratings gave a number of stars.")
class StarCount:
    stars: int = strawberry.field(description="1 to 5.")
    count: int = strawberry.field(description="Ratings with that many stars.")


@strawberry.type(description="A return reason and the units returned for it.")
class ReturnReasonCount:
    code: str = strawberry.field(description="The reason's code, built in (e.g. SIZE_FIT) or the seller's.")
    units: int = strawberry.field(description="Units returned for it.")
    share: Decimal = strawberry.field(description="Its share of the units returned, a fraction (0.25 = 25%).")


@strawberry.type(
    description="A product's quality in one market, or (market null) in all of them together. Rates are "
    "fractions rounded half up to 4 decimals; null where nothing was delivered."
)
class ProductQualityRow:
    market: str | None = strawberry.field(description="The destination country; null: every market here.")
    rating_count: int = strawberry.field(description="How many ratings.")
    average_rating: Decimal | None = strawberry.field(
        description="Mean stars, 2 decimals rounded half up; null without ratings."
    )
    distribution: list[StarCount] = strawberry.field(description="Ratings of 1, 2, 3, 4 and 5 stars.")
    units_sold: int = strawberry.field(
        description="Units delivered to consumers (only delivered units can come back)."
    )
    units_returned: int = strawberry.field(
        description="Units on returns that were neither declined nor cancelled."
    )
    return_rate: Decimal | None = strawberry.field(description="unitsReturned / unitsSold.")
    top_return_reasons: list[ReturnReasonCount] = strawberry.field(
        description="Up to 5 reasons, most units first; empty without returns."
    )
    delivered_orders: int = strawberry.field(description="Orders on which the product was delivered.")
    complaints: int = strawberry.field(description="Complaints on those orders.")
    complaint_rate: Decimal | None = strawberry.field(description="complaints / deliveredOrders.")
    refunded: list[Money] = strawberry.field(
        description="Given back for the product, one amount per currency: each resolved return's refund "
        "times the product's share of the value of the units returned, plus each complaint's refund and each "
        "chargeback's amount times the product's share of the value of its order's lines."
    )

    @classmethod
    def of(cls, row: quality.QualityRow) -> ProductQualityRow:
        return cls(
            market=row.market,
            rating_count=row.ratings,
            average_rating=row.average_rating,
            distribution=[
                StarCount(stars=s, count=n) for s, n in zip(quality.STARS, row.distribution, strict=True)
            ],
            units_sold=row.units_sold,
            units_returned=row.units_returned,
            return_rate=row.return_rate,
            top_return_reasons=[
                ReturnReasonCount(code=r.code, units=r.units, share=r.share) for r in row.top_return_reasons
            ],
            delivered_orders=row.delivered_orders,
            complaints=row.complaints,
            complaint_rate=row.complaint_rate,
            refunded=[Money.of(m.amount, m.currency) for m in row.refunded],
        )


ImprovementKind = strawberry.enum(
    quality.ImprovementKind,
    description="What stands out: RETURN_RATE_ABOVE_TYPICAL (more units come back than is typical for the "
    "category), RETURN_REASON_ABOVE_TYPICAL (one reason takes more of the returns than is typical), "
    "LOW_RATING (the average rating is low).",
)


@strawberry.type(
    description="Something to improve, with the figure it is judged by and where that comes from."
)
class QualityImprovement:
    kind: ImprovementKind = strawberry.field(description="What stands out.")  # type: ignore[valid-type]
    market: str | None = strawberry.field(description="Where; null: across every market.")
    reason: str | None = strawberry.field(description="The return reason, for RETURN_REASON_ABOVE_TYPICAL.")
    value: Decimal = strawberry.field(description="The product's figure: a rate, a share or an average.")
    typical: Decimal = strawberry.field(description="The figure it is judged by.")
    message: str = strawberry.field(description="What stands out, in plain words.")
    source: str = strawberry.field(description="Where the typical figure comes from.")
    confidence: Confidence = strawberry.field(description="How reliable that source is.")  # type: ignore[valid-type]


@strawberry.type(
    description="What consumers said about a product and what came back, per market and overall, and what "
    "to improve."
)
class ProductQuality:
    markets: list[ProductQualityRow] = strawberry.field(
        description="One row per market: the ones asked for, or each with any rating, sale or return."
    )
    overall: ProductQualityRow = strawberry.field(description="Those markets together.")
    improvements: list[QualityImprovement] = strawberry.field(
        description="Up to 10 things that stand out, most striking first; judged only on samples large "
        "enough (see source)."
    )
    benchmarks_version: str = strawberry.field(description="Version of the typical figures used.")
    _product_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @classmethod
    def of(cls, found: quality.ProductQuality) -> ProductQuality:
        return cls(
            markets=[ProductQualityRow.of(row) for row in found.markets],
            overall=ProductQualityRow.of(found.overall),
            improvements=[
                QualityImprovement(
                    kind=i.kind,
                    market=i.market,
                    reason=i.reason,
                    value=i.value,
                    typical=i.typical,
                    message=i.message,
                    source=i.source,
                    confidence=i.confidence,
                )
                for i in found.improvements
            ],
            benchmarks_version=found.benchmarks_version,
            _product_id=found.product_id,
        )


# -- queries ----------------------------------------------------------------------------------------------


@strawberry.input(description="Narrow the ratings; all given conditions must hold.")
class FeedbackFilter:
    product_id: strawberry.ID | None = strawberry.field(default=None, description="Only this product's.")
    market: str | None = strawberry.field(default=None, description="Only from this destination country.")
    rating: int | None = strawberry.field(default=None, description="Only ratings of this many stars.")


@strawberry.type
class FeedbackQuery:
    @strawberry.field(description="The workspace's ratings, newest first.")
    async def feedback(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            FeedbackFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[Feedback]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.product_id is not None:
                where.append(
                    FEEDBACK.c.product_id == query_id(filter.product_id, "Product", "filter.productId")
                )
            if filter.market is not None:
                where.append(FEEDBACK.c.market == query_text(filter.market, "filter.market").upper())
            if filter.rating is not None:
                where.append(FEEDBACK.c.rating == filter.rating)
        return await connection(
            info.context,
            FEEDBACK,
            Feedback.from_row,
            first,
            after,
            where,
            newest_first=True,
            prefetch=(info, RELATIONS),
        )

    @strawberry.field(
        description="A product's quality per market and overall: ratings, returns and their reasons, "
        "complaints, refunds, and what to improve. A market is the order's destination."
    )
    async def product_quality(
        self,
        info: Info,
        product_id: Annotated[strawberry.ID, strawberry.argument(description="The product.")],
        markets: Annotated[
            list[str] | None,
            strawberry.argument(
                description="Only these destination countries (up to 50); default: every one."
            ),
        ] = None,
    ) -> ProductQuality:
        ctx = info.context
        product = query_id(product_id, "Product", "productId")
        ws = ctx.workspace_id
        with refusals_as_errors():
            found = await ctx.read(lambda conn: quality.product_quality(conn, ws, product, markets))
        return ProductQuality.of(found)
