"""The carriers' tracking webhook, posted to over HTTP: `POST /webhooks/tracking/{endpoint id}`.

The signature is computed here with hashlib/hmac, not with the domain's `sign`, so that these tests pin the
documented scheme rather than whatever the code does:
    Tradelane-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
`hmac_hex` is checked against RFC 4231 test case 2 (key "Jefe", data "what do ya want for nothing?"); that
vector is from the RFC, not from reference-facts.md, which has no row on webhooks.

Time: the server's clock is conftest's FixedClock at START = 2026-11-23 09:00:00 UTC, and a new sandbox
workspace's clock starts there too. In Unix seconds: 1970-01-01 to 2026-01-01 is 56 x 365 + 14 leap days
(1972 to 2024) = 20,454 days; to 23 November adds 304 (January to October) + 22 = 326, so 20,780 days
x 86,400 = 1,795,392,000 s, plus 9 h (32,400 s) = 1,795,424,400. A signature may be 300 s old or early.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa
from graphql import GraphQLObjectType
from sqlalchemy.ext.asyncio import AsyncEngine

from api.relay import to_global_id
from domain.logistics.lanes import lane_book
from tests.conftest import START, Seller
from tests.shipping_setup import confirmed_order, decide, order_view, scan, ship

NOW = 1_795_424_400  # START in Unix seconds, derived in the module docstring
TOLERANCE = 300  # seconds a signature's t may be off the server's clock
MAX_BODY = 64 * 1024  # bytes: "one event of at most 64 KiB"
AT_CLOCK = "2026-11-23T09:00:00Z"  # the workspace clock: the latest a scan may have happened

WEBHOOK = "id carrier urlPath createdAt revokedAt secretHint"
WEBHOOK_CREATE = f"""mutation ($input: TrackingWebhookCreateInput!) {{ trackingWebhookCreate(input: $input) {{
  webhook {{ {WEBHOOK} }} secret userErrors {{ field code message }} }} }}"""
WEBHOOK_REVOKE = f"""mutation ($input: TrackingWebhookRevokeInput!) {{ trackingWebhookRevoke(input: $input) {{
  webhook {{ {WEBHOOK} }} userErrors {{ field code message }} }} }}"""
WEBHOOKS = f"""query ($first: Int, $after: String, $filter: TrackingWebhookFilter) {{
  trackingWebhooks(first: $first, after: $after, filter: $filter) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {WEBHOOK} }} }} }} }}"""
WEBHOOK_NODE = f"""query ($id: ID!) {{ node(id: $id) {{ ... on TrackingWebhook {{ {WEBHOOK} }} }} }}"""
CLOCK_ADVANCE = """mutation ($input: SandboxClockAdvanceInput!) { sandboxClockAdvance(input: $input) {
  workspace { now } userErrors { code } } }"""
SHIPMENT_VIEW = """query ($id: ID!) { node(id: $id) { ... on Shipment { status version
  timeline { type source eventId applied occurredAt } } } }"""


# -- signing and posting --------------------------------------------------------------------------------


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature(secret: str, body: bytes, t: int = NOW) -> str:
    return f"t={t},v1={hmac_hex(secret, f'{t}.'.encode() + body)}"


def event(number: str, type_: str = "PICKED_UP", **fields: Any) -> dict[str, Any]:
    return (
        {"eventId": f"evt-{secrets.token_hex(4)}", "trackingNumber": number, "type": type_}
        | {"occurredAt": AT_CLOCK}
        | fields
    )


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


@dataclass(frozen=True)
class Endpoint:
    client: httpx.AsyncClient
    path: str
    secret: str
    id: str  # its global ID, as trackingWebhookRevoke and node(id:) take it
    created: dict[str, Any]  # the webhook as trackingWebhookCreate answered

    async def post(self, body: bytes, headers: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(self.path, content=body, headers=headers or {})

    async def send(self, payload: dict[str, Any] | bytes, *, t: int = NOW) -> httpx.Response:
        """Post it signed with this endpoint's secret, as the carrier would."""
        body = payload if isinstance(payload, bytes) else encode(payload)
        return await self.post(body, {"Tradelane-Signature": signature(self.secret, body, t)})


async def create_endpoint(seller: Seller, carrier: str) -> Endpoint:
    data = (await seller.gql(WEBHOOK_CREATE, {"input": {"carrier": carrier}}))["trackingWebhookCreate"]
    assert data["userErrors"] == [], data
    webhook = data["webhook"]
    # The path names the endpoint by its UUID; the API by a global ID built from that same UUID.
    raw = uuid.UUID(webhook["urlPath"].removeprefix("/webhooks/tracking/"))
    assert webhook["urlPath"] == f"/webhooks/tracking/{raw}"
    assert webhook["id"] == to_global_id("TrackingWebhook", raw)
    assert webhook["carrier"] == carrier
    return Endpoint(seller.client, webhook["urlPath"], data["secret"], webhook["id"], webhook)


def refusal(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    return response.status_code, body["error"]["code"]


# -- shipments and reading them back ------------------------------------------------------------------


async def shipped(seller: Seller, **extra: Any) -> dict[str, Any]:
    """A confirmed order's shipment (POSTAL, CN to DE), LABEL_CREATED, with its order's ID."""
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"], **extra)
    assert shipment["status"] == "LABEL_CREATED"
    return shipment | {"orderId": order["id"]}


async def shipment_view(seller: Seller, shipment_id: str) -> dict[str, Any]:
    data = await seller.gql(SHIPMENT_VIEW, {"id": shipment_id})
    node: dict[str, Any] = data["node"]
    return node


def scans(view: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """The shipment's events other than its label, by event ID (the timeline is in order of occurrence)."""
    found = [(e["type"], e["source"], e["eventId"], e["applied"]) for e in view["timeline"]]
    return sorted((f for f in found if f[0] != "LABEL_CREATED"), key=lambda f: f[2])


def occurred_at(view: dict[str, Any], event_id: str) -> str:
    found: str = next(e["occurredAt"] for e in view["timeline"] if e["eventId"] == event_id)
    return found


async def assert_untouched(seller: Seller, shipment: dict[str, Any], why: str = "") -> None:
    """Nothing was written: the shipment is as shipmentCreate left it, with its label event only."""
    view = await shipment_view(seller, shipment["id"])
    assert (view["status"], view["version"]) == ("LABEL_CREATED", shipment["version"]), why
    assert [(e["type"], e["source"]) for e in view["timeline"]] == [("LABEL_CREATED", "SELLER")], why


async def setup(seller: Seller, **extra: Any) -> tuple[dict[str, Any], Endpoint]:
    shipment = await shipped(seller, **extra)
    return shipment, await create_endpoint(seller, shipment["carrier"]["code"])


# -- the signature helper itself ----------------------------------------------------------------------


def test_now_is_the_test_clock_in_unix_seconds() -> None:
    assert START.timestamp() == NOW


def test_hmac_helper_matches_rfc_4231_and_builds_the_documented_header() -> None:
    """RFC 4231 section 4.3 (test case 2): HMAC-SHA256("Jefe", "what do ya want for nothing?")."""
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert hmac_hex("Jefe", b"what do ya want for nothing?") == expected
    header = signature("whsec_x", b"{}", t=12)
    assert header == f"t=12,v1={hmac_hex('whsec_x', b'12.{}')}"


# -- accepted scans ------------------------------------------------------------------------------------


async def test_a_signed_scan_moves_the_shipment_and_shows_as_a_webhook_event(seller: Seller) -> None:
    shipment, endpoint = await setup(seller)
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    payload = event(
        shipment["trackingNumber"], eventId="CP-0001", location="Shenzhen hub, CN", detail="Accepted"
    )
    response = await endpoint.send(payload)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {"eventId": "CP-0001", "applied": True, "shipmentId": body["shipmentId"]}
    view = await shipment_view(seller, shipment["id"])
    assert view["status"] == "PICKED_UP"
    assert view["version"] == shipment["version"] + 1
    assert scans(view) == [("PICKED_UP", "WEBHOOK", "CP-0001", True)]
    assert occurred_at(view, "CP-0001") == "2026-11-23T09:00:00+00:00"
    # The order follows: the goods left the seller, so it is SHIPPED.
    assert (await order_view(seller, shipment["orderId"]))["status"] == "SHIPPED"


async def test_a_signature_300_seconds_old_or_early_is_still_accepted(seller: Seller) -> None:
    """The tolerance is inclusive: t = NOW - 300 and t = NOW + 300 pass (NOW - 301 is refused below)."""
    shipment, endpoint = await setup(seller)
    number = shipment["trackingNumber"]
    old = await endpoint.send(event(number, "PICKED_UP", eventId="E-OLD"), t=NOW - TOLERANCE)
    early = await endpoint.send(event(number, "LOST", eventId="E-EARLY"), t=NOW + TOLERANCE)
    assert (old.status_code, early.status_code) == (200, 200), (old.text, early.text)
    assert (await shipment_view(seller, shipment["id"]))["status"] == "LOST"


async def test_one_of_several_v1_signatures_may_match_as_when_a_secret_is_rotated(seller: Seller) -> None:
    shipment, endpoint = await setup(seller)
    body = encode(event(shipment["trackingNumber"]))
    signed = f"{NOW}.".encode() + body
    header = f"t={NOW},v1={hmac_hex('whsec_old', signed)},v1={hmac_hex(endpoint.secret, signed)}"
    response = await endpoint.post(body, {"Tradelane-Signature": header})
    assert response.status_code == 200, response.text


async def test_a_late_scan_is_stored_but_does_not_move_the_shipment_back(seller: Seller) -> None:
    """DEPARTED_ORIGIN ranks 3, PICKED_UP ranks 1: the pick-up scan that arrives after the departure is
    stored with applied false, and the shipment stays DEPARTED_ORIGIN."""
    shipment, endpoint = await setup(seller)
    number = shipment["trackingNumber"]
    assert (await endpoint.send(event(number, "PICKED_UP", eventId="E-PICK0"))).json()["applied"] is True
    export = next(d for d in shipment["declarations"] if d["direction"] == "EXPORT")
    assert (await decide(seller, export["id"], "RELEASE"))["userErrors"] == []
    departed = await endpoint.send(event(number, "DEPARTED_ORIGIN", eventId="E-DEP"))
    assert departed.json()["applied"] is True
    version = (await shipment_view(seller, shipment["id"]))["version"]

    late = await endpoint.send(
        event(number, "PICKED_UP", eventId="E-PICK", occurredAt="2026-11-23T08:30:00Z")
    )

    assert late.status_code == 200, late.text
    assert (late.json()["eventId"], late.json()["applied"]) == ("E-PICK", False)
    view = await shipment_view(seller, shipment["id"])
    assert (view["status"], view["version"]) == ("DEPARTED_ORIGIN", version)
    assert [s for s in scans(view) if s[1] == "WEBHOOK"] == [
        ("DEPARTED_ORIGIN", "WEBHOOK", "E-DEP", True),
        ("PICKED_UP", "WEBHOOK", "E-PICK", False),
        ("PICKED_UP", "WEBHOOK", "E-PICK0", True),
    ]
    assert occurred_at(view, "E-PICK") == "2026-11-23T08:30:00+00:00"


async def test_a_scan_at_exactly_the_workspace_clock_in_another_zone_is_accepted(seller: Seller) -> None:
    """10:00:00+01:00 is 09:00:00Z, the workspace clock: not after it."""
    shipment, endpoint = await setup(seller)
    payload = event(shipment["trackingNumber"], eventId="E-TZ", occurredAt="2026-11-23T10:00:00+01:00")
    response = await endpoint.send(payload)
    assert response.status_code == 200, response.text
    view = await shipment_view(seller, shipment["id"])
    assert occurred_at(view, "E-TZ") == "2026-11-23T09:00:00+00:00"


# -- duplicates ----------------------------------------------------------------------------------------


async def test_a_repeated_event_id_is_refused_and_stored_once(seller: Seller) -> None:
    shipment, endpoint = await setup(seller)
    number = shipment["trackingNumber"]
    first = await endpoint.send(event(number, "PICKED_UP", eventId="E-1"))
    assert first.status_code == 200, first.text
    # The repeat says something else (a later step), so applying it would show.
    again = await endpoint.send(event(number, "DEPARTED_ORIGIN", eventId="E-1"))

    assert refusal(again) == (409, "DUPLICATE_EVENT")
    view = await shipment_view(seller, shipment["id"])
    assert view["status"] == "PICKED_UP"
    assert scans(view) == [("PICKED_UP", "WEBHOOK", "E-1", True)]


async def test_a_webhook_event_id_already_used_by_a_sandbox_scan_is_a_duplicate(seller: Seller) -> None:
    shipment, endpoint = await setup(seller)
    number = shipment["trackingNumber"]
    assert (await scan(seller, number, "PICKED_UP", eventId="E-9"))["userErrors"] == []
    response = await endpoint.send(event(number, "DEPARTED_ORIGIN", eventId="E-9"))
    assert refusal(response) == (409, "DUPLICATE_EVENT")
    view = await shipment_view(seller, shipment["id"])
    assert view["status"] == "PICKED_UP"
    assert scans(view) == [("PICKED_UP", "SANDBOX", "E-9", True)]


@contextmanager
def connections_in_use(engine: AsyncEngine) -> Iterator[dict[str, int]]:
    """The most pooled connections checked out at once while the block runs."""
    seen = {"now": 0, "most": 0}

    def checkout(*args: Any) -> None:
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])

    def checkin(*args: Any) -> None:
        seen["now"] -= 1

    pool = engine.sync_engine.pool
    sa.event.listen(pool, "checkout", checkout)
    sa.event.listen(pool, "checkin", checkin)
    try:
        yield seen
    finally:
        sa.event.remove(pool, "checkout", checkout)
        sa.event.remove(pool, "checkin", checkin)


async def test_the_same_event_posted_five_times_at_once_is_applied_once(
    seller: Seller, engine: AsyncEngine
) -> None:
    """Each request locks the shipment row before it looks for the event ID, so the four that wait see the
    first one's event once it commits (and a unique constraint backs that up). The pool shows that the
    requests really ran at once: httpx's ASGI transport does not serialise them."""
    shipment, endpoint = await setup(seller)
    body = encode(event(shipment["trackingNumber"], "PICKED_UP", eventId="E-RACE"))
    header = {"Tradelane-Signature": signature(endpoint.secret, body)}

    with connections_in_use(engine) as seen:
        responses = await asyncio.gather(*(endpoint.post(body, header) for _ in range(5)))

    assert seen["most"] >= 2
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409, 409, 409], [r.text for r in responses]
    assert all(refusal(r) == (409, "DUPLICATE_EVENT") for r in responses if r.status_code == 409)
    view = await shipment_view(seller, shipment["id"])
    assert view["status"] == "PICKED_UP"
    assert scans(view) == [("PICKED_UP", "WEBHOOK", "E-RACE", True)]


# -- signatures refused --------------------------------------------------------------------------------


async def test_a_bad_signature_is_refused_and_nothing_is_written(seller: Seller) -> None:
    shipment, endpoint = await setup(seller)
    body = encode(event(shipment["trackingNumber"]))
    other = encode(event(shipment["trackingNumber"], "DEPARTED_ORIGIN"))
    right = hmac_hex(endpoint.secret, f"{NOW}.".encode() + body)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("missing header", {}, "MISSING_SIGNATURE"),
        ("empty header", {"Tradelane-Signature": ""}, "MISSING_SIGNATURE"),
        ("wrong secret", {"Tradelane-Signature": signature("whsec_not_this_one", body)}, "INVALID_SIGNATURE"),
        (
            "signed another body",
            {"Tradelane-Signature": signature(endpoint.secret, other)},
            "INVALID_SIGNATURE",
        ),
        ("t changed after signing", {"Tradelane-Signature": f"t={NOW + 1},v1={right}"}, "INVALID_SIGNATURE"),
        ("no t", {"Tradelane-Signature": f"v1={right}"}, "INVALID_SIGNATURE"),
        ("t not a number", {"Tradelane-Signature": f"t=soon,v1={right}"}, "INVALID_SIGNATURE"),
        ("no v1", {"Tradelane-Signature": f"t={NOW},v0={right}"}, "INVALID_SIGNATURE"),
        (
            "v1 not ASCII",
            {"Tradelane-Signature": f"t={NOW},v1=".encode() + b"\xe9" * 64},
            "INVALID_SIGNATURE",
        ),
        (
            "stale by 301 s",
            {"Tradelane-Signature": signature(endpoint.secret, body, NOW - TOLERANCE - 1)},
            "STALE_SIGNATURE",
        ),
        (
            "301 s in the future",
            {"Tradelane-Signature": signature(endpoint.secret, body, NOW + TOLERANCE + 1)},
            "STALE_SIGNATURE",
        ),
        ("t of 400 digits", {"Tradelane-Signature": f"t={'9' * 400},v1={right}"}, "STALE_SIGNATURE"),
        ("t negative", {"Tradelane-Signature": signature(endpoint.secret, body, -NOW)}, "STALE_SIGNATURE"),
    ]
    for name, headers, code in cases:
        response = await endpoint.post(body, headers)
        assert refusal(response) == (401, code), (name, response.text)
        await assert_untouched(seller, shipment, name)


async def test_another_endpoints_secret_does_not_sign_for_this_one(seller: Seller) -> None:
    """Two endpoints of the same workspace and carrier have different secrets."""
    shipment, endpoint = await setup(seller)
    second = await create_endpoint(seller, shipment["carrier"]["code"])
    assert second.secret != endpoint.secret
    body = encode(event(shipment["trackingNumber"]))
    response = await endpoint.post(body, {"Tradelane-Signature": signature(second.secret, body)})
    assert refusal(response) == (401, "INVALID_SIGNATURE")
    await assert_untouched(seller, shipment)


# -- endpoints ----------------------------------------------------------------------------------------


async def test_an_unknown_or_malformed_endpoint_is_not_found(seller: Seller) -> None:
    shipment, endpoint = await setup(seller)
    body = encode(event(shipment["trackingNumber"]))
    # Signed with a real endpoint's secret: only the path is wrong.
    signed = {"Tradelane-Signature": signature(endpoint.secret, body)}
    for path in (
        f"/webhooks/tracking/{uuid.uuid4()}",
        "/webhooks/tracking/not-a-uuid",
        "/webhooks/tracking/1",
    ):
        response = await endpoint.client.post(path, content=body, headers=signed)
        assert refusal(response) == (404, "UNKNOWN_ENDPOINT"), path
    await assert_untouched(seller, shipment)


async def test_creating_an_endpoint_for_an_unknown_carrier_is_refused(seller: Seller) -> None:
    data = (await seller.gql(WEBHOOK_CREATE, {"input": {"carrier": "PIGEON_POST"}}))["trackingWebhookCreate"]
    assert (data["webhook"], data["secret"]) == (None, None)
    assert [(e["code"], e["field"]) for e in data["userErrors"]] == [
        ("UNKNOWN_CARRIER", ["input", "carrier"])
    ]
    assert "PIGEON_POST" in data["userErrors"][0]["message"]


async def test_a_carrier_code_is_taken_trimmed_and_in_capitals(seller: Seller) -> None:
    shipment = await shipped(seller)
    code = shipment["carrier"]["code"]
    data = (await seller.gql(WEBHOOK_CREATE, {"input": {"carrier": f"  {code.lower()} "}}))[
        "trackingWebhookCreate"
    ]
    assert data["userErrors"] == []
    assert data["webhook"]["carrier"] == code


# -- payloads refused ----------------------------------------------------------------------------------


async def test_a_signed_but_unacceptable_payload_is_refused_and_nothing_is_written(seller: Seller) -> None:
    shipment, endpoint = await setup(seller)
    number = shipment["trackingNumber"]
    good = event(number)
    without_event_id = {k: v for k, v in good.items() if k != "eventId"}
    cases: list[tuple[str, bytes, int, str]] = [
        ("unknown tracking number", encode(event("TL-NO-SUCH-PARCEL")), 404, "UNKNOWN_TRACKING_NUMBER"),
        ("malformed tracking number", encode(event("no such parcel")), 422, "INVALID_TRACKING_NUMBER"),
        ("not JSON", b'{"eventId": ', 400, "INVALID_JSON"),
        ("empty body", b"", 400, "INVALID_JSON"),
        ("not UTF-8", b'{"eventId": "\x80"}', 400, "INVALID_JSON"),
        ("nested 20,000 deep", b"[" * 20_000 + b"]" * 20_000, 400, "INVALID_JSON"),
        ("a 5,000-digit number", b'{"eventId": ' + b"1" * 5_000 + b"}", 400, "INVALID_JSON"),
        ("a list of events", json.dumps([good]).encode(), 400, "INVALID_PAYLOAD"),
        ("unknown field", encode(good | {"weightGrams": 360}), 400, "INVALID_PAYLOAD"),
        ("missing eventId", encode(without_event_id), 400, "INVALID_PAYLOAD"),
        ("blank eventId", encode(good | {"eventId": "  "}), 400, "INVALID_PAYLOAD"),
        ("trackingNumber a number", encode(good | {"trackingNumber": 12345}), 400, "INVALID_PAYLOAD"),
        ("location a number", encode(good | {"location": 7}), 400, "INVALID_PAYLOAD"),
        ("type in small letters", encode(good | {"type": "picked_up"}), 400, "INVALID_EVENT_TYPE"),
        ("type not a carrier's", encode(good | {"type": "SEIZED"}), 422, "INVALID_EVENT_TYPE"),
        ("label from a carrier", encode(good | {"type": "LABEL_CREATED"}), 422, "INVALID_EVENT_TYPE"),
        (
            "occurredAt without zone",
            encode(good | {"occurredAt": "2026-11-23T08:00:00"}),
            400,
            "INVALID_TIME",
        ),
        ("occurredAt a date only", encode(good | {"occurredAt": "2026-11-23"}), 400, "INVALID_TIME"),
        ("occurredAt not a time", encode(good | {"occurredAt": "yesterday"}), 400, "INVALID_TIME"),
        (
            "occurredAt 1 s after clock",
            encode(good | {"occurredAt": "2026-11-23T09:00:01Z"}),
            422,
            "INVALID_TIME",
        ),
        (
            "occurredAt 1 s after clock, +01:00",
            encode(good | {"occurredAt": "2026-11-23T10:00:01+01:00"}),
            422,
            "INVALID_TIME",
        ),
        (
            "occurredAt over a year early",
            encode(good | {"occurredAt": "2025-11-22T09:00:00Z"}),
            422,
            "INVALID_TIME",
        ),
        ("eventId of 101 characters", encode(good | {"eventId": "E" * 101}), 422, "INVALID_TEXT"),
        ("NUL in location", encode(good | {"location": "Leipzig\u0000"}), 422, "INVALID_TEXT"),
    ]
    for name, body, status, code in cases:
        response = await endpoint.send(body)
        assert refusal(response) == (status, code), (name, response.text)
        await assert_untouched(seller, shipment, name)


async def test_a_body_over_64_kib_is_refused_before_anything_else(seller: Seller) -> None:
    """64 KiB = 64 x 1,024 = 65,536 bytes (an event padded with spaces, which JSON allows) is accepted;
    65,537 is 413, signed or not."""
    shipment, endpoint = await setup(seller)
    body = encode(event(shipment["trackingNumber"], eventId="E-BIG"))
    too_big = body + b" " * (MAX_BODY + 1 - len(body))
    assert refusal(await endpoint.send(too_big)) == (413, "TOO_LARGE")
    assert refusal(await endpoint.post(too_big)) == (413, "TOO_LARGE")  # before the signature is looked at
    await assert_untouched(seller, shipment)

    just_fits = body + b" " * (MAX_BODY - len(body))
    assert len(just_fits) == 65_536
    response = await endpoint.send(just_fits)
    assert response.status_code == 200, response.text
    assert (await shipment_view(seller, shipment["id"]))["status"] == "PICKED_UP"


# -- workspaces ----------------------------------------------------------------------------------------


async def test_an_endpoint_moves_only_its_own_workspaces_shipments(
    seller: Seller, other_seller: Seller
) -> None:
    """Both sellers have a shipment numbered `shared`; the other seller also has one numbered `theirs`.
    The first seller's endpoint moves its own `shared` shipment, not the other's, and does not know
    `theirs` at all."""
    shared = f"TL-SHARED-{secrets.token_hex(3).upper()}"
    mine, endpoint = await setup(seller, trackingNumber=shared)
    their_shared = await shipped(other_seller, trackingNumber=shared)
    their_own = await shipped(other_seller)
    assert mine["trackingNumber"] == their_shared["trackingNumber"] == shared

    moved = await endpoint.send(event(shared, eventId="E-SHARED"))
    assert moved.status_code == 200, moved.text
    assert (await shipment_view(seller, mine["id"]))["status"] == "PICKED_UP"
    await assert_untouched(other_seller, their_shared)

    unknown = await endpoint.send(event(their_own["trackingNumber"], eventId="E-THEIRS"))
    assert refusal(unknown) == (404, "UNKNOWN_TRACKING_NUMBER")
    await assert_untouched(other_seller, their_own)
    # The refused post wrote nothing on this side either.
    assert scans(await shipment_view(seller, mine["id"])) == [("PICKED_UP", "WEBHOOK", "E-SHARED", True)]


async def test_a_live_workspaces_endpoint_reaches_its_shipments(live_seller: Seller) -> None:
    """Webhooks are not sandbox-only. A live workspace cannot get a shipment through the API (placing an
    order is sandbox only, as the first assertion shows), so this stops at the shipment lookup: a signed
    scan for a number the live workspace does not have is UNKNOWN_TRACKING_NUMBER, not SANDBOX_ONLY."""
    try:
        await confirmed_order(live_seller)
    except AssertionError as refused:
        assert "SANDBOX_ONLY" in str(refused)
    else:
        raise AssertionError("a live workspace placed an order: test a live shipment through the webhook")
    endpoint = await create_endpoint(live_seller, sorted(lane_book().carriers)[0])
    response = await endpoint.send(event("TL-LIVE-PARCEL-1"))
    assert refusal(response) == (404, "UNKNOWN_TRACKING_NUMBER")


async def test_a_carriers_endpoint_reports_only_on_that_carriers_parcels(seller: Seller) -> None:
    shipment, _ = await setup(seller)
    other = "DHL_EXPRESS" if shipment["carrier"]["code"] != "DHL_EXPRESS" else "UPS"
    endpoint = await create_endpoint(seller, other)
    response = await endpoint.send(event(shipment["trackingNumber"]))
    assert refusal(response) == (403, "WRONG_CARRIER")
    await assert_untouched(seller, shipment)


# -- listing and revoking endpoints ---------------------------------------------------------------------


async def revoke(seller: Seller, webhook_id: str) -> dict[str, Any]:
    data = await seller.gql(WEBHOOK_REVOKE, {"input": {"webhookId": webhook_id}})
    result: dict[str, Any] = data["trackingWebhookRevoke"]
    return result


async def listed(seller: Seller, **variables: Any) -> dict[str, Any]:
    page: dict[str, Any] = (await seller.gql(WEBHOOKS, variables))["trackingWebhooks"]
    return page


def nodes(page: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in page["edges"]]


def two_carriers() -> tuple[str, str]:
    first, second = sorted(lane_book().carriers)[:2]
    return first, second


def test_an_endpoint_shows_a_hint_of_its_secret_and_has_no_field_for_the_secret_itself() -> None:
    """Pinned, so that a field exposing the secret cannot be added to the type unnoticed."""
    from api.schema import schema

    webhook = schema._schema.type_map["TrackingWebhook"]
    assert isinstance(webhook, GraphQLObjectType)
    fields = set(webhook.fields)
    assert fields == {"id", "carrier", "urlPath", "createdAt", "revokedAt", "secretHint"}


async def test_endpoints_are_listed_newest_first_with_four_characters_of_the_secret(seller: Seller) -> None:
    """A new sandbox workspace's clock is START (09:00 UTC), which stamps createdAt."""
    older_carrier, newer_carrier = two_carriers()
    older = await create_endpoint(seller, older_carrier)
    newer = await create_endpoint(seller, newer_carrier)
    assert older.created == {
        "id": older.id,
        "carrier": older_carrier,
        "urlPath": older.path,
        "createdAt": "2026-11-23T09:00:00+00:00",
        "revokedAt": None,
        "secretHint": older.secret[-4:],
    }
    assert len(older.created["secretHint"]) == 4

    response = await seller.post(WEBHOOKS)

    page = response.json()["data"]["trackingWebhooks"]
    assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (2, False)
    assert nodes(page) == [newer.created, older.created]
    assert older.secret not in response.text and newer.secret not in response.text


async def test_the_list_pages_by_cursor_and_each_endpoint_is_a_node(seller: Seller) -> None:
    carrier, _ = two_carriers()
    made = [await create_endpoint(seller, carrier) for _ in range(3)]

    first = await listed(seller, first=2)
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    assert nodes(first) == [made[2].created, made[1].created]
    rest = await listed(seller, first=2, after=first["pageInfo"]["endCursor"])
    assert (nodes(rest), rest["pageInfo"]["hasNextPage"]) == ([made[0].created], False)

    assert (await seller.gql(WEBHOOK_NODE, {"id": made[1].id}))["node"] == made[1].created


async def test_a_revoked_endpoint_answers_404_and_writes_nothing(seller: Seller) -> None:
    """The sandbox clock is moved 2 h (09:00 to 11:00 UTC) before the revocation, so that revokedAt shows
    which clock stamps it: the workspace's, as createdAt. The server's clock stays at START, so the post
    is signed at NOW as everywhere else, and a post signed so is accepted by an open endpoint (the first
    test of this file)."""
    shipment, endpoint = await setup(seller)
    moved = await seller.gql(CLOCK_ADVANCE, {"input": {"hours": 2}})
    assert moved["sandboxClockAdvance"]["workspace"]["now"] == "2026-11-23T11:00:00+00:00"

    revoked = await revoke(seller, endpoint.id)

    webhook = endpoint.created | {"revokedAt": "2026-11-23T11:00:00+00:00"}
    assert revoked == {"webhook": webhook, "userErrors": []}
    response = await endpoint.send(event(shipment["trackingNumber"], eventId="E-AFTER"))
    assert refusal(response) == (404, "UNKNOWN_ENDPOINT")
    assert "revoked" in response.json()["error"]["message"]
    await assert_untouched(seller, shipment)
    assert nodes(await listed(seller)) == [webhook]
    assert (await seller.gql(WEBHOOK_NODE, {"id": endpoint.id}))["node"] == webhook


async def test_revoking_twice_is_refused_and_keeps_the_first_revocation_time(seller: Seller) -> None:
    """Revoked at 09:00 (the workspace clock); the clock then moves 1 h, and the second revocation neither
    succeeds nor moves revokedAt to 10:00."""
    endpoint = await create_endpoint(seller, two_carriers()[0])
    first = await revoke(seller, endpoint.id)
    assert first["userErrors"] == []
    assert first["webhook"]["revokedAt"] == "2026-11-23T09:00:00+00:00"
    await seller.gql(CLOCK_ADVANCE, {"input": {"hours": 1}})

    again = await revoke(seller, endpoint.id)

    assert again["webhook"] is None
    assert [(e["code"], e["field"]) for e in again["userErrors"]] == [
        ("ALREADY_REVOKED", ["input", "webhookId"])
    ]
    assert "2026-11-23T09:00:00+00:00" in again["userErrors"][0]["message"]
    assert nodes(await listed(seller)) == [first["webhook"]]


async def test_only_this_workspaces_endpoints_can_be_listed_read_or_revoked(
    seller: Seller, other_seller: Seller
) -> None:
    shipment, mine = await setup(seller)
    theirs = await create_endpoint(other_seller, shipment["carrier"]["code"])
    cases = [
        ("another workspace's endpoint", theirs.id, "NOT_FOUND"),
        ("an endpoint that never was", to_global_id("TrackingWebhook", uuid.uuid4()), "NOT_FOUND"),
        ("a shipment's ID", shipment["id"], "INVALID_ID"),
        ("the UUID of the URL, not the global ID", mine.path.rsplit("/", 1)[1], "INVALID_ID"),
    ]
    for name, webhook_id, code in cases:
        refused = await revoke(seller, webhook_id)
        assert refused["webhook"] is None, name
        assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [(code, ["input", "webhookId"])], (
            name
        )

    assert nodes(await listed(seller)) == [mine.created]
    assert nodes(await listed(other_seller)) == [theirs.created]
    assert (await seller.gql(WEBHOOK_NODE, {"id": theirs.id}))["node"] is None
    # Both endpoints are still open: a signed scan for a parcel neither workspace has gets past the
    # endpoint and the signature, to the tracking number.
    for endpoint in (mine, theirs):
        assert refusal(await endpoint.send(event("TL-NO-SUCH-PARCEL"))) == (404, "UNKNOWN_TRACKING_NUMBER")


async def test_a_secret_is_changed_by_a_new_endpoint_then_revoking_the_old_one(seller: Seller) -> None:
    """The rotation the README describes: the carrier moves to a new endpoint (its own URL and secret),
    then the old one is revoked. The old one is then refused; the new one carries on. The filters tell the
    two apart."""
    shipment, old = await setup(seller)
    new = await create_endpoint(seller, shipment["carrier"]["code"])
    assert new.path != old.path and new.secret != old.secret
    assert (await revoke(seller, old.id))["userErrors"] == []
    number = shipment["trackingNumber"]

    assert refusal(await old.send(event(number, eventId="E-OLD"))) == (404, "UNKNOWN_ENDPOINT")
    response = await new.send(event(number, eventId="E-NEW"))

    assert (response.status_code, response.json()["applied"]) == (200, True), response.text
    assert scans(await shipment_view(seller, shipment["id"])) == [("PICKED_UP", "WEBHOOK", "E-NEW", True)]
    code = shipment["carrier"]["code"]
    other = next(c for c in sorted(lane_book().carriers) if c != code)
    filters: list[tuple[dict[str, Any], list[str]]] = [
        ({"revoked": False}, [new.id]),
        ({"revoked": True}, [old.id]),
        ({"carrier": f" {code.lower()} "}, [new.id, old.id]),
        ({"carrier": code, "revoked": True}, [old.id]),
        ({"carrier": other}, []),
    ]
    for filter_, ids in filters:
        page = await listed(seller, filter=filter_)
        assert ([n["id"] for n in nodes(page)], page["totalCount"]) == (ids, len(ids)), filter_


async def lock_awaited(engine: AsyncEngine, request: asyncio.Task[Any]) -> bool:
    """Whether some session of this database comes to wait for a lock before `request` ends (5 s at most)."""
    waiting = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with engine.connect() as conn:
        for _ in range(500):
            if request.done():
                return False
            if (await conn.execute(waiting)).scalar_one() > 0:
                return True
            await conn.rollback()
            await asyncio.sleep(0.01)
    return False


async def test_a_scan_posted_while_its_endpoint_is_being_revoked_is_refused(
    seller: Seller, engine: AsyncEngine
) -> None:
    """A revocation holds the endpoint's row (as trackingWebhookRevoke does) and has not committed when a
    scan arrives. The scan passes the endpoint look-up and the signature, then waits for the row in its own
    transaction; when the revocation commits it sees it, and is refused. Were the endpoint not checked again
    there, the scan would be written after its endpoint was revoked."""
    shipment, endpoint = await setup(seller)
    endpoint_id = uuid.UUID(endpoint.path.rsplit("/", 1)[1])
    async with engine.connect() as revoking:
        await revoking.execute(
            sa.text("UPDATE tracking_webhooks SET revoked_at = :at WHERE id = :id"),
            {"at": START, "id": endpoint_id},
        )
        posting = asyncio.create_task(endpoint.send(event(shipment["trackingNumber"], eventId="E-RACE")))
        waited = await lock_awaited(engine, posting)
        await revoking.commit()
    response = await posting

    assert waited, response.text
    assert refusal(response) == (404, "UNKNOWN_ENDPOINT")
    await assert_untouched(seller, shipment)


async def test_a_revocation_that_waits_for_another_is_refused_and_changes_nothing(
    seller: Seller, engine: AsyncEngine
) -> None:
    """Another transaction has revoked the endpoint at 09:00 but not yet committed when trackingWebhookRevoke
    runs at 10:00 (the sandbox clock moved 1 h). The mutation waits for the row; once the other commits, it
    sees the revocation: ALREADY_REVOKED, and revokedAt stays 09:00. Without the row lock, its read would
    have seen the endpoint open and its write would have stamped 10:00 over the first revocation."""
    endpoint = await create_endpoint(seller, two_carriers()[0])
    await seller.gql(CLOCK_ADVANCE, {"input": {"hours": 1}})
    endpoint_id = uuid.UUID(endpoint.path.rsplit("/", 1)[1])
    async with engine.connect() as first:
        await first.execute(
            sa.text("UPDATE tracking_webhooks SET revoked_at = :at WHERE id = :id"),
            {"at": START, "id": endpoint_id},
        )
        second = asyncio.create_task(revoke(seller, endpoint.id))
        waited = await lock_awaited(engine, second)
        await first.commit()
    refused = await second

    assert waited, refused
    assert (refused["webhook"], [e["code"] for e in refused["userErrors"]]) == (None, ["ALREADY_REVOKED"])
    assert nodes(await listed(seller)) == [endpoint.created | {"revokedAt": "2026-11-23T09:00:00+00:00"}]


async def test_the_list_costs_the_same_statements_for_1_10_and_100_endpoints(
    seller: Seller, count_statements: Any
) -> None:
    """The API key, entering the workspace, the page, and totalCount: 4 statements, whatever the size."""
    query = "{ trackingWebhooks(first: 100) { totalCount edges { node { id carrier urlPath secretHint } } } }"
    carrier, made = two_carriers()[0], 0
    for size in (1, 10, 100):
        while made < size:
            await create_endpoint(seller, carrier)
            made += 1
        with count_statements() as counter:
            page = (await seller.gql(query))["trackingWebhooks"]
        assert (page["totalCount"], len(page["edges"])) == (size, size)
        assert counter.count == 4, (size, counter.statements)
