"""Schemathesis over the generated OpenAPI: no 5xx, and every reply matches the schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sync.server.app import create_app
from sync.server.db import Database

from .server_support import World, enrol, seed_market


@pytest.fixture
def stall(db: Database) -> World:
    from fastapi.testclient import TestClient

    with TestClient(create_app(db, migrate=False)) as client:
        market_id, argan, pottery = seed_market(db)
        return World(market_id, enrol(client, db, argan), enrol(client, db, pottery))


def as_device(case: Any, stall: World) -> Any:
    """Name the token's device in generated summaries, so pushes reach the upsert."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("summaries"), list):
        for item in body["summaries"]:
            if isinstance(item, dict):
                item["device_id"] = str(stall.argan.device_id)
                item["cooperative_id"] = None
    return case


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(db: Database, stall: World, mode: GenerationMode) -> None:
    """Every operation, valid and invalid inputs, with a real device token."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(db, migrate=False))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    if mode is GenerationMode.NEGATIVE:  # only these take input that can be invalid
        operations = [op for op in operations if op.method.upper() == "POST"]
    for operation in operations:
        strategy = operation.as_strategy(generation_mode=mode)
        if operation.path.endswith("/push"):
            strategy = strategy.map(lambda case: as_device(case, stall))

        @given(case=strategy)
        @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            # A well-formed body may still be refused for what the schema cannot say (an
            # unknown enrolment code: 400; totals that do not add up: 422); every other
            # check runs, among them no 5xx and replies conforming to the schema.
            case.call_and_validate(headers=stall.argan.headers,
                                   excluded_checks=[positive_data_acceptance])

        check()


def test_the_schema_documents_the_protocol(db: Database) -> None:
    openapi = create_app(db, migrate=False).openapi()
    paths = openapi["paths"]
    assert set(paths) == {"/api/v1/health", "/api/v1/enrol", "/api/v1/push", "/api/v1/days"}
    push = paths["/api/v1/push"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PushRequest"}
    assert {"200", "401", "403", "409", "413", "422"} <= set(push["responses"])
    assert "DaySummary" in openapi["components"]["schemas"]
