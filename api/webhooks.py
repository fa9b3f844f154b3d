"""The carriers' tracking webhook: `POST /webhooks/tracking/{endpoint id}` (see domain.logistics.webhooks
for the signature and the JSON). Answers 200 with what became of the event, or a 4xx with a code."""

from __future__ import annotations

import time
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.context import Services
from sqlalchemy.exc import IntegrityError

from domain.db.uow import UnitOfWork, constraint_name
from domain.logistics.handlers import record_scan
from domain.logistics.webhooks import (
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    DUPLICATE_CONSTRAINT,
    STATUS_FOR,
    WebhookRefused,
    find_endpoint,
    parse_scan,
    verify,
)
from domain.shared.errors import DomainError


def _refused(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def tracking_webhook(services: Services) -> object:
    async def receive(request: Request) -> Response:
        try:
            endpoint_id = uuid.UUID(request.path_params["endpoint"])
        except ValueError:
            return _refused(404, "UNKNOWN_ENDPOINT", "No webhook endpoint has that ID.")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _refused(413, "TOO_LARGE", f"Post one event of at most {MAX_BODY_BYTES} bytes.")
        async with services.engine.connect() as conn:
            endpoint = await find_endpoint(conn, endpoint_id)
            if endpoint is None:
                return _refused(404, "UNKNOWN_ENDPOINT", "No webhook endpoint has that ID (or it was revoked).")
            try:
                verify(endpoint.secret, request.headers.get(SIGNATURE_HEADER), body, time.time())
                scan = parse_scan(body)
            except WebhookRefused as refusal:
                return _refused(refusal.status, refusal.code, refusal.message)
            await conn.commit()
            try:
                async with UnitOfWork(conn, endpoint.principal, services.clock) as uow:
                    result = await record_scan(uow, scan)
                    await uow.commit()
            except DomainError as error:
                return _refused(STATUS_FOR.get(error.code, 422), error.code, error.message)
            except IntegrityError as error:  # the same event posted twice at once: one of them wins
                if constraint_name(error) != DUPLICATE_CONSTRAINT:
                    raise
                return _refused(409, "DUPLICATE_EVENT", f"Event {scan.event_id} was recorded already.")
        return JSONResponse(
            {"eventId": scan.event_id, "applied": result.applied, "shipmentId": str(result.shipment_id)}
        )

    return receive
