"""The stalls' API, ``/api/v1``: health, enrolment, push and known days.

``/push`` reads its body itself (size cap, gzip), validates it with the protocol's models
and hands it to the app's :class:`~sync.server.writer.PushWriter`, which applies the pushes
waiting in batches; its request schema is added to the OpenAPI by
:func:`add_protocol_schemas`. ``/enrol``, open to anyone, has its body read with a small
cap (:data:`ENROL_BODY_BYTES`) before FastAPI parses it (:class:`CappedRoute`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from sync.protocol import (
    API_PREFIX,
    REFUSAL_HEADER,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    Health,
    KnownDays,
    PushRequest,
    PushResponse,
)
from sync.server import ingest
from sync.server.body import BadEncoding, BodyTooLarge, read_capped
from sync.server.db import Database
from sync.server.writer import PushWriter

ENROL_BODY_BYTES = 16 * 1024  # an enrolment request is a few hundred bytes

bearer = HTTPBearer(auto_error=False, description="the device token received at enrolment")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _error(status: int, detail: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorBody} for s in statuses}


def describe_validation_error(exc: ValidationError | Any) -> str:
    """One line saying where each problem is, e.g. ``summaries.0.net: ...``."""
    parts = []
    for err in exc.errors()[:10]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


class _ReadRequest(Request):
    """A request whose body was read already."""

    def __init__(self, request: Request, body: bytes) -> None:
        super().__init__(request.scope, request.receive)
        self._read = body

    async def body(self) -> bytes:
        return self._read


class CappedRoute(APIRoute):
    """A route whose body is read with a cap of :data:`ENROL_BODY_BYTES` before FastAPI
    parses it: a larger one gets a 413 and is never held whole in memory."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def capped(request: Request) -> Response:
            try:
                raw = await read_capped(request, ENROL_BODY_BYTES)
            except BodyTooLarge:
                return _error(413, "the body is too large")
            except BadEncoding as exc:
                return _error(415 if "Content-Encoding" in str(exc) else 400, str(exc))
            return await handler(_ReadRequest(request, raw))

        return capped


router = APIRouter(prefix=API_PREFIX, tags=["stalls"])


@router.get("/health", response_model=Health)
async def health() -> Health:
    """Cheap: no database. The stall checks ``service`` to spot a captive portal."""
    return Health(time=dt.datetime.now(dt.UTC))


def enrol(body: EnrolRequest, request: Request) -> EnrolResponse | JSONResponse:
    """Trade a one-time code for a device id and a bearer token."""
    db = _db(request)
    try:
        with db.write() as session:
            return ingest.enrol(session, body.code, body.device_name,
                                installation_id=body.installation_id,
                                previous_device_id=body.previous_device_id)
    except ingest.IngestError as exc:
        return _error(exc.status, exc.detail)


router.add_api_route("/enrol", enrol, methods=["POST"], response_model=EnrolResponse,
                     responses=_errors(400, 413, 415, 422), route_class_override=CappedRoute)


def _authenticate(db: Database, credentials: HTTPAuthorizationCredentials | None
                  ) -> ingest.DeviceAuth:
    if credentials is None:
        raise ingest.Unauthorised("a bearer token is needed")
    with db.read() as session:
        return ingest.authenticate(session, f"Bearer {credentials.credentials}")


PUSH_BODY = {
    # the token is read from the header by the handler itself (no dependency to solve)
    "security": [{"HTTPBearer": []}],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
    }
}


def _with_refusal(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error answers that may carry the refusal's message id (``sync.protocol.Refusal``)."""
    header = {REFUSAL_HEADER: {
        "description": "the refusal's message id and parameters, as a JSON "
                       "sync.protocol.Refusal, when the server has a message for it",
        "schema": {"type": "string"}}}
    return {s: {"model": ErrorBody, "headers": header} for s in statuses}


@router.post(
    "/push", response_model=PushResponse, openapi_extra=PUSH_BODY,
    responses={409: {"model": PushResponse, "description": "a day conflicted"},
               **_errors(400, 401, 413, 415), **_with_refusal(403, 422)},
)
async def push(request: Request) -> Response:
    """Upsert day summaries; ``Content-Encoding: gzip`` accepted."""
    try:
        token = ingest.bearer_token(request.headers.get("authorization"))
    except ingest.Unauthorised as exc:
        return _error(exc.status, exc.detail)
    try:
        raw = await read_capped(request)
    except BodyTooLarge:
        return _error(413, "the body is too large")
    except BadEncoding as exc:
        return _error(415 if "Content-Encoding" in str(exc) else 400, str(exc))
    try:
        req: PushRequest | None = PushRequest.model_validate_json(raw)
        problem = None
    except ValidationError as exc:  # told after the token is checked (401 first)
        req, problem = None, describe_validation_error(exc)
    writer: PushWriter = request.app.state.writer
    reply = await writer.submit(token, req, problem)
    headers = {"WWW-Authenticate": "Bearer"} if reply.unauthorised else {}
    if reply.refusal is not None:
        headers[REFUSAL_HEADER] = reply.refusal
    return Response(reply.body, status_code=reply.status, headers=headers,
                    media_type="application/json")


@router.get("/days", response_model=KnownDays, responses=_errors(401))
def days(request: Request, credentials: Credentials) -> KnownDays | JSONResponse:
    """Every (business day, version) the server holds for this device."""
    db = _db(request)
    try:
        device = _authenticate(db, credentials)
    except ingest.IngestError as exc:
        return _error(exc.status, exc.detail)
    with db.read() as session:
        return KnownDays(days=ingest.known_days(session, device.device_id),
                         market=ingest.market_info(session, device.market_id))


def add_protocol_schemas(openapi: dict[str, Any], *models: type[BaseModel]) -> None:
    """Put models that routes reference by ``$ref`` only into the OpenAPI components."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas[model.__name__] = schema
