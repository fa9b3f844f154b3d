"""The web application: GraphQL (and GraphiQL) at /graphql, its static files, and a health check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.context import RequestContext, Services
from api.graphiql import STATIC_DIR, DemoIds, render_page
from api.schema import schema
from api.webhooks import tracking_webhook
from domain.clock.service import fire_live_timers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GraphiQLSetup:
    """What GraphiQL opens with: the demo key and seed IDs when `make run` serves the demo."""

    api_key: str | None = None
    demo: DemoIds | None = None


class TradelaneGraphQL(GraphQL[RequestContext, None]):
    def __init__(self, services: Services, graphiql: GraphiQLSetup) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=False)
        self.services = services
        self._page = render_page(graphiql.api_key, graphiql.demo)

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        context = RequestContext(request, response, self.services)
        request.state.tradelane = context
        return context

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._page)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = PlainTextResponse(error.reason, status_code=error.status_code)
        finally:
            context: RequestContext | None = getattr(request.state, "tradelane", None)
            if context is not None:
                await context.close()
        await response(scope, receive, send)


async def _timer_loop(services: Services, interval: float) -> None:
    """Fire due timers of live workspaces; sandbox timers fire only when their clock is moved."""
    while True:
        try:
            fired = await fire_live_timers(services.engine, services.clock)
            if fired:
                log.info("fired %d live timers", fired)
        except Exception:
            log.exception("live timer pass failed; trying again in %.0f s", interval)
        await asyncio.sleep(interval)


def create_app(
    services: Services, graphiql: GraphiQLSetup | None = None, *, timer_interval: float | None = None
) -> Starlette:
    """`timer_interval` (seconds) starts the live timer loop; leave it out where something else fires."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_timer_loop(services, timer_interval)) if timer_interval else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await services.engine.dispose()

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    graphql = TradelaneGraphQL(services, graphiql or GraphiQLSetup())
    return Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", health),
            Mount("/graphql/static", StaticFiles(directory=STATIC_DIR), name="graphiql-static"),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/webhooks/tracking/{endpoint}", tracking_webhook(services), methods=["POST"]),  # type: ignore[arg-type]
        ],
        lifespan=lifespan,
    )
