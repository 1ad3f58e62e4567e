"""When the service runs: debounced after sales, at once on demand, backoff after
failures (its schedule, read with a fake clock and no thread)."""

from __future__ import annotations

import datetime as dt

from pos.db import Store
from sync.client.engine import Outcome
from sync.client.errors import Offline
from sync.client.service import SyncOptions, SyncService
from sync.client.status import DayRow, Snapshot, status_text


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def service(store: Store, clock: Clock) -> SyncService:
    opts = SyncOptions(debounce=30, interval=300, retry_min=15, retry_max=300)
    return SyncService(store, opts, clock=clock)


def test_sales_are_debounced_and_day_close_is_immediate(store: Store) -> None:
    clock = Clock()
    svc = service(store, clock)
    svc.request("sale")
    assert svc._due == 130
    clock.now = 120
    svc.request("sale")  # a later sale does not push the run back
    assert svc._due == 130
    svc.request("day_close")
    assert svc._due == 120


def test_after_a_failure_runs_back_off_but_sync_now_does_not(store: Store) -> None:
    clock = Clock()
    svc = service(store, clock)
    waits = []
    for _ in range(7):
        svc._due = None
        svc._schedule_after(Outcome(error=Offline("sync.err.network")))
        waits.append(svc._due - clock.now)  # type: ignore[operator]
    assert 7.5 <= waits[0] <= 15 and 15 <= waits[1] <= 30
    assert all(150 <= w <= 300 for w in waits[5:])  # capped
    svc._due = None
    svc.request("sale")
    assert svc._due == svc._backoff_until
    svc.request("manual")
    assert svc._due == clock.now and svc._manual
    svc._schedule_after(Outcome())
    assert svc._failures == 0 and svc._backoff_until == 0


def day(n: int, local: int, acked: int, rejected: int | None = None) -> DayRow:
    return DayRow(n, dt.date(2026, 5, n), True, n, local, acked, 0, None, "", rejected, "")


def test_status_words() -> None:
    now = dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)
    assert status_text(Snapshot(), "en") == "sync not set up"
    ok = Snapshot(enrolled=True, last_success_at=now - dt.timedelta(minutes=2),
                  last_attempt_at=now - dt.timedelta(minutes=2), days=(day(1, 5, 5),))
    assert status_text(ok, "en", now) == "synced 2 min ago"
    assert status_text(ok, "fr", now) == "synchronisé il y a 2 min"
    down = Snapshot(enrolled=True, last_success_at=now - dt.timedelta(days=3),
                    last_attempt_at=now, last_error='["sync.err.network",{}]',
                    days=(day(1, 5, 5), day(2, 9, 0), day(3, 12, 0), day(4, 20, 14),
                          day(5, 30, 0, rejected=30)))
    sent = (now - dt.timedelta(days=3)).astimezone()  # the till's local date
    assert status_text(down, "en", now) == (
        f"offline - 3 days waiting · 1 day set aside · last sent on {sent:%d/%m/%Y}")
    assert status_text(Snapshot(enrolled=True, revoked="x"), "en") == "device revoked"


def test_status_counts_agree_with_their_number_in_every_language() -> None:
    """French says 0 and 1 in the singular; Arabic writes a count of days in one of its
    forms (two in words, 3-10 plural, 11-99 accusative singular), never "label: n"."""
    never = Snapshot(enrolled=True)
    assert status_text(never, "fr") == "0 journée en attente"
    assert status_text(never, "en") == "0 days waiting"
    assert status_text(never, "ar") == "لا أيام في الانتظار"

    def waiting(count: int, lang: str) -> str:
        return status_text(Snapshot(enrolled=True, days=tuple(
            day(n, 2, 1) for n in range(1, count + 1))), lang)

    assert [waiting(n, "ar") for n in (1, 2, 3, 11)] == [
        "يوم واحد في الانتظار", "يومان في الانتظار", "3 أيام في الانتظار",
        "11 يومًا في الانتظار"]
    assert [waiting(n, "fr") for n in (1, 2)] == [
        "1 journée en attente", "2 journées en attente"]
    now = dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC)
    down = Snapshot(enrolled=True, last_attempt_at=now, last_error='["sync.err.network",{}]',
                    days=(day(1, 9, 0), day(2, 9, 0), day(3, 30, 0, rejected=30),
                          day(4, 30, 0, rejected=30)))
    assert status_text(down, "ar", now) == "غير متصل - يومان في الانتظار · يومان موقوفان"
    ago = Snapshot(enrolled=True, last_success_at=now - dt.timedelta(hours=5),
                   days=(day(1, 5, 5),))
    assert status_text(ago, "ar", now) == "تمت المزامنة منذ 5 ساعات"
