"""The FastAPI application: the stalls' API and the organisers' dashboard.

The app keeps no state outside its database, so several processes can serve the same
database behind a proxy.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from sync.protocol import API_PREFIX, PROTOCOL_VERSION, REFUSAL_HEADER, PushRequest, Refusal
from sync.server import api
from sync.server.db import Database
from sync.server.writer import PushWriter


def create_app(db: Database, *, migrate: bool = True) -> FastAPI:
    """The app over ``db``; applies the migrations first unless told not to."""
    if migrate:
        db.migrate()
    writer = PushWriter(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await writer.aclose()

    app = FastAPI(
        title="Souk server",
        version=f"{PROTOCOL_VERSION}",
        description="Day summaries from the stalls of a market; the organisers' dashboard.",
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.writer = writer
    app.include_router(api.router)

    from sync.server import dashboard  # the web pages import the app's helpers

    app.include_router(dashboard.router)
    app.state.session_key = db.session_key()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        """A refusal with its message id; a browser at a dashboard address gets a page
        saying which value of its link is wrong, in the organiser's language."""
        if dashboard.wants_page(request):
            return dashboard.invalid_page(request, exc)
        return api.refused(api.invalid_body(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        """FastAPI's answer; under the stalls' API, an address it does not have says so
        by a message id too (a stall newer than the server, or a wrong address). A
        browser at a dashboard address gets a page in the organiser's language."""
        if dashboard.wants_page(request):
            return dashboard.http_error_page(request, exc)
        response = await http_exception_handler(request, exc)
        path = request.url.path
        if exc.status_code == 404 and path.startswith(API_PREFIX + "/"):
            refusal = Refusal(key="server.err.api_not_found", params={"path": path[:200]})
            response.headers[REFUSAL_HEADER] = refusal.header()
        return response

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )
            api.add_protocol_schemas(schema, PushRequest)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def run(app: Any, host: str, port: int, **options: Any) -> None:
    """Serve ``app`` with uvicorn. What the process holds once it is set up (modules,
    models, the app: most of its objects, for its whole life) is first set aside from the
    garbage collector (``gc.freeze``), so that a full collection on a busy server walks only
    what the requests made: a pause of milliseconds rather than tens of them. The youngest
    generation is collected after 20,000 allocations rather than 700: a push's objects
    (its parsed body, its request) live until its batch is committed, and with Python's
    default they are promoted, then walked again by the older collections."""
    import uvicorn

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    uvicorn.run(app, host=host, port=port, **options)
