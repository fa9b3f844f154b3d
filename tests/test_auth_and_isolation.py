"""Every operation needs an API key, and a seller never reaches another seller's data: not by guessing IDs,
not through node(id:), not through connections, not through mutations."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain.accounts.handlers import issue_key
from domain.accounts.model import WorkspaceKind
from tests.catalog_setup import LISTING_CREATE, ORDER_PLACE, place_order, stock_shop
from tests.conftest import START, Seller

ORDERS = "{ orders(first: 10) { totalCount edges { node { id } } } }"


async def test_a_request_without_a_key_is_refused_with_401_and_says_how_to_authenticate(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": ORDERS})
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in error["message"]


async def test_a_wrong_key_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": ORDERS}, headers={"Authorization": "Bearer tl_nope"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "not valid" in response.json()["errors"][0]["message"]


async def test_a_mutation_without_a_key_writes_nothing(client: httpx.AsyncClient, seller: Seller) -> None:
    await stock_shop(seller)
    document = {
        "query": ORDER_PLACE,
        "variables": {
            "input": {
                "channelId": seller.ids["channel"],
                "lines": [{"listingId": seller.ids["listing"], "quantity": 1}],
                "buyerName": "Eve",
                "shipToCountry": "US",
            }
        },
    }
    response = await client.post("/graphql", json=document)
    assert response.status_code == 401
    assert (await seller.gql(ORDERS))["orders"]["totalCount"] == 0


async def test_introspection_and_the_graphiql_page_need_no_key(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<title>Tradelane GraphiQL</title>" in page.text


async def test_introspection_mixed_with_data_still_needs_a_key(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename orders { totalCount } }"})
    assert response.status_code == 401


async def test_another_sellers_ids_lead_nowhere(seller: Seller, other_seller: Seller) -> None:
    await stock_shop(seller)
    order = await place_order(seller)
    ids = [order["id"], seller.ids["channel"], seller.ids["product"], seller.ids["listing"]]

    # node(id:) answers null, exactly as for an ID that never existed.
    for id_ in ids:
        data = await other_seller.gql("query ($id: ID!) { node(id: $id) { id } }", {"id": id_})
        assert data == {"node": None}

    # Connections show only the caller's own rows.
    await stock_shop(other_seller)
    data = await other_seller.gql(
        "{ orders { totalCount } channels { totalCount edges { node { id } } } listings { totalCount } }"
    )
    assert data["orders"]["totalCount"] == 0
    assert data["channels"]["edges"] == [{"node": {"id": other_seller.ids["channel"]}}]
    assert data["listings"]["totalCount"] == 1

    # Mutations on the other seller's objects are NOT_FOUND, and change nothing.
    confirm = await other_seller.gql(
        "mutation ($id: ID!) { orderCancel(input: {orderId: $id}) { order { id } userErrors { field code } } }",
        {"id": order["id"]},
    )
    assert confirm["orderCancel"] == {
        "order": None,
        "userErrors": [{"field": ["input", "orderId"], "code": "NOT_FOUND"}],
    }
    listing = await other_seller.gql(
        LISTING_CREATE,
        {
            "input": {
                "productId": seller.ids["product"],
                "channelId": other_seller.ids["channel"],
                "price": {"amount": "1"},
            }
        },
    )
    assert listing["listingCreate"]["userErrors"][0]["code"] == "NOT_FOUND"
    placed = await other_seller.gql(
        ORDER_PLACE,
        {
            "input": {
                "channelId": other_seller.ids["channel"],
                "lines": [{"listingId": seller.ids["listing"], "quantity": 1}],
                "buyerName": "Mallory",
                "shipToCountry": "US",
            }
        },
    )
    assert placed["orderPlace"]["userErrors"][0] | {"message": ""} == {
        "field": ["input", "lines", "0", "listingId"],
        "code": "NOT_FOUND",
        "message": "",
    }

    status = await seller.gql(
        "query ($id: ID!) { node(id: $id) { ... on Order { status } } }", {"id": order["id"]}
    )
    assert status == {"node": {"status": "PLACED"}}


async def test_a_read_only_key_reads_its_workspace_and_runs_no_mutation(
    engine: AsyncEngine, seller: Seller
) -> None:
    await stock_shop(seller)
    async with AsyncSession(engine) as session, session.begin():
        key = await issue_key(
            session, seller.workspace_id, "dashboard", START, WorkspaceKind.SANDBOX, read_only=True
        )
    viewer = Seller(seller.client, key, seller.workspace_id)
    await place_order(seller)
    assert (await viewer.gql(ORDERS))["orders"]["totalCount"] == 1
    line = {"listingId": seller.ids["listing"], "quantity": 1}
    values = {"channelId": seller.ids["channel"], "lines": [line], "buyerName": "Ada", "shipToCountry": "US"}
    response = await viewer.post(ORDER_PLACE, {"input": values})
    assert response.status_code == 403
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN" and "only reads" in error["message"]
    assert response.json()["data"] is None
    assert (await seller.gql(ORDERS))["orders"]["totalCount"] == 1  # nothing written
