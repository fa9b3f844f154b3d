"""The web application: GraphQL (and GraphiQL) at /graphql, subscriptions over a websocket on the same
path, its static files, and a health check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.context import RequestContext, Services
from api.graphiql import STATIC_DIR, DemoIds, render_page
from api.schema import schema
from api.simulation.runs import SeasonRunner, SimulationRuns, play_season
from api.sockets import KeyedTransportWS, SocketContext
from api.webhooks import tracking_webhook
from domain.clock.service import fire_live_timers
from simulator.client import InProcessClient

log = logging.getLogger(__name__)

CONNECTION_INIT_WAIT = timedelta(seconds=10)  # a socket that has not signed in by then is closed
ABANDONED_RUNS_INTERVAL = 60.0  # seconds between looks for simulation runs whose server stopped


@dataclass(frozen=True)
class GraphiQLSetup:
    """What GraphiQL opens with: the demo key and seed IDs when `make run` serves the demo."""

    api_key: str | None = None
    demo: DemoIds | None = None


class TradelaneGraphQL(GraphQL[RequestContext, None]):
    graphql_transport_ws_handler_class = KeyedTransportWS  # type: ignore[assignment]

    def __init__(self, services: Services, graphiql: GraphiQLSetup) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_WAIT,
        )
        self.services = services
        self._page = render_page(graphiql.api_key, graphiql.demo)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        if isinstance(request, WebSocket):
            return SocketContext(request, self.services)
        context = RequestContext(request, response, self.services)  # type: ignore[arg-type]
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


async def _abandoned_runs_loop(runs: SimulationRuns, interval: float) -> None:
    """Fail simulation runs whose server stopped without ending them: at start-up, then every interval."""
    while True:
        try:
            failed = await runs.fail_abandoned()
            if failed:
                log.warning("failed %d simulation runs whose server had stopped", failed)
        except Exception:
            log.exception("looking for abandoned simulation runs failed; trying again in %.0f s", interval)
        await asyncio.sleep(interval)


def create_app(
    services: Services,
    graphiql: GraphiQLSetup | None = None,
    *,
    timer_interval: float | None = None,
    season: SeasonRunner = play_season,
) -> Starlette:
    """`timer_interval` (seconds) starts the live timer loop; leave it out where something else fires.
    `season` plays the seasons simulationRunStart starts (the simulator's, unless a test gives another)."""

    def in_process_client(api_key: str) -> InProcessClient:
        # Seasons call an app of their own, over no socket; its engine is this one (it runs no lifespan).
        return InProcessClient(create_app(services), api_key)

    runs = SimulationRuns(services, in_process_client, season)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(_abandoned_runs_loop(runs, ABANDONED_RUNS_INTERVAL))]
        if timer_interval:
            tasks.append(asyncio.create_task(_timer_loop(services, timer_interval)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await runs.shutdown()  # before the engine goes: each run records that it was interrupted
            await services.engine.dispose()

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    graphql = TradelaneGraphQL(services, graphiql or GraphiQLSetup())
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", health),
            Mount("/graphql/static", StaticFiles(directory=STATIC_DIR), name="graphiql-static"),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/webhooks/tracking/{endpoint}", tracking_webhook(services), methods=["POST"]),  # type: ignore[arg-type]
        ],
        lifespan=lifespan,
    )
    app.state.simulation_runs = runs
    return app
