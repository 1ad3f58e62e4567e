"""A server that cannot be reached is told by its cause, with what to check, in the
till's language and never in the system's own words: a server answering in plain http to
https, a name that cannot be found, nothing listening, a server that does not answer in
time, an address typed without http(s)://. The code is never spent on such a failure."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pos.db import Store
from pos.errors import SoukError
from pos.i18n import ltr
from pos.models import Product, User
from sync.client import config
from sync.client.engine import enrol_store
from sync.client.errors import EnrolFailed, NotTheServer, Offline, Unreached
from tests.sync.client.conftest import FAST
from tests.sync.client.support import LiveServer, free_port, listening_socket
from ui.main import main

RAW = ("SSL", "HTTPSConnectionPool", "Errno", "Max retries", "Caused by", "urllib3")


def failure(store: Store, url: str, code: str) -> SoukError:
    with pytest.raises(SoukError) as caught:
        enrol_store(store, url, code, name="T01 test", **FAST)  # type: ignore[arg-type]
    for lang in ("ar", "fr", "en"):
        said = caught.value.message(lang)
        assert not any(word in said for word in RAW), said
    return caught.value


def not_enrolled(store: Store) -> bool:
    with store.read() as s:
        return config.load(s).token is None


@pytest.fixture
def stall(store: Store, staff: tuple[User, User], products: dict[str, Product]) -> Store:
    return store


def test_https_to_a_server_speaking_plain_http(stall: Store, server: LiveServer) -> None:
    tried = server.url.replace("http://", "https://")
    error = failure(stall, tried, server.code())
    assert isinstance(error, NotTheServer) and error.key == "sync.err.tls_plain"
    assert error.message("ar") == (  # addresses isolated, left to right
        f"الخادم على {ltr(tried, 'ar')} يجيب دون تشفير: إذا كان العنوان الذي قدمه المنظمون "
        f"يبدأ بـ {ltr('http://', 'ar')} (خادم على شبكة السوق نفسها)، فاكتب "
        f"{ltr(server.url, 'ar')}.")
    assert error.message("fr").endswith(f"saisissez {server.url}.")
    assert not_enrolled(stall)


def test_nothing_listening(stall: Store) -> None:
    port = free_port()
    error = failure(stall, f"http://127.0.0.1:{port}", "ABCD-EFGH-JKMN")
    assert isinstance(error, Unreached)
    assert error.message("en") == (
        f"Nothing answers at 127.0.0.1 on port {port}: check the address and its port; if "
        "they are right, the server is stopped (tell the organisers).")
    assert f"المنفذ {port}" in error.message("ar")


@pytest.fixture
def unknown_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's resolver answers that ``*.invalid`` names do not exist (as it does,
    without asking the network)."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)  # as urllib3 calls it


def test_a_name_that_cannot_be_found(stall: Store, unknown_names: None) -> None:
    error = failure(stall, "https://souk.invalid", "ABCD-EFGH-JKMN")
    assert error.message("fr") == (
        "Le nom souk.invalid est introuvable : vérifiez l'adresse telle que donnée par les "
        "organisateurs, et que cet ordinateur est connecté (Wi-Fi ou données mobiles).")


def test_an_address_typed_without_http_says_what_was_tried(
    stall: Store, server: LiveServer, unknown_names: None
) -> None:
    typed = server.url.removeprefix("http://")  # 127.0.0.1:PORT, as on a card
    error = failure(stall, typed, server.code())
    assert isinstance(error, EnrolFailed)
    assert error.message("en") == (
        f"The server at https://{typed} answers without encryption: if the address the "
        f"organisers gave begins with http:// (a server on the market's own network), type "
        f"{server.url}. The address was typed without http:// or https://, so https://{typed} "
        "was tried: type the address whole, as the organisers gave it.")
    error = failure(stall, "souk.invalid", "ABCD-EFGH-JKMN")
    said = error.message("ar")
    assert said.startswith(f"تعذّر العثور على الاسم {ltr('souk.invalid', 'ar')}")
    assert (f"كُتب العنوان دون {ltr('http://', 'ar')} أو {ltr('https://', 'ar')}، فجُرّب "
            f"{ltr('https://souk.invalid', 'ar')}") in said


@pytest.fixture
def silent() -> Iterator[str]:
    """A server on loopback that takes connections and never answers."""
    sock = listening_socket()
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not done.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    done.set()
    thread.join(5)
    for conn in held:
        conn.close()
    sock.close()


def test_a_server_that_does_not_answer(stall: Store, silent: str) -> None:
    error = failure(stall, silent, "ABCD-EFGH-JKMN")
    assert isinstance(error, Offline) and not isinstance(error, Unreached)
    assert error.message("en") == ("The server did not answer in time: the connection is "
                                   "slow or cut; check the Wi-Fi or mobile data.")


def test_the_enrol_command_says_what_to_check(
    stall: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    code = main(["--data-dir", str(stall.path.parent), "--lang", "ar", "sync",
                 "--connect-timeout", "0.5", "--attempts", "1", "enrol",
                 f"http://127.0.0.1:{port}", "ABCD-EFGH-JKMN"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"souk-pos: لا شيء يجيب على {ltr('127.0.0.1', 'ar')} في المنفذ {port}: "
                   "تحقق من العنوان ومن رقم المنفذ؛ إن كانا صحيحين فالخادم متوقف (أخبر "
                   "المنظمين).\n")


def test_the_dashboards_address_typed_says_which_to_type(stall: Store,
                                                        server: LiveServer) -> None:
    """The address of the dashboard, copied from the organisers' browser, reaches the
    server but not where tills send: the manager is told the address to type (not that a
    Wi-Fi login page answered), and the code is not spent."""
    code = server.code()
    typed = server.url + "/dashboard/"
    error = failure(stall, typed, code)
    assert isinstance(error, NotTheServer) and error.key == "sync.err.wrong_path"
    assert error.message("fr") == (
        f"{server.url}/dashboard n'est pas l'adresse à saisir sur une caisse (celle du "
        f"tableau de bord\u00a0?)\u00a0: saisissez {server.url}.")
    assert error.message("ar") == (
        f"{ltr(server.url + '/dashboard', 'ar')} ليس العنوان الذي يُكتب في الجهاز (عنوان "
        f"لوحة المتابعة؟): اكتب {ltr(server.url, 'ar')}.")
    assert not_enrolled(stall)
    enrol_store(stall, server.url, code, name="T01 test", **FAST)  # as told: it works
    assert not not_enrolled(stall)
