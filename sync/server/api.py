"""The stalls' API, ``/api/v1``: health, enrolment, push and known days.

``/push`` reads its body itself (size cap, gzip) and validates it with the protocol's
models; its request schema is added to the OpenAPI by :func:`add_protocol_schemas`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError

from sync.protocol import (
    API_PREFIX,
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


router = APIRouter(prefix=API_PREFIX, tags=["stalls"])


@router.get("/health", response_model=Health)
async def health() -> Health:
    """Cheap: no database. The stall checks ``service`` to spot a captive portal."""
    return Health(time=dt.datetime.now(dt.UTC))


@router.post("/enrol", response_model=EnrolResponse, responses=_errors(400, 422))
def enrol(body: EnrolRequest, request: Request) -> EnrolResponse | JSONResponse:
    """Trade a one-time code for a device id and a bearer token."""
    db = _db(request)
    try:
        with db.write() as session:
            return ingest.enrol(session, body.code, body.device_name)
    except ingest.IngestError as exc:
        return _error(exc.status, exc.detail)


def _push(db: Database, token: str, raw: bytes) -> JSONResponse:
    """:func:`_push_once`, again once if the database connection turned out to be dead.

    Pooled connections are not pinged before use, so after a database restart the first
    statement on each old connection fails (and the pool is emptied). A push is idempotent
    (the same version again is a no-op), so trying it again is safe even if the failure
    came during the commit.
    """
    try:
        return _push_once(db, token, raw)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return _push_once(db, token, raw)


def _push_once(db: Database, token: str, raw: bytes) -> JSONResponse:
    """One write transaction: authenticate (401), parse (422), check (403, 422), upsert."""
    try:
        with db.write() as session:
            now = utcnow()
            device = ingest.authenticate_push(session, f"Bearer {token}", now)
            try:
                req = PushRequest.model_validate_json(raw)
            except ValidationError as exc:
                raise ingest.Invalid(describe_validation_error(exc)) from None
            results, days = ingest.push(db, session, device, req.summaries, touched=now)
    except ingest.IngestError as exc:
        return _error(exc.status, exc.detail)
    status = 409 if any(r.status == "conflict" for r in results) else 200
    reply = PushResponse(results=results, known_days=days)
    return JSONResponse(reply.model_dump(mode="json"), status_code=status)


def _authenticate(db: Database, credentials: HTTPAuthorizationCredentials | None
                  ) -> ingest.DeviceAuth:
    if credentials is None:
        raise ingest.Unauthorised("a bearer token is needed")
    with db.read() as session:
        return ingest.authenticate(session, f"Bearer {credentials.credentials}")


PUSH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
    }
}


@router.post(
    "/push", response_model=PushResponse, openapi_extra=PUSH_BODY,
    responses={409: {"model": PushResponse, "description": "a day conflicted"},
               **_errors(400, 401, 403, 413, 415, 422)},
)
async def push(request: Request, credentials: Credentials) -> JSONResponse:
    """Upsert day summaries; ``Content-Encoding: gzip`` accepted."""
    if credentials is None or not credentials.credentials:
        return _error(401, "a bearer token is needed")
    try:
        raw = await read_capped(request)
    except BodyTooLarge:
        return _error(413, "the body is too large")
    except BadEncoding as exc:
        return _error(415 if "Content-Encoding" in str(exc) else 400, str(exc))
    db = _db(request)
    if db.is_sqlite:
        # SQLite writes one transaction at a time and spends CPU, not waits: running the
        # push here saves the hand-off to a thread and back
        return _push(db, credentials.credentials, raw)
    return await run_in_threadpool(_push, db, credentials.credentials, raw)


@router.get("/days", response_model=KnownDays, responses=_errors(401))
def days(request: Request, credentials: Credentials) -> KnownDays | JSONResponse:
    """Every (business day, version) the server holds for this device."""
    db = _db(request)
    try:
        device = _authenticate(db, credentials)
    except ingest.IngestError as exc:
        return _error(exc.status, exc.detail)
    with db.read() as session:
        return KnownDays(days=ingest.known_days(session, device.device_id))


def add_protocol_schemas(openapi: dict[str, Any], *models: type[BaseModel]) -> None:
    """Put models that routes reference by ``$ref`` only into the OpenAPI components."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas[model.__name__] = schema
