"""The one GraphQL schema: every stage's queries and mutations, the Relay node field, and the limits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.accounts.mutations import AccountMutation
from api.accounts.queries import AccountQuery, load_workspace
from api.accounts.types import Workspace
from api.aftersales.complaints import Complaint, ComplaintMutation, ComplaintQuery
from api.aftersales.feedback import Feedback, FeedbackMutation, FeedbackQuery
from api.aftersales.return_mutations import ReturnMutation
from api.aftersales.returns import ReturnQuery, ReturnRequest
from api.aftersales.service import ServiceTicket, ServiceTicketMutation, ServiceTicketQuery
from api.aftersales.sla import SlaMutation, SlaQuery
from api.catalog.mutations import CatalogMutation
from api.catalog.queries import CatalogQuery
from api.catalog.types import Channel, Listing, Product
from api.compliance.mutations import ComplianceMutation
from api.compliance.queries import ComplianceQuery
from api.compliance.types import ProductCertification, Registration
from api.context import Info, RequestContext
from api.currency.fx import FxMutation, FxQuery
from api.currency.mutations import CurrencyMutation
from api.currency.queries import CurrencyQuery
from api.currency.types import ExchangeRate, RateLock
from api.customs.mutations import CustomsMutation
from api.customs.queries import CustomsQuery
from api.customs.types import CustomsDeclaration
from api.errors import MaskUnexpectedErrors
from api.live.events import LiveSubscription
from api.logistics.mutations import ShippingMutation
from api.logistics.queries import ShippingQuery
from api.logistics.types import Shipment
from api.logistics.webhook_queries import TrackingWebhook, TrackingWebhookQuery
from api.markets.queries import MarketQuery
from api.orders.mutations import OrderMutation
from api.orders.queries import OrderQuery
from api.orders.types import Order, Payment
from api.relay import Node, parse_global_id
from api.research.queries import ResearchQuery
from api.sandbox.mutations import SandboxMutation
from api.security import RequireApiKey
from api.simulation.mutations import SimulationMutation
from api.simulation.queries import SimulationQuery, load_run
from api.simulation.subscriptions import SimulationSubscription
from api.simulation.types import SimulationRun
from api.sockets import SubscriptionsOverSockets
from api.stock.mutations import StockMutation
from api.stock.queries import StockQuery
from api.stock.types import Lot, StockLevel, Warehouse
from api.taxes.mutations import TaxMutation
from api.taxes.queries import TaxQuery
from api.taxes.types import TaxEntry
from domain.shared.errors import DomainError

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000
LIMIT_RULES: list[type[ASTValidationRule]] = [
    max_aliases.create_validator(MAX_ALIASES),
    query_depth_limiter.create_validator(MAX_DEPTH, should_ignore=None),
]

NODE_TYPES: dict[str, tuple[str, Any]] = {
    "Channel": ("channel", Channel.from_row),
    "Product": ("product", Product.from_row),
    "Listing": ("listing", Listing.from_row),
    "Order": ("order", Order.from_row),
    "Payment": ("payment", Payment.from_row),
    "Registration": ("registration", Registration.from_row),
    "ProductCertification": ("certification", ProductCertification.from_row),
    "ExchangeRate": ("exchange_rate", ExchangeRate.from_row),
    "RateLock": ("rate_lock", RateLock.from_row),
    "Warehouse": ("warehouse", Warehouse.from_row),
    "Lot": ("lot", Lot.from_row),
    "StockLevel": ("stock_level", StockLevel.from_row),
    "Shipment": ("shipment", Shipment.from_row),
    "TrackingWebhook": ("tracking_webhook", TrackingWebhook.from_row),
    "CustomsDeclaration": ("declaration", CustomsDeclaration.from_row),
    "TaxEntry": ("tax_entry", TaxEntry.from_row),
    "ReturnRequest": ("return_request", ReturnRequest.from_row),
    "ServiceTicket": ("service_ticket", ServiceTicket.from_row),
    "Complaint": ("complaint", Complaint.from_row),
    "Feedback": ("feedback", Feedback.from_row),
}


async def _own_workspace(ctx: RequestContext, id_: uuid.UUID) -> Node | None:
    # A key opens one workspace: only that one is there to see.
    return await load_workspace(ctx) if id_ == ctx.workspace_id else None


# Nodes read without a DataLoader (one per request at most).
NODE_READERS: dict[str, Callable[[RequestContext, uuid.UUID], Awaitable[Node | None]]] = {
    "Workspace": _own_workspace,
    "SimulationRun": load_run,
}


@strawberry.type(description="Everything a seller can read.")
class Query(
    AccountQuery,
    CatalogQuery,
    OrderQuery,
    MarketQuery,
    ComplianceQuery,
    CurrencyQuery,
    FxQuery,
    StockQuery,
    ResearchQuery,
    ShippingQuery,
    TrackingWebhookQuery,
    CustomsQuery,
    TaxQuery,
    ReturnQuery,
    ServiceTicketQuery,
    ComplaintQuery,
    SlaQuery,
    FeedbackQuery,
    SimulationQuery,
):
    @strawberry.field(description="Any object by its global ID; null if this workspace has no such object.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
    ) -> Node | None:
        try:
            type_name, id_ = parse_global_id(id)
        except DomainError as error:
            raise GraphQLError(error.message, extensions={"code": "INVALID_ID"}) from None
        if type_name in NODE_READERS:
            return await NODE_READERS[type_name](info.context, id_)
        if type_name not in NODE_TYPES:
            return None
        loader_name, to_node = NODE_TYPES[type_name]
        row = await getattr(info.context.loaders, loader_name).load(id_)
        node: Node | None = None if row is None else to_node(row)
        return node


@strawberry.type(description="Everything a seller can do. Each mutation runs in one transaction.")
class Mutation(
    CatalogMutation,
    OrderMutation,
    SandboxMutation,
    ComplianceMutation,
    CurrencyMutation,
    FxMutation,
    StockMutation,
    ShippingMutation,
    CustomsMutation,
    TaxMutation,
    ReturnMutation,
    ServiceTicketMutation,
    ComplaintMutation,
    SlaMutation,
    FeedbackMutation,
    AccountMutation,
    SimulationMutation,
):
    pass


@strawberry.type(
    description="What a seller can watch as it happens, over a websocket (graphql-transport-ws)."
)
class Subscription(SimulationSubscription, LiveSubscription):
    pass


class TradelaneSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Unexpected errors are logged, with their incident ID, by MaskUnexpectedErrors."""


schema = TradelaneSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[
        Workspace,
        Channel,
        Product,
        Listing,
        Order,
        Payment,
        Registration,
        ProductCertification,
        ExchangeRate,
        RateLock,
        Warehouse,
        Lot,
        StockLevel,
        SimulationRun,
    ],
    config=StrawberryConfig(disable_field_suggestions=True),
    extensions=[
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # The limits as rules made once: ValidationCache keys on the rules too, so rules made afresh for
        # each request (as the limiter extensions do) would make every request validate again (~6 ms).
        lambda: AddValidationRules(LIMIT_RULES),
        RequireApiKey,
        SubscriptionsOverSockets,
        MaskUnexpectedErrors,
    ],
)
