"""The day the dashboard shows by default is today in Morocco, wherever the server runs."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from sync.server import admin
from sync.server.db import Database, utcnow
from sync.server.i18n import market_time

from .server_support import enrol, push_body, summary
from .test_server_dashboard import log_in

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


@pytest.fixture
def server_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield
    monkeypatch.undo()
    time.tzset()


# 14 hours ahead of UTC and 12 behind: at any hour, one of the two has another date than
# Morocco's (UTC+1, UTC+0 in Ramadan)
@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12"])
def test_the_default_day_is_moroccos_today(client: TestClient, db: Database, zone: str,
                                           server_zone: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    today = market_time(utcnow()).date()
    with db.write() as s:
        m = admin.add_market(s, name_ar="السوق", name_fr="Marché", city="Fès",
                             region="Fès-Meknès", starts_on=today - dt.timedelta(days=1),
                             ends_on=today + dt.timedelta(days=1))
        c = admin.add_cooperative(s, admin.CooperativeInput(
            market_id=m.id, name_ar="تعاونية", name_fr="Coopérative", sector="food",
            province="Fès", stand="1", members=3))
        admin.add_user(s, "nadia", "souk-organiser-2026")
    stall = enrol(client, db, c.id)
    reply = client.post("/api/v1/push", headers=stall.headers,
                        json=push_body(summary(stall.device_id, today, 5, net=42_00)))
    assert reply.status_code == 200, reply.text
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    assert log_in(client, "nadia").status_code == 303
    data = client.get("/dashboard/data.json", params={"market": str(m.id)}).json()
    assert data["day"] == today.isoformat()
    assert data["totals"]["day"]["net"] == 42_00
