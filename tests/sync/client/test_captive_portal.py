"""A café's Wi-Fi that answers every address with its login page, or takes the till's
https connections with its own certificate: the till tells the seller what it may be
and what to do (sign in to the Wi-Fi in a browser), in their language, sends nothing,
and delivers the day once the Wi-Fi lets it through."""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client.engine import sync_once
from tests.sync.client.faultproxy import FaultProxy, tls_context
from tests.sync.client.support import (
    LiveServer,
    Till,
    device_of,
    listening_socket,
    local_figures,
)
from tests.sync.client.test_faults import transport_via

SAID = {
    "fr": ("Une page qui n'est pas le serveur Souk a répondu\u00a0: une page de connexion "
           "Wi-Fi\u00a0? Si c'est le cas, ouvrez un navigateur web et connectez-vous au Wi-Fi, "
           "puis réessayez."),
    "ar": ("أجابت صفحة ليست خادم Souk: صفحة دخول Wi-Fi؟ إن كانت كذلك، افتح متصفح الويب "
           "وسجّل الدخول إلى Wi-Fi، ثم أعد المحاولة."),
}


@pytest.fixture
def portal(server: LiveServer) -> Iterator[FaultProxy]:
    proxy = FaultProxy(server.port, seed=1, hold=1.0, weights={"portal": 1.0})
    yield proxy
    proxy.close()


def test_a_wifi_login_page_is_named_and_the_seller_told_what_to_do(
        till: Till, server: LiveServer, portal: FaultProxy) -> None:
    till.sell(random.Random(41))
    transport = transport_via(till.store, portal.url)
    try:
        outcome = sync_once(till.store, transport)
        assert outcome.error is not None and outcome.waiting == 1 and not outcome.acked
        for lang, words in SAID.items():
            assert outcome.error.message(lang) == words
        assert server.held(device_of(till.store)) == {}

        portal.enabled = False  # signed in to the Wi-Fi
        assert sync_once(till.store, transport).ok
    finally:
        transport.close()
    assert server.held(device_of(till.store)) == local_figures(till.store)


class TlsPortal:
    """A Wi-Fi portal that takes the till's https connections with its own certificate
    (made for ``name``, signed by no authority the till knows)."""

    def __init__(self, folder: Path, name: str) -> None:
        self.cert, self.context = tls_context(folder, name, f"DNS:{name}")
        self.sock = listening_socket()
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with contextlib.suppress(OSError), conn, \
                    self.context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept under way
        self.sock.close()
        self.thread.join(5)


WIFI_FIRST = {"fr": "sur le Wi-Fi d'un café ou d'un hôtel, connectez-vous d'abord au Wi-Fi "
                    "dans un navigateur web\u00a0; sinon, ",
              "ar": "على شبكة Wi-Fi مقهى أو فندق، سجّل الدخول إلى Wi-Fi في متصفح الويب أولًا؛ "
                    "وإلا ف"}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the certificate")
@pytest.mark.parametrize(("trusted", "key"), [(False, "sync.err.tls_unknown_ca"),
                                              (True, "sync.err.tls_name")])
def test_a_portal_taking_https_says_to_sign_in_to_the_wifi_first(
        till: Till, tmp_path: Path, trusted: bool, key: str) -> None:
    """Its certificate is refused (verification is never turned off), and the seller,
    whose till sent its figures from this address before, is told to sign in to the
    Wi-Fi before doubting the address or the CA file."""
    portal = TlsPortal(tmp_path, "wifi.cafe.example")
    till.sell(random.Random(42))
    transport = transport_via(till.store, portal.url)
    if trusted:  # its authority known: its name is not the server's
        transport.session.verify = str(portal.cert)
    try:
        outcome = sync_once(till.store, transport)
    finally:
        transport.close()
        portal.close()
    assert outcome.error is not None and outcome.error.key == key
    assert outcome.waiting == 1 and not outcome.acked
    for lang, words in WIFI_FIRST.items():
        assert words in outcome.error.message(lang)
