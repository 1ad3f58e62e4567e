"""The dashboard's login against abuse: oversized forms, guessing passwords, forged forms
from other sites, and sessions that outlive a logout."""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from sync.server import admin
from sync.server.app import create_app
from sync.server.dashboard import LoginGuard
from sync.server.db import Database
from sync.server.models import User
from sync.server.security import hash_password

from .server_support import alembic

if TYPE_CHECKING:
    from httpx import Response

PASSWORD = "souk-organiser-2026"
THROTTLED_FR = "Trop de tentatives\u00a0; réessayez dans {}\u00a0s."


class Clock:
    """A clock the test moves by hand (naive UTC, as the server keeps time)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 5, 12, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def organiser(db: Database) -> str:
    with db.write() as s:
        admin.add_user(s, "nadia", PASSWORD)
    return "nadia"


@pytest.fixture
def clock(client: TestClient) -> Clock:
    fake = Clock()
    client.app.state.login_guard = LoginGuard(clock=fake)  # type: ignore[attr-defined]
    return fake


def log_in(client: TestClient, username: str, password: str = PASSWORD, lang: str = "fr",
           **headers: str) -> Response:
    reply: Response = client.post(
        "/dashboard/login", data={"username": username, "password": password, "lang": lang},
        headers=headers, follow_redirects=False)
    return reply


def sees_data(client: TestClient, cookie: str) -> bool:
    client.cookies.clear()
    client.cookies.set("souk_session", cookie, path="/dashboard")
    status: int = client.get("/dashboard/data.json").status_code
    assert status in (200, 401)
    return status == 200


# --- the size of the form ------------------------------------------------------------------


def test_a_large_login_form_is_refused(client: TestClient, organiser: str) -> None:
    big = {"username": organiser, "password": PASSWORD, "lang": "fr", "pad": "x" * 200_000}
    reply = client.post("/dashboard/login", data=big, headers={"Accept-Language": "fr"},
                        follow_redirects=False)
    assert reply.status_code == 413
    assert "Ce formulaire est trop volumineux." in reply.text
    assert "souk_session" not in reply.headers.get("set-cookie", "")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while reading
        yield f"username={organiser}&password={PASSWORD}&pad=".encode()
        for _ in range(100):
            yield b"x" * 4096

    reply = client.post("/dashboard/login", content=chunks(), follow_redirects=False,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 413
    assert "souk_session" not in reply.headers.get("set-cookie", "")
    assert log_in(client, organiser).status_code == 303  # a normal form still logs in


# --- throttling ----------------------------------------------------------------------------


def test_five_wrong_passwords_block_the_login_longer_each_time(
        client: TestClient, organiser: str, clock: Clock) -> None:
    for _ in range(5):
        assert log_in(client, organiser, "wrong-password").status_code == 401
    refused = log_in(client, organiser)  # the right password, but too soon
    assert refused.status_code == 429
    assert THROTTLED_FR.format(30) in refused.text
    assert refused.headers["retry-after"] == "30"
    assert "souk_session" not in refused.headers.get("set-cookie", "")
    clock.advance(29)
    assert THROTTLED_FR.format(1) in log_in(client, organiser).text
    clock.advance(1)
    # each further wrong password doubles the wait, up to 15 minutes
    for wait in (60, 120, 240, 480, 900, 900):
        assert log_in(client, organiser, "wrong-password").status_code == 401
        refused = log_in(client, organiser)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == str(wait)
        assert THROTTLED_FR.format(wait) in refused.text
        clock.advance(wait - 1)
        assert log_in(client, organiser).status_code == 429
        clock.advance(1)
    assert log_in(client, organiser).status_code == 303
    # a success starts the count again: four wrong passwords are not refused yet
    for _ in range(4):
        assert log_in(client, organiser, "wrong-password").status_code == 401
    assert log_in(client, organiser).status_code == 303


def test_the_wait_is_in_the_pages_language(client: TestClient, organiser: str,
                                           clock: Clock) -> None:
    for _ in range(5):
        log_in(client, organiser, "wrong-password", lang="ar")
    clock.advance(10)
    ar = log_in(client, organiser, lang="ar")
    assert ar.status_code == 429
    assert "محاولات كثيرة جدًا؛ أعد المحاولة بعد 20 ثانية." in ar.text
    assert '<html lang="ar" dir="rtl">' in ar.text
    en = log_in(client, organiser, lang="en")
    assert "Too many attempts; try again in 20 s." in en.text
    clock.advance(13)  # Arabic counts seconds as it counts anything
    assert "أعد المحاولة بعد 7 ثوانٍ." in log_in(client, organiser, lang="ar").text
    clock.advance(5)
    assert "أعد المحاولة بعد ثانيتين." in log_in(client, organiser, lang="ar").text


def test_the_count_is_shared_by_every_server_process(
        client: TestClient, db: Database, organiser: str, clock: Clock) -> None:
    for _ in range(5):
        log_in(client, organiser, "wrong-password")
    with TestClient(create_app(db, migrate=False)) as other:
        other.app.state.login_guard = LoginGuard(clock=clock)  # type: ignore[attr-defined]
        refused = log_in(other, organiser)
        assert refused.status_code == 429
        assert THROTTLED_FR.format(30) in refused.text
        clock.advance(30)
        assert log_in(other, organiser).status_code == 303
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == organiser))
        assert user is not None
        assert (user.failed_logins, user.blocked_until) == (0, None)


def test_an_unknown_name_is_throttled_like_a_real_one(
        client: TestClient, organiser: str, clock: Clock) -> None:
    """The replies tell nothing of whether a user name exists, before and after the
    limit (each page keeps the name typed, and nothing else differs)."""

    def page(reply: Response, name: str) -> str:
        assert f'value="{name}"' in reply.text
        return reply.text.replace(f'value="{name}"', 'value="…"')

    for _ in range(5):
        known = log_in(client, organiser, "wrong-password")
        unknown = log_in(client, "nobody", "wrong-password")
        assert known.status_code == unknown.status_code == 401
        assert page(known, organiser) == page(unknown, "nobody")
    known, unknown = log_in(client, organiser), log_in(client, "nobody")
    assert known.status_code == unknown.status_code == 429
    assert page(known, organiser) == page(unknown, "nobody")
    assert known.headers["retry-after"] == unknown.headers["retry-after"] == "30"
    clock.advance(30)
    assert log_in(client, "nobody").status_code == 401
    assert THROTTLED_FR.format(60) in log_in(client, "nobody").text


def test_a_disabled_user_cannot_log_in(client: TestClient, db: Database,
                                       organiser: str) -> None:
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == organiser))
        assert user is not None
        user.disabled = True
    assert log_in(client, organiser).status_code == 401


# --- sessions --------------------------------------------------------------------------------


def test_logout_ends_the_session_in_every_browser(client: TestClient, organiser: str) -> None:
    assert log_in(client, organiser).status_code == 303
    first = client.cookies["souk_session"]
    client.cookies.clear()
    assert log_in(client, organiser).status_code == 303
    second = client.cookies["souk_session"]
    assert sees_data(client, first) and sees_data(client, second)
    client.cookies.set("souk_session", first, path="/dashboard")
    assert client.post("/dashboard/logout", follow_redirects=False).status_code == 303
    assert not sees_data(client, first)  # the captured cookie is worth nothing now
    assert not sees_data(client, second)
    page = client.get("/dashboard/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/dashboard/login")
    client.cookies.clear()
    assert log_in(client, organiser).status_code == 303
    assert sees_data(client, client.cookies["souk_session"])


def test_disabling_or_a_new_password_ends_sessions(client: TestClient, db: Database,
                                                  organiser: str) -> None:
    def change(**values: object) -> None:
        with db.write() as s:
            user = s.scalar(select(User).where(User.username == organiser))
            assert user is not None
            for name, value in values.items():
                setattr(user, name, value)

    log_in(client, organiser)
    cookie = client.cookies["souk_session"]
    change(disabled=True)
    change(disabled=False)
    assert not sees_data(client, cookie)  # enabled again, but that session is over
    client.cookies.clear()
    log_in(client, organiser)
    cookie = client.cookies["souk_session"]
    change(password_hash=hash_password("another-password-2026"))
    assert not sees_data(client, cookie)
    client.cookies.clear()
    assert log_in(client, organiser, "another-password-2026").status_code == 303
    assert sees_data(client, client.cookies["souk_session"])


# --- forged login forms ----------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "http://testserver.evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/market.html"},
])
def test_a_login_form_from_another_site_is_refused(client: TestClient, organiser: str,
                                                   headers: dict[str, str]) -> None:
    reply = log_in(client, organiser, **headers)
    assert reply.status_code == 403
    assert "Ce formulaire de connexion ne vient pas de ce serveur" in reply.text
    assert "souk_session" not in reply.headers.get("set-cookie", "")
    assert "souk_session" not in client.cookies


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver"},
    {"Referer": "http://testserver/dashboard/login?lang=fr"},
    {},
])
def test_a_login_form_from_this_server_logs_in(client: TestClient, organiser: str,
                                               headers: dict[str, str]) -> None:
    reply = log_in(client, organiser, **headers)
    assert reply.status_code == 303
    assert sees_data(client, client.cookies["souk_session"])


def test_the_login_page_lets_the_browser_name_its_origin(client: TestClient) -> None:
    """With "no-referrer" a browser sends "Origin: null" with the form, which is refused."""
    page = client.get("/dashboard/login")
    assert page.headers["referrer-policy"] == "same-origin"


# --- back to the page asked for --------------------------------------------------------------


def hidden_next(page: str) -> str:
    """The value of the login form's hidden ``next`` field."""
    found = re.search(r'<input type="hidden" name="next" value="([^"]*)">', page)
    assert found, page
    return html.unescape(found.group(1))


def test_a_shared_link_leads_through_the_login_to_its_market_and_day(
        client: TestClient, organiser: str) -> None:
    """A link to a market and day opened without a session goes through the login page,
    which keeps it (in its form and its language links, and again after a wrong
    password), and the login lands on it."""
    asked = "/dashboard/?market=3&day=2026-05-12"
    first = client.get("/?market=3&day=2026-05-12", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == asked
    login = client.get(asked, headers={"Accept-Language": "fr"}, follow_redirects=False)
    assert login.status_code == 303
    where = urllib.parse.urlsplit(login.headers["location"])
    assert where.path == "/dashboard/login"
    assert urllib.parse.parse_qs(where.query) == {"lang": ["fr"], "next": [asked]}
    page = client.get(login.headers["location"]).text
    assert hidden_next(page) == asked
    arabic = re.search(r'<a href="([^"]+)" lang="ar"', page)
    assert arabic is not None
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(arabic.group(1))).query
                                 ) == {"lang": ["ar"], "next": [asked]}
    wrong = client.post("/dashboard/login", data={"username": organiser, "password": "nope",
                                                  "lang": "fr", "next": asked},
                        follow_redirects=False)
    assert wrong.status_code == 401 and hidden_next(wrong.text) == asked
    reply = client.post("/dashboard/login", data={"username": organiser, "password": PASSWORD,
                                                  "lang": "fr", "next": asked},
                        follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == asked


def test_the_page_asked_for_opens_in_the_language_logged_in_with(
        client: TestClient, organiser: str) -> None:
    reply = client.post("/dashboard/login", data={
        "username": organiser, "password": PASSWORD, "lang": "ar",
        "next": "/dashboard/?lang=fr&market=3&day=2026-05-12"}, follow_redirects=False)
    assert reply.headers["location"] == "/dashboard/?lang=ar&market=3&day=2026-05-12"


def test_the_report_asked_for_without_a_session_comes_back_after_the_login(
        client: TestClient, organiser: str) -> None:
    reply = client.get("/dashboard/report?market=3&lang=en", follow_redirects=False)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(reply.headers["location"]).query)
    assert query == {"lang": ["en"], "next": ["/dashboard/report?market=3&lang=en"]}


@pytest.mark.parametrize("elsewhere", [
    "https://evil.example/dashboard/", "//evil.example/dashboard/", "/\\evil.example/",
    "\\\\evil.example/", "/dashboard/\\..\\\\evil.example", "/\t/evil.example",
    "/dashboard/\t/x", "javascript:alert(1)", "/elsewhere", "/dashboard", "dashboard/",
    "/dashboard/login?next=//evil.example", "/dashboard/" + "x" * 2001,
])
def test_the_login_never_leads_elsewhere(client: TestClient, organiser: str,
                                         elsewhere: str) -> None:
    """An address that is not a page of this dashboard (another site, ``//host``, a
    backslash, a control character a browser would drop) is neither kept nor followed:
    the login lands on the dashboard."""
    page = client.get("/dashboard/login", params={"next": elsewhere})
    assert page.status_code == 200 and hidden_next(page.text) == ""
    assert "evil.example" not in page.text
    reply = client.post("/dashboard/login", data={"username": organiser, "password": PASSWORD,
                                                  "lang": "fr", "next": elsewhere},
                        follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/dashboard/"


# --- the migration ---------------------------------------------------------------------------


def user_columns(database: Database) -> set[str]:
    return {c["name"] for c in inspect(database.engine).get_columns("users")}


def test_migration_0006_keeps_the_users_and_goes_back(empty_database: Database) -> None:
    alembic(empty_database, "upgrade", "0005")
    with empty_database.write() as s:
        s.execute(text("INSERT INTO users (username, password_hash, created_at, disabled) "
                       "VALUES ('nadia', :h, :t, :d)"),
                  {"h": hash_password(PASSWORD), "t": dt.datetime(2026, 5, 1), "d": False})
    alembic(empty_database, "upgrade", "0006")
    with empty_database.read() as s:
        user = s.scalar(select(User))
        assert user is not None and user.username == "nadia"
        assert (user.session_epoch, user.failed_logins, user.blocked_until) == (0, 0, None)
    alembic(empty_database, "downgrade", "0005")
    assert {"session_epoch", "failed_logins", "blocked_until"}.isdisjoint(
        user_columns(empty_database))
    with empty_database.read() as s:
        assert s.execute(text("SELECT username FROM users")).scalar_one() == "nadia"
    empty_database.migrate()
    assert {"session_epoch", "failed_logins", "blocked_until"} <= user_columns(empty_database)
