"""Subscriptions over a websocket (graphql-transport-ws at /graphql): who is on the socket, and what may
run over it.

The API key comes in the connection_init message's payload, `{"Authorization": "Bearer <key>"}` (browsers
cannot set headers on a websocket), or else in the upgrade request's Authorization header; a missing or
unknown key closes the socket with 4403 and says why. A socket lives long, so it holds no database
connection: each read takes a pooled connection for its own short transaction. Only subscriptions run
over the socket, and subscriptions only over it: queries and mutations go to POST /graphql.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TypeVar, cast

from graphql import ExecutionResult, GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.types.graphql import OperationType

from api.context import RequestContext, Services, Unauthenticated
from domain.accounts.handlers import Principal, find_principal
from domain.db.uow import UnitOfWork, enter_workspace

R = TypeVar("R")

MISSING_KEY = 'Unauthenticated: send {"Authorization": "Bearer <key>"} as the connection_init payload.'
INVALID_KEY = "Unauthenticated: that API key is not valid (unknown or revoked)."
REFUSED = 4403  # graphql-transport-ws: the server refuses the connection


def _bearer(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, key = value.partition(" ")
    return (key.strip() or None) if scheme.lower() == "bearer" else None


class SocketContext(RequestContext):
    """The context of one websocket, shared by the subscriptions it carries."""

    def __init__(self, socket: WebSocket, services: Services) -> None:
        # The base wants the request only for its headers, which the socket's upgrade request has; no
        # subscription sets anything on a response.
        super().__init__(cast(Request, socket), Response(), services)
        self.connection_params: Mapping[str, object] = {}

    async def sign_in(self, params: Mapping[str, object]) -> str | None:
        """Authenticate from connection_init's payload, else the upgrade request's header; None when
        signed in, else why not."""
        given = {name.lower(): value for name, value in params.items()}
        key = _bearer(given.get("authorization")) or _bearer(self.request.headers.get("authorization"))
        if key is None:
            return MISSING_KEY
        async with self.services.engine.connect() as conn:
            principal = await find_principal(conn, key)
        if principal is None:
            return INVALID_KEY
        self._principal = principal
        return None

    async def authenticate(self) -> Principal:
        if self._principal is None:  # subscriptions run only after connection_init signed the socket in
            raise Unauthenticated(MISSING_KEY)
        return self._principal

    async def read(self, query: Callable[..., Awaitable[R]]) -> R:
        async with self.services.engine.connect() as conn:
            await enter_workspace(conn, self.workspace_id)
            result = await query(conn)
            await conn.rollback()
            return result

    async def write(self, command: Callable[[UnitOfWork], Awaitable[R]], *, moves_clock: bool = False) -> R:
        raise RuntimeError("nothing is written over a websocket: mutations go to POST /graphql")


class KeyedTransportWS(BaseGraphQLTransportWSHandler[SocketContext, None]):
    """graphql-transport-ws whose connection_init must carry a valid API key."""

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload") or {}
        if not self.connection_init_received and isinstance(payload, dict):
            refusal = await self.context.sign_in(payload)
            if refusal is not None:
                await self.websocket.close(code=REFUSED, reason=refusal)
                return
        await super().handle_connection_init(message)


class SubscriptionsOverSockets(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        on_socket = isinstance(execution.context, SocketContext)
        subscription = execution.operation_type is OperationType.SUBSCRIPTION
        if subscription and not on_socket:
            raise GraphQLError(
                "Subscriptions run over a websocket at /graphql (protocol graphql-transport-ws).",
                extensions={"code": "BAD_REQUEST"},
            )
        if on_socket and not subscription:
            execution.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Over the websocket only subscriptions run; send queries and mutations to "
                        "POST /graphql.",
                        extensions={"code": "BAD_REQUEST"},
                    )
                ],
            )
        yield
