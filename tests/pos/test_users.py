"""PINs: one per active user, and wrong PINs make the till wait."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from pos import users
from pos.db import DB_FILENAME, Store
from pos.errors import AuthError, InputError
from pos.models import JournalEntry, User
from tests.conftest import Clock


def names(store: Store) -> list[str]:
    with store.read() as s:
        return sorted(s.scalars(select(User.name)))


def test_a_pin_another_active_user_has_is_refused(store: Store) -> None:
    with store.write() as s:
        users.add_user(s, "Aicha", users.CASHIER, "5555")
    with pytest.raises(InputError) as refused, store.write() as s:
        users.add_user(s, "Fatima", users.MANAGER, "٥٥٥٥")  # the same PIN in Arabic digits
    assert refused.value.message("fr") == (
        "Un autre utilisateur a déjà ce code PIN ; choisissez-en un autre.")
    assert "مستخدم آخر" in refused.value.message("ar")
    assert names(store) == ["Aicha"]
    with store.write() as s:
        users.add_user(s, "Fatima", users.MANAGER, "1234")
    with store.read() as s:
        assert users.authenticate(s, "5555").name == "Aicha"
        assert users.authenticate(s, "1234").name == "Fatima"


def test_a_new_pin_another_user_has_is_refused_and_the_old_one_kept(store: Store) -> None:
    with store.write() as s:
        users.add_user(s, "Fatima", users.MANAGER, "1234")
        users.add_user(s, "Aicha", users.CASHIER, "5555")
    with pytest.raises(InputError, match="Another user already has this PIN"), \
            store.write() as s:
        aicha = s.scalars(select(User).where(User.name == "Aicha")).one()
        users.set_pin(aicha, "1234")
    with store.write() as s:
        aicha = s.scalars(select(User).where(User.name == "Aicha")).one()
        users.set_pin(aicha, "5555")  # keeping one's own PIN is fine
    with store.read() as s:
        assert users.authenticate(s, "5555").name == "Aicha"
        assert users.require_manager(s, "1234").name == "Fatima"


def test_the_pin_of_a_user_no_longer_active_can_be_given_again(store: Store) -> None:
    with store.write() as s:
        users.add_user(s, "Khadija", users.CASHIER, "7777").active = False
    with store.write() as s:
        users.add_user(s, "Aicha", users.CASHIER, "7777")
    with store.read() as s:
        assert users.authenticate(s, "7777").name == "Aicha"


def test_a_pin_shared_from_before_never_grants_the_manager(store: Store) -> None:
    with store.write() as s:  # as a database from before PINs had to differ could hold
        s.add(User(name="Fatima", role=users.MANAGER, pin_hash=users.hash_pin("5555")))
        s.flush()  # the manager first
        s.add(User(name="Aicha", role=users.CASHIER, pin_hash=users.hash_pin("5555")))
    with store.read() as s:
        assert users.authenticate(s, "5555").name == "Aicha"
        with pytest.raises(AuthError, match="Aicha is not a manager"):
            users.require_manager(s, "5555")


def test_a_new_pin_is_confirmed_by_the_same_digits_in_either_script() -> None:
    """Typed twice, a new PIN is the same PIN whether its digits are Arabic-Indic or 0-9;
    another PIN, or none, as its confirmation is refused in the user's language."""
    assert users.confirmed_pin("١٢٣٤", "1234") == "1234"
    assert users.confirmed_pin(" 24680 ", "۲۴۶۸۰") == "24680"
    for again in ("1243", "", "12345", "abcd"):
        with pytest.raises(InputError) as refused:
            users.confirmed_pin("1234", again)
        assert refused.value.key == "pin.mismatch"
    assert refused.value.message("fr") == "Les deux codes ne sont pas identiques."
    assert refused.value.message("ar") == "الرمزان غير متطابقين."
    assert refused.value.message("en") == "The two PINs differ."
    with pytest.raises(InputError) as malformed:
        users.confirmed_pin("12", "12")
    assert malformed.value.key == "pin.format"


@pytest.fixture
def staffed(store: Store) -> Store:
    with store.write() as s:
        users.add_user(s, "Fatima", users.MANAGER, "1234")
        users.add_user(s, "Aicha", users.CASHIER, "5678")
    return store


def wrong_pins(store: Store, count: int) -> None:
    with store.read() as s:
        for _ in range(count):
            with pytest.raises(AuthError) as refused:
                users.authenticate(s, "9999")
            assert refused.value.key == "pin.wrong"


def refused_for(store: Store, pin: str) -> int | None:
    """Seconds the till says to wait, None if ``pin`` is accepted."""
    with store.read() as s:
        try:
            users.authenticate(s, pin)
        except AuthError as exc:
            assert exc.key == "pin.throttled"
            seconds = exc.params["seconds"]
            assert isinstance(seconds, int)
            return seconds
    return None


def test_five_wrong_pins_make_every_pin_wait_30_seconds(staffed: Store, clock: Clock) -> None:
    wrong_pins(staffed, 5)
    with staffed.read() as s, pytest.raises(AuthError) as refused:
        users.require_manager(s, "1234")
    assert refused.value.message("en") == "Too many wrong PINs; try again in 30 s."
    assert refused.value.message("fr") == (
        "Trop de codes PIN incorrects ; réessayez dans 30 s.")
    assert refused.value.message("ar") == "رموز سرية خاطئة كثيرة؛ أعد المحاولة بعد 30 ثانيةً."
    clock.now += 29.5
    assert refused_for(staffed, "1234") == 1
    clock.now += 0.5
    assert refused_for(staffed, "1234") is None


def test_each_further_wrong_pin_doubles_the_wait_up_to_ten_minutes(
    staffed: Store, clock: Clock
) -> None:
    wrong_pins(staffed, 5)
    waits = []
    for _ in range(7):
        wait = refused_for(staffed, "5678")
        assert wait is not None
        waits.append(wait)
        clock.now += wait
        wrong_pins(staffed, 1)
    assert waits == [30, 60, 120, 240, 480, 600, 600]


@pytest.mark.parametrize(
    ("seconds", "fr", "ar"),
    [
        (1, "1 s", "ثانية واحدة"),
        (2, "2 s", "ثانيتين"),
        (10, "10 s", "10 ثوانٍ"),
        (60, "60 s", "60 ثانيةً"),
        (120, "2 min", "دقيقتين"),
        (241, "5 min", "5 دقائق"),
        (600, "10 min", "10 دقائق"),
    ],
)
def test_the_wait_is_said_as_people_say_it(
    staffed: Store, clock: Clock, seconds: int, fr: str, ar: str
) -> None:
    """The wait after wrong PINs, in minutes past a minute and a half (not "600 s"),
    each number with the Arabic word in the form it takes ("10 ثوانٍ", not "10 ثانية")."""
    wrong_pins(staffed, 5)
    wait = 30
    while wait < seconds:  # one more wrong PIN once each wait is over doubles it
        clock.now += wait
        wrong_pins(staffed, 1)
        wait = min(2 * wait, 600)
    clock.now += wait - seconds
    with staffed.read() as s, pytest.raises(AuthError) as refused:
        users.authenticate(s, "1234")
    assert refused.value.params["seconds"] == seconds
    assert refused.value.message("fr") == (
        f"Trop de codes PIN incorrects\u00a0; réessayez dans {fr}."
    )
    assert refused.value.message("ar") == f"رموز سرية خاطئة كثيرة؛ أعد المحاولة بعد {ar}."


def test_thirty_guesses_cannot_be_made_in_a_row(staffed: Store, clock: Clock) -> None:
    wrong_pins(staffed, 5)
    with staffed.read() as s:
        for _ in range(25):  # refused without being checked: the right one too
            with pytest.raises(AuthError, match="Too many wrong PINs"):
                users.authenticate(s, "1234")
    assert refused_for(staffed, "1234") == 30


def test_a_cashiers_own_pin_does_not_clear_the_count(staffed: Store, clock: Clock) -> None:
    wrong_pins(staffed, 4)
    assert refused_for(staffed, "5678") is None  # the cashier signs in
    wrong_pins(staffed, 1)
    assert refused_for(staffed, "1234") == 30


def test_the_managers_pin_clears_the_count(staffed: Store, clock: Clock) -> None:
    wrong_pins(staffed, 4)
    assert refused_for(staffed, "1234") is None
    wrong_pins(staffed, 4)
    assert refused_for(staffed, "5678") is None


def test_wrong_pins_are_forgotten_after_an_hour(staffed: Store, clock: Clock) -> None:
    wrong_pins(staffed, 4)
    clock.now += 3600
    wrong_pins(staffed, 4)
    assert refused_for(staffed, "5678") is None
    wrong_pins(staffed, 1)
    assert refused_for(staffed, "5678") == 30


def test_a_malformed_pin_is_a_typo_not_a_guess(staffed: Store, clock: Clock) -> None:
    with staffed.read() as s:
        for typed in ["12", "", "abcd", "123456789"] * 3:
            with pytest.raises(AuthError, match="Wrong PIN"):
                users.authenticate(s, typed)
    assert refused_for(staffed, "5678") is None


def test_each_stall_database_counts_its_own_wrong_pins(
    staffed: Store, tmp_path: Path, clock: Clock
) -> None:
    other = Store.open(tmp_path / "other" / DB_FILENAME)
    try:
        with other.write() as s:
            users.add_user(s, "Nadia", users.MANAGER, "2468")
        wrong_pins(staffed, 5)
        assert refused_for(staffed, "1234") == 30
        assert refused_for(other, "2468") is None
    finally:
        other.close()


def test_a_name_an_active_user_has_is_refused(store: Store) -> None:
    """Receipts, held carts and the users' list name people: two alike would be one."""
    with store.write() as s:
        users.add_user(s, "Aicha", users.CASHIER, "5555")
        users.add_user(s, "Khadija", users.CASHIER, "6666").active = False
    for name in ("Aicha", " aicha ", "AICHA"):
        with pytest.raises(InputError) as refused, store.write() as s:
            users.add_user(s, name, users.CASHIER, "7777")
        assert refused.value.message("fr") == (
            "Il y a déjà un utilisateur nommé Aicha\u00a0: ajoutez une initiale ou un nom de "
            "famille, pour que la liste et les tickets distinguent les deux."
        )
    assert names(store) == ["Aicha", "Khadija"]
    with store.write() as s:
        users.add_user(s, "Aicha B.", users.CASHIER, "7777")
        users.add_user(s, "Khadija", users.CASHIER, "8888")  # the one who left is no more
    with store.read() as s:
        assert [u.name for u in users.active_users(s)] == ["Aicha", "Aicha B.", "Khadija"]


def test_a_name_longer_than_a_receipt_keeps_is_refused(store: Store) -> None:
    """A receipt keeps the seller's name in 80 characters: a longer one is refused in
    words and nothing is written; 80 characters, spaces around them aside, are a name."""
    with pytest.raises(InputError) as refused, store.write() as s:
        users.add_user(s, "ع" * 81, users.CASHIER, "5555")
    assert refused.value.message("fr") == (
        "Un nom compte au plus 80 caractères, celui-ci en a 81\u00a0: raccourcissez-le.")
    assert names(store) == []
    with store.write() as s:
        users.add_user(s, f"  {'ع' * 80}  ", users.CASHIER, "5555")
    assert names(store) == ["ع" * 80]


def test_a_pin_is_not_given_to_a_user_disabled_meanwhile(store: Store) -> None:
    with store.write() as s:
        users.add_user(s, "Fatima", users.MANAGER, "1234")
        users.add_user(s, "Aicha", users.CASHIER, "5555").active = False
    with pytest.raises(InputError) as refused, store.write() as s:
        users.set_pin(s.scalars(select(User).where(User.name == "Aicha")).one(), "2580")
    assert refused.value.message("en") == "Aicha was disabled meanwhile: nothing was saved."
    with store.read() as s:
        aicha = s.scalars(select(User).where(User.name == "Aicha")).one()
        assert users.check_pin("5555", aicha.pin_hash)
        assert s.scalar(select(JournalEntry.seq).where(JournalEntry.kind == "pin_change")) is None


def test_a_pin_changed_in_the_app_is_in_the_journal_without_the_pin(store: Store) -> None:
    with store.write() as s:
        users.add_user(s, "Fatima", users.MANAGER, "1234")
        aicha = users.add_user(s, "Aicha", users.CASHIER, "5555")
    with store.write() as s:
        users.set_pin(s.get_one(User, aicha.id), "2580")
    with store.read() as s:
        records = [json.loads(e.record) for e in s.scalars(select(JournalEntry))]
    assert [(r["kind"], r["data"]) for r in records] == [
        ("pin_change", {"user": aicha.id, "name": "Aicha", "role": "cashier", "from": "app"})]
    assert "2580" not in json.dumps(records)
