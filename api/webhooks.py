"""The carriers' tracking webhook: `POST /webhooks/tracking/{endpoint id}` (see domain.logistics.webhooks
for the signature and the JSON). Answers 200 with what became of the event, or a 4xx with a code."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.context import Services
from api.relay import to_global_id
from domain.db.uow import UnitOfWork, constraint_name
from domain.logistics.handlers import record_scan
from domain.logistics.webhooks import (
    DUPLICATE_CONSTRAINT,
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    STATUS_FOR,
    UNKNOWN_ENDPOINT,
    WebhookRefused,
    find_endpoint,
    hold_endpoint,
    parse_scan,
    verify,
)
from domain.shared.errors import DomainError


def _refused(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _read_body(request: Request) -> bytes | None:
    """The body, or None as soon as it passes MAX_BODY_BYTES: a larger one is never held in memory."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def tracking_webhook(services: Services) -> object:
    async def receive(request: Request) -> Response:
        try:
            endpoint_id = uuid.UUID(request.path_params["endpoint"])
        except ValueError:
            return _refused(404, "UNKNOWN_ENDPOINT", "No webhook endpoint has that ID.")
        body = await _read_body(request)
        if body is None:
            return _refused(413, "TOO_LARGE", f"Post one event of at most {MAX_BODY_BYTES} bytes.")
        async with services.engine.connect() as conn:
            endpoint = await find_endpoint(conn, endpoint_id)
            if endpoint is None:
                return _refused(404, "UNKNOWN_ENDPOINT", UNKNOWN_ENDPOINT)
            try:
                verify(
                    endpoint.secret,
                    request.headers.get(SIGNATURE_HEADER),
                    body,
                    services.clock.now().timestamp(),
                )
                scan = replace(parse_scan(body), carrier=endpoint.carrier)
            except WebhookRefused as refusal:
                return _refused(refusal.status, refusal.code, refusal.message)
            await conn.commit()
            try:
                async with UnitOfWork(conn, endpoint.principal, services.clock) as uow:
                    await hold_endpoint(uow, endpoint_id)  # revoked since find_endpoint: refused
                    result = await record_scan(uow, scan)
                    await uow.commit()
            except DomainError as error:
                return _refused(STATUS_FOR.get(error.code, 422), error.code, error.message)
            except IntegrityError as error:  # the same event posted twice at once: one of them wins
                if constraint_name(error) != DUPLICATE_CONSTRAINT:
                    raise
                return _refused(409, "DUPLICATE_EVENT", f"Event {scan.event_id} was recorded already.")
        return JSONResponse(
            {
                "eventId": scan.event_id,
                "applied": result.applied,
                "shipmentId": to_global_id("Shipment", result.shipment_id),
            }
        )

    return receive
