"""What an organiser sets up: markets, cooperatives, enrolment codes, devices, logins.

Plain functions over a session the caller owns (and commits). They validate their input
and raise :class:`AdminError` with a one-line message before writing anything. The
``check_*`` functions validate what needs no database, so that a command can refuse bad
input before it opens (or creates) one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
import uuid
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from sync.protocol import plain_http_allowed
from sync.server.db import utcnow
from sync.server.ingest import MarketDays, Store
from sync.server.messages import AdminError, Day, Days, Field
from sync.server.models import (
    OPENS_DEFAULT,
    SECTORS,
    Cooperative,
    DaySummaryRow,
    Device,
    EnrolCode,
    Market,
    MergedDay,
    RestoredDay,
    SummaryBody,
    SummaryHour,
    SummaryPayment,
    SummaryProduct,
    User,
)
from sync.server.security import code_hash, hash_password, new_enrol_code

DEFAULT_CODE_DAYS = 7
#: the longest market, in days: a travelling market lasts days to a few weeks, and a
#: longer one is a date typed wrong (a year too far), whose days the dashboard's day
#: picker, its charts by day and the edition report would all list
MAX_MARKET_DAYS = 62
MIN_CODE_HOURS = 1
#: when a market opens unless its organiser says otherwise (``--opens``)
DEFAULT_OPENS = dt.time.fromisoformat(OPENS_DEFAULT)
_OPENS = re.compile(r"(\d{1,2}):(\d{2})")


def _text(value: str, what: str, max_length: int = 200) -> str:
    """``value`` stripped; ``what`` names the field (``server.field.<what>``). A NUL
    character is refused on every database, as PostgreSQL cannot store one."""
    value = value.strip()
    field = Field(f"server.field.{what}")
    if not value:
        raise AdminError("server.err.empty", what=field)
    if len(value) > max_length:
        raise AdminError("server.err.too_long", what=field, max_length=max_length)
    if "\x00" in value:
        raise AdminError("server.err.nul", what=field)
    return value


def _optional_text(value: str | None, what: str, max_length: int = 200) -> str | None:
    """:func:`_text` for a field that may be left out (None or empty: None)."""
    return _text(value, what, max_length) if value else None


def parse_opens(text: str) -> dt.time:
    """The hour a market opens, typed ``HH:MM`` on a 24-hour clock (``9:30``, ``14:00``;
    Arabic-Indic digits too)."""
    match = _OPENS.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise AdminError("server.err.bad_opens", text=text)
    return dt.time(int(match[1]), int(match[2]))


def check_market(
    *, name_ar: str, name_fr: str, city: str, region: str, starts_on: dt.date,
    ends_on: dt.date, city_ar: str | None = None, region_ar: str | None = None,
    opens: dt.time = DEFAULT_OPENS,
) -> Market:
    """A new market's row, its fields checked (not added to any session). ``city_ar``
    and ``region_ar``, the Arabic names, may be left out: Arabic pages then write ``city``
    and ``region``. ``opens``, its opening hour in Morocco, says from when its stands are
    due to send the day's figures (:func:`sync.server.queries.figures_due`)."""
    check_dates(starts_on, ends_on)
    return Market(
        name_ar=_text(name_ar, "name_ar"), name_fr=_text(name_fr, "name_fr"),
        city=_text(city, "city"), city_ar=_optional_text(city_ar, "city_ar"),
        region=_text(region, "region"), region_ar=_optional_text(region_ar, "region_ar"),
        starts_on=starts_on, ends_on=ends_on, opens=opens,
    )


def check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    """Refuse a market ending before it starts, or lasting more than
    :data:`MAX_MARKET_DAYS` days."""
    if ends_on < starts_on:
        raise AdminError("server.err.market_dates", ends=Day(ends_on), starts=Day(starts_on))
    days = (ends_on - starts_on).days + 1
    if days > MAX_MARKET_DAYS:
        raise AdminError("server.err.market_too_long", days=days, max=MAX_MARKET_DAYS,
                         starts=Day(starts_on), ends=Day(ends_on))


Change = str | dt.time | dt.date


def check_changes(**given: Change | None) -> dict[str, Change]:
    """The fields given to change (``city_ar="فاس"``, ``opens=dt.time(10, 0)``,
    ``ends_on=dt.date(2026, 5, 17)``; None: left as it is), texts stripped and checked; at
    least one must be given."""
    changes = {what: _text(value, what) if isinstance(value, str) else value
               for what, value in given.items() if value is not None}
    if not changes:
        raise AdminError("server.err.nothing_to_change",
                         options=", ".join(_option(what) for what in given))
    return changes


def _option(field: str) -> str:
    """The option that gives ``field`` (``starts_on``: ``--starts``)."""
    return "--" + field.removesuffix("_on").replace("_", "-")


def add_market(
    session: Session, *, name_ar: str, name_fr: str, city: str, region: str,
    starts_on: dt.date, ends_on: dt.date, city_ar: str | None = None,
    region_ar: str | None = None, opens: dt.time = DEFAULT_OPENS,
) -> Market:
    market = check_market(name_ar=name_ar, name_fr=name_fr, city=city, region=region,
                          starts_on=starts_on, ends_on=ends_on, city_ar=city_ar,
                          region_ar=region_ar, opens=opens)
    market.created_at = utcnow()
    session.add(market)
    session.flush()
    return market


_Named = TypeVar("_Named", Market, Cooperative)


def _changed(session: Session, row: _Named, changes: dict[str, Change]) -> _Named:
    """``row`` given the values :func:`check_changes` checked (a row set up without them,
    or mistyped)."""
    for what, value in changes.items():
        setattr(row, what, value)
    session.flush()
    return row


def edit_market(session: Session, market_id: int, *, city_ar: str | None = None,
                region_ar: str | None = None, opens: dt.time | None = None,
                starts_on: dt.date | None = None, ends_on: dt.date | None = None) -> Market:
    """Give a market its city's or its region's Arabic name, its opening hour, or other
    dates (a market put back or held a day longer). Dates are refused, changing nothing,
    when the market would end before it starts or last too long (:func:`check_dates`),
    or when stalls have sent days that the new dates leave out (its figures would hold
    days of a market not held then); the stalls read the new dates at their next sync
    and push the days within them."""
    changes = check_changes(city_ar=city_ar, region_ar=region_ar, opens=opens,
                            starts_on=starts_on, ends_on=ends_on)
    market = get_market(session, market_id)
    if starts_on is not None or ends_on is not None:
        hold_pushes(session)  # no day arrives between the check and the change
        starts, ends = starts_on or market.starts_on, ends_on or market.ends_on
        check_dates(starts, ends)
        s = DaySummaryRow
        outside = list(session.scalars(
            select(s.business_day).distinct()
            .where(s.market_id == market.id,
                   (s.business_day < starts) | (s.business_day > ends))
            .order_by(s.business_day)))
        if outside:
            raise AdminError("server.err.market_days_outside", id=market.id,
                             starts=Day(starts), ends=Day(ends), days=Days(outside))
    return _changed(session, market, changes)


def edit_cooperative(session: Session, cooperative_id: int, *,
                     province_ar: str | None = None, region: str | None = None
                     ) -> Cooperative:
    """Give a cooperative its province's Arabic name, or the region it comes from (which
    says whether it is of its market's region: one added without it took its market's,
    wrong once it is moved to a market of another region)."""
    changes = check_changes(province_ar=province_ar, region=region)
    coop = get_cooperative(session, cooperative_id)
    if region is not None:
        changes["region"] = latin_region(session, get_market(session, coop.market_id),
                                         str(changes["region"]))
    return _changed(session, coop, changes)


def in_arabic(text: str) -> bool:
    """Whether ``text`` has Arabic letters (a name, a province, a region)."""
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def latin_region(session: Session, market: Market, region: str) -> str:
    """A cooperative's region as it is kept: in Latin letters, as markets' regions are,
    since a cooperative is of its market's region when the two are the same (the
    dashboard's origin table). A region typed in Arabic (an Arabic sheet's ``الجهة``) is
    the one of the market, ``market`` first, whose region has that Arabic name, written
    with or without ``جهة`` and its dashes; raises :class:`AdminError` when none has."""
    if not in_arabic(region):
        return region
    wanted = _region_key(region)
    named = session.execute(select(Market.id, Market.region, Market.region_ar)
                            .where(Market.region_ar.is_not(None))).all()
    for _, latin, arabic in sorted(named, key=lambda row: row.id != market.id):
        if _region_key(arabic or "") == wanted:
            return latin
    raise AdminError("server.err.region_arabic", region=region, market=market.id,
                     latin=market.region)


def _region_key(arabic: str) -> str:
    """An Arabic region's name as regions are compared: without hamzas nor vowel marks,
    its dashes spaces, without the word جهة (``جهة فاس-مكناس`` is ``فاس مكناس``)."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", arabic)
                   if unicodedata.category(ch) != "Mn")
    return " ".join(bare.replace("-", " ").split()).removeprefix("جهة ")


def get_market(session: Session, market_id: int) -> Market:
    market = session.get(Market, market_id)
    if market is None:
        raise AdminError("server.err.no_market", id=market_id)
    return market


@dataclass(frozen=True)
class CooperativeInput:
    market_id: int
    name_ar: str
    name_fr: str
    sector: str
    province: str
    stand: str
    members: int
    region: str | None = None  # defaults to the market's region
    province_ar: str | None = None  # the province's Arabic name, if given
    women_led: bool = False
    youth_led: bool = False


def check_cooperative(data: CooperativeInput) -> CooperativeInput:
    """``data`` with its texts stripped (its stand in its :func:`canonical_stand` form),
    checked as far as it can be without the database."""
    if data.sector not in SECTORS:
        raise AdminError("server.err.sector", sector=data.sector, choices=", ".join(SECTORS))
    if data.members < 0 or data.members > 100_000:
        raise AdminError("server.err.members")
    return replace(
        data, stand=canonical_stand(_text(data.stand, "stand", 40)),
        name_ar=_text(data.name_ar, "name_ar"), name_fr=_text(data.name_fr, "name_fr"),
        province=_text(data.province, "province"),
        province_ar=_optional_text(data.province_ar, "province_ar"),
        region=_optional_text(data.region, "region"),
    )


def add_cooperative(session: Session, data: CooperativeInput) -> Cooperative:
    market = get_market(session, data.market_id)
    data = check_cooperative(data)
    stand = data.stand
    taken = stand_holder(session, market.id, stand)
    if taken is not None:
        raise AdminError("server.err.stand_taken", stand=stand, market=market.id, taken=taken)
    coop = Cooperative(
        market_id=market.id, name_ar=data.name_ar, name_fr=data.name_fr, sector=data.sector,
        province=data.province, province_ar=data.province_ar,
        region=latin_region(session, market, data.region) if data.region else market.region,
        stand=stand,
        members=data.members, women_led=data.women_led, youth_led=data.youth_led,
        created_at=utcnow(),
    )
    session.add(coop)
    session.flush()
    return coop


def get_cooperative(session: Session, cooperative_id: int) -> Cooperative:
    coop = session.get(Cooperative, cooperative_id)
    if coop is None:
        raise AdminError("server.err.no_cooperative", id=cooperative_id)
    return coop


def check_stand(stand: str | None) -> str | None:
    """A stand number typed for a move (``--stand``), in its canonical form
    (:func:`canonical_stand`); None: left as it is."""
    return None if stand is None else canonical_stand(_text(stand, "stand", 40))


_NUMBER = re.compile(r"[0-9]+")
_SPACES = re.compile(r"\s+")


def ascii_digits(text: str) -> str:
    """``text`` with every digit an ASCII one (Arabic-Indic ones, as an Arabic keyboard
    types them, too)."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def parse_date(text: str) -> dt.date:
    """A day as an organiser types it: ``2026-05-12``, or as the commands write it in
    French and Arabic, ``12/05/2026`` (day first); Arabic-Indic digits too."""
    typed = ascii_digits(text.strip())
    day = _DAY_FIRST.fullmatch(typed)
    try:
        if day is not None:
            return dt.date(int(day[3]), int(day[2]), int(day[1]))
        if _ISO_DAY.fullmatch(typed):
            return dt.date.fromisoformat(typed)
    except ValueError:
        pass
    raise AdminError("server.err.bad_date", text=text)


_DAY_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def canonical_stand(stand: str) -> str:
    """A stand as it is written, however it was typed from a paper plan: stripped, its
    spaces collapsed, every digit an ASCII one (Arabic-Indic ones too), each number without
    its leading zeros: ``07`` is ``7``, ``" A 012"`` is ``A 12``, ``A٠١٢`` is ``A12``;
    ``0`` stays ``0``. Its letters are left as typed (``Allée 3``); stands are compared by
    :func:`stand_key`."""
    text = ascii_digits(_SPACES.sub(" ", stand.strip()))
    return _NUMBER.sub(lambda number: number[0].lstrip("0") or "0", text)


def stand_key(stand: str) -> str:
    """What makes two stands one: their :func:`canonical_stand` forms without spaces and
    case (``a 12``, ``A12`` and ``A 012`` are one stand)."""
    return canonical_stand(stand).replace(" ", "").casefold()


def stand_holder(session: Session, market_id: int, stand: str) -> int | None:
    """The cooperative of market ``market_id`` at stand ``stand`` however either was
    typed (their :func:`stand_key` alike: a stand stored before stands were written in
    their :func:`canonical_stand` form is found too); None when the stand is free."""
    wanted = stand_key(stand)
    rows = session.execute(select(Cooperative.id, Cooperative.stand)
                           .where(Cooperative.market_id == market_id)
                           .order_by(Cooperative.id))
    return next((cid for cid, held in rows if stand_key(held) == wanted), None)


@dataclass(frozen=True)
class Moved:
    """What :func:`move_cooperative` moved: the cooperative (in its new market, at its new
    stand), its stand in the market it left, and its figures that went with it."""

    cooperative: Cooperative
    stand: str
    days: int  # day summaries, one per device and day
    net: int
    tickets: int
    devices: int


def hold_pushes(session: Session) -> None:
    """PostgreSQL: hold every push (and enrolment) until the session's transaction ends,
    those under way applied first; the dashboard's reads go on. A push that waited reads
    what the transaction wrote. (SQLite: a write transaction holds the database's write
    lock already.) Taken again in the same transaction, it changes nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE devices IN EXCLUSIVE MODE"))


def move_cooperative(session: Session, cooperative_id: int, market_id: int, *,
                     stand: str | None = None) -> Moved:
    """Move a cooperative enrolled into the wrong market, and everything the server holds
    of it, into market ``market_id``, at stand ``stand`` (its own stand when None).

    Its days go with it: the market their rows and their hours' and products' lines carry,
    what its restored tills' days replaced, and the markets' running day totals, taken off
    the market it leaves and added to the other, so that each market's figures stay the
    sum of its stalls'. Its devices keep their tokens: their next pushes are the new
    market's, and so is an enrolment code issued before. Refused, writing nothing: the same
    market, a stand taken there, days outside its dates (they would show as sold at a
    market that was not held), or days one of its stalls sent to the new market already
    under another device (enrolled there too: they would count twice).

    Pushes are held first (:func:`hold_pushes`): one under way is applied, then moved with
    the rest; one that waited reads the cooperative's new market. The market days are
    written last, in (market, day) order, as a push writes them.
    """
    hold_pushes(session)
    coop = get_cooperative(session, cooperative_id)
    target = get_market(session, market_id)
    if coop.market_id == target.id:
        raise AdminError("server.err.move_same_market", id=coop.id, market=target.id)
    stand = coop.stand if stand is None else canonical_stand(stand)
    taken = stand_holder(session, target.id, stand)
    if taken is not None:
        raise AdminError("server.err.move_stand_taken", stand=stand, market=target.id,
                         taken=taken)
    s = DaySummaryRow
    days = session.execute(
        select(s.id, s.market_id, s.business_day, s.net, s.gross, s.refunds,
               s.sales_count, s.status)
        .where(s.cooperative_id == coop.id).order_by(s.business_day, s.id)).all()
    outside = sorted({d.business_day for d in days
                      if not target.starts_on <= d.business_day <= target.ends_on})
    if outside:
        raise AdminError("server.err.move_days_outside", id=coop.id, market=target.id,
                         starts=Day(target.starts_on), ends=Day(target.ends_on),
                         days=Days(outside))
    _refuse_counted_twice(session, coop.id, target.id)
    devices = session.scalar(select(func.count()).select_from(Device)
                             .where(Device.cooperative_id == coop.id)) or 0
    changes: MarketDays = {}
    for d in days:
        _count_day(changes, d.market_id, d, -1)
        _count_day(changes, target.id, d, 1)
    was = coop.stand
    coop.market_id, coop.stand = target.id, stand
    session.flush()
    ids = select(s.id).where(s.cooperative_id == coop.id).scalar_subquery()
    for table, where in (
        (s, s.cooperative_id == coop.id),
        (SummaryHour, SummaryHour.summary_id.in_(ids)),
        (SummaryProduct, SummaryProduct.summary_id.in_(ids)),
        (RestoredDay, RestoredDay.cooperative_id == coop.id),
        (MergedDay, MergedDay.cooperative_id == coop.id),
    ):
        session.execute(update(table).where(where).values(market_id=target.id),
                        execution_options={"synchronize_session": False})
    Store.of(session.connection()).market_days(changes)
    return Moved(coop, stand=was, days=len(days), net=sum(d.net for d in days),
                 tickets=sum(d.sales_count for d in days), devices=devices)


def _count_day(changes: MarketDays, market_id: int, day: Any, sign: int) -> None:
    """Add to a market's day (``sign`` 1) or take off it (-1) the figures of a stored day
    summary (its net, gross, refunds, tickets, one till, closed or not), in ``changes``
    for :meth:`ingest.Store.market_days`."""
    figures = {"net": day.net, "gross": day.gross, "refunds": day.refunds,
               "tickets": day.sales_count, "devices": 1, "closed": int(day.status == "closed")}
    total = changes.setdefault((market_id, day.business_day), dict.fromkeys(figures, 0))
    for name, value in figures.items():
        total[name] += sign * value


def _refuse_counted_twice(session: Session, cooperative_id: int, market_id: int) -> None:
    """Refuse a move that would count a stall's days twice: one of the cooperative's
    stalls (its installation id) also enrolled into the market under another device (of
    another cooperative there), which holds some of the same days."""
    mine, theirs = Device.__table__.alias("mine"), Device.__table__.alias("theirs")
    ours, other = DaySummaryRow.__table__.alias("ours"), DaySummaryRow.__table__.alias("other")
    found = session.execute(
        select(mine.c.id, theirs.c.id, theirs.c.cooperative_id, ours.c.business_day)
        .join(theirs, theirs.c.installation_id == mine.c.installation_id)
        .join(Cooperative, Cooperative.id == theirs.c.cooperative_id)
        .join(ours, ours.c.device_id == mine.c.id)
        .join(other, (other.c.device_id == theirs.c.id)
              & (other.c.business_day == ours.c.business_day))
        .where(mine.c.cooperative_id == cooperative_id, Cooperative.market_id == market_id,
               theirs.c.cooperative_id != cooperative_id)
        .order_by(ours.c.business_day)).all()
    if found:
        device, twin, cooperative, _ = found[0]
        raise AdminError("server.err.move_counted_twice", device=device, market=market_id,
                         other=twin, cooperative=cooperative,
                         days=Days(sorted({r[3] for r in found})))


def issue_enrol_code(
    session: Session, cooperative_id: int, days: float = DEFAULT_CODE_DAYS,
    now: dt.datetime | None = None,
) -> tuple[str, EnrolCode]:
    """A new one-time code for a cooperative's device; only its hash is stored."""
    coop = get_cooperative(session, cooperative_id)
    check_code_days(days)
    now = now or utcnow()
    code = new_enrol_code()
    row = EnrolCode(
        cooperative_id=coop.id, code_hash=code_hash(code), created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return code, row


@dataclass(frozen=True)
class Issued:
    """An enrolment code issued for a cooperative (the code itself, shown once)."""

    cooperative: Cooperative
    code: str
    row: EnrolCode


@functools.lru_cache(maxsize=65_536)
def stand_order(stand: str) -> tuple[tuple[int, int | str], ...]:
    """The order stands are walked in: ``2`` before ``10``, ``A2`` before ``A10``
    (``07`` as ``7``: their :func:`canonical_stand` forms). Kept for each stand met: the
    dashboard sorts a market's thousands of stands at every refresh."""
    if stand.isascii() and stand.isdigit():
        return ((0, int(stand)),)
    return tuple((0, int(part)) if part.isdecimal() else (1, part.casefold())
                 for part in re.findall(r"\d+|\D+", canonical_stand(stand).replace(" ", "")))


def issue_market_codes(
    session: Session, market_id: int, days: float = DEFAULT_CODE_DAYS, *,
    not_enrolled: bool = False, now: dt.datetime | None = None,
) -> list[Issued]:
    """A new one-time code for each cooperative of a market, in the order of their
    stands (``not_enrolled``: only those without a till enrolled and not revoked), for
    the sheet handed out on the morning of the first day. Refused when there is none."""
    market = get_market(session, market_id)
    check_code_days(days)
    query = select(Cooperative).where(Cooperative.market_id == market.id)
    if not_enrolled:
        query = query.where(~select(Device.id).where(
            Device.cooperative_id == Cooperative.id, Device.revoked_at.is_(None)).exists())
    coops = sorted(session.scalars(query), key=lambda c: (stand_order(c.stand), c.id))
    if not coops:
        raise AdminError("server.err.no_cooperative_to_enrol" if not_enrolled
                         else "server.err.market_empty", market=market.id)
    now = now or utcnow()
    return [Issued(c, *issue_enrol_code(session, c.id, days, now)) for c in coops]


def check_server_url(text: str) -> str:
    """The server's address as the stalls type it to enrol (``http://192.168.1.10:8700``),
    without a trailing slash; refused when a till would refuse it: not an http(s) address
    of a host, or plain http to a host outside the market's local network (a till sends
    its token in clear only there: loopback, private addresses, ``.local`` names)."""
    url = text.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port out of range raises)
        host = parts.hostname or ""
    except ValueError:
        host = ""
    if (not host or parts.scheme not in ("http", "https") or parts.query or parts.fragment
            or any(ch.isspace() for ch in url)):
        raise AdminError("server.err.server_url", text=text)
    if parts.scheme == "http" and not plain_http_allowed(host):
        raise AdminError("server.err.server_url_https", text=text)
    return url


def check_code_days(days: float) -> None:
    """An enrolment code lives from one hour (time to hand it over and type it at the
    stall; a code that expires as it is printed helps no one) to 90 days; fractions of
    a day are fine (``--days 0.5``)."""
    if not days * 24 >= MIN_CODE_HOURS:  # NaN too
        raise AdminError("server.err.code_hours")
    if days > 90:
        raise AdminError("server.err.code_days")


#: the fewest characters of a device id that ``device revoke`` takes for the whole id
DEVICE_ID_START = 6


def parse_device_id(text: str) -> uuid.UUID | str:
    """A device id as typed: the whole UUID, or its first characters (at least
    :data:`DEVICE_ID_START`, as ``device list`` prints it), which :func:`find_device` looks
    for."""
    text = text.strip().lower()
    try:
        return uuid.UUID(text)
    except ValueError:
        if len(text) >= DEVICE_ID_START and all(ch in "0123456789abcdef-" for ch in text):
            return text
        raise AdminError("server.err.device_id", text=text) from None


def find_device(session: Session, device_id: uuid.UUID | str) -> Device:
    """The device of that id, or the only one whose id starts so; refused when none, or
    several, do."""
    if isinstance(device_id, uuid.UUID):
        device = session.get(Device, device_id)
        if device is None:
            raise AdminError("server.err.no_device", id=device_id)
        return device
    found = [d for d in session.scalars(select(Device.id)) if str(d).startswith(device_id)]
    if not found:
        raise AdminError("server.err.no_device", id=device_id)
    if len(found) > 1:
        raise AdminError("server.err.device_ambiguous", id=device_id,
                         ids=", ".join(sorted(str(d) for d in found)))
    return session.get_one(Device, found[0])


def revoke_device(session: Session, device_id: uuid.UUID | str) -> Device:
    device = find_device(session, device_id)
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    return device


# --- one till enrolled twice -------------------------------------------------------------


@dataclass(frozen=True)
class HeldDay:
    """What the server holds of a device's day, as a merge weighs it."""

    id: int
    device_id: uuid.UUID
    market_id: int
    business_day: dt.date
    version: int
    restores: int
    journal_seq: int
    journal_hash: str
    net: int
    gross: int
    refunds: int
    sales_count: int
    status: str

    @property
    def key(self) -> tuple[int, int]:
        """What orders a day's copies, as the push's upsert orders them: (restore count,
        version) (see :func:`sync.server.ingest.upsert_summary`)."""
        return self.restores, self.version


def _held_days(session: Session, device_ids: list[uuid.UUID]
               ) -> dict[uuid.UUID, dict[dt.date, HeldDay]]:
    s = DaySummaryRow
    held: dict[uuid.UUID, dict[dt.date, HeldDay]] = {d: {} for d in device_ids}
    for row in session.execute(
            select(s.id, s.device_id, s.market_id, s.business_day, s.version, s.restores,
                   s.journal_seq, s.journal_hash, s.net, s.gross, s.refunds, s.sales_count,
                   s.status)
            .where(s.device_id.in_(device_ids)).order_by(s.business_day)):
        held[row.device_id][row.business_day] = HeldDay(**row._asdict())
    return held


def same_journal(one: dict[dt.date, HeldDay], other: dict[dt.date, HeldDay]) -> bool:
    """Whether the days two devices hold certainly come from one till's journal.

    A day's journal head (the number and hash of the last record it includes) is a point of
    its till's hash chain: the same hash at the same number is the same journal up to
    there, and two tills' journals never share one. So: the heads of both agree wherever
    they are at the same number, and the last head of the device whose days end first is a
    head the other holds too; its journal, as far as the server holds it, is then a start of
    the other's, and each of its days a part of it. Two tills of one cooperative, whose
    journals differ, never pass; nor does a device without days.
    """
    heads = [{d.journal_seq: d.journal_hash for d in days.values()} for days in (one, other)]
    if not all(heads):
        return False
    first, second = heads
    if any(second.get(seq, digest) != digest for seq, digest in first.items()):
        return False
    shorter, longer = sorted(heads, key=max)
    return max(shorter) in longer


def _aside(one: HeldDay, other: HeldDay) -> HeldDay:
    """Of two copies of a day, the one set aside: the older by (restores, version), as the
    upsert would have replaced it; of equal ones, ``one``."""
    return other if other.key < one.key else one


@dataclass(frozen=True)
class Duplicate:
    """Two devices of one cooperative holding days of one till's journal (it enrolled again
    before the server gave it its device back): the days both hold, counted twice, and
    their net and tickets counted twice (those of the copies a merge sets aside)."""

    cooperative: Cooperative
    old: Device
    new: Device
    days: list[dt.date]
    net: int
    tickets: int


def find_duplicates(session: Session, market_id: int | None = None) -> list[Duplicate]:
    """The pairs of devices whose days repeat each other's (:func:`same_journal`), each
    the older enrolment first, by market, stand and enrolment."""
    query = select(Device, Cooperative).join(Cooperative, Cooperative.id == Device.cooperative_id)
    if market_id is not None:
        query = query.where(Cooperative.market_id == get_market(session, market_id).id)
    by_coop: dict[int, list[Device]] = {}
    coops: dict[int, Cooperative] = {}
    for device, coop in session.execute(query.order_by(Device.enrolled_at, Device.id)):
        by_coop.setdefault(coop.id, []).append(device)
        coops[coop.id] = coop
    found = []
    for coop_id, devices in by_coop.items():
        if len(devices) < 2:
            continue
        held = _held_days(session, [d.id for d in devices])
        for i, old in enumerate(devices):
            for new in devices[i + 1:]:
                mine, theirs = held[old.id], held[new.id]
                both = sorted(mine.keys() & theirs.keys())
                if not both or not same_journal(mine, theirs):
                    continue
                aside = [_aside(mine[d], theirs[d]) for d in both]
                found.append(Duplicate(coops[coop_id], old, new, both,
                                       net=sum(d.net for d in aside),
                                       tickets=sum(d.sales_count for d in aside)))
    found.sort(key=lambda p: (p.cooperative.market_id, stand_order(p.cooperative.stand),
                              p.cooperative.id, p.old.enrolled_at, p.new.enrolled_at))
    return found


@dataclass(frozen=True)
class Merged:
    """What :func:`merge_devices` did: the days that went to the device kept, and the
    days both held, whose other copy was set aside with its net and tickets."""

    old: Device
    new: Device
    cooperative: Cooperative
    moved: list[dt.date]
    twice: list[dt.date]
    net: int
    tickets: int


def device_to_merge(session: Session, device_id: uuid.UUID | str) -> Device:
    """:func:`find_device`, its refusals said as a merge's."""
    try:
        return find_device(session, device_id)
    except AdminError as exc:
        if exc.key == "server.err.device_ambiguous":
            raise AdminError("server.err.merge_ambiguous", **exc.params) from None
        raise


def merge_devices(session: Session, old_id: uuid.UUID | str, new_id: uuid.UUID | str
                  ) -> Merged:
    """Merge device ``old_id`` into ``new_id``: two devices of one till's journal
    (:func:`same_journal`), the till enrolled again before the server gave it its device
    back (migration 0005), whose days both hold count twice.

    The days only the old device holds go to the new one; of a day both hold, the newer
    copy by (restores, version) stays the new device's (the new one's when they are equal,
    as the upsert keeps what it holds), the other is kept in ``merged_days``
    (:class:`~sync.server.models.MergedDay`, its body with it) and leaves the counted
    tables with its lines. The devices' running totals become the sums of their days, the
    market days lose what was counted twice, and the old device is revoked (its token stops
    working). Refused, writing nothing: the same device, devices of two cooperatives, a
    revoked device to merge into, or days that do not certainly come from one journal (two
    tills of the cooperative). Pushes are held first (:func:`hold_pushes`): one of either
    device under way is applied before, one that waited reads the merged days.
    """
    hold_pushes(session)
    old, new = device_to_merge(session, old_id), device_to_merge(session, new_id)
    if old.id == new.id:
        raise AdminError("server.err.merge_same_device", id=old.id)
    if old.cooperative_id != new.cooperative_id:
        raise AdminError("server.err.merge_two_cooperatives", old=old.id, new=new.id,
                         old_cooperative=old.cooperative_id,
                         new_cooperative=new.cooperative_id)
    if new.revoked_at is not None:
        raise AdminError("server.err.merge_into_revoked", id=new.id)
    held = _held_days(session, [old.id, new.id])
    mine, theirs = held[old.id], held[new.id]
    both = sorted(mine.keys() & theirs.keys())
    if not both:
        raise AdminError("server.err.merge_no_day", old=old.id, new=new.id)
    if not same_journal(mine, theirs):
        raise AdminError("server.err.merge_two_tills", old=old.id, new=new.id,
                         days=Days(both))
    aside = [_aside(mine[d], theirs[d]) for d in both]
    staying = [d for d in mine.values() if d not in aside]
    changes: MarketDays = {}
    for d in aside:
        _count_day(changes, d.market_id, d, -1)
    now = utcnow()
    _set_aside(session, aside, new.id, now)
    moved = [d.business_day for d in staying]
    s = DaySummaryRow
    session.execute(update(s).where(s.id.in_([d.id for d in staying])).values(device_id=new.id),
                    execution_options={"synchronize_session": False})
    # what restores of the till replaced, for the days the old device alone held
    session.execute(update(RestoredDay).where(
        RestoredDay.device_id == old.id,
        RestoredDay.business_day.in_([d for d in moved if d not in theirs]))
        .values(device_id=new.id), execution_options={"synchronize_session": False})
    _sum_totals(session, old)
    _sum_totals(session, new)
    if old.revoked_at is None:
        old.revoked_at = now
    session.flush()
    Store.of(session.connection()).market_days(changes)
    coop = session.get_one(Cooperative, new.cooperative_id)
    return Merged(old, new, coop, moved=[d for d in moved if d not in theirs], twice=both,
                  net=sum(d.net for d in aside), tickets=sum(d.sales_count for d in aside))


def _set_aside(session: Session, days: list[HeldDay], into: uuid.UUID, now: dt.datetime
               ) -> None:
    """Keep the copies of days ``days`` in ``merged_days``, then drop them, their body and
    their lines from the tables that count."""
    if not days:
        return
    ids = [d.id for d in days]
    s = DaySummaryRow
    kept = ("device_id", "cooperative_id", "market_id", "business_day", "version",
            "restores", "status", "net", "gross", "refunds", "sales_count", "journal_seq",
            "journal_hash", "digest", "received_at")
    session.execute(insert(MergedDay).from_select(
        [*kept, "into_device_id", "body", "merged_at"],
        select(*(getattr(s, c) for c in kept), literal(into, s.device_id.type),
               func.coalesce(SummaryBody.body, ""), literal(now, s.received_at.type))
        .outerjoin(SummaryBody, SummaryBody.summary_id == s.id)
        .where(s.id.in_(ids)).order_by(s.business_day)))
    for table, column in ((SummaryPayment, SummaryPayment.summary_id),
                          (SummaryHour, SummaryHour.summary_id),
                          (SummaryProduct, SummaryProduct.summary_id),
                          (SummaryBody, SummaryBody.summary_id), (s, s.id)):
        session.execute(delete(table).where(column.in_(ids)),
                        execution_options={"synchronize_session": False})


def _sum_totals(session: Session, device: Device) -> None:
    """A device's running totals made its days' sums again."""
    s = DaySummaryRow
    net, tickets, refunds, closed = session.execute(
        select(func.coalesce(func.sum(s.net), 0), func.coalesce(func.sum(s.sales_count), 0),
               func.coalesce(func.sum(s.refunds), 0),
               func.count().filter(s.status == "closed"))
        .where(s.device_id == device.id)).one()
    device.total_net, device.total_tickets = int(net), int(tickets)
    device.total_refunds, device.days_closed = int(refunds), int(closed)


def list_devices(session: Session) -> list[tuple[Device, Cooperative]]:
    rows = session.execute(
        select(Device, Cooperative)
        .join(Cooperative, Cooperative.id == Device.cooperative_id)
        .order_by(Cooperative.id, Device.enrolled_at)
    )
    return [(d, c) for d, c in rows]


def check_user(username: str, password: str) -> str:
    """The user name stripped, once it and the password are acceptable."""
    username = _text(username, "username", 80)
    if any(ch.isspace() for ch in username):
        raise AdminError("server.err.username_spaces")
    if len(password) < 10:
        raise AdminError("server.err.password_short")
    return username


def add_user(session: Session, username: str, password: str) -> User:
    username = check_user(username, password)
    exists = session.scalar(
        select(func.count()).select_from(User).where(User.username == username)
    )
    if exists:
        raise AdminError("server.err.user_exists", username=username)
    user = User(
        username=username, password_hash=hash_password(password), created_at=utcnow(),
        disabled=False,
    )
    session.add(user)
    session.flush()
    return user
