"""Out-of-range numbers on the organisers' command line: one line, status 2, nothing written."""

from __future__ import annotations

import pytest

from sync.server.db import Database

from .test_server_cli import COOP, MARKET, counts, run

HUGE = "99999999999999999999"


@pytest.mark.parametrize(("args", "message"), [
    (["enrol-code", HUGE], f"{HUGE} is not between 1 and 2147483647"),
    ([*COOP[:3], HUGE, *COOP[4:]], f"{HUGE} is not between 1 and 2147483647"),
    (["serve", "--port", "70000"], "70000 is not between 1 and 65535"),
])
def test_numbers_out_of_range_are_one_line_status_2(
        database_url: str, db: Database, capsys: pytest.CaptureFixture[str],
        args: list[str], message: str) -> None:
    run(database_url, *MARKET, capsys=capsys)
    run(database_url, *COOP, capsys=capsys)
    before = counts(db)
    code, out, err = run(database_url, *args, capsys=capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("souk-server: error: ") and message in err
    assert counts(db) == before


def test_out_of_range_in_arabic(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(database_url, "enrol-code", HUGE, capsys=capsys, lang="ar")
    assert code == 2 and "ليس بين 1 و2147483647" in err

