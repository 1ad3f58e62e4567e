"""The organisers' dashboard: login, the live page, its JSON, exports and the report.

Organisers log in with a user name and password; the session is a signed cookie
(HttpOnly, SameSite=Strict) whose key lives in the database. Every asset comes from
``resources/dashboard``: the page works on a market's network with no internet.
"""

from __future__ import annotations

import datetime as dt
import html
import urllib.parse
from typing import Annotated

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from sync.server import exports, queries, report
from sync.server.db import Database, utcnow
from sync.server.i18n import LANGS, Translator, asset, catalogue, choose_lang
from sync.server.models import Market, User
from sync.server.security import (
    SESSION_SECONDS,
    dummy_password_check,
    make_session,
    read_session,
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
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def current_user(request: Request) -> User | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    found = read_session(request.app.state.session_key, cookie)
    if found is None:
        return None
    user_id, binding = found
    with _db(request).read() as session:
        user = session.get(User, user_id)
        if user is None or user.disabled:
            return None
        if not session_matches_password(binding, user.password_hash):
            return None
        session.expunge(user)
        return user


def _require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="log in first")
    return user


# --- pages -------------------------------------------------------------------------------


@router.get("/")
@router.get(BASE)
def root() -> RedirectResponse:
    return RedirectResponse(f"{BASE}/", status_code=303)


def _lang_links(t: Translator, path: str) -> str:
    links = []
    for code in LANGS:
        current = ' aria-current="true"' if code == t.lang else ""
        links.append(f'<a href="{path}?lang={code}" lang="{code}"{current}>'
                     f'{html.escape(t("lang_" + code))}</a>')
    return " ".join(links)


def _login_page(t: Translator, failed: bool, status: int = 200) -> HTMLResponse:
    page = render(
        "login.html", t, lang=t.lang, dir=t.dir, error=t("login_failed") if failed else "",
        error_class="error" if failed else "error hidden",
        languages=_lang_links(t, f"{BASE}/login"),
    )
    response = HTMLResponse(page, status_code=status)
    _secure_headers(response)
    return response


@router.get(f"{BASE}/login")
def login_page(request: Request, lang: LangParam = None) -> HTMLResponse:
    response = _login_page(_lang(request, lang), failed=False)
    _remember_lang(response, lang)
    return response


def _check_login(db: Database, username: str, password: str) -> User | None:
    if not username or "\x00" in username:
        dummy_password_check()
        return None
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or user.disabled:
            dummy_password_check()
            return None
        if not verify_password(user.password_hash, password):
            return None
        session.expunge(user)
        return user


@router.post(f"{BASE}/login")
async def login(request: Request) -> Response:
    raw = await request.body()
    form = urllib.parse.parse_qs(raw[:8192].decode("utf-8", "replace"))
    username = form.get("username", [""])[0].strip()
    password = form.get("password", [""])[0]
    t = _lang(request, form.get("lang", [None])[0])
    user = await run_in_threadpool(_check_login, _db(request), username, password)
    if user is None:
        return _login_page(t, failed=True, status=401)
    response = RedirectResponse(f"{BASE}/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, make_session(request.app.state.session_key, user.id, user.password_hash),
        max_age=SESSION_SECONDS, path=BASE, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post(f"{BASE}/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse(f"{BASE}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=BASE, httponly=True, samesite="strict")
    return response


@router.get(f"{BASE}/")
def page(request: Request, lang: LangParam = None) -> Response:
    t = _lang(request, lang)
    if current_user(request) is None:
        return RedirectResponse(f"{BASE}/login?lang={t.lang}", status_code=303)
    body = render(
        "index.html", t, lang=t.lang, dir=t.dir, languages=_lang_links(t, f"{BASE}/"),
        config={"lang": t.lang, "refresh_seconds": REFRESH_SECONDS, "base": BASE,
                "strings": dict(catalogue(t.lang))},
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
                    ) -> tuple[Market, dt.date, list[Market]]:
    today = dt.date.today()
    with _db(request).read() as session:
        market = queries.pick_market(session, market_id, today)
        markets = queries.list_markets(session)
    if market is None:
        raise HTTPException(status_code=404, detail="no market")
    return market, queries.pick_day(market, day, today), markets


MarketParam = Annotated[int | None, Query(alias="market", ge=1, le=2**31 - 1)]
DayParam = Annotated[dt.date | None, Query()]


@router.get(f"{BASE}/data.json")
def data(request: Request, market_id: MarketParam = None, day: DayParam = None) -> Response:
    _require_user(request)
    today = dt.date.today()
    with _db(request).read_together(beside=2) as (session, beside):
        markets = queries.list_markets(session)
        market = queries.pick_market(session, market_id, today)
        if market is None:
            return JSONResponse({"market": None, "markets": []},
                                headers={"Cache-Control": "no-store"})
        chosen = queries.pick_day(market, day, today)
        payload = queries.dashboard_data(session, market, chosen, utcnow(), markets,
                                         beside=beside)
    # a market of thousands of stalls makes megabytes of JSON: orjson writes them in a few ms
    return Response(orjson.dumps(payload), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(f"{BASE}/export/{{table}}.{{fmt}}")
def export(request: Request, table: str, fmt: str, market_id: MarketParam = None,
           lang: LangParam = None) -> Response:
    _require_user(request)
    if table not in ("cooperatives", "days") or fmt not in ("csv", "xlsx"):
        raise HTTPException(status_code=404)
    t = _lang(request, lang)
    market, day, _ = _market_and_day(request, market_id, None)
    with _db(request).read() as session:
        if table == "cooperatives":
            rows = queries.cooperative_rows(session, market, day, utcnow())
            tab = exports.cooperatives_table(t, rows)
        else:
            tab = exports.days_table(t, queries.day_rows(session, market))
    name = f"souk-market{market.id}-{table}-{dt.date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return _attachment(exports.to_csv(tab, t.lang), "text/csv; charset=utf-8", name)
    return _attachment(exports.to_xlsx(tab, t.lang), XLSX, name)


@router.get(f"{BASE}/report")
def edition_report(request: Request, market_id: MarketParam = None, lang: LangParam = None
                   ) -> Response:
    if current_user(request) is None:
        return RedirectResponse(f"{BASE}/login", status_code=303)
    t = _lang(request, lang)
    market, _, _ = _market_and_day(request, market_id, None)
    with _db(request).read() as session:
        page = report.build(session, market, t, utcnow())
    return _secure_headers(HTMLResponse(page), REPORT_CSP)
