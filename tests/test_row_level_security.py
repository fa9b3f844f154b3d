"""Row-level security is a second wall under the application's filtering: run as the service's role in one
workspace, a query with no workspace filter at all still sees and writes only that workspace's rows."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.db.uow import enter_workspace
from tests.catalog_setup import pay, place_order, stock_shop
from tests.conftest import Seller

TABLES = ["orders", "order_lines", "payments", "events", "timers", "channels", "products", "listings"]
# Every table with a workspace_id, whether or not this test fills it: each must have the policy.
ALL_WORKSPACE_TABLES_QUERY = """SELECT c.relname, c.relrowsecurity, count(p.polname) FROM pg_class c
  JOIN information_schema.columns col ON col.table_name = c.relname AND col.column_name = 'workspace_id'
  LEFT JOIN pg_policy p ON p.polrelid = c.oid WHERE c.relkind = 'r' AND col.table_schema = 'public'
  GROUP BY c.relname, c.relrowsecurity"""


async def test_a_query_without_its_workspace_filter_sees_only_the_workspace(
    engine: AsyncEngine, seller: Seller, other_seller: Seller
) -> None:
    for who in (seller, other_seller):
        await stock_shop(who)
        await pay(who, (await place_order(who))["id"])
    async with engine.connect() as conn:
        owner_view = {
            t: (await conn.execute(sa.text(f"SELECT DISTINCT workspace_id FROM {t}"))).scalars().all()
            for t in TABLES
        }
        assert all(len(ws) >= 2 for ws in owner_view.values()), owner_view  # the owner sees both sellers
        await conn.rollback()
        await enter_workspace(conn, seller.workspace_id)
        for table in TABLES:
            seen = (await conn.execute(sa.text(f"SELECT DISTINCT workspace_id FROM {table}"))).scalars().all()
            assert seen == [seller.workspace_id], table
        assert (await conn.execute(sa.text("SELECT count(*) FROM workspaces"))).scalar() == 1
        assert (await conn.execute(sa.text("SELECT current_user"))).scalar() == "tradelane_app"


async def test_a_write_into_another_workspace_is_refused(
    engine: AsyncEngine, seller: Seller, other_seller: Seller
) -> None:
    async with engine.connect() as conn:
        await enter_workspace(conn, seller.workspace_id)
        with pytest.raises(DBAPIError, match="row-level security"):
            await conn.execute(
                sa.text(
                    "INSERT INTO timers (id, workspace_id, kind, subject_id, due_at, created_at)"
                    " VALUES (:id, :ws, 'x', :id, now(), now())"
                ),
                {"id": uuid.uuid4(), "ws": other_seller.workspace_id},
            )


async def test_without_a_workspace_the_role_sees_nothing(engine: AsyncEngine, seller: Seller) -> None:
    await stock_shop(seller)
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT set_config('role', 'tradelane_app', true)"))
        assert (await conn.execute(sa.text("SELECT count(*) FROM channels"))).scalar() == 0
        with pytest.raises(DBAPIError, match="permission denied"):
            await conn.execute(sa.text("SELECT count(*) FROM api_keys"))


async def test_every_table_with_a_workspace_has_row_level_security(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text(ALL_WORKSPACE_TABLES_QUERY))).all()
    assert len(rows) >= 18
    assert [
        (name, secured, policies) for name, secured, policies in rows if not secured or policies != 1
    ] == []
