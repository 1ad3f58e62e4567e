"""``souk-pos demo-sales``: invented days go only into a demo stall, never into a real one
(they would stay in its journal for ever, and reach the organisers as real figures)."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from pos import catalogue, checkout, day, users
from pos.cart import Cart, cash
from pos.db import DB_FILENAME, Store
from tests.pos.conftest import run

TRY_ELSEWHERE = {
    "fr": "Rien n'a été écrit. Pour essayer l'application, utilisez un nouveau dossier\u00a0: "
          "souk-pos --data-dir NOUVEAU-DOSSIER demo-sales\n",
    "en": "Nothing was written. To try the app, use a new folder: "
          "souk-pos --data-dir NEW-FOLDER demo-sales\n",
}


def counts(folder: Path) -> tuple[int, ...]:
    """The stall's products, sales, days, users and journal records."""
    with closing(sqlite3.connect(folder / DB_FILENAME)) as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                     for table in ("product", "sale", "business_day", "user", "journal"))


def ring_a_sale(folder: Path) -> None:
    """A sale the stall's manager rings in a day she opens, as at the till."""
    store = Store.open(folder / DB_FILENAME)
    try:
        with store.write() as s:
            manager = users.active_users(s)[0]
            day.open_day(s, 0, user=manager)
            cart = Cart()
            cart.add(catalogue.all_products(s)[0], 1000)
            total = cart.totals().total
            checkout.complete(s, cart, [cash(total, total)], cashier=manager)
    finally:
        store.close()


def enrol(folder: Path) -> None:
    """What enrolment with a market server keeps in the stall's sync settings
    (:func:`sync.client.config.save_enrolment`)."""
    from sync.client import config

    store = Store.open(folder / DB_FILENAME)
    try:
        with store.write() as s:
            config.update(s, url="https://souk.example.ma", device_id=str(uuid.uuid4()),
                          cooperative_id=12, token="secret-token", enrolled_at=config.now_text())
        with store.read() as s:
            assert config.load(s).enrolled
    finally:
        store.close()


def test_a_stall_that_has_sold_is_refused_in_its_language_with_nothing_written(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cooperative's real till, one sale rung: demo-sales refuses, says why and what to
    do instead, in the stall's language (French), and writes nothing."""
    ring_a_sale(data)
    before = counts(data)
    code, out, err = run(capsys, "--data-dir", str(data), "demo-sales", "--days", "2")
    assert (code, out) == (2, "")
    assert err == ("souk-pos: Cette caisse contient déjà ses propres ventes, non enregistrées "
                   "par demo-sales\u00a0: des ventes de démonstration s'y mêleraient pour "
                   "toujours dans son journal. " + TRY_ELSEWHERE["fr"])
    assert counts(data) == before


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_stall_enrolled_with_the_market_server_is_refused(
        data: Path, capsys: pytest.CaptureFixture[str], lang: str) -> None:
    """Enrolled, not a sale rung yet: the demo days would be pushed to the organisers as the
    stall's figures. Refused, nothing written."""
    enrol(data)
    before = counts(data)
    code, out, err = run(capsys, "--data-dir", str(data), "--lang", lang, "demo-sales",
                         "--days", "1", "--sales-per-day", "3")
    assert (code, out) == (2, "")
    if lang == "en":
        assert err == ("souk-pos: This till is enrolled with the market's server: demo sales "
                       "would reach the organisers as real figures, and stay in its journal "
                       "for ever. " + TRY_ELSEWHERE["en"])
    else:
        assert err.startswith("souk-pos: هذا الجهاز مسجَّل لدى خادم السوق")
        assert "souk-pos --data-dir NEW-FOLDER demo-sales" in err
    assert counts(data) == before


def test_demo_days_may_be_added_to_a_demo_stall_until_it_sells_for_real(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stall with no sale yet takes demo days, and more demo days after them (screenshots,
    benchmarks, trying the reports); once a sale of its own is rung, no more."""
    d = str(data)
    assert run(capsys, "--data-dir", d, "demo-sales", "--days", "1", "--sales-per-day", "4")[0] == 0
    assert run(capsys, "--data-dir", d, "demo-sales", "--days", "2", "--sales-per-day", "3",
               "--seed", "9")[0] == 0
    assert counts(data)[2] == 3  # three days
    ring_a_sale(data)
    before = counts(data)
    code, _, err = run(capsys, "--data-dir", d, "--lang", "en", "demo-sales", "--days", "1")
    assert code == 2 and "already holds sales of its own" in err
    assert counts(data) == before


def test_a_folder_with_no_stall_becomes_a_demo_stall_and_is_told_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "essai"
    code, out, err = run(capsys, "--data-dir", str(folder), "--lang", "fr", "demo-sales",
                         "--days", "2", "--sales-per-day", "3")
    assert (code, err) == (0, "")
    assert out == (f"Il n'y avait pas de caisse dans {folder}\u00a0: c'est maintenant une caisse "
                   "de démonstration (code PIN de la gérante 1234, de la vendeuse 0000). Ne "
                   "l'utilisez pas pour de vraies ventes.\n"
                   "6 ventes de démonstration enregistrées sur 2 jours.\n")
    with closing(sqlite3.connect(folder / DB_FILENAME)) as conn:
        assert conn.execute("SELECT name, role FROM user ORDER BY id").fetchall() == [
            ("Gérante / المسيرة", "manager"), ("Vendeuse / البائعة", "cashier")]
    code, out, _ = run(capsys, "--data-dir", str(folder), "--lang", "fr", "demo-sales",
                       "--days", "1", "--sales-per-day", "2")
    assert (code, out) == (0, "2 ventes de démonstration enregistrées sur 1 jour.\n")
