"""The organisers' dashboard: login, the live page, its JSON, exports and the report.

Organisers log in with a user name and password; the session is a signed cookie
(HttpOnly, SameSite=Strict) whose key lives in the database. Every asset comes from
``resources/dashboard``: the page works on a market's network with no internet.

Sessions carry the user's session epoch: logging out moves it on, which ends that user's
sessions in every browser (as do a new password and disabling the user). A login form
posted from another site (its Origin, or without one its Referer, names another host than
the request's Host header; a proxy must pass that header on) is refused; a form without
either header (not from a browser) is let through.

Login throttling. Each organiser login counts its wrong passwords in a row in the
database, so every server process sees the same count: from the fifth, logins are refused
for 30 s, doubled by each further wrong password, at most 15 minutes; a right password
resets the count. An attempt is counted before its password is checked, so attempts sent
in parallel cannot slip past the limit. User names that do not exist (or are disabled)
have no row to count in: their wrong attempts are counted per client address instead,
with the same schedule, in each process's memory (bounded; see
``security.FailureCounter``). From one address an unknown name is thus throttled like a
real one, with the same message and the same password check's time; an unknown name is
only told apart by spreading attempts over addresses, which gives no password guesses.
A refused attempt checks no password and answers 429 with the seconds left.

A page asked for without a session (a shared link to a market and day) sends the browser
to the login page with the page's address in ``next``; after the login the browser lands
on it. Only an address of the dashboard's own pages on this site is followed (see
:func:`safe_next`), so the login page cannot be made to send anyone elsewhere.

An address of the dashboard that cannot be answered (an export it does not have, a
market that is not there, a value a link cannot give) answers a browser with a page
saying what is wrong in the organiser's language (:func:`error_page`); a client that
asks for JSON (the page's own script, a program) keeps FastAPI's JSON answer. A link to
a market that is not there, or to a day that is not one of its market's or is still to
come (after today in Morocco), opens the dashboard on the market and day it shows by
default, and the page says what was asked and what it shows instead.
"""

from __future__ import annotations

import datetime as dt
import html
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.server import exports, queries, report
from sync.server.body import BadEncoding, BodyTooLarge, read_capped
from sync.server.db import Database, utcnow
from sync.server.i18n import (
    LANGS,
    Translator,
    asset,
    catalogue,
    choose_lang,
    format_time,
    market_time,
    market_today,
)
from sync.server.models import Market, User
from sync.server.security import (
    SESSION_SECONDS,
    FailureCounter,
    block_seconds,
    dummy_password_check,
    make_session,
    read_session,
    seconds_left,
    session_matches_password,
    verify_password,
)
from sync.server.web import STATIC_TYPES, render

SESSION_COOKIE = "souk_session"
LANG_COOKIE = "souk_lang"
BASE = "/dashboard"
REFRESH_SECONDS = 15
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
REPORT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'"
)
STATIC_FILES = ("dashboard.js", "dashboard.css", "report.js")
LOGIN_FORM_BYTES = 8192
NEXT_MAX = 2000  # the longest address the login leads back to

router = APIRouter(include_in_schema=False)
LangParam = Annotated[str | None, Query(pattern="^(ar|fr|en)$")]


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _lang(request: Request, requested: str | None = None) -> Translator:
    return Translator(choose_lang(
        requested, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
    ))


def _remember_lang(response: Response, requested: str | None) -> None:
    if requested in LANGS:
        response.set_cookie(LANG_COOKIE, requested, max_age=365 * 86400, path="/",
                            samesite="strict")


def _secure_headers(response: Response, csp: str = CSP) -> Response:
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" with
    # the login form, which the login must refuse (it is what a forged form sends too)
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def current_user(request: Request) -> User | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    claim = read_session(request.app.state.session_key, cookie)
    if claim is None:
        return None
    with _db(request).read() as session:
        user = session.get(User, claim.user_id)
        if user is None or user.disabled or user.session_epoch != claim.epoch:
            return None
        if not session_matches_password(claim.binding, user.password_hash):
            return None
        session.expunge(user)
        return user


class PageError(HTTPException):
    """An address of the dashboard that cannot be answered: its status and what is wrong,
    said by ``say`` in a language (a browser reads it in the organiser's, a JSON client
    in English)."""

    def __init__(self, status: int, say: Callable[[Translator], str]) -> None:
        super().__init__(status_code=status, detail=say(Translator("en")))
        self.say = say


def _isolated(text: object) -> str:
    """A value inside a sentence (a date, an address), isolated from the words around it:
    in an Arabic line its parts keep their order."""
    return f"\u2068{text}\u2069"


def _market_name(market: Market, lang: str) -> str:
    return market.name_ar if lang == "ar" else market.name_fr


def not_a_market_day(market: Market, day: dt.date, t: Translator) -> str:
    """Why ``day`` is not shown for ``market``, in ``t``'s language."""
    return t("not_a_market_day", day=_isolated(t.date(day)),
             market=_market_name(market, t.lang), first=_isolated(t.date(market.starts_on)),
             last=_isolated(t.date(market.ends_on)))


def day_to_come(day: dt.date, today: dt.date, t: Translator) -> str:
    """Why ``day``, one of its market's days after ``today``, is not shown, in ``t``'s
    language."""
    return t("day_to_come", day=_isolated(t.date(day)), today=_isolated(t.date(today)))


def wants_page(request: Request) -> bool:
    """Whether an error at this address is answered with a page: an address of the
    dashboard asked for by a browser (it accepts HTML), not by a script asking JSON."""
    return (request.url.path.startswith(f"{BASE}/")
            and "text/html" in request.headers.get("accept", ""))


def _query_lang(request: Request) -> Translator:
    """The organiser's language for a page made of an error (the link's ``lang`` when it
    is one of the dashboard's, else the remembered or the browser's)."""
    return _lang(request, request.query_params.get("lang"))


def error_page(request: Request, status: int, message: str, t: Translator) -> Response:
    """What is wrong with this address, as a page in ``t``'s language, with the way back
    to the dashboard."""
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    body = render("error.html", t, lang=t.lang, dir=t.dir, message=message,
                  back=f"{BASE}/?{urllib.parse.urlencode({'lang': t.lang})}",
                  languages=_lang_links(t, request.url.path, query))
    return _secure_headers(HTMLResponse(body, status_code=status))


def http_error_page(request: Request, exc: StarletteHTTPException) -> Response:
    """A browser's answer for an :class:`HTTPException` at a dashboard address: the login
    page (leading back here) without a session, else :func:`error_page`."""
    t = _query_lang(request)
    if exc.status_code == 401:
        return RedirectResponse(_login_url(t.lang, _here(request)), status_code=303)
    if isinstance(exc, PageError):
        message = exc.say(t)
    elif exc.status_code == 404:
        message = t("page_not_found", path=_isolated(request.url.path[:200]))
    else:
        message = t("request_refused", status=exc.status_code)
    return error_page(request, exc.status_code, message, t)


#: what a link's values are called on the page (the others by their own name)
_FIELDS = {"market": "market", "day": "day", "lang": "language", "next": "login_title"}


def invalid_page(request: Request, exc: RequestValidationError) -> Response:
    """A browser's answer for a link whose values cannot be read (``day=2026-13-45``): the
    first value, and what it is for, in the organiser's language."""
    t = _query_lang(request)
    errors = exc.errors()
    first: dict[str, Any] = dict(errors[0]) if errors else {}
    name = str(first.get("loc", ("", "?"))[-1])
    field = t(_FIELDS[name]) if name in _FIELDS else name
    value = first.get("input")
    shown = value if isinstance(value, str) else ""
    if len(shown) > 100:
        shown = shown[:100] + "…"
    return error_page(request, 422, t("bad_link_value", field=field,
                                      value=_isolated(shown)), t)


def _require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="log in first")
    return user


# --- pages -------------------------------------------------------------------------------


@router.get("/")
@router.get(BASE)
def root(request: Request) -> RedirectResponse:
    """The dashboard, with the address's query (a shared link's market and day) kept."""
    query = request.url.query
    return RedirectResponse(f"{BASE}/" + (f"?{query}" if query else ""), status_code=303)


def safe_next(value: str | None) -> str | None:
    """``value`` when it is the address of a dashboard page on this site (a path under
    ``/dashboard/`` with its query), else None: never another site's URL, ``//host``, a
    backslash (which browsers read as a slash) nor a control character (which browsers
    drop: a tab in ``/<tab>/host`` would leave ``//host``)."""
    if not value or len(value) > NEXT_MAX or not value.startswith(f"{BASE}/"):
        return None
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme or parts.netloc or parts.path == f"{BASE}/login":
        return None
    return value


def _landing(next_page: str | None, lang: str) -> str:
    """Where a login leads: the page asked for (its language the one the organiser logged
    in with, when its address names one), else the dashboard."""
    target = safe_next(next_page)
    if target is None:
        return f"{BASE}/"
    parts = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "lang" for key, _ in query):
        query = [(key, lang if key == "lang" else value) for key, value in query]
        target = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    return target


def _login_url(lang: str, next_page: str | None = None) -> str:
    """The login page in ``lang``, leading back to ``next_page`` (if it is safe)."""
    query = {"lang": lang}
    target = safe_next(next_page)
    if target is not None:
        query["next"] = target
    return f"{BASE}/login?{urllib.parse.urlencode(query)}"


def _here(request: Request) -> str:
    """The address of this request on this site: its path and query."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _lang_links(t: Translator, path: str, query: dict[str, str] | None = None) -> str:
    links = []
    for code in LANGS:
        current = ' aria-current="true"' if code == t.lang else ""
        href = f"{path}?{urllib.parse.urlencode({'lang': code, **(query or {})})}"
        links.append(f'<a href="{html.escape(href)}" lang="{code}"{current}>'
                     f'{html.escape(t("lang_" + code))}</a>')
    return " ".join(links)


def _login_page(t: Translator, error: str = "", status: int = 200,
                headers: dict[str, str] | None = None, username: str = "",
                next_page: str | None = None) -> HTMLResponse:
    """The login form; after a refused login it keeps the user name typed, and the cursor
    waits in the password field. The page asked for before the login (``next_page``) is
    kept in the form and in the language links."""
    target = safe_next(next_page)
    page = render(
        "login.html", t, lang=t.lang, dir=t.dir, error=error,
        error_class="error" if error else "error hidden",
        languages=_lang_links(t, f"{BASE}/login", {"next": target} if target else None),
        username=username, next=target or "",
        username_focus="" if username else "autofocus",
        password_focus="autofocus" if username else "",
    )
    response = HTMLResponse(page, status_code=status, headers=headers)
    _secure_headers(response)
    return response


NextParam = Annotated[str | None, Query(alias="next")]  # an unsafe one is left out


@router.get(f"{BASE}/login")
def login_page(request: Request, lang: LangParam = None, next_page: NextParam = None,
               expired: str | None = None) -> HTMLResponse:
    """The login form; ``expired=1`` (where the dashboard sends an organiser whose session
    ended while the page was open: a logout in another browser, 12 hours) says why."""
    t = _lang(request, lang)
    response = _login_page(t, t("session_expired") if expired == "1" else "",
                           next_page=next_page)
    _remember_lang(response, lang)
    return response


@dataclass
class LoginGuard:
    """This process's part of login throttling: the clock (naive UTC) and the counts of
    wrong attempts at names that have no user, per client address."""

    clock: Callable[[], dt.datetime] = utcnow
    unknown: FailureCounter = field(default_factory=FailureCounter)


def _guard(request: Request) -> LoginGuard:
    guard: LoginGuard | None = getattr(request.app.state, "login_guard", None)
    if guard is None:
        guard = request.app.state.login_guard = LoginGuard()
    return guard


@dataclass(frozen=True)
class Throttled:
    seconds: int


def _check_login(db: Database, guard: LoginGuard, client: str, username: str,
                 password: str) -> User | Throttled | None:
    """The user whose password this is; ``Throttled`` while their logins (or, for a name
    without a user, this client's) are refused; None for a wrong name or password."""
    now = guard.clock()
    user_id, password_hash = None, ""
    if username and "\x00" not in username:
        with db.write() as session:
            user = session.scalar(
                select(User).where(User.username == username).with_for_update()
            )
            if user is not None and not user.disabled:
                wait = seconds_left(user.blocked_until, now)
                if wait:
                    return Throttled(wait)
                # counted before the check, so that parallel attempts count too
                user.failed_logins += 1
                block = block_seconds(user.failed_logins)
                user.blocked_until = now + dt.timedelta(seconds=block) if block else None
                user_id, password_hash = user.id, user.password_hash
    if user_id is None:
        wait = guard.unknown.wait(client, now)
        if wait:
            return Throttled(wait)
        dummy_password_check()
        guard.unknown.failed(client, now)
        return None
    if not verify_password(password_hash, password):
        return None
    with db.write() as session:
        found = session.get(User, user_id)
        if found is None or found.disabled:
            return None
        found.failed_logins = 0
        found.blocked_until = None
        session.flush()
        session.expunge(found)
        return found


def _same_origin(request: Request) -> bool:
    """False when the Origin header (else the Referer) names another host than this
    request's (or is "null", as from a sandboxed frame); True without either header."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return True
    host = request.headers.get("host", "").strip().lower()
    claimed = urllib.parse.urlsplit(source.strip()).netloc.lower()
    return bool(host) and claimed == host


@router.post(f"{BASE}/login")
async def login(request: Request) -> Response:
    t = _lang(request)
    try:
        raw = await read_capped(request, LOGIN_FORM_BYTES)
    except BodyTooLarge:
        return _login_page(t, t("login_too_large"), status=413)
    except BadEncoding:
        return _login_page(t, t("login_failed"), status=400)
    form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"))
    username = form.get("username", [""])[0].strip()
    password = form.get("password", [""])[0]
    next_page = safe_next(form.get("next", [""])[0])
    t = _lang(request, form.get("lang", [None])[0])
    if not _same_origin(request):
        return _login_page(t, t("login_foreign"), status=403)
    client = request.client.host if request.client else ""
    found = await run_in_threadpool(_check_login, _db(request), _guard(request), client,
                                    username, password)
    if isinstance(found, Throttled):
        wait = t.counted("login_throttled", found.seconds * 1000, t.count(found.seconds))
        return _login_page(t, wait, status=429,
                           headers={"Retry-After": str(found.seconds)}, username=username,
                           next_page=next_page)
    if found is None:
        return _login_page(t, t("login_failed"), status=401, username=username,
                           next_page=next_page)
    response = RedirectResponse(_landing(next_page, t.lang), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        make_session(request.app.state.session_key, found.id, found.password_hash,
                     found.session_epoch),
        max_age=SESSION_SECONDS, path=BASE, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _end_session(request: Request) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    claim = read_session(request.app.state.session_key, cookie) if cookie else None
    if claim is None:
        return
    with _db(request).write() as session:
        session.execute(
            update(User)
            .where(User.id == claim.user_id, User.session_epoch == claim.epoch)
            .values(session_epoch=User.session_epoch + 1)
        )


@router.post(f"{BASE}/logout")
def logout(request: Request) -> RedirectResponse:
    """Ends the user's sessions in every browser, not only this cookie."""
    _end_session(request)
    response = RedirectResponse(f"{BASE}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=BASE, httponly=True, samesite="strict")
    return response


@router.get(f"{BASE}/")
def page(request: Request, lang: LangParam = None) -> Response:
    t = _lang(request, lang)
    if current_user(request) is None:
        return RedirectResponse(_login_url(t.lang, _here(request)), status_code=303)
    body = render(
        "index.html", t, lang=t.lang, dir=t.dir, languages=_lang_links(t, f"{BASE}/"),
        config={"lang": t.lang, "refresh_seconds": REFRESH_SECONDS, "base": BASE,
                "strings": dict(catalogue(t.lang)), "signs": t.signs},
    )
    response = _secure_headers(HTMLResponse(body))
    _remember_lang(response, lang)
    return response


@router.get(f"{BASE}/static/{{name}}")
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404)
    suffix = name[name.rindex("."):]
    return Response(asset(name), media_type=STATIC_TYPES[suffix],
                    headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})


# --- data, exports, report ---------------------------------------------------------------


def _market_and_day(request: Request, market_id: int | None, day: dt.date | None
                    ) -> tuple[Market, dt.date]:
    """The market and day a link names (by default, those the dashboard shows first);
    :class:`PageError` for a market that is not there, or a day that is not one of its
    market's (:func:`queries.is_market_day`) or is still to come
    (:func:`queries.is_to_come`)."""
    today = market_today()
    with _db(request).read() as session:
        market = queries.pick_market(session, market_id, today)
        if market is None and market_id is not None:
            raise PageError(404, lambda t: t("unknown_market", id=market_id))
        if market is None:
            raise PageError(404, lambda t: t("no_market"))
    if day is not None and not queries.is_market_day(market, day):
        shown, asked = market, day  # (read: raised outside the session)
        raise PageError(404, lambda t: not_a_market_day(shown, asked, t))
    if day is not None and queries.is_to_come(market, day, today):
        future = day
        raise PageError(404, lambda t: day_to_come(future, today, t))
    return market, queries.pick_day(market, day, today)


MarketParam = Annotated[int | None, Query(alias="market", ge=1, le=2**31 - 1)]
DayParam = Annotated[dt.date | None, Query()]


@router.get(f"{BASE}/data.json")
def data(request: Request, market_id: MarketParam = None, day: DayParam = None) -> Response:
    _require_user(request)
    now = utcnow()
    today = market_time(now).date()
    # the time of the figures, as the page says it ("updated at"): Morocco's, like every
    # other time on the dashboard, whatever the browser's clock and zone
    updated = format_time(market_time(now))
    # what the address asked for that is not there, and is shown in its place: the page
    # says so (a market that is not, or no longer, there; a day not of its market)
    replaced: dict[str, Any] = {}
    with _db(request).read_together(beside=2) as (session, beside):
        markets = queries.list_markets(session)
        market = queries.pick_market(session, market_id, today)
        if market is None and market_id is not None:
            replaced["market"] = market_id
            market = queries.pick_market(session, None, today)
        if market is None:
            return JSONResponse({"market": None, "markets": [], "updated_time": updated,
                                 "replaced": replaced},
                                headers={"Cache-Control": "no-store"})
        if day is not None and not queries.is_market_day(market, day):
            replaced["day"] = day.isoformat()
            day = None
        elif day is not None and queries.is_to_come(market, day, today):
            replaced["day_to_come"] = day.isoformat()
            day = None
        chosen = queries.pick_day(market, day, today)
        payload = queries.dashboard_data(session, market, chosen, now, markets,
                                         beside=beside)
    payload["updated_time"] = updated
    payload["replaced"] = replaced
    # the market's today: the days before it are over (a day without sales says so, and
    # the days' table runs to it)
    payload["today"] = today.isoformat()
    # a market of thousands of stalls makes megabytes of JSON: orjson writes them in a few ms
    return Response(orjson.dumps(payload), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the tables the dashboard exports; those of :data:`DAY_TABLES` hold the chosen day's
#: figures, the others cover the whole edition
TABLES = ("cooperatives", "days", "products", "day-products")
DAY_TABLES = frozenset({"cooperatives", "day-products"})


def _export_tables(session: Session, t: Translator, table: str, market: Market,
                   day: dt.date) -> list[exports.Table]:
    """The table asked for, then the tables its workbook holds on further sheets: after
    the days, the stands' days restored from a backup, when there are any (a CSV file
    holds the first table only, whose days each say how many stands were restored and what
    their last restore replaced)."""
    if table == "cooperatives":
        return [exports.cooperatives_table(
            t, queries.cooperative_rows(session, market, day, utcnow()))]
    if table == "products":
        return [exports.products_table(t, queries.product_rows(session, market))]
    if table == "day-products":
        return [exports.products_table(t, queries.product_rows(session, market, day), day)]
    restored = queries.restored_rows(session, market)
    # every day to today, a day without figures with zeros, as the dashboard lists them
    rows = report.every_day(market, queries.day_rows(session, market), market_today())
    days = exports.days_table(t, rows, queries.restored_sums(session, market))
    return [days, exports.restored_table(t, restored)] if restored else [days]


@router.get(f"{BASE}/export/{{table}}.{{fmt}}")
def export(request: Request, table: str, fmt: str, market_id: MarketParam = None,
           day: DayParam = None, lang: LangParam = None) -> Response:
    """A table of the dashboard as a file, for the market and day the dashboard shows (the
    cooperatives' day figures and the day's products are that day's, and their files are
    named after the market and that day; the others after the market and the edition's
    dates). A market that is not there, or a day not of its market or still to come, is
    refused (:class:`PageError`): a file of another market's figures, or of zeros, would
    pass for the one asked."""
    _require_user(request)
    if table not in TABLES or fmt not in ("csv", "xlsx"):
        name = f"{table}.{fmt}"[:100]
        raise PageError(404, lambda t: t("unknown_export", name=name))
    t = _lang(request, lang)
    market, day = _market_and_day(request, market_id, day)
    with _db(request).read() as session:
        tab, *more = _export_tables(session, t, table, market, day)
    # a file of the day's figures is named after its market and that day; one of the
    # whole edition after its market and the edition's dates
    held = (day.isoformat() if table in DAY_TABLES
            else f"{market.starts_on.isoformat()}_{market.ends_on.isoformat()}")
    name = f"souk-market{market.id}-{table}-{held}.{fmt}"
    if fmt == "csv":
        return _attachment(exports.to_csv(tab, t.lang), "text/csv; charset=utf-8", name)
    return _attachment(exports.to_xlsx(tab, t.lang, *more), XLSX, name)


@router.get(f"{BASE}/report")
def edition_report(request: Request, market_id: MarketParam = None, lang: LangParam = None
                   ) -> Response:
    t = _lang(request, lang)
    if current_user(request) is None:
        return RedirectResponse(_login_url(t.lang, _here(request)), status_code=303)
    market, _ = _market_and_day(request, market_id, None)
    with _db(request).read() as session:
        page = report.build(session, market, t, utcnow())
    return _secure_headers(HTMLResponse(page), REPORT_CSP)
