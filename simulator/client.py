"""How the simulator reaches the API: GraphQL documents posted to /graphql with the workspace's key, either to
an app in this process (no socket: httpx's ASGI transport) or to a server at a URL.

Both go through the same HTTP layer, authentication, validation and resolvers a client's request does; the
simulator has no other way in.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

TIMEOUT_SECONDS = 60.0


class ApiError(Exception):
    """The API could not be used at all: unreachable, the key refused, or a GraphQL-level error (a bug in a
    document or in the server, never an expected business outcome, which comes back as userErrors)."""


class GraphQLClient(Protocol):
    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one document; return its `data`. Raises ApiError when the API answers with `errors`."""
        ...

    async def aclose(self) -> None: ...


class _HttpxClient:
    def __init__(self, client: httpx.AsyncClient, api_key: str, where: str) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._where = where

    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = await self._client.post(
                "/graphql", json={"query": document, "variables": variables or {}}, headers=self._headers
            )
        except httpx.TransportError as error:
            raise ApiError(
                f"Could not reach the API at {self._where}: {error}. Is the server running?"
            ) from None
        try:
            body = response.json()
        except ValueError:
            raise ApiError(self._not_graphql(response)) from None
        if not isinstance(body, dict):
            raise ApiError(self._not_graphql(response))
        errors = body.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and isinstance(errors[0], dict) else {}
            code = (first.get("extensions") or {}).get("code", "")
            if code == "UNAUTHENTICATED":
                raise ApiError(f"The API at {self._where} refused the key: {first.get('message')}")
            raise ApiError(f"The API answered with an error: {first.get('message')} ({code or 'no code'})")
        data = body.get("data")
        if not isinstance(data, dict):
            raise ApiError(self._not_graphql(response))
        return data

    def _not_graphql(self, response: httpx.Response) -> str:
        return (
            f"The API at {self._where} answered HTTP {response.status_code} with something that is not "
            "GraphQL JSON; check the URL (it should be the server's base URL, e.g. http://host:8000)."
        )

    async def aclose(self) -> None:
        await self._client.aclose()


class InProcessClient(_HttpxClient):
    """The API app in this process (an ASGI app, e.g. `api.app.create_app(services)`), called without a
    socket. The app's lifespan is not run: whoever made the app owns its engine."""

    def __init__(self, app: Any, api_key: str) -> None:
        transport = httpx.ASGITransport(app=app)
        super().__init__(
            httpx.AsyncClient(
                transport=transport, base_url="http://tradelane.local", timeout=TIMEOUT_SECONDS
            ),
            api_key,
            "the in-process app",
        )


class HttpClient(_HttpxClient):
    """A Tradelane server at `url` (its base URL, e.g. http://127.0.0.1:8000)."""

    def __init__(self, url: str, api_key: str) -> None:
        super().__init__(
            httpx.AsyncClient(base_url=base_url(url), timeout=TIMEOUT_SECONDS),
            api_key,
            url,
        )


def base_url(url: str) -> str:
    """`url` as a server's base URL, or ApiError saying what is wrong with it: a typo in --url is told in
    words, not raised from deep in the socket layer (a port past 65535, say, fails only when connecting)."""
    hint = "give the server's base URL, e.g. http://127.0.0.1:8000"
    try:
        parsed = httpx.URL(url.rstrip("/"))
    except httpx.InvalidURL as error:
        raise ApiError(f"{url!r} is not a URL ({error}); {hint}.") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ApiError(f"{url!r} is not an http:// or https:// URL with a host; {hint}.")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ApiError(f"{url!r} names port {parsed.port}; a port is 1 to 65535.")
    return str(parsed)
