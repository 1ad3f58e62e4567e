"""``souk-pos sync`` commands, in process, against the live server."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pos.db import Store
from pos.models import Product, User
from sync.client import config
from sync.protocol import Bundle
from tests.sync.client.support import LiveServer, Till, free_port
from ui.main import main

FAST = ["--connect-timeout", "0.5", "--read-timeout", "2", "--attempts", "2",
        "--backoff", "0.01"]


def run(store: Store, *args: str) -> int:
    return main(["--data-dir", str(store.path.parent), "--lang", "en", "sync", *args])


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
    assert "Acknowledged by the server: 2 day(s)." in out
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
    assert "Still waiting: 1 day(s)." in captured.out
    assert "No connection to the server." in captured.err


def test_bad_addresses_and_ca_files_are_refused_in_words(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(store, "enrol", "ftp://x", "ABCD-EFGH") == 2
    assert "is not a server address" in capsys.readouterr().err
    assert run(store, "enrol", "https://souk.example.ma", "ABCD", "--ca-file", "/nope.pem") == 2
    assert "does not exist" in capsys.readouterr().err
