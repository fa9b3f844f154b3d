"""The commands a season sends most cost a fixed number of SQL statements, which find their rows through
indexes, and several mutations in one document each run in their own transaction, in the order written.

A season is thousands of clock moves, carrier scans and customs decisions; every statement each costs is
paid on every call, and a look-up without an index costs more with every order placed before it, so both
are pinned here."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import FieldNode, Lexer, OperationDefinitionNode, SelectionSetNode, Source, TokenKind, parse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from api.context import RequestContext, Services
from api.schema import MAX_ALIASES, MAX_TOKENS
from domain.accounts.handlers import find_principal
from domain.db.uow import UnitOfWork
from domain.shared.clock import FixedClock
from simulator import operations as ops
from tests.conftest import START, Seller
from tests.shipping_setup import confirmed_order, declaration, ship

SCAN = """mutation ($input: TrackingScanRecordInput!) { trackingScanRecord(input: $input) {
  applied shipment { status } userErrors { code } } }"""
DECIDE = """mutation ($input: CustomsDecisionRecordInput!) { customsDecisionRecord(input: $input) {
  declaration { status } userErrors { code } } }"""
CLOCK = """mutation ($input: SandboxClockAdvanceInput!) { sandboxClockAdvance(input: $input) {
  timersFired userErrors { code } } }"""
ORDER = """query ($id: ID!) { node(id: $id) { ... on Order { status } } }"""


async def test_a_clock_move_with_nothing_due_costs_four_statements(
    seller: Seller, count_statements: Any
) -> None:
    with count_statements() as counter:
        data = await seller.gql(CLOCK, {"input": {"hours": 2}})
    assert data["sandboxClockAdvance"] == {"timersFired": 0, "userErrors": []}
    # The key; entering the workspace, which takes its clock FOR UPDATE and reads it; the due timers; the
    # clock's new time. No second read of the workspace, and none for the payload, which does not ask.
    assert counter.count == 4, counter.statements
    assert "FOR UPDATE" in counter.statements[1] and counter.statements[3].startswith("UPDATE workspaces")


async def test_scans_and_customs_decisions_cost_what_they_change(
    seller: Seller, count_statements: Any
) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"])
    number = shipment["trackingNumber"]

    with count_statements() as counter:
        data = await seller.gql(SCAN, {"input": {"trackingNumber": number, "type": "PICKED_UP"}})
    assert data["trackingScanRecord"]["shipment"]["status"] == "PICKED_UP"
    # The key, entering; the shipment and its order by tracking number (one read), the order and the
    # shipment locked; the declarations' statuses (the customs gate); the lines shipped and their stock
    # reservations (none: this product's stock is not tracked); writing the shipment, the scan, the order
    # (now SHIPPED) and the events; entering again for the payload, and the shipment. No second read of
    # the order, and no look for a duplicate of an event ID made up here.
    assert counter.count == 14, counter.statements
    assert sum("FROM orders" in s for s in counter.statements) == 1
    assert not any("FROM tracking_events" in s for s in counter.statements)

    with count_statements() as counter:
        data = await seller.gql(
            DECIDE, {"input": {"declarationId": declaration(shipment, "EXPORT")["id"], "decision": "RELEASE"}}
        )
    assert data["customsDecisionRecord"]["declaration"]["status"] == "RELEASED"
    # The key, entering; the declaration's shipment and order (one read); order, shipment and declaration
    # locked, each read once though three steps of the decision need them; writing the declaration, the
    # shipment (EXPORT_CLEARED), its scan and the events; entering again, and the declaration (the
    # payload's shipment is read only when asked for).
    assert counter.count == 12, counter.statements
    assert sum("FROM orders" in s for s in counter.statements) == 1
    assert sum("FROM shipments" in s and "FOR UPDATE" in s for s in counter.statements) == 1

    with count_statements() as counter:
        data = await seller.gql(SCAN, {"input": {"trackingNumber": number, "type": "DEPARTED_ORIGIN"}})
    assert data["trackingScanRecord"]["applied"] is True
    # As the pickup, less the lines and their reservations (the goods left at pickup) and the order's
    # write (it is SHIPPED already).
    assert counter.count == 11, counter.statements

    # A carrier's own event ID may come again: that one is looked for, and a repeat refused.
    sent = {"trackingNumber": number, "type": "ARRIVED_DESTINATION", "eventId": "carrier-1"}
    with count_statements() as counter:
        first = await seller.gql(SCAN, {"input": sent})
    assert first["trackingScanRecord"]["applied"] is True
    assert sum("FROM tracking_events" in s for s in counter.statements) == 1
    again = await seller.gql(SCAN, {"input": sent})
    assert again["trackingScanRecord"]["userErrors"] == [{"code": "DUPLICATE_EVENT"}]


async def test_mutations_in_one_document_commit_one_by_one_in_order(seller: Seller) -> None:
    first, second = await confirmed_order(seller), await confirmed_order(seller)
    document = """mutation ($a: OrderMoveInput!, $b: OrderMoveInput!, $c: OrderMoveInput!) {
      a: orderPack(input: $a) { order { status } userErrors { code } }
      b: orderPack(input: $b) { order { status } userErrors { code } }
      c: orderPack(input: $c) { order { status } userErrors { code } } }"""
    data = await seller.gql(
        document,
        {"a": {"orderId": first["id"]}, "b": {"orderId": first["id"]}, "c": {"orderId": second["id"]}},
    )
    # The second sees what the first committed (the order is PACKED already) and is refused; its rollback
    # takes nothing of the first back, and the third still runs.
    assert data["a"] == {"order": {"status": "PACKED"}, "userErrors": []}
    assert data["b"]["userErrors"] == [{"code": "ILLEGAL_TRANSITION"}]
    assert data["c"] == {"order": {"status": "PACKED"}, "userErrors": []}
    for order in (first, second):
        assert (await seller.gql(ORDER, {"id": order["id"]}))["node"]["status"] == "PACKED"


def _tokens(document: str) -> int:
    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def _aliases(selections: SelectionSetNode | None) -> int:
    if selections is None:
        return 0
    fields = [s for s in selections.selections if isinstance(s, FieldNode)]
    return sum((f.alias is not None) + _aliases(f.selection_set) for f in fields)


def test_the_largest_batch_the_simulator_sends_is_inside_the_apis_limits() -> None:
    every = [v for v in vars(ops).values() if isinstance(v, ops.Op)]
    largest = max(every, key=lambda op: _tokens(op.field("c0", "c0")))
    batch = ops.batches([largest] * ops.BATCH_CALLS, [{}] * ops.BATCH_CALLS, "2026-11-27T10:00:00+00:00")
    assert len(batch) == 1
    operation = parse(batch[0].document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert _aliases(operation.selection_set) == ops.BATCH_CALLS + 1 <= MAX_ALIASES
    assert _tokens(batch[0].document) <= MAX_TOKENS


def test_calls_past_a_batch_go_in_further_documents_and_only_the_first_moves_the_clock() -> None:
    calls = ops.BATCH_CALLS * 2 + 1
    found = ops.batches([ops.SCAN] * calls, [{"n": i} for i in range(calls)], "2026-11-27T10:00:00+00:00")
    assert [len(b.ops) for b in found] == [ops.BATCH_CALLS, ops.BATCH_CALLS, 1]
    assert [b.clock_to is not None for b in found] == [True, False, False]
    assert [v["n"] for b in found for v in b.inputs] == list(range(calls))
    first = found[0]
    assert first.document.index("clock: sandboxClockAdvance") < first.document.index("c0: trackingScan")
    assert set(first.variables) == {"clock", *(f"c{i}" for i in range(ops.BATCH_CALLS))}
    assert ops.batches([], [], None) == []  # nothing to send
    assert [b.document for b in ops.batches([], [], "2026-11-27T10:00:00+00:00")] == [
        "mutation ($clock: SandboxClockAdvanceInput!) { clock: sandboxClockAdvance(input: $clock) "
        "{ timersFired userErrors { code message } } }"
    ]


# Parents that are few per workspace (channels, products, listings, warehouses) and never deleted: rows are
# looked up by them only in reports, over the whole workspace.
UNINDEXED_REFERENCES = {
    ("orders", "channel_id"),
    ("order_lines", "listing_id"),
    ("order_lines", "product_id"),
    ("warehouses", "channel_id"),
    ("stock_reservations", "product_id"),
    ("stock_reservations", "warehouse_id"),
    ("shipments", "warehouse_id"),
    ("sla_policies", "channel_id"),
}


async def test_rows_are_found_by_what_they_refer_to_through_an_index(engine: AsyncEngine) -> None:
    """Every foreign key (workspace_id, X) has an index led by X (or by workspace_id, X), but for the few
    parents above: without one, finding the rows of an order line reads every row of the workspace, and
    a season's calls grow slower with each order it has placed."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                """
                WITH fk AS (
                  SELECT conrelid, conkey, conkey[array_length(conkey, 1)] AS col
                  FROM pg_constraint WHERE contype = 'f')
                SELECT fk.conrelid::regclass::text AS table_name, a.attname AS column_name
                FROM fk JOIN pg_attribute a ON a.attrelid = fk.conrelid AND a.attnum = fk.col
                WHERE a.attname <> 'workspace_id' AND NOT EXISTS (
                  SELECT 1 FROM pg_index i WHERE i.indrelid = fk.conrelid
                    AND (i.indkey[0] = fk.col OR (i.indkey[0] = fk.conkey[1] AND i.indkey[1] = fk.col)))
                """
            )
        )
        unindexed = {(row.table_name, row.column_name) for row in rows}
        replacements = await conn.scalar(
            sa.text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_orders_replacement_for'")
        )
    assert unindexed == UNINDEXED_REFERENCES
    assert replacements == 1  # not a foreign key, but looked up by on every replacement and refund


async def test_a_command_after_a_read_that_failed_runs_in_a_fresh_transaction(
    engine: AsyncEngine, seller: Seller
) -> None:
    """A command takes over its connection's open read transaction, but not one that failed: that one
    is rolled back first, or every statement of the command would be refused."""
    async with engine.connect() as conn:
        principal = await find_principal(conn, seller.key)
        assert principal is not None
        with pytest.raises(DBAPIError):
            await conn.execute(sa.text("SELECT 1 / 0"))
        async with UnitOfWork(conn, principal, FixedClock(START)) as uow:
            name = await uow.session.scalar(sa.text("SELECT current_setting('role')"))
            await uow.commit()
    assert name == "tradelane_app"


async def test_a_mutation_after_a_payload_read_that_failed_still_runs(
    services: Services, seller: Seller
) -> None:
    scope = {"type": "http", "headers": [(b"authorization", f"Bearer {seller.key}".encode())]}
    ctx = RequestContext(Request(scope), Response(), services)
    try:
        await ctx.authenticate()
        with pytest.raises(DBAPIError):
            await ctx.read(lambda conn: conn.execute(sa.text("SELECT 1 / 0")))

        async def command(uow: UnitOfWork) -> datetime:
            await uow.commit()
            return uow.now

        assert await ctx.write(command) == START
        # And the enter statement failing (here: a workspace setting PostgreSQL refuses) leaves the
        # connection fit for the next command too.
        with pytest.raises(DBAPIError):
            async with UnitOfWork(
                await ctx._connection(),
                replace(ctx.principal, workspace_id="not-a-uuid"),
                services.clock,  # type: ignore[arg-type]
            ):
                pass
        assert await ctx.write(command) == START
    finally:
        await ctx.close()
