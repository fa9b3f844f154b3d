"""GraphiQL works for a seller: a real browser opens /graphql on a real server and runs the examples, the
shipping and after-sales walks included, clicking and pasting as a seller does.

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`; CI installs it in .ci/run). The
browser is driven with Playwright's sync API in a worker thread, since the tests run in an asyncio loop.

Worked figures of the shipping walk (the demo's sandbox clock is tests.conftest.START, 2026-11-23;
reference-facts section 1, EU row and US row, and section 2, HS 610910):
- DE, Amazon DE, 2 T-shirts at EUR 18.99 + EUR 4.99 shipping: goods 37.98, intrinsic value 37.98 / 1.19 =
  31.92 <= EUR 150, so IOSS with Amazon as deemed supplier. VAT at sale 37.98 x 0.19 / 1.19 = 6.0639 ->
  6.06 and 4.99 x 0.19 / 1.19 = 0.7967 -> 0.80 (together 6.86), duty EUR 3 for the one tariff line; the
  import declares the goods net of that VAT, 37.98 - 6.06 = 31.92, and nothing is due at the border.
- US, Amazon US, 2 T-shirts at USD 19.99: no de minimis since 2025-08-29, so MFN duty 16.5% on the FOB
  value 39.98 = 6.5967 -> USD 6.60, due from the consumer under DAP; refused, it is reversed: owed 0.00.
- US, the demo's delivered order (api/demo.py DELIVERED): the same 2 T-shirts, shipped DDP, so the seller
  paid the same USD 6.60 duty at the border when it was assessed: owed 6.60, paid 6.60, outstanding 0.00.

Worked figures of the after-sales walk, on that delivered order (captured 2 x 19.99 + 4.99 = USD 44.97):
- Returns: 1 of 2 units back, REFUND: the unit's value, USD 19.99 (shipping is not refunded); 1 of 2
  delivered units back, so the order is PARTIALLY_RETURNED.
- Service: WARRANTY set to 4 h / 48 h, opened at START: first response due START + 4 h; the clock moves
  5 h, past it: breached at START + 4 h; replied and resolved at START + 5 h, within the 48 h.
- Complaints: opened at START + 5 h, HIGH (Tradelane's default 12 h / 48 h, no reference-facts row: no law
  sets it): first response due START + 17 h, resolution START + 53 h; the clock moves 13 h to START + 18 h:
  ESCALATED at START + 17 h. A partial refund of 5.00: refunded 19.99 + 5.00 = USD 24.99.
- Feedback and productQuality of the T-shirt: delivered outbound are the DE order's 2 units (Deliver tab)
  and this order's 2; the refused US parcel never was. DE: 2 units, 0 back. US: 2 units, 1 back (SIZE_FIT),
  1 complaint, 1 rating of 2 stars, refunded 19.99 + 5.00 = 24.99 (productQuality counts return and
  complaint refunds). Overall:
  1 of 4 units back = 0.2500, complaints 1 of 2 delivered orders = 0.5000, SIZE_FIT 1 of 1 returned =
  1.0000. Nothing is judged below 10 units, 5 returns or 5 ratings, so no improvement stands out (the US
  row's 1 of 2 = 50% is above apparel's 20-30%, reference-facts section 5, but on 2 units only).
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import NonNullTypeNode, OperationDefinitionNode, parse, validate
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, Request, sync_playwright

from api.app import GraphiQLSetup
from api.demo import seed_demo
from api.graphiql import DemoIds
from api.graphiql import config as graphiql_config
from api.schema import schema
from domain.db.engine import make_engine
from domain.shared.clock import FixedClock
from tests.conftest import START
from tests.serving import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
SEASON_TIMEOUT_MS = 300_000  # a few orders' season played in the server's background, on a busy CI machine

# The response pane is a CodeMirror 5 editor, which keeps only the lines in view in the DOM: read its value.
RESPONSE_TEXT = """() => {
  const editor = document.querySelector('.graphiql-response .result-window .CodeMirror');
  return editor && editor.CodeMirror ? editor.CodeMirror.getValue() : '';
}"""

# GraphiQL 3.9 runs the operation the query editor's `operationName` names, which it updates 100 ms (a
# debounce) after the editor's text changes, switching tabs included: a click within that time sends the
# previous tab's operation name with this tab's document, which the server refuses (400, unknown operation).
SELECTED_OPERATION = """() => {
  const editor = document.querySelector('.graphiql-query-editor .CodeMirror');
  return editor && editor.CodeMirror ? editor.CodeMirror.operationName : null;
}"""


# The names of the operations in the query editor, once GraphiQL has parsed its text (the same debounce).
EDITOR_OPERATIONS = """() => {
  const editor = document.querySelector('.graphiql-query-editor .CodeMirror');
  const operations = editor && editor.CodeMirror ? editor.CodeMirror.operations || [] : [];
  return operations.map(operation => operation.name ? operation.name.value : null);
}"""

# The variables editor shares the tools pane with the headers editor; the one shown is not `.hidden`.
SET_VARIABLES = """values => {
  const editor = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
  const current = JSON.parse(editor.CodeMirror.getValue());
  for (const name of Object.keys(values)) {
    if (!(name in current)) throw new Error('the variables pane has no ' + name + ': ' + JSON.stringify(current));
  }
  editor.CodeMirror.setValue(JSON.stringify(Object.assign(current, values), null, 2));
}"""


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing. CI must install Debian's chromium: see .ci/run")
    pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the GraphiQL browser test")


def response_json(page: Page, containing: str) -> dict[str, Any]:
    """The response pane's JSON, once its text contains `containing`."""
    page.wait_for_function(f"s => ({RESPONSE_TEXT})().includes(s)", arg=containing, timeout=TIMEOUT_MS)
    result: dict[str, Any] = json.loads(page.evaluate(RESPONSE_TEXT))
    return result


def run_operation(page: Page, name: str) -> Request:
    """Press the execute button as a seller does; return the request it sent. With one operation in the
    editor, once GraphiQL has it selected; with several, the button offers their names and runs the one
    chosen."""
    page.wait_for_function(f"name => ({EDITOR_OPERATIONS})().includes(name)", arg=name, timeout=TIMEOUT_MS)
    several = len(page.evaluate(EDITOR_OPERATIONS)) > 1
    if not several:
        page.wait_for_function(f"name => ({SELECTED_OPERATION})() === name", arg=name, timeout=TIMEOUT_MS)

    def is_it(request: Request) -> bool:
        if request.method != "POST" or not request.url.endswith("/graphql"):
            return False
        body = request.post_data_json
        return isinstance(body, dict) and body.get("operationName") == name

    with page.expect_request(is_it) as sent:
        page.locator("button.graphiql-execute-button").click()
        if several:
            page.get_by_role("menuitem", name=name, exact=True).click()
    response = sent.value.response()
    assert response is not None and response.status == 200, response and response.text()
    return sent.value


def run_and_read(page: Page, name: str, containing: str) -> dict[str, Any]:
    """Run the operation `name`; return its data, once the response pane shows `containing`, after checking
    that no part of it failed: no GraphQL errors, and no userErrors in any payload."""
    run_operation(page, name)
    answer = response_json(page, containing)
    assert "errors" not in answer, (name, answer["errors"])
    data: dict[str, Any] = answer["data"]
    for field, payload in data.items():
        if isinstance(payload, dict) and "userErrors" in payload:
            assert payload["userErrors"] == [], (name, field, payload["userErrors"])
    return data


def paste_variables(page: Page, values: dict[str, str]) -> None:
    """Paste values into the variables pane, over the placeholders the example carries for them."""
    page.get_by_role("button", name="Variables", exact=True).click()
    page.evaluate(SET_VARIABLES, values)


def open_tab(tab: Locator) -> None:
    tab.locator("button.graphiql-tab-button").click()


def money(amount: str, currency: str) -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def walk_the_season_tab(page: Page, tabs: dict[str, Locator]) -> None:
    """StartSeason starts a small season; WatchSeason follows it over the websocket until it ends."""
    open_tab(tabs["StartSeason"])
    paste_variables(page, {"orders": 4})
    payload = run_and_read(page, "StartSeason", '"RUNNING"')["simulationRunStart"]
    started = payload["run"]
    assert (started["scenario"], started["orders"]) == ("smoke", 4)
    assert payload["apiKey"].startswith("tl_sand_")  # the run's sandbox, opened with it
    paste_variables(page, {"runId": started["id"]})
    page.wait_for_function(f"name => ({EDITOR_OPERATIONS})().includes(name)", arg="WatchSeason")
    page.locator("button.graphiql-execute-button").click()  # a subscription: no POST, a websocket
    page.get_by_role("menuitem", name="WatchSeason", exact=True).click()
    page.wait_for_function(
        f"s => ({RESPONSE_TEXT})().includes(s)", arg='"SUCCEEDED"', timeout=SEASON_TIMEOUT_MS
    )
    watched = json.loads(page.evaluate(RESPONSE_TEXT))
    progress = watched["data"]["simulationRunProgress"]
    assert progress["status"] == "SUCCEEDED" and progress["progress"] == 1.0, progress
    assert progress["ordersPlaced"] > 0


def walk_the_shipping_tabs(page: Page, tabs: dict[str, Locator]) -> None:
    """The Shipping, Tracking, Customs, Deliver, ShipDap and Taxes tabs, in order, top to bottom."""
    # Shipping: quotes for the DE order, then a label; the declarations are lodged with it.
    open_tab(tabs["Shipping"])
    quotes = run_and_read(page, "Shipping", '"shipmentQuotes"')["shipmentQuotes"]
    assert quotes[0]["available"] is True
    assert "POSTAL" in {quote["method"] for quote in quotes if quote["available"]}
    shipped = run_and_read(page, "Ship", '"shipmentCreate"')["shipmentCreate"]
    shipment = shipped["shipment"]
    assert (shipment["status"], shipment["incoterm"], shipped["order"]["status"]) == (
        "LABEL_CREATED",
        "DDP",
        "PACKED",
    )
    declared = {d["direction"]: d for d in shipment["declarations"]}
    assert {d["status"] for d in declared.values()} == {"LODGED"}
    assert declared["IMPORT"]["scheme"] == "IOSS"
    assert declared["IMPORT"]["items"] == [{"hsCode": "610910", "value": money("31.92", "EUR")}]

    # Tracking: the query finds what Ship made; pasted, the parcel leaves CN and reaches DE.
    open_tab(tabs["Tracking"])
    [edge] = run_and_read(page, "Tracking", '"shipments"')["shipments"]["edges"]
    parcel = edge["node"]
    number = parcel["trackingNumber"]
    assert number == shipment["trackingNumber"]
    ids = {d["direction"]: d["id"] for d in parcel["declarations"]}
    assert ids == {d["direction"]: d["id"] for d in shipment["declarations"]}
    paste_variables(page, {"trackingNumber": number, "exportId": ids["EXPORT"]})
    tracked = run_and_read(page, "Track", '"arrived"')
    assert tracked["pickedUp"]["shipment"] == {"status": "PICKED_UP", "order": {"status": "SHIPPED"}}
    assert tracked["exportCleared"]["declaration"] == {"direction": "EXPORT", "status": "RELEASED"}
    assert tracked["exportCleared"]["shipment"]["status"] == "EXPORT_CLEARED"
    assert tracked["departed"]["shipment"]["status"] == "DEPARTED_ORIGIN"
    assert tracked["arrived"]["shipment"]["status"] == "ARRIVED_DESTINATION"
    assert all(tracked[step]["applied"] for step in ("pickedUp", "departed", "arrived"))

    # Customs: a hold for the invoice, the seller's answer, nothing due (IOSS), released.
    open_tab(tabs["Customs"])
    found = run_and_read(page, "Customs", '"customsDeclarations"')["customsDeclarations"]["edges"]
    statuses = {edge["node"]["direction"]: (edge["node"]["id"], edge["node"]["status"]) for edge in found}
    assert statuses == {"EXPORT": (ids["EXPORT"], "RELEASED"), "IMPORT": (ids["IMPORT"], "LODGED")}
    paste_variables(page, {"importId": ids["IMPORT"]})
    held = run_and_read(page, "Hold", '"customsDecisionRecord"')["customsDecisionRecord"]
    assert (held["declaration"]["status"], held["declaration"]["holdReason"]) == ("HELD", "MISSING_DOCUMENTS")
    assert held["shipment"]["status"] == "IMPORT_CUSTOMS_HOLD"
    answered = run_and_read(page, "Respond", '"customsDeclarationRespond"')["customsDeclarationRespond"]
    assert answered["declaration"] == {
        "status": "RESUBMITTED",
        "documents": ["invoice 302-0000001-0000001.pdf"],
    }
    cleared = run_and_read(page, "Release", '"release"')
    assessed = cleared["assess"]["declaration"]
    assert (assessed["status"], assessed["assessment"]["regime"]) == ("ASSESSED", "IOSS")
    assert assessed["dueFromConsumer"] == money("0.00", "EUR")  # the VAT and duty were paid at sale
    assert cleared["release"]["declaration"]["status"] == "RELEASED"
    assert cleared["release"]["shipment"]["status"] == "IMPORT_CLEARED"

    # Deliver: the same tracking number; the order is DELIVERED.
    open_tab(tabs["Deliver"])
    paste_variables(page, {"trackingNumber": number})
    delivered = run_and_read(page, "Deliver", '"delivered"')
    assert delivered["outForDelivery"]["shipment"]["status"] == "OUT_FOR_DELIVERY"
    last = delivered["delivered"]["shipment"]
    assert last["status"] == "DELIVERED" and last["order"]["status"] == "DELIVERED"
    assert last["order"]["completedAt"] is not None
    assert [(e["type"], e["source"]) for e in last["timeline"] if e["applied"]] == [
        ("LABEL_CREATED", "SELLER"),
        ("PICKED_UP", "SANDBOX"),
        ("EXPORT_CLEARED", "CUSTOMS"),
        ("DEPARTED_ORIGIN", "SANDBOX"),
        ("ARRIVED_DESTINATION", "SANDBOX"),
        ("IMPORT_CUSTOMS_HOLD", "CUSTOMS"),
        ("IMPORT_CLEARED", "CUSTOMS"),
        ("OUT_FOR_DELIVERY", "SANDBOX"),
        ("DELIVERED", "SANDBOX"),
    ]

    # ShipDap: the US order shipped DAP; the consumer refuses the duty, and the parcel goes back.
    open_tab(tabs["ShipDap"])
    dap = run_and_read(page, "ShipDap", '"shipmentCreate"')["shipmentCreate"]["shipment"]
    assert dap["incoterm"] == "DAP" and dap["status"] == "LABEL_CREATED"
    us_import = next(d for d in dap["declarations"] if d["direction"] == "IMPORT")
    us_export = next(d for d in dap["declarations"] if d["direction"] == "EXPORT")
    assert us_import["status"] == "LODGED"
    paste_variables(
        page,
        {"trackingNumber": dap["trackingNumber"], "exportId": us_export["id"], "importId": us_import["id"]},
    )
    refused = run_and_read(page, "Refuse", '"refuse"')
    assert refused["exportCleared"]["declaration"]["status"] == "RELEASED"
    assert refused["arrived"]["shipment"]["status"] == "ARRIVED_DESTINATION"
    assert refused["assess"]["declaration"] == {
        "status": "ASSESSED",
        "dutyTotal": money("6.60", "USD"),
        "dueFromConsumer": money("6.60", "USD"),
    }
    assert refused["refuse"]["declaration"]["status"] == "RETURNED"
    assert refused["refuse"]["shipment"]["status"] == "RETURNED_TO_SENDER"
    returned = run_and_read(page, "Returned", '"node"')["node"]
    assert returned["status"] == "RETURNED_TO_SENDER"
    assert [s["status"] for s in returned["shipments"]] == ["RETURNED_TO_SENDER"]
    assert [(e["kind"], e["taxType"], e["payer"], e["amount"]) for e in returned["taxEntries"]] == [
        ("LIABILITY", "DUTY", "CONSUMER", money("6.60", "USD")),
        ("REVERSAL", "DUTY", "CONSUMER", money("6.60", "USD")),
    ]

    # Taxes: the month's report, the (empty) IOSS return, the ledger.
    open_tab(tabs["Taxes"])
    taxes = run_and_read(page, "Taxes", '"iossReturn"')
    rows = {(r["jurisdiction"], r["taxType"], r["payer"], r["collection"]): r for r in taxes["taxReport"]}
    vat = rows["DE", "VAT", "MARKETPLACE", "AT_SALE"]
    assert (vat["scheme"], vat["owed"], vat["entries"]) == ("IOSS", money("6.86", "EUR"), 2)
    duty = [r for key, r in rows.items() if key[1:] == ("DUTY", "MARKETPLACE", "AT_SALE")]
    assert [r["owed"] for r in duty] == [money("3.00", "EUR")]
    us = rows["US", "DUTY", "CONSUMER", "AT_BORDER"]
    assert (us["owed"], us["outstanding"], us["entries"]) == (money("0.00", "USD"), {"amount": "0.00"}, 2)
    ddp = rows["US", "DUTY", "SELLER", "AT_BORDER"]  # the demo's delivered order
    assert (ddp["owed"], ddp["payments"], ddp["outstanding"]) == (
        money("6.60", "USD"),
        {"amount": "6.60"},
        {"amount": "0.00"},
    )
    assert taxes["iossReturn"]["lines"] == [] and taxes["iossReturn"]["totalEur"] == money("0.00", "EUR")
    # 3 at sale in DE; the refused US duty and its reversal; the delivered order's duty and its payment.
    assert len(taxes["taxEntries"]["edges"]) == 7


def at(hours: int) -> str:
    """The sandbox clock `hours` after the demo's START, as the API writes it."""
    return (START + timedelta(hours=hours)).isoformat()


def walk_the_aftersales_tabs(page: Page, tabs: dict[str, Locator], demo: DemoIds) -> None:
    """The Returns, Service, Complaints and Feedback tabs, in order, top to bottom, on the delivered order."""
    # Returns: the order and its line; a return asked, approved, sent back, inspected and refunded.
    open_tab(tabs["Returns"])
    order = run_and_read(page, "Returns", '"returnReasons"')
    assert order["node"]["status"] == "DELIVERED"
    assert order["node"]["amountCaptured"] == money("44.97", "USD")
    assert order["node"]["lines"] == [
        {
            "id": demo.delivered_line_id,
            "sku": "TEE-CTN-BLK-M",
            "quantity": 2,
            "unitPrice": money("19.99", "USD"),
        }
    ]
    assert [(s["kind"], s["status"]) for s in order["node"]["shipments"]] == [("OUTBOUND", "DELIVERED")]
    assert "SIZE_FIT" in {reason["code"] for reason in order["returnReasons"]}
    asked = run_and_read(page, "RequestReturn", '"returnRequest"')["returnRequest"]["returnRequest"]
    assert (asked["status"], asked["reason"]) == ("REQUESTED", "SIZE_FIT")
    assert asked["lines"] == [{"quantity": 1, "product": {"sku": "TEE-CTN-BLK-M"}}]
    paste_variables(page, {"returnId": asked["id"]})
    approved = run_and_read(page, "ApproveReturn", '"returnApprove"')["returnApprove"]["returnRequest"]
    assert (approved["status"], approved["resolution"]) == ("APPROVED", "REFUND")
    label = approved["returnShipment"]
    assert (label["kind"], label["status"]) == ("RETURN", "LABEL_CREATED")
    assert (label["originCountry"], label["destinationCountry"]) == ("US", "CN")  # back the other way
    assert label["cost"] == money("3.50", "USD")
    paste_variables(page, {"returnTrackingNumber": label["trackingNumber"]})
    parcel = run_and_read(page, "ReturnParcel", '"delivered"')
    assert parcel["pickedUp"] == {
        "applied": True,
        "shipment": {"kind": "RETURN", "status": "PICKED_UP"},
        "userErrors": [],
    }
    assert parcel["delivered"] == {
        "applied": True,
        "shipment": {"kind": "RETURN", "status": "DELIVERED"},
        "userErrors": [],
    }
    inspected = run_and_read(page, "InspectReturn", '"returnInspect"')["returnInspect"]
    rma = inspected["returnRequest"]
    assert (rma["status"], rma["refundAmount"]) == ("RESOLVED", money("19.99", "USD"))
    assert rma["lines"] == [{"quantity": 1, "restocked": 1, "disposed": 0}]
    assert [e["type"] for e in rma["timeline"]] == [
        "RETURN_REQUESTED",
        "RETURN_APPROVED",
        "RETURN_IN_TRANSIT",
        "RETURN_RECEIVED",
        "RETURN_INSPECTED",
        "RETURN_RESOLVED",
    ]
    after = inspected["order"]
    assert after["status"] == "PARTIALLY_RETURNED" and after["amountRefunded"] == money("19.99", "USD")
    refund = after["payments"][-1]
    assert (refund["kind"], refund["amount"]) == ("REFUND", money("19.99", "USD"))
    # The outbound parcel is untouched by the return.
    assert [(s["kind"], s["status"]) for s in after["shipments"]] == [
        ("OUTBOUND", "DELIVERED"),
        ("RETURN", "DELIVERED"),
    ]

    # Service: a 4 h first response missed as the clock moves 5 h; a late reply; resolved in time.
    open_tab(tabs["Service"])
    service = run_and_read(page, "Service", '"opened"')
    assert service["policy"]["policy"] == {
        "subject": "WARRANTY",
        "firstResponseHours": 4,
        "resolutionHours": 48,
        "source": "WORKSPACE",
    }
    ticket = service["opened"]["ticket"]
    assert (ticket["status"], ticket["kind"], ticket["breached"]) == ("OPEN", "WARRANTY", False)
    assert (ticket["openedAt"], ticket["firstResponseDue"], ticket["resolutionDue"]) == (at(0), at(4), at(48))
    paste_variables(page, {"ticketId": ticket["id"]})
    moved = run_and_read(page, "MissFirstResponse", '"sandboxClockAdvance"')["sandboxClockAdvance"]
    assert moved["workspace"]["now"] == at(5) and moved["timersFired"] >= 1
    late = run_and_read(page, "Ticket", '"node"')["node"]
    assert (late["status"], late["firstResponseBreached"], late["resolutionBreached"], late["breached"]) == (
        "OPEN",
        True,
        False,
        True,
    )
    assert {"type": "TICKET_FIRST_RESPONSE_BREACHED", "occurredAt": at(4)} in late["timeline"]
    replied = run_and_read(page, "ReplyToTicket", '"serviceTicketReply"')["serviceTicketReply"]["ticket"]
    assert (replied["status"], replied["firstRespondedAt"]) == ("WAITING_CONSUMER", at(5))
    assert replied["firstResponseBreached"] is True  # a late reply does not undo the breach
    assert [m["author"] for m in replied["messages"]] == ["CONSUMER", "SELLER"]
    resolved = run_and_read(page, "ResolveTicket", '"serviceTicketResolve"')["serviceTicketResolve"]["ticket"]
    assert (resolved["status"], resolved["resolvedAt"], resolved["resolutionBreached"]) == (
        "RESOLVED",
        at(5),
        False,
    )

    # Complaints: an A-to-z claim unanswered for 13 h is escalated, then settled with a partial refund.
    open_tab(tabs["Complaints"])
    claim = run_and_read(page, "Complaints", '"complaintOpen"')["complaintOpen"]["complaint"]
    assert (claim["status"], claim["source"], claim["severity"]) == ("OPEN", "PLATFORM_CLAIM", "HIGH")
    assert (claim["openedAt"], claim["firstResponseDue"], claim["resolutionDue"]) == (at(5), at(17), at(53))
    paste_variables(page, {"complaintId": claim["id"]})
    moved = run_and_read(page, "MissComplaintDeadline", '"sandboxClockAdvance"')["sandboxClockAdvance"]
    assert moved["workspace"]["now"] == at(18) and moved["timersFired"] >= 1
    escalated = run_and_read(page, "Complaint", '"node"')["node"]
    assert (escalated["status"], escalated["breached"], escalated["escalatedAt"]) == (
        "ESCALATED",
        True,
        at(17),
    )
    [event] = [e for e in escalated["timeline"] if e["type"] == "COMPLAINT_ESCALATED"]
    assert (event["occurredAt"], event["data"]["deadline"]) == (at(17), "FIRST_RESPONSE")
    settled = run_and_read(page, "SettleComplaint", '"complaintResolve"')["complaintResolve"]["complaint"]
    assert (settled["status"], settled["outcome"], settled["refunded"]) == (
        "RESOLVED",
        "PARTIAL_REFUND",
        money("5.00", "USD"),
    )
    assert settled["order"]["amountRefunded"] == money("24.99", "USD")  # 19.99 for the return + 5.00
    assert (settled["order"]["payments"][-1]["kind"], settled["order"]["payments"][-1]["amount"]) == (
        "REFUND",
        {"amount": "5.00"},
    )

    # Feedback: 2 stars, then what the T-shirt's figures say.
    open_tab(tabs["Feedback"])
    given = run_and_read(page, "Feedback", '"feedbackGive"')["feedbackGive"]
    assert given["feedback"] == {
        "rating": 2,
        "text": "Runs small and the seam tore.",
        "market": "US",
        "givenAt": at(18),
        "product": {"sku": "TEE-CTN-BLK-M"},
    }
    assert given["order"] == {"status": "PARTIALLY_RETURNED"}
    quality = run_and_read(page, "Quality", '"productQuality"')["productQuality"]
    assert quality["product"] == {"sku": "TEE-CTN-BLK-M"}
    by_market = {row["market"]: row for row in quality["markets"]}
    assert set(by_market) == {"DE", "US"}
    assert (
        by_market["DE"]["unitsSold"],
        by_market["DE"]["unitsReturned"],
        by_market["DE"]["complaints"],
    ) == (2, 0, 0)
    us = by_market["US"]
    assert (
        us["ratingCount"],
        us["averageRating"],
        us["unitsSold"],
        us["unitsReturned"],
        us["returnRate"],
    ) == (
        1,
        "2.00",
        2,
        1,
        "0.5000",
    )
    assert (us["deliveredOrders"], us["complaints"], us["refunded"]) == (1, 1, [money("24.99", "USD")])
    overall = quality["overall"]
    assert [d["count"] for d in overall["distribution"]] == [0, 1, 0, 0, 0]
    assert (overall["unitsSold"], overall["unitsReturned"], overall["returnRate"]) == (4, 1, "0.2500")
    assert overall["topReturnReasons"] == [{"code": "SIZE_FIT", "units": 1, "share": "1.0000"}]
    assert (overall["deliveredOrders"], overall["complaints"], overall["complaintRate"]) == (2, 1, "0.5000")
    assert quality["improvements"] == []  # too few units, returns and ratings to judge


def run_browser(base_url: str, key: str, demo: DemoIds, screenshot: Path) -> None:
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)

            def on_console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    problems.append(f"console error: {message.text} ({message.location})")

            def on_page_error(error: Error) -> None:
                problems.append(f"page error: {error}")

            page.on("console", on_console)
            page.on("pageerror", on_page_error)

            page.goto(f"{base_url}/graphql")
            assert page.title() == "Tradelane GraphiQL"
            tabs = page.locator("li.graphiql-tab")
            tabs.first.wait_for()
            # Tabs are titled by their first operation, until another of theirs runs: take them now.
            by_title = {tabs.nth(i).inner_text().strip(): tabs.nth(i) for i in range(tabs.count())}

            # Tab 1, Catalog: runs with the demo key from the Headers pane.
            request = run_operation(page, "Catalog")
            assert request.all_headers().get("authorization") == f"Bearer {key}"
            catalog = response_json(page, "TEE-CTN-BLK-M")
            assert "errors" not in catalog, catalog["errors"]
            data = catalog["data"]
            assert data["workspace"]["name"].startswith("Demo Export Co.")  # the seller's sandbox workspace
            assert data["workspace"]["kind"] == "SANDBOX"
            assert len(data["channels"]["edges"]) == 4
            skus = {edge["node"]["product"]["sku"] for edge in data["listings"]["edges"]}
            assert "TEE-CTN-BLK-M" in skus

            # Tab 2, Place order: its variables are the demo channel and listing.
            configured = graphiql_config(key, None)["tabs"]
            assert isinstance(configured, list)
            assert tabs.count() == len(configured) == len(by_title)
            tabs.nth(1).locator("button.graphiql-tab-button").click()
            request = run_operation(page, "PlaceOrder")
            assert request.all_headers().get("authorization") == f"Bearer {key}"
            placed = response_json(page, '"status": "PLACED"')
            assert "errors" not in placed, placed["errors"]
            assert placed["data"]["orderPlace"]["userErrors"] == []
            order = placed["data"]["orderPlace"]["order"]
            assert order["status"] == "PLACED"
            assert order["total"] == {"amount": "44.97", "currency": "USD"}

            # The preparation tabs: each runs against the demo's seed data and answers without errors.
            expected = {
                "Markets": '"IOSS"',
                "Research": '"marketAnalysis"',
                "Compliance": '"READY"',
                "Stock": '"Shenzhen DC"',
                "Fx": '"CNY"',
            }
            answers = {}
            for index in range(tabs.count()):
                tab = tabs.nth(index)
                name = tab.inner_text().strip()
                if name not in expected:
                    continue
                tab.locator("button.graphiql-tab-button").click()
                run_operation(page, name)
                answers[name] = response_json(page, expected[name])
                assert "errors" not in answers[name], answers[name]["errors"]
            assert set(answers) == set(expected)
            rules = answers["Markets"]["data"]["market"]["rulesAsOf"]
            assert rules["asOf"] == "2026-07-01" and rules["currency"] == "EUR"
            research = answers["Research"]["data"]["marketAnalysis"]
            assert {row["market"] for row in research} == {"US", "DE", "GB", "JP"}
            assert research[0]["rank"] == 1 and research[0]["compliance"] == "READY"
            stock = answers["Stock"]["data"]["stock"]["edges"]
            assert stock[0]["node"]["onHand"] == 190 and stock[0]["node"]["rejected"] == 10

            walk_the_shipping_tabs(page, by_title)
            walk_the_aftersales_tabs(page, by_title, demo)
            walk_the_season_tab(page, by_title)

            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    assert problems == []


async def test_graphiql_runs_the_examples_for_the_demo_seller(database_url: str, tmp_path: Path) -> None:
    require_chromium()
    engine = make_engine(database_url)
    try:
        # The sandbox's clock stays where the demo starts it: a fixed day keeps the worked figures true.
        key, ids = await seed_demo(engine, FixedClock(START))
    finally:
        await engine.dispose()

    screenshot = tmp_path / "graphiql.png"
    with serving(database_url, GraphiQLSetup(api_key=key, demo=ids)) as base_url:
        await asyncio.to_thread(run_browser, base_url, key, ids, screenshot)
    assert screenshot.stat().st_size > 0


def test_every_example_is_valid_and_its_variables_are_given() -> None:
    """Every operation of every tab, including those the browser walk does not run (Seize, the Clock), is
    valid against the schema, and each variable it requires is in its tab's variables pane."""
    demo = DemoIds(
        channel_id="Q2hhbm5lbDox",
        listing_id="TGlzdGluZzox",
        order_id="T3JkZXI6MQ",
        product_id="UHJvZHVjdDox",
        channel_ids=["Q2hhbm5lbDox"],
        de_order_id="T3JkZXI6Mg",
        us_order_id="T3JkZXI6Mw",
        sandbox_month="2028-02",
        delivered_order_id="T3JkZXI6NA",
        delivered_line_id="T3JkZXJMaW5lOjE",
        delivered_product_id="UHJvZHVjdDoy",
    )
    tabs = graphiql_config("key", demo)["tabs"]
    assert isinstance(tabs, list)
    names: list[str] = []
    for tab in tabs:
        document = parse(tab["query"])
        assert validate(schema._schema, document) == [], tab["query"]
        given = json.loads(tab["variables"] or "{}")
        for operation in document.definitions:
            assert isinstance(operation, OperationDefinitionNode) and operation.name is not None
            names.append(operation.name.value)
            required = {
                v.variable.name.value
                for v in operation.variable_definitions or ()
                if isinstance(v.type, NonNullTypeNode) and v.default_value is None
            }
            assert required <= set(given), (operation.name.value, required - set(given))
    assert len(names) == len(set(names)), "an operation name on two tabs would make the walk ambiguous"
    assert {"Hold", "Respond", "Release", "Seize", "Refuse"} <= set(names)
    assert {"RequestReturn", "MissFirstResponse", "MissComplaintDeadline", "Quality"} <= set(names)
    # A leap year's February ends on the 29th.
    taxes = next(json.loads(t["variables"]) for t in tabs if "query Taxes" in t["query"])
    assert taxes == {"from": "2028-02-01", "to": "2028-02-29", "month": "2028-02"}
