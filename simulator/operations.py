"""The public GraphQL operations the world's actors use during a season, and what each answer means to them.

Every operation is one mutation with the fewest fields the actor needs. `Op.read` turns the payload into a
small dict: `{"error": CODE}` when the API refused (a userError: an expected outcome the actor reacts to,
e.g. an order that the clock already cancelled), else the fields the actor acts on. `Op.fake` answers the
same way without any API, for the benchmark's baseline (the same model with nothing behind it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Result = dict[str, Any]
_ids = itertools.count(1)


def _fake_id(kind: str) -> str:
    return f"{kind}:{next(_ids)}"


@dataclass(frozen=True, slots=True)
class Op:
    name: str  # the mutation's field name
    input_type: str
    selection: str  # what is asked for besides userErrors
    read: Callable[[dict[str, Any]], Result]
    fake: Callable[[dict[str, Any]], Result]

    def field(self, alias: str, variable: str) -> str:
        """This mutation as one field of a document, answering under `alias`, its input in `$variable`."""
        return (
            f"{alias}: {self.name}(input: ${variable}) {{ {self.selection} userErrors {{ code message }} }}"
        )

    def result(self, data: dict[str, Any], alias: str | None = None) -> Result:
        payload: dict[str, Any] = data[alias or self.name]
        errors = payload.get("userErrors") or []
        if errors:
            return {"error": errors[0]["code"], "message": errors[0]["message"]}
        found = self.read(payload)
        found["error"] = None
        return found


def _nothing(payload: dict[str, Any]) -> Result:
    return {}


def _money(value: dict[str, Any] | None) -> Decimal:
    return Decimal(value["amount"]) if value else Decimal(0)


def _placed(payload: dict[str, Any]) -> Result:
    order = payload["order"]
    return {
        "id": order["id"],
        "total": Decimal(order["total"]["amount"]),
        "lines": [line["id"] for line in order["lines"]],
    }


def _fake_placed(values: dict[str, Any]) -> Result:
    return {
        "id": _fake_id("Order"),
        "total": Decimal("20.00"),
        "lines": [_fake_id("Line") for _ in values["lines"]],
    }


def _status(key: str) -> Callable[[dict[str, Any]], Result]:
    def read(payload: dict[str, Any]) -> Result:
        return {"status": payload[key]["status"] if payload.get(key) else None}

    return read


def _shipped(payload: dict[str, Any]) -> Result:
    shipment = payload["shipment"]
    return {
        "id": shipment["id"],
        "tracking": shipment["trackingNumber"],
        "incoterm": shipment["incoterm"],
        "carrier": shipment["carrier"]["code"],
        "cost": _money(shipment["cost"]),
        "cost_currency": shipment["cost"]["currency"],
        "declarations": {d["direction"]: d["id"] for d in shipment["declarations"]},
    }


def _fake_shipped(values: dict[str, Any]) -> Result:
    return {
        "id": _fake_id("Shipment"),
        "tracking": _fake_id("LX"),
        "incoterm": values.get("incoterm") or "DDP",
        "carrier": values.get("carrier") or "CHINA_POST",
        "cost": Decimal("5.00"),
        "cost_currency": "USD",
        "declarations": {"EXPORT": _fake_id("Decl"), "IMPORT": _fake_id("Decl")},
    }


def _scanned(payload: dict[str, Any]) -> Result:
    return {"applied": bool(payload["applied"]), "status": payload["shipment"]["status"]}


def _decided(payload: dict[str, Any]) -> Result:
    declaration = payload["declaration"]
    due = declaration["dueFromConsumer"]
    return {
        "status": declaration["status"],
        "due": _money(due),
        "duty": _money(declaration["dutyTotal"]),
        "tax": _money(declaration["taxTotal"]),
        "currency": (declaration["dutyTotal"] or due or {}).get("currency"),
    }


def _fake_decided(values: dict[str, Any]) -> Result:
    status = {"HOLD": "HELD", "ASSESS": "ASSESSED", "RELEASE": "RELEASED", "INSPECT": "INSPECTED"}
    decision = values["decision"]
    return {
        "status": status.get(decision, decision),
        "due": Decimal(0),
        "duty": Decimal(0),
        "tax": Decimal(0),
        "currency": None,
    }


def _returned(payload: dict[str, Any]) -> Result:
    rma = payload["returnRequest"]
    shipment = rma.get("returnShipment")
    replacement = rma.get("replacementOrder")
    return {
        "id": rma["id"],
        "status": rma["status"],
        "tracking": shipment["trackingNumber"] if shipment else None,
        "refund": _money(rma.get("refundAmount")),
        "replacement": replacement["id"] if replacement else None,
    }


def _fake_returned(values: dict[str, Any], status: str = "APPROVED") -> Result:
    return {
        "id": values.get("returnId") or _fake_id("Return"),
        "status": status,
        "tracking": _fake_id("RT") if values.get("resolution") not in (None, "RETURNLESS_REFUND") else None,
        "refund": Decimal("10.00"),
        "replacement": None,
    }


def _node_id(key: str) -> Callable[[dict[str, Any]], Result]:
    def read(payload: dict[str, Any]) -> Result:
        return {"id": payload[key]["id"]}

    return read


def _fake_node(kind: str) -> Callable[[dict[str, Any]], Result]:
    return lambda values: {"id": _fake_id(kind)}


def _fake_status(status: str) -> Callable[[dict[str, Any]], Result]:
    return lambda values: {"status": status}


RETURN_FIELDS = (
    "returnRequest { id status returnShipment { trackingNumber } refundAmount { amount }"
    " replacementOrder { id } }"
)

PLACE = Op(
    "orderPlace", "OrderPlaceInput", "order { id total { amount } lines { id } }", _placed, _fake_placed
)
AUTHORIZE = Op("paymentAuthorize", "PaymentAuthorizeInput", "", _nothing, lambda v: {})
CAPTURE = Op(
    "paymentCapture", "PaymentCaptureInput", "order { status }", _status("order"), _fake_status("PAID")
)
CANCEL = Op(
    "orderCancel", "OrderCancelInput", "order { status }", _status("order"), _fake_status("CANCELLED")
)
CONFIRM = Op(
    "orderConfirm", "OrderMoveInput", "order { status }", _status("order"), _fake_status("CONFIRMED")
)
PACK = Op("orderPack", "OrderMoveInput", "order { status }", _status("order"), _fake_status("PACKED"))
SHIP = Op(
    "shipmentCreate",
    "ShipmentCreateInput",
    "shipment { id trackingNumber incoterm carrier { code } cost { amount currency }"
    " declarations { id direction } }",
    _shipped,
    _fake_shipped,
)
SCAN = Op(
    "trackingScanRecord",
    "TrackingScanRecordInput",
    "applied shipment { status }",
    _scanned,
    lambda v: {"applied": True, "status": v["type"]},
)
DECIDE = Op(
    "customsDecisionRecord",
    "CustomsDecisionRecordInput",
    "declaration { status dutyTotal { amount currency } taxTotal { amount }"
    " dueFromConsumer { amount currency } }",
    _decided,
    _fake_decided,
)
RESPOND = Op(
    "customsDeclarationRespond",
    "CustomsDeclarationRespondInput",
    "declaration { status }",
    _status("declaration"),
    _fake_status("RESUBMITTED"),
)
CHARGES = Op(
    "customsChargesCollect",
    "CustomsChargesCollectInput",
    "declaration { status }",
    _status("declaration"),
    lambda v: {"status": "PAID" if v["paid"] else "RETURNED"},
)
RETURN_REQUEST = Op(
    "returnRequest", "ReturnRequestInput", RETURN_FIELDS, _returned, lambda v: _fake_returned(v, "REQUESTED")
)
RETURN_APPROVE = Op("returnApprove", "ReturnApproveInput", RETURN_FIELDS, _returned, _fake_returned)
RETURN_DECLINE = Op(
    "returnDecline", "ReturnDeclineInput", RETURN_FIELDS, _returned, lambda v: _fake_returned(v, "DECLINED")
)
RETURN_INSPECT = Op(
    "returnInspect", "ReturnInspectInput", RETURN_FIELDS, _returned, lambda v: _fake_returned(v, "RESOLVED")
)
TICKET_OPEN = Op(
    "serviceTicketOpen", "ServiceTicketOpenInput", "ticket { id }", _node_id("ticket"), _fake_node("Ticket")
)
TICKET_REPLY = Op(
    "serviceTicketReply",
    "ServiceTicketMessageInput",
    "ticket { status }",
    _status("ticket"),
    _fake_status("ANSWERED"),
)
TICKET_RESOLVE = Op(
    "serviceTicketResolve",
    "ServiceTicketMoveInput",
    "ticket { status }",
    _status("ticket"),
    _fake_status("RESOLVED"),
)
TICKET_CLOSE = Op(
    "serviceTicketClose",
    "ServiceTicketMoveInput",
    "ticket { status }",
    _status("ticket"),
    _fake_status("CLOSED"),
)
COMPLAINT_OPEN = Op(
    "complaintOpen", "ComplaintOpenInput", "complaint { id }", _node_id("complaint"), _fake_node("Complaint")
)
COMPLAINT_RESPOND = Op(
    "complaintRespond",
    "ComplaintRespondInput",
    "complaint { status }",
    _status("complaint"),
    _fake_status("RESPONDED"),
)
COMPLAINT_RESOLVE = Op(
    "complaintResolve",
    "ComplaintResolveInput",
    "complaint { status }",
    _status("complaint"),
    _fake_status("RESOLVED"),
)
FEEDBACK = Op(
    "feedbackGive", "FeedbackGiveInput", "feedback { id }", _node_id("feedback"), _fake_node("Feedback")
)
CHARGEBACK = Op(
    "paymentChargeback", "PaymentRefundInput", "order { status }", _status("order"), _fake_status("DELIVERED")
)
FX_IMPORT = Op("exchangeRatesImport", "ExchangeRatesImportInput", "ratesWritten", lambda p: {}, lambda v: {})
CLOCK = Op(
    "sandboxClockAdvance",
    "SandboxClockAdvanceInput",
    "timersFired",
    lambda p: {"fired": p["timersFired"]},
    lambda v: {"fired": 0},
)


# How many of the actors' calls go in one document, after the clock move that may lead it. The API's limits
# are 30 aliases and 5,000 tokens a document; tests/test_command_statements.py checks that a batch of the
# largest operation stays inside both.
BATCH_CALLS = 20


@dataclass(frozen=True, slots=True)
class Batch:
    """Calls made at one simulated instant, as one document: GraphQL runs a mutation's root fields one
    after another in the order written, each in its own transaction, so one request does what len(calls)
    requests did, in the same order, with the clock moved first when `clock_to` is set.

    Unlike separate requests, the key is checked once for the document, and an error that is not a
    userError (a bug, the database gone) ends the whole document: the season fails on it, as it would on
    the same error alone. A refused clock move does not stop the calls after it; it fails the season once
    the document has run. Only something else moving this sandbox's clock could refuse it, and nothing else
    can: a run's sandbox is shown only through a read-only key, and `--url` seasons make their own."""

    ops: tuple[Op, ...]
    inputs: tuple[dict[str, Any], ...]
    clock_to: str | None = None  # ISO time the sandbox clock moves to before the calls

    @property
    def document(self) -> str:
        variables = [f"$c{i}: {op.input_type}!" for i, op in enumerate(self.ops)]
        fields = [op.field(f"c{i}", f"c{i}") for i, op in enumerate(self.ops)]
        if self.clock_to is not None:
            variables.insert(0, f"$clock: {CLOCK.input_type}!")
            fields.insert(0, CLOCK.field("clock", "clock"))
        return f"mutation ({', '.join(variables)}) {{ {' '.join(fields)} }}"

    @property
    def variables(self) -> dict[str, Any]:
        found: dict[str, Any] = {f"c{i}": values for i, values in enumerate(self.inputs)}
        if self.clock_to is not None:
            found["clock"] = {"to": self.clock_to}
        return found

    def results(self, data: dict[str, Any]) -> tuple[Result | None, list[Result]]:
        """The clock move's answer (None when there was none) and each call's, in order."""
        clock = CLOCK.result(data, "clock") if self.clock_to is not None else None
        return clock, [op.result(data, f"c{i}") for i, op in enumerate(self.ops)]


def batches(ops: list[Op], inputs: list[dict[str, Any]], clock_to: str | None) -> list[Batch]:
    """The calls in documents of at most BATCH_CALLS, in order; the first one moves the clock."""
    if not ops and clock_to is None:
        return []
    found = []
    for start in range(0, max(len(ops), 1), BATCH_CALLS):
        found.append(
            Batch(
                tuple(ops[start : start + BATCH_CALLS]),
                tuple(inputs[start : start + BATCH_CALLS]),
                clock_to if start == 0 else None,
            )
        )
    return found
