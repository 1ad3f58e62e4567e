"""``souk-pos sync`` commands, in process, against the live server."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pos.db import Store
from pos.models import Product, User
from sync.client import config
from sync.protocol import Bundle
from tests.sync.client.support import MARKET_DAY, MARKET_END, LiveServer, Till, free_port
from ui.main import main

FAST = ["--connect-timeout", "0.5", "--read-timeout", "2", "--attempts", "2",
        "--backoff", "0.01"]


def run(store: Store, *args: str, lang: str = "en") -> int:
    return main(["--data-dir", str(store.path.parent), "--lang", lang, "sync", *args])


def test_enrol_sync_status_export(
    store: Store, staff: tuple[User, User], products: dict[str, Product], server: LiveServer,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    assert run(store, "status") == 0
    assert "sync not set up" in capsys.readouterr().out
    assert run(store) == 2  # nothing to sync with yet
    assert "not enrolled" in capsys.readouterr().err

    assert run(store, *FAST, "enrol", server.url, server.code()) == 0
    out = capsys.readouterr().out
    assert "Coopérative Argan Nissae, stand 12" in out
    with store.read() as s:
        token = config.load(s).token
    assert token

    till = Till(store)
    rng = random.Random(31)
    till.sell(rng)
    till.close_day()
    till.sell(rng)
    assert run(store, *FAST) == 0
    out = capsys.readouterr().out
    assert "The server acknowledged 2 days." in out
    assert "Everything is on the server." in out

    assert run(store, "status") == 0
    status = capsys.readouterr().out
    assert status.startswith("synced just now")
    assert "Z1" in status and "on the server" in status and server.url in status

    bundle_path = tmp_path / "bundle.json"
    assert run(store, "export", str(bundle_path)) == 0
    bundle = Bundle.model_validate_json(bundle_path.read_text(encoding="utf-8"))
    assert len(bundle.summaries) == 2

    for text in (out, status, capsys.readouterr().out, bundle_path.read_text()):
        assert token not in text


def test_sync_exits_1_while_offline_and_says_why(
    enrolled: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    Till(enrolled).sell(random.Random(32))
    with enrolled.write() as s:
        config.update(s, url=f"http://127.0.0.1:{free_port()}")
    assert run(enrolled, *FAST) == 1
    captured = capsys.readouterr()
    assert "1 day still waiting." in captured.out
    assert "Nothing answers at 127.0.0.1 on port" in captured.err  # what to check


def test_bad_addresses_and_ca_files_are_refused_in_words(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(store, "enrol", "ftp://x", "ABCD-EFGH") == 2
    assert "is not a server address" in capsys.readouterr().err
    assert run(store, "enrol", "https://souk.example.ma", "ABCD", "--ca-file", "/nope.pem") == 2
    assert "does not exist" in capsys.readouterr().err


def test_days_outside_the_markets_dates_are_not_said_to_be_on_the_server(
    enrolled: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    before = MARKET_DAY - dt.timedelta(days=3)  # rung before the market began
    till = Till(enrolled, start=before)
    rng = random.Random(34)
    till.sell(rng)
    till.close_day()
    till.next_date = MARKET_DAY
    till.sell(rng)
    assert run(enrolled, *FAST) == 1
    out = capsys.readouterr().out
    assert "The server acknowledged 1 day." in out
    dates = f"{MARKET_DAY:%d/%m/%Y} to {MARKET_END:%d/%m/%Y}"  # as the app writes dates
    assert (f"1 day outside the market's dates ({dates}) was not "
            "sent: it is not in this market's figures.") in out
    assert "Everything is on the server." not in out
    assert run(enrolled, "status") == 0
    lines = capsys.readouterr().out.splitlines()
    assert next(line for line in lines if line.startswith(before.isoformat())).endswith(
        "outside the market's dates: not sent")
    assert next(line for line in lines if line.startswith(MARKET_DAY.isoformat())).endswith(
        "on the server")
    # said again, in Arabic and French, each count in the form its number takes
    assert run(enrolled, *FAST, lang="ar") == 1
    out = capsys.readouterr().out
    assert "لم يؤكد الخادم استلام أي يوم." in out  # nothing new: "no day", not "days: 0"
    assert (f"يوم واحد خارج تواريخ السوق (من {MARKET_DAY:%d/%m/%Y} إلى {MARKET_END:%d/%m/%Y}) "
            "لم يُرسل") in out
    assert run(enrolled, *FAST, lang="fr") == 1
    out = capsys.readouterr().out
    assert "Le serveur a reçu 0 journée." in out  # French counts 0 in the singular
    assert "1 journée hors des dates du marché" in out and "n'a pas été envoyée" in out
    assert run(enrolled, "status", lang="fr") == 0
    assert (f"du {MARKET_DAY:%d/%m/%Y} au {MARKET_END:%d/%m/%Y}"
            in capsys.readouterr().out)  # the market's dates, as the app writes them


def test_a_mistyped_address_leaves_a_new_folder_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = tmp_path / "fresh"
    assert main(["--data-dir", str(fresh), "--lang", "fr", "sync", "enrol", "notaurl",
                 "ABCD-EFGH"]) == 2
    assert capsys.readouterr().err == (
        "souk-pos: « notaurl » n'est pas une adresse de serveur "
        "(par ex. https://souk.example.ma).\n")
    assert main(["--data-dir", str(fresh), "--lang", "en", "sync", "enrol",
                 "https://souk.example.ma", "AB"]) == 2
    assert "one-time code" in capsys.readouterr().err
    assert not fresh.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_an_export_to_a_full_stick_leaves_nothing_and_says_why_in_words(
    till: Till, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    till.sell(random.Random(35))
    stick = tmp_path / "stick"
    stick.mkdir()
    target = stick / "bundle.json"
    (stick / "bundle.json.partial").symlink_to("/dev/full")  # whatever is written: disk full
    data = str(till.store.path.parent)
    assert main(["--data-dir", data, "--lang", "fr", "sync", "export", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"souk-pos: Impossible d'écrire {target} : le disque ou la clé USB est plein "
        "(No space left on device).\n")
    assert list(stick.iterdir()) == []

    unplugged = tmp_path / "unplugged" / "bundle.json"
    assert main(["--data-dir", data, "--lang", "ar", "sync", "export", str(unplugged)]) == 2
    assert capsys.readouterr().err == (
        f"souk-pos: تعذّرت كتابة {unplugged}: المجلد غير موجود؛ هل ذاكرة USB موصولة؟ "
        "(No such file or directory).\n")


def refuse_sync_settings(store: Store) -> None:
    """The sync settings can no longer be written (as a full disk refuses a write). Their
    clock check is made an old one first, so that the next contact with the server has
    something to write even within the second of the last one."""
    db = sqlite3.connect(store.path)
    with db:
        db.execute("UPDATE setting SET value = json_set(value, '$.clock_checked_at', "
                   "'2000-01-01T00:00:00+00:00') WHERE key = 'sync'")
        db.execute("CREATE TRIGGER full BEFORE UPDATE ON setting WHEN NEW.key = 'sync' "
                   "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END")
    db.close()


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", "La base de données"), ("ar", "قاعدة البيانات"), ("en", "The database")])
@pytest.mark.parametrize("action", [[], ["status"]])
def test_a_failed_settings_write_is_one_line_without_the_token(
        till: Till, capsys: pytest.CaptureFixture[str], lang: str, words: str,
        action: list[str]) -> None:
    till.sell(random.Random(36))
    with till.store.read() as s:
        token = config.load(s).token
    assert token
    refuse_sync_settings(till.store)
    code = run(till.store, *FAST, *action, lang=lang)
    captured = capsys.readouterr()
    said = captured.err.splitlines()
    assert code == 1
    assert len(said) == 1 and said[0].startswith("souk-pos: ") and words in said[0], said
    assert "database or disk is full" in said[0]  # SQLite's reason, as it gave it
    for text in (captured.out, captured.err):  # nor any piece of it, nor the statement
        assert not [token[i:i + 8] for i in range(len(token) - 7) if token[i:i + 8] in text]
        assert "UPDATE" not in text and "parameters" not in text


@pytest.mark.usefixtures("ctrl_c")
def test_a_sync_stopped_with_ctrl_c_keeps_the_days_sent_and_sends_the_others_next(
    till: Till, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real Ctrl+C (SIGINT) as the second day is pushed: one line saying the days
    recorded as on the server stay so and the others go at the next sync, exit 130; so
    they do: the first day is on the server, the second waits, and the next sync sends
    it."""
    import signal

    from sync.client import engine
    from sync.client.status import snapshot
    from sync.client.transport import Transport

    rng = random.Random(36)
    till.sell(rng)
    till.close_day()
    till.sell(rng)
    monkeypatch.setattr(engine, "MAX_SUMMARIES_PER_PUSH", 1)  # a push a day
    pushing = Transport.push
    pushes: list[int] = []

    def ctrl_c_at_the_second(transport: Transport, *args: Any, **kwargs: Any) -> Any:
        pushes.append(len(args[0]))
        if len(pushes) == 2:
            signal.raise_signal(signal.SIGINT)
        return pushing(transport, *args, **kwargs)

    monkeypatch.setattr(Transport, "push", ctrl_c_at_the_second)
    assert run(till.store, *FAST, lang="fr") == 130
    assert capsys.readouterr().err == (
        "souk-pos: Interrompu\u00a0: les journées déjà notées comme reçues par le serveur le "
        "restent\u00a0; celles en attente partiront à la prochaine synchronisation (une "
        "journée envoyée deux fois n'est jamais comptée deux fois).\n")
    waiting = [day.waiting for day in sorted(snapshot(till.store).days, key=lambda d: d.date)]
    assert waiting == [False, True]  # the older day, pushed first, is on the server
    assert run(till.store, *FAST) == 0
    assert "Everything is on the server." in capsys.readouterr().out
    assert [day.waiting for day in snapshot(till.store).days] == [False, False]


@pytest.mark.parametrize("when", ["answered", "saved"])
@pytest.mark.usefixtures("ctrl_c")
def test_an_enrolment_stopped_with_ctrl_c_says_whether_the_till_is_enrolled(
    store: Store, staff: tuple[User, User], products: dict[str, Product], server: LiveServer,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, when: str,
) -> None:
    """A real Ctrl+C (SIGINT) once the server answered, before the till saved its token:
    the enrolment is not saved, and the line says to run the command again, or ask for a
    new code if the server says it was used. Once saved: the till is enrolled, as said."""
    import signal

    from sync.client import cli as sync_cli
    from sync.client.transport import Transport

    target = (Transport, "enrol") if when == "answered" else (sync_cli, "_say_enrolled")
    doing = getattr(*target)

    def then_ctrl_c(*args: Any, **kwargs: Any) -> Any:
        done = doing(*args, **kwargs)
        signal.raise_signal(signal.SIGINT)
        return done

    monkeypatch.setattr(*target, then_ctrl_c)
    assert run(store, *FAST, "enrol", server.url, server.code(), lang="fr") == 130
    with store.read() as s:
        token = config.load(s).token
    assert capsys.readouterr().err == ({
        "answered": "souk-pos: Interrompu\u00a0: cette inscription n'a pas été enregistrée "
                    "sur la caisse. Relancez la commande avec le même code\u00a0; si le "
                    "serveur le refuse comme déjà utilisé, demandez-en un nouveau aux "
                    "organisateurs.\n",
        "saved": "souk-pos: Interrompu une fois cette caisse inscrite\u00a0: «\u00a0souk-pos "
                 "sync status\u00a0» l'affiche.\n"}[when])
    assert (token is not None) == (when == "saved")


def test_a_bundle_export_stopped_with_ctrl_c_writes_nothing(
    till: Till, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl+C while the bundle reaches the USB stick: nothing is written (no part of a
    file for the organisers to import), as the line says."""
    import os

    till.sell(random.Random(37))

    def ctrl_c(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", ctrl_c)
    assert run(till.store, "export", str(tmp_path / "bundle.json"), lang="ar") == 130
    assert capsys.readouterr().err == "souk-pos: توقف الأمر: لم يُكتب شيء.\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("bundle")] == []
