"""The server's own checks answered in the manager's language, against the real server on
loopback: a body it cannot read (a newer stall's field), a body too large, a token it does
not know or has revoked, an address it does not have. Each answer names its message id
beside the English words (see ``sync.protocol``); the stall tells it in its own words,
again after the app restarts."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from pos.db import Store
from sync.client import config, transport
from sync.client.engine import sync_store
from sync.client.errors import Refused, Revoked, describe
from sync.client.status import snapshot
from sync.client.transport import Transport
from sync.protocol import MAX_BODY_BYTES, DaySummary
from tests.sync.client.conftest import FAST
from tests.sync.client.support import MARKET_DAY, LiveServer, Till
from tests.sync.client.test_held_back import device_of, token_of
from tests.sync.client.test_set_aside_words import panel_of, state_shown, sync_until_set_aside


def test_a_field_the_server_cannot_read_sets_the_day_aside_in_the_managers_words(
    qtbot: QtBot,
    till: Till,
    server: LiveServer,
    enrolled: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a stall newer than its server would send: the server refuses the body (422)."""
    real = transport.encode

    def with_a_newer_field(model: Any) -> bytes:
        data: bytes = real(model)
        return data.replace(b'"version":', b'"units_of_the_future":1,"version":', 1)

    monkeypatch.setattr(transport, "encode", with_a_newer_field)
    till.sell(random.Random(80))
    till.close_day()
    bridge, panel = panel_of(qtbot, enrolled, "fr")
    sync_until_set_aside(qtbot, bridge)
    assert state_shown(panel) == (
        "mise de côté : Le serveur ne peut pas lire ces chiffres (premier problème à "
        "summaries.0.units_of_the_future) : sa version est-elle plus ancienne que celle de "
        "cette caisse ? Prévenez les organisateurs."
    )
    panel.retranslate("ar")
    assert state_shown(panel) == (
        "موقوف: لا يستطيع الخادم قراءة هذه الأرقام (أول مشكلة في "
        "summaries.0.units_of_the_future): هل نسخة الخادم أقدم من نسخة هذا الجهاز؟ "
        "أخبر المنظمين."
    )
    _, again = panel_of(qtbot, enrolled, "fr")  # the app started again
    assert state_shown(again).startswith("mise de côté : Le serveur ne peut pas lire")


def huge_day(device: uuid.UUID) -> DaySummary:
    """A day of 5,000 products with long names: more than the server takes once
    decompressed (its breakdowns need not add up: the size is checked first)."""
    name = "Huile d'argan cosmétique pressée à froid, flacon en verre teinté " * 3
    products = [
        {
            "product_id": f"SKU-{i:05d}",
            "name_ar": f"زيت أركان {i} " * 10,
            "name_fr": f"{name[:190]} {i}",
            "category": name[:200],
            "quantity": 1000,
            "amount": 100,
        }
        for i in range(5000)
    ]
    data = {
        "device_id": str(device),
        "business_day": MARKET_DAY.isoformat(),
        "version": 9,
        "status": "open",
        "opened_at": "2026-05-12T08:30:00+00:00",
        "utc_offset_minutes": 60,
        "sales_count": 1,
        "refunds_count": 0,
        "voids_count": 0,
        "gross": 500_000,
        "refunds": 0,
        "voids": 0,
        "net": 500_000,
        "discounts": 0,
        "items": 5_000_000,
        "taxes": [],
        "payments": [],
        "products": products,
        "hours": [],
        "members": [],
        "cash": {"opening_float": 0, "cash_in": 0, "cash_out": 0, "expected": 0},
        "journal_head": {"seq": 9, "hash": "0" * 64},
        "grand_total": 500_000,
    }
    summary = DaySummary.model_validate(data)
    assert len(transport.encode(summary)) > MAX_BODY_BYTES
    return summary


def test_a_day_too_large_for_the_server_is_told_in_the_managers_words(
    till: Till,
    server: LiveServer,
    enrolled: Store,
) -> None:
    link = Transport(server.url, token=token_of(enrolled), **FAST)
    try:
        with pytest.raises(Refused) as refused:
            link.push([huge_day(device_of(enrolled))])
    finally:
        link.close()
    said = refused.value
    assert said.params["status"] == 413 and said.params["detail"] == "the body is too large"
    assert said.message("fr") == (
        "Le serveur refuse ces chiffres : la requête dépasse la taille qu'il accepte "
        f"({MAX_BODY_BYTES} octets). Prévenez les organisateurs."
    )
    assert describe(said.to_text(), "ar") == (
        f"يرفض الخادم هذه الأرقام: الطلب أكبر مما يقبله ({MAX_BODY_BYTES} بايت). أخبر المنظمين."
    )


@pytest.mark.parametrize("how", ["unknown", "revoked"])
def test_a_token_the_server_refuses_is_told_in_the_managers_words(
    till: Till,
    server: LiveServer,
    enrolled: Store,
    how: str,
) -> None:
    till.sell(random.Random(81))
    if how == "revoked":
        server.revoke(device_of(enrolled))
    else:  # the server's database was replaced, or the till enrolled elsewhere
        with enrolled.write() as s:
            config.update(s, token="x" * 43)
    outcome = sync_store(enrolled, **FAST)
    assert isinstance(outcome.error, Revoked)
    words = {
        "unknown": (
            "Le serveur ne connaît pas cette caisse (a-t-elle été inscrite sur un autre "
            "serveur, ou la base du serveur a-t-elle été remplacée ?). La "
            "synchronisation est arrêtée ; demandez un nouveau code aux organisateurs."
        ),
        "revoked": (
            "Le serveur n'accepte plus cette caisse (appareil révoqué). La "
            "synchronisation est arrêtée ; demandez un nouveau code aux organisateurs."
        ),
    }[how]
    assert outcome.error.message("fr") == words
    snap = snapshot(enrolled)  # what the app shows, from what was stored
    assert snap.revoked and describe(snap.last_error, "fr") == words
    assert describe(snap.last_error, "ar").startswith(
        "لا يعرف الخادم هذا الجهاز" if how == "unknown" else "لم يعد الخادم يقبل هذا الجهاز"
    )


def test_an_address_the_server_does_not_have_is_told_in_the_managers_words(
    till: Till,
    server: LiveServer,
    enrolled: Store,
) -> None:
    link = Transport(server.url, token=token_of(enrolled), **FAST)
    try:
        reply = link._call("GET", "/days/all", headers=link._auth())
        with pytest.raises(Refused) as refused:
            Transport._refusal(reply)
    finally:
        link.close()
    assert refused.value.message("fr") == (
        "Le serveur n'a pas d'adresse /api/v1/days/all : sa version est-elle plus ancienne "
        "que celle de cette caisse, ou l'adresse du serveur est-elle fausse ? Prévenez les "
        "organisateurs."
    )
    assert refused.value.params["detail"] == "Not Found"  # the words an older stall shows
