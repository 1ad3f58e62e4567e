"""A day whose breakdowns do not add up to its figures is refused, each with its own message
in Arabic, French and English, and writes nothing: by hour, by payment method, by product,
by member, the items sold and the cash. The other pushes applied in the same batch, the
same stall's good days among them, are stored all the same."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from sync.protocol import REFUSAL_HEADER, DaySummary, ErrorBody, Refusal
from sync.server import admin
from sync.server.db import Database
from sync.server.ingest import DeviceAuth, IngestError, check_summaries
from sync.server.writer import PushWriter, Reply

from .server_support import DAY, World, push_body, summary
from .test_server_dashboard import PASSWORD, log_in
from .test_server_refusals import market_figures
from .test_server_writer import push_all, request, running_totals_match, stored

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

NEXT = DAY + dt.timedelta(days=1)
Tamper = Callable[[dict[str, Any]], None]


def inflate_an_hour(d: dict[str, Any]) -> None:
    d["hours"][0]["amount"] += 999_999  # 9,999.99 DH more in one hour than the day sold


def add_a_ticket(d: dict[str, Any]) -> None:
    d["hours"][1]["tickets"] += 1


def add_a_payment(d: dict[str, Any]) -> None:
    d["payments"].append({"method": "card", "amount": 50_000, "count": 1})


def raise_a_product(d: dict[str, Any]) -> None:
    d["products"][1]["amount"] += 1  # one centime


def add_items(d: dict[str, Any]) -> None:
    d["items"] += 1_000


def lower_a_member(d: dict[str, Any]) -> None:
    d["members"][0]["amount"] -= 1_000


def raise_a_members_quantity(d: dict[str, Any]) -> None:
    d["members"][0]["quantity"] += 250


def raise_the_cash_expected(d: dict[str, Any]) -> None:
    d["cash"]["expected"] += 10_000


def count_without_difference(d: dict[str, Any]) -> None:
    d["cash"]["counted"] = d["cash"]["expected"]  # counted, but no difference given


def a_wrong_difference(d: dict[str, Any]) -> None:
    d["cash"].update(counted=d["cash"]["expected"] - 500, difference=500)


#: (tamper, message id, the API's words, the organisers' message in one of the languages)
CASES: list[tuple[Tamper, str, str, str, str]] = [
    (inflate_an_hour, "server.err.day_hours_net", "the hours' amounts must add up to net",
     "fr", "les ventes par heure du jour 12/05/2026 ne totalisent pas ses ventes nettes : "
     "rien n'a été importé"),
    (add_a_ticket, "server.err.day_hours_tickets",
     "the hours' tickets must add up to sales_count",
     "ar", "مجموع التذاكر حسب الساعة لليوم 12/05/2026 لا يساوي عدد مبيعاته: لم يُستورد أي شيء"),
    (add_a_payment, "server.err.day_payments_net", "the payments' amounts must add up to net",
     "en", "the payments by method of the day 2026-05-12 do not add up to its net sales: "
     "nothing was imported"),
    (raise_a_product, "server.err.day_products_net",
     "the products' amounts must add up to net",
     "ar", "مجموع المبيعات حسب المنتج لليوم 12/05/2026 لا يساوي صافي مبيعاته: لم يُستورد أي "
     "شيء"),
    (add_items, "server.err.day_items",
     "items must equal the quantities of the products with a product_id",
     "fr", "les articles vendus du jour 12/05/2026 ne sont pas la somme des quantités de ses "
     "produits : rien n'a été importé"),
    (lower_a_member, "server.err.day_members_net", "the members' amounts must add up to net",
     "en", "the sales by member of the day 2026-05-12 do not add up to its net sales: nothing "
     "was imported"),
    (raise_a_members_quantity, "server.err.day_members_quantity",
     "the members' quantities must add up to the products' quantities",
     "fr", "les quantités par membre du jour 12/05/2026 ne totalisent pas celles de ses "
     "produits : rien n'a été importé"),
    (raise_the_cash_expected, "server.err.day_cash_expected",
     "cash.expected must equal cash.opening_float + the cash payments + cash.cash_in - "
     "cash.cash_out",
     "ar", "النقود المتوقعة لليوم 12/05/2026 لا تساوي الرصيد الافتتاحي زائد الأداءات نقدًا "
     "زائد إدخال النقود ناقص إخراجها: لم يُستورد أي شيء"),
    (count_without_difference, "server.err.day_cash_difference",
     "cash.difference must equal cash.counted - cash.expected (both null when not counted)",
     "en", "the cash difference of the day 2026-05-12 is not the cash counted minus the cash "
     "expected: nothing was imported"),
    (a_wrong_difference, "server.err.day_cash_difference",
     "cash.difference must equal cash.counted - cash.expected (both null when not counted)",
     "fr", "l'écart de caisse du jour 12/05/2026 n'est pas les espèces comptées moins les "
     "espèces attendues : rien n'a été importé"),
]
IDS = [tamper.__name__ for tamper, *_ in CASES]


def tampered(good: DaySummary, tamper: Tamper) -> DaySummary:
    data = good.model_dump(mode="json")
    tamper(data)
    return DaySummary.model_validate(data)


def good_day(stall: Any, day: dt.date = DAY, net: int = 125_050) -> DaySummary:
    return summary(stall.device_id, day, 3, net=net, tickets=7, refunds=4_500)


@pytest.mark.parametrize(("tamper", "key", "words", "lang", "message"), CASES, ids=IDS)
def test_a_day_whose_breakdown_does_not_add_up_is_refused_and_nothing_is_written(
        client: TestClient, db: Database, world: World, tamper: Tamper, key: str, words: str,
        lang: str, message: str) -> None:
    stall = world.argan
    bad = tampered(good_day(stall), tamper)
    reply = client.post("/api/v1/push", json=push_body(good_day(stall, NEXT), bad),
                        headers=stall.headers)
    assert reply.status_code == 422
    assert ErrorBody.model_validate_json(reply.content) == ErrorBody(
        detail=f"summaries.1 ({DAY}): {words}")
    assert Refusal.model_validate_json(reply.headers[REFUSAL_HEADER]) == Refusal(
        key=key, params={"day": DAY.isoformat()})
    assert market_figures(db, world.market_id) == (0, 0, 0, [])
    # the stall then pushes its days one by one: the good one is stored, the bad one not
    reply = client.post("/api/v1/push", json=push_body(good_day(stall, NEXT)),
                        headers=stall.headers)
    assert reply.status_code == 200, reply.text
    assert client.post("/api/v1/push", json=push_body(bad),
                       headers=stall.headers).status_code == 422
    assert market_figures(db, world.market_id) == (1, 1, 125_050, [NEXT.isoformat()])


@pytest.mark.parametrize(("tamper", "key", "words", "lang", "message"), CASES, ids=IDS)
def test_the_organisers_read_the_refusal_in_their_language(
        tamper: Tamper, key: str, words: str, lang: str, message: str) -> None:
    """As ``souk-server import`` tells them, for a bundle holding such a day."""
    device = uuid.uuid4()
    bad = tampered(summary(device, DAY, 3, net=125_050, tickets=7, refunds=4_500), tamper)
    with pytest.raises(IngestError) as refused:
        check_summaries(DeviceAuth(device, 1, 1), [bad])
    assert (refused.value.status, refused.value.key) == (422, key)
    assert refused.value.message(lang) == message
    others = {other: refused.value.message(other) for other in ("ar", "fr", "en")}
    assert len(set(others.values())) == 3  # three languages, none fallen back to another
    said = (("ar", "12/05/2026"), ("fr", "12/05/2026"), ("en", "2026-05-12"))
    assert all(day in others[other] and key not in others[other]  # as the commands say it
               for other, day in said)


def test_the_good_pushes_of_a_batch_are_stored_beside_a_refused_day(
        db: Database, world: World) -> None:
    """One transaction applies the pushes waiting: a push refused for its sums writes
    nothing of its own and disturbs none of the others, the same stall's among them."""
    argan, pottery = world.argan, world.pottery
    refused, later, other = push_all(PushWriter(db), [
        (argan.token, request(tampered(good_day(argan), inflate_an_hour)), None),
        (argan.token, request(good_day(argan, NEXT, net=30_000)), None),
        (pottery.token, request(good_day(pottery, DAY, net=1_000),
                                good_day(pottery, NEXT, net=2_000)), None),
    ])
    assert isinstance(refused, Reply) and refused.status == 422
    assert refused.refusal is not None
    assert Refusal.model_validate_json(refused.refusal) == Refusal(
        key="server.err.day_hours_net", params={"day": DAY.isoformat()})
    assert isinstance(later, Reply) and later.status == 200
    assert isinstance(other, Reply) and other.status == 200
    assert stored(db) == {(argan.device_id, NEXT): (3, 30_000),
                          (pottery.device_id, DAY): (3, 1_000),
                          (pottery.device_id, NEXT): (3, 2_000)}
    assert market_figures(db, world.market_id) == (3, 2, 33_000,
                                                   [DAY.isoformat(), NEXT.isoformat()])
    assert running_totals_match(db)


def test_the_dashboard_keeps_one_figure_for_a_day_whose_next_version_is_refused(
        client: TestClient, db: Database, world: World) -> None:
    """The review's case: a newer version of a day with one hour inflated by 9,999.99 DH,
    which the dashboard showed as 14,184.10 DH net beside 24,184.09 DH by hour."""
    stall = world.argan
    good = summary(stall.device_id, DAY, 3, net=1_418_410, tickets=20)
    assert client.post("/api/v1/push", json=push_body(good),
                       headers=stall.headers).status_code == 200
    bad = tampered(good, inflate_an_hour).model_copy(update={"version": 1_003})
    reply = client.post("/api/v1/push", json=push_body(bad), headers=stall.headers)
    assert reply.status_code == 422
    assert Refusal.model_validate_json(reply.headers[REFUSAL_HEADER]).key == (
        "server.err.day_hours_net")
    assert stored(db) == {(stall.device_id, DAY): (3, 1_418_410)}
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    log_in(client, "nadia")
    data = client.get(f"/dashboard/data.json?market={world.market_id}&day={DAY}").json()
    assert data["totals"]["day"]["net"] == 1_418_410
    assert sum(h["amount"] for h in data["hours"]) == 1_418_410
