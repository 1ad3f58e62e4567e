"""The stalls' API, ``/api/v1``: health, enrolment, push and known days.

``/push`` reads its body itself (size cap, gzip), validates it with the protocol's models
and hands it to the app's :class:`~sync.server.writer.PushWriter`, which applies the pushes
waiting in batches; its request schema is added to the OpenAPI by
:func:`add_protocol_schemas`. ``/enrol``, open to anyone, has its body read with a small
cap (:data:`ENROL_BODY_BYTES`) before FastAPI parses it (:class:`CappedRoute`).

Every error answer is ``{"detail": "..."}`` in English and, when the server has a message
for it, its message id in the ``Souk-Refusal`` header (:func:`refused`): a stall tells it
in the manager's language, a stall of before them reads the English.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from sync.protocol import (
    API_PREFIX,
    CITY_AR_SINCE,
    MAX_BODY_BYTES,
    PROTOCOL_HEADER,
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
from sync.server.db import Database, utcnow
from sync.server.writer import PushWriter

log = logging.getLogger(__name__)

ENROL_BODY_BYTES = 16 * 1024  # an enrolment request is a few hundred bytes

bearer = HTTPBearer(auto_error=False, description="the device token received at enrolment")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _error(status: int, detail: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def refused(exc: ingest.IngestError) -> JSONResponse:
    """A refusal's answer: its English words, and its message id when it has one (the
    :data:`~sync.protocol.REFUSAL_HEADER` header), which the stall tells in its own
    words."""
    response = _error(exc.status, exc.detail)
    refusal = exc.refusal()
    if refusal is not None:
        response.headers[REFUSAL_HEADER] = refusal.header()
    return response


def body_refusal(exc: BodyTooLarge | BadEncoding, limit: int) -> ingest.IngestError:
    """Why a body of at most ``limit`` bytes could not be read, as a refusal."""
    if isinstance(exc, BodyTooLarge):
        return ingest.TooLarge("the body is too large", "server.err.body_too_large",
                               max=limit)
    if exc.unsupported:
        return ingest.Unsupported(str(exc), "server.err.body_encoding")
    return ingest.Malformed(str(exc), "server.err.body_gzip")


def invalid_body(exc: ValidationError | Any) -> ingest.Invalid:
    """A body that is not what the schema says, as a refusal: its English words say where
    each problem is; its message names where the first one is, and how many there are."""
    where, problems = ingest.first_problem(exc)
    return ingest.Invalid(describe_validation_error(exc), "server.err.body_invalid",
                          where=where, problems=problems)


def _with_refusal(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error answers that may carry the refusal's message id (``sync.protocol.Refusal``)."""
    header = {REFUSAL_HEADER: {
        "description": "the refusal's message id and parameters, as a JSON "
                       "sync.protocol.Refusal, when the server has a message for it",
        "schema": {"type": "string"}}}
    return {s: {"model": ErrorBody, "headers": header} for s in statuses}


def describe_validation_error(exc: ValidationError | Any) -> str:
    """One line saying where each problem is, e.g. ``summaries.0.net: ...``."""
    return "; ".join(f"{_where(err)}: {err.get('msg', 'invalid')}" for err in exc.errors()[:10])


def _where(error: Any) -> str:
    """Where one problem of a validation error is: ``summaries.0.net``."""
    return ingest.problem_at(error)


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
            except (BodyTooLarge, BadEncoding) as exc:
                return refused(body_refusal(exc, ENROL_BODY_BYTES))
            return await handler(_ReadRequest(request, raw))

        return capped


router = APIRouter(prefix=API_PREFIX, tags=["stalls"])


@router.get("/health", response_model=Health)
async def health() -> Health:
    """Cheap: no database. The stall checks ``service`` to spot a captive portal."""
    return Health(time=dt.datetime.now(dt.UTC))


def stall_protocol(request: Request) -> int:
    """The protocol the stall names in its :data:`PROTOCOL_HEADER` header (0 without one,
    or with a value that is not a number: a stall of before protocol 4)."""
    value = request.headers.get(PROTOCOL_HEADER, "").strip()
    return int(value) if value.isdigit() and len(value) < 6 else 0


def _city_ar(request: Request) -> bool:
    """Whether the stall reads the market's city in Arabic (protocol 4)."""
    return stall_protocol(request) >= CITY_AR_SINCE


def enrol(body: EnrolRequest, request: Request) -> EnrolResponse | JSONResponse:
    """Trade a one-time code for a device id and a bearer token."""
    db = _db(request)
    try:
        with db.write() as session:
            return ingest.enrol(session, body.code, body.device_name,
                                installation_id=body.installation_id,
                                previous_device_id=body.previous_device_id,
                                city_ar=_city_ar(request))
    except ingest.IngestError as exc:
        return refused(exc)


router.add_api_route("/enrol", enrol, methods=["POST"], response_model=EnrolResponse,
                     responses=_with_refusal(400, 413, 415, 422),
                     route_class_override=CappedRoute)


def _authenticate(db: Database, credentials: HTTPAuthorizationCredentials | None
                  ) -> ingest.DeviceAuth:
    if credentials is None:
        raise ingest.Unauthorised("a bearer token is needed", "server.err.token_missing")
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


@router.post(
    "/push", response_model=PushResponse, openapi_extra=PUSH_BODY,
    responses={409: {"model": PushResponse, "description": "a day conflicted"},
               **_with_refusal(400, 401, 403, 413, 415, 422)},
)
async def push(request: Request) -> Response:
    """Upsert day summaries; ``Content-Encoding: gzip`` accepted."""
    try:
        token = ingest.bearer_token(request.headers.get("authorization"))
    except ingest.Unauthorised as exc:
        return refused(exc)
    req: PushRequest | None = None
    problem: ingest.IngestError | None = None
    try:  # a body refused is told after the token is checked (401 first), which makes
        # the request its till's contact when the token is good
        req = PushRequest.model_validate_json(await read_capped(request))
    except (BodyTooLarge, BadEncoding) as exc:
        problem = body_refusal(exc, MAX_BODY_BYTES)
    except ValidationError as exc:
        problem = invalid_body(exc)
    writer: PushWriter = request.app.state.writer
    reply = await writer.submit(token, req, problem)
    headers = {"WWW-Authenticate": "Bearer"} if reply.unauthorised else {}
    if reply.refusal is not None:
        headers[REFUSAL_HEADER] = reply.refusal
    return Response(reply.body, status_code=reply.status, headers=headers,
                    media_type="application/json")


@router.get("/days", response_model=KnownDays, responses=_with_refusal(401))
def days(request: Request, credentials: Credentials) -> KnownDays | JSONResponse:
    """Every (business day, version) the server holds for this device, with its market
    and (protocol 5) its cooperative's stand as they are now.

    A till asks it at every sync, with figures to push or not: it is the till's contact
    (written at most once a minute, :func:`ingest.contact_due`)."""
    db = _db(request)
    try:
        device = _authenticate(db, credentials)
    except ingest.IngestError as exc:
        return refused(exc)
    with db.read() as session:
        known = KnownDays(days=ingest.known_days(session, device.device_id),
                          market=ingest.market_info(session, device.market_id,
                                                    city_ar=_city_ar(request)),
                          stand=ingest.stand_told(session, device.cooperative_id,
                                                  stall_protocol(request)))
    _contact(db, device)
    return known


def _contact(db: Database, device: ingest.DeviceAuth) -> None:
    """Write a request of ``device`` as its last contact when due. What it holds is the
    organisers' to read, not the till's: a database too busy to take it leaves the
    answer as it is (the till's next request writes it)."""
    now = utcnow()
    if not ingest.contact_due(device, now):
        return
    try:
        with db.write() as session:
            ingest.touch_contact(session, device.device_id, now)
    except SQLAlchemyError:
        log.warning("the contact of device %s was not written", device.device_id,
                    exc_info=True)


def add_protocol_schemas(openapi: dict[str, Any], *models: type[BaseModel]) -> None:
    """Put models that routes reference by ``$ref`` only into the OpenAPI components."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas[model.__name__] = schema
