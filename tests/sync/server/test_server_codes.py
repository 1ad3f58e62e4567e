"""Enrolment codes read on the phone or copied from a printed slip: made of characters no
one takes for others (no B/8, S/5, Z/2...), as hard to guess as before, and taken with the
characters a seller mistook for them; a code issued before, of the old characters, still
enrols. The real server on loopback, over SQLite and PostgreSQL, and a real till."""

from __future__ import annotations

import math
import re

import pytest
import requests

from pos.db import Store
from sync.client.engine import check_enrolment, enrol_store
from sync.client.errors import EnrolFailed
from sync.server import admin
from sync.server.security import (
    CODE_ALPHABET,
    CODE_LENGTH,
    OLD_CODE_ALPHABET,
    new_enrol_code,
)
from tests.sync.client.support import LiveServer

#: characters a person takes for one another, read aloud or off paper
CONFUSABLE = ["B8", "S5", "Z2", "G6", "O0DQ", "I1L", "UV"]
#: a code of before: twelve characters, some of them dropped since
OLD_CODE = "B8SZ-2G5U-VDQ7"
#: a code of now, made of characters others are taken for
NEW_CODE = "8520-61VKM-XY3A"


def issued(server: LiveServer, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``code`` issued for the seeded cooperative, as ``souk-server enrol-code`` issues one
    (only its hash stored)."""
    with monkeypatch.context() as m:
        m.setattr(admin, "new_enrol_code", lambda: code)
        assert server.code() == code


def enrols(server: LiveServer, typed: str) -> int:
    reply = requests.post(f"{server.url}/api/v1/enrol", timeout=5,
                          json={"code": typed, "device_name": "till"})
    return reply.status_code


def test_new_codes_hold_no_confusable_characters_and_as_much_chance() -> None:
    codes = [new_enrol_code() for _ in range(1000)]
    groups = "-".join(f"[{CODE_ALPHABET}]{{{n}}}" for n in (4, 5, 4))
    assert all(re.fullmatch(groups, c) for c in codes), codes[:3]
    used = set("".join(codes).replace("-", ""))
    for letters in CONFUSABLE:
        assert len(used & set(letters)) <= 1, letters
    assert used.isdisjoint("BSZGODQILU")
    assert len(set(codes)) == 1000
    # at least as hard to guess as twelve characters of the old alphabet
    assert CODE_LENGTH * math.log2(len(CODE_ALPHABET)) >= 12 * math.log2(len(OLD_CODE_ALPHABET))


def test_a_code_issued_before_still_enrols(server: LiveServer,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    issued(server, OLD_CODE, monkeypatch)
    assert enrols(server, "b8sz 2g5u vdq7") == 200
    assert enrols(server, OLD_CODE) == 400  # once


#: a code issued, one of its characters wrong, and a way of typing it that enrols
TYPED = [
    # before: B and 8, S and 5, Z and 2, each one taken for the other
    (OLD_CODE, "B8SZ-2G5U-VDQ9", "8BS2-ZG5U-VDQ7"),
    (OLD_CODE, "B8SZ-2G5U-VDQ9", "b8sz 265v uoo7"),  # G as 6, U and V swapped, D and Q as O
    (OLD_CODE, "B8SZ-2G5U-VDQ9", "B8SZ-2G5U-VD07"),  # Q as a zero
    # now: every digit taken for the letter it looks like
    (NEW_CODE, "8520-61VKM-XY3B", "BSZO-GIUKM-XY3A"),
    (NEW_CODE, "8520-61VKM-XY3B", "8s2d-gl vkm-xy3a"),  # some, lower case, a space for a dash
    (NEW_CODE, "8520-61VKM-XY3B", "٨٥٢٠-٦١VKM-XY٣A"),  # the digits of an Arabic keyboard
    (NEW_CODE, "8520-61VKM-XY3B", "8520-61VKM-XY3A"),  # as printed
]


@pytest.mark.parametrize(("code", "wrong", "typed"), TYPED)
def test_a_code_typed_with_characters_taken_for_its_own_enrols(
        server: LiveServer, monkeypatch: pytest.MonkeyPatch, code: str, wrong: str,
        typed: str) -> None:
    issued(server, code, monkeypatch)
    assert enrols(server, wrong) == 400  # a character wrong is no code
    assert enrols(server, typed) == 200
    assert enrols(server, code) == 400  # used


def test_the_till_takes_the_code_as_the_seller_types_it(
        server: LiveServer, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    issued(server, NEW_CODE, monkeypatch)
    typed = " ٨s2O-GIVKM-xy٣a "
    assert check_enrolment(server.url, typed, None)[1] == typed.strip()
    config = enrol_store(store, server.url, typed, name="T01")
    assert config.device_id is not None
    with pytest.raises(EnrolFailed):  # a code works once
        enrol_store(store, server.url, NEW_CODE, name="T01")
