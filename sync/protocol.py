"""The wire schema shared by the stall's sync client and the organisers' server.

Everything that crosses the network is described here as pydantic models, so that the
server validates requests with the same definitions the client builds them from, and the
generated OpenAPI documents it.

Endpoints (all under ``/api/v1``)
---------------------------------
``GET  /health``  -> :class:`Health`; no auth. Cheap; lets the stall tell the real server
    from a captive portal (it checks ``service == SERVICE_NAME``).
``POST /enrol``   :class:`EnrolRequest` -> :class:`EnrolResponse`; no auth. The one-time
    code is consumed; a used or expired code gets 400 with :class:`ErrorBody`. A stall that
    the code's market already has a device for (same ``installation_id``, or the
    ``previous_device_id`` of a device enrolled without one) gets that device back with a
    new token (the old one stops working, a revocation is lifted), so its days are never
    held twice; if the code is another cooperative's, the device and the days it pushed
    move to that cooperative. Any other stall, or the same stall in another market, gets
    a new device.
``POST /push``    :class:`PushRequest` -> :class:`PushResponse`; ``Authorization: Bearer
    TOKEN``. ``Content-Encoding: gzip`` accepted. Each summary is upserted per
    (device, business_day) and replaces only an older version. The reply lists, per pushed
    day, the version the server now holds, and in ``known_days`` every day the server holds
    for this device (so a stall notices a server restored from an old backup and pushes
    again). Status 200, or 409 when at least one day conflicted (same version, different
    body; the rest of the batch is still applied, the body is still a PushResponse).
    401: no/wrong token or revoked device. 403: a summary names another device or another
    cooperative. 413: body too large. 422: invalid body (nothing written).
``GET  /days``    -> :class:`KnownDays`; bearer auth. What the server holds for this device.

Money is always integer centimes (MAD); quantities are integer thousandths of the unit.

Protocol 2 (the server's ``Health.protocol``) adds the products' units to a day summary:
``DaySummary.default_unit``, the unit of every product that names none, and
``ProductTotal.unit`` for the others. Both are left out of the JSON when absent, so a
summary of an older stall, which has neither (its units are unknown), keeps its bytes and
its digest. A stall sends them only to a server of protocol 2 or later (an older one
refuses fields it does not know).

Protocol 3 adds restores. A stall whose database was restored from a backup (``souk-pos
restore``) has lost the records the backup lacked; its journal records the restore with
the till's restore count. ``DaySummary.restores`` is that count as of the summary's
version, left out before any restore. The server orders a day's summaries by (restores,
version): a summary made after a restore replaces what the server held, even at a lower
version (the organisers' figures are the till's own, never counted twice), and the server
keeps what it replaced (:class:`Replaced`), which it tells the stall in the
``PushResult.replaced`` of that push and in ``DayVersion.restored`` of its known days;
``DayVersion.restores`` is the count of the summary it holds. These fields are absent
when there was no restore, so a stall of before protocol 3 (which sends no count) never
gets them; a stall sends the count only to a server of protocol 3 or later.

Protocol 4 adds the city's Arabic name: ``MarketInfo.city_ar`` (absent when the organisers
gave none: the stall writes ``city`` then). A stall names its protocol in the
:data:`PROTOCOL_HEADER` header of every request, and the server sends ``city_ar`` (in the
answers of POST /enrol and GET /days) only to a stall that names protocol 4 or later: a
stall of before it sends no such header, and its models refuse fields they do not know.

Protocol 5 adds the cooperative's stand to the known days: ``KnownDays.stand``, the stand as
the organisers hold it now (they may move the cooperative to another stand or market after
its tills enrolled), which the stall keeps and prints on its receipts from then on. The
server sends it only to a stall that names protocol 5 or later; a stall told none (by an
older server) keeps the stand it was enrolled at.

Error answers of the API carry the message id of what went wrong, when the server has
one, in the :data:`REFUSAL_HEADER` header (see :class:`Refusal`): the refusals of a push,
and since protocol 3 also the answers of the server's own checks (a body too large or not
read as the schema says, a token refused, an address the API does not have).
The body stays ``{"detail": "..."}`` in English, as a stall of before them reads it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import uuid
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 5
UNITS_SINCE: Final = 2  # the protocol from which a server takes the products' units
RESTORES_SINCE: Final = 3  # the protocol from which a server takes the restore count
CITY_AR_SINCE: Final = 4  # the protocol from which a stall is told the city in Arabic
STAND_SINCE: Final = 5  # the protocol from which a stall is told its stand with its days
PROTOCOL_HEADER: Final = "Souk-Protocol"  # the stall's protocol, sent with each request
SERVICE_NAME: Final = "souk-server"
API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 2 * 1024 * 1024  # compressed or not, per request
MAX_SUMMARIES_PER_PUSH = 31

Centimes = Annotated[int, Field(ge=-10**13, le=10**13, description="MAD centimes")]
Count = Annotated[int, Field(ge=0, le=10**9)]
Milli = Annotated[int, Field(ge=-10**12, le=10**12, description="thousandths of the unit")]
SHORT_TEXT = 200  # the most characters of a name, category or member a summary takes
ShortText = Annotated[str, Field(max_length=SHORT_TEXT)]
PaymentMethod = Literal["cash", "card", "mobile"]
Sector = Literal["handicrafts", "food", "herbs", "cosmetics", "other"]
Unit = Literal["piece", "kg", "g", "l"]  # the stall's units (``pos.catalogue.UNITS``)


def _absent(value: object) -> bool:
    return value is None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Health(_Model):
    service: Literal["souk-server"] = SERVICE_NAME
    protocol: int = PROTOCOL_VERSION
    time: dt.datetime


class ErrorBody(_Model):
    detail: str


REFUSAL_HEADER: Final = "Souk-Refusal"
MAX_REFUSAL_PARAMS = 10
MAX_REFUSAL_BYTES = 1024  # the header's value; a proxy's buffer for headers may be 4 kB


class Refusal(_Model):
    """A refusal's message id and parameters (``server.err.day_net``, ``{"day":
    "2026-05-12"}``), the English of which is the :class:`ErrorBody`'s ``detail``; sent as
    compact ASCII JSON in the :data:`REFUSAL_HEADER` header of the answer, when it holds
    in :data:`MAX_REFUSAL_BYTES` (else the words go alone)."""

    key: Annotated[str, Field(max_length=80, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")]
    params: Annotated[
        dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=SHORT_TEXT)]],
        Field(max_length=MAX_REFUSAL_PARAMS),
    ] = Field(default_factory=dict)

    def header(self) -> str:
        """The header's value: JSON with every other character escaped (headers are
        Latin-1)."""
        return json.dumps(self.model_dump(), ensure_ascii=True, separators=(",", ":"))


# --- enrolment ---------------------------------------------------------------------------


class EnrolRequest(_Model):
    code: Annotated[str, Field(min_length=4, max_length=64)]
    device_name: Annotated[str, Field(min_length=1, max_length=80)]
    installation_id: uuid.UUID | None = Field(
        default=None,
        description="the stall's own lasting id: enrolling the same stall again into the "
        "same market gives back its device (same device id, a new token), moved with its "
        "days to the code's cooperative",
    )
    previous_device_id: uuid.UUID | None = Field(
        default=None,
        description="the device id this stall was given before, if any: a device of the "
        "same market enrolled without an installation id is taken over",
    )


class MarketInfo(_Model):
    id: int
    name_ar: ShortText
    name_fr: ShortText
    city: ShortText
    city_ar: ShortText | None = Field(
        default=None, exclude_if=_absent,
        description="the city in Arabic letters (protocol 4, to a stall that names it in "
        "the Souk-Protocol header; absent: the organisers gave none, write city)")
    starts_on: dt.date
    ends_on: dt.date


class CooperativeInfo(_Model):
    id: int
    name_ar: ShortText
    name_fr: ShortText
    sector: Sector
    province: ShortText
    stand: ShortText
    market: MarketInfo


class EnrolResponse(_Model):
    device_id: uuid.UUID
    token: Annotated[str, Field(min_length=32, max_length=128)]
    cooperative: CooperativeInfo


# --- day summaries -----------------------------------------------------------------------


class PaymentTotal(_Model):
    method: PaymentMethod
    amount: Centimes  # net of refunds
    count: Count


class TaxTotal(_Model):
    rate: Annotated[int, Field(ge=0, le=100, description="percent")]
    base: Centimes  # tax-exclusive amount
    tax: Centimes


class ProductTotal(_Model):
    product_id: ShortText  # the stall's product key (its SKU)
    name_ar: ShortText
    name_fr: ShortText
    category: ShortText
    quantity: Milli
    amount: Centimes
    unit: Unit | None = Field(
        default=None, exclude_if=_absent,
        description="the unit the quantity counts thousandths of, when it is not the "
        "summary's default_unit (protocol 2)",
    )


class HourTotal(_Model):
    hour: Annotated[int, Field(ge=0, le=23, description="local hour of the stall")]
    amount: Centimes
    tickets: Count


class MemberTotal(_Model):
    member: ShortText  # the maker's name, "" when none
    amount: Centimes
    quantity: Milli


class CashTotals(_Model):
    opening_float: Centimes
    cash_in: Centimes
    cash_out: Centimes
    expected: Centimes
    counted: Centimes | None = None
    difference: Centimes | None = None


class JournalHead(_Model):
    seq: Annotated[int, Field(ge=0)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class DaySummary(_Model):
    """The full aggregate of one (device, business day); never a delta.

    Its breakdowns add up to its figures, as the stall makes them, and the server refuses
    a summary where they do not (``sync.server.ingest``): the hours' amounts, the payments'
    amounts, the products' amounts and the members' amounts each add up to ``net``; the
    hours' tickets to ``sales_count``; ``items`` is the products' quantity (those with a
    ``product_id``), the members' quantities add up to all the products'; the cash expected
    is the float plus the cash payments plus cash in minus cash out, the difference is
    counted minus expected (both null until counted).
    """

    device_id: uuid.UUID
    cooperative_id: int | None = None
    business_day: dt.date
    version: Annotated[int, Field(ge=1, description="last journal number included")]
    restores: Annotated[int, Field(ge=1, le=10**6)] | None = Field(
        default=None, exclude_if=_absent,
        description="how many times the stall's database was restored from a backup, as "
        "of this version (protocol 3; absent: never): a summary with a higher count "
        "replaces the server's whatever their versions",
    )
    status: Literal["open", "closed"]
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None
    utc_offset_minutes: Annotated[int, Field(ge=-14 * 60, le=14 * 60)]
    z_number: Annotated[int, Field(ge=1)] | None = None
    currency: Literal["MAD"] = "MAD"
    sales_count: Count
    refunds_count: Count
    voids_count: Count
    gross: Centimes  # sum of sale totals (after discounts)
    refunds: Centimes  # positive: amount given back
    voids: Centimes  # positive: amount of voided sales
    net: Centimes  # gross - refunds - voids
    discounts: Centimes
    items: Milli  # quantity sold, net
    taxes: Annotated[list[TaxTotal], Field(max_length=10)]
    payments: Annotated[list[PaymentTotal], Field(max_length=3)]
    default_unit: Unit | None = Field(
        default=None, exclude_if=_absent,
        description="the unit of the products that name none (protocol 2; absent: those "
        "products' units are unknown)",
    )
    products: Annotated[list[ProductTotal], Field(max_length=5000)]
    hours: Annotated[list[HourTotal], Field(max_length=24)]
    members: Annotated[list[MemberTotal], Field(max_length=1000)]
    cash: CashTotals
    journal_head: JournalHead
    grand_total: Centimes  # perpetual total of the device after the last included record

    def unit_of(self, product: ProductTotal) -> str | None:
        """A product's unit: its own, else the summary's default; None when not known."""
        return product.unit or self.default_unit

    @property
    def says_units(self) -> bool:
        """Whether the summary names any unit (a stall of protocol 2 or later does)."""
        return self.default_unit is not None or any(p.unit for p in self.products)

    def without_units(self) -> DaySummary:
        """The summary as a stall that does not send units would have written it."""
        return self.model_copy(update={
            "default_unit": None,
            "products": [p.model_copy(update={"unit": None}) for p in self.products]})


class Replaced(_Model):
    """What the server held of a day when a summary sent after a restore of the stall's
    database replaced it (protocol 3): the figures the organisers saw before."""

    restores: Annotated[int, Field(ge=1, description="the replacing summary's count")]
    version: Annotated[int, Field(ge=1)]
    net: Centimes
    tickets: Count


class PushRequest(_Model):
    summaries: Annotated[list[DaySummary], Field(min_length=1, max_length=MAX_SUMMARIES_PER_PUSH)]


class DayVersion(_Model):
    business_day: dt.date
    version: int
    restores: int | None = Field(
        default=None, exclude_if=_absent,
        description="the restore count of the summary held (protocol 3; absent: none)")
    restored: Replaced | None = Field(
        default=None, exclude_if=_absent,
        description="what the server held before the latest restore of the stall replaced "
        "it (protocol 3; in the answer of GET /days only)")


class PushResult(_Model):
    business_day: dt.date
    status: Literal["stored", "unchanged", "stale", "conflict"]
    version: int  # the version the server holds after this push
    detail: str | None = None
    replaced: Replaced | None = Field(
        default=None, exclude_if=_absent,
        description="what this push replaced, when it came after a restore of the stall "
        "(protocol 3)")


class PushResponse(_Model):
    results: list[PushResult]
    known_days: list[DayVersion]


class KnownDays(_Model):
    days: list[DayVersion]
    market: MarketInfo | None = Field(
        default=None,
        description="the device's market as it is now (the organisers may move its dates): "
        "the stall pushes only the days within them",
    )
    stand: ShortText | None = Field(
        default=None, exclude_if=_absent,
        description="the device's cooperative's stand as it is now, which its receipts "
        "print (protocol 5, to a stall that names it in the Souk-Protocol header; absent: "
        "the stall keeps the stand it was enrolled at)")


# --- canonical bodies and signed bundles -------------------------------------------------


def canonical_json(data: Any) -> bytes:
    """Stable bytes of a JSON value: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def summary_json(summary: DaySummary) -> tuple[str, str]:
    """A summary's JSON (fields in the model's order) and its SHA-256: equal summaries have
    equal digests (for one version of this module; the server compares bodies when they
    differ)."""
    body = summary.model_dump_json()
    return body, hashlib.sha256(body.encode()).hexdigest()


def summary_digest(summary: DaySummary) -> str:
    """SHA-256 of a summary's JSON: see :func:`summary_json`."""
    return summary_json(summary)[1]


def plain_http_allowed(host: str) -> bool:
    """Whether a till may send to ``host`` over plain http, its token in clear: only on the
    market's own network (loopback, private addresses, ``.local`` names); anywhere else it
    needs https."""
    if host == "localhost" or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def token_hash(token: str) -> str:
    """What the server stores for a device token (tokens are 256-bit random, so no KDF)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Bundle(_Model):
    """A day-close bundle carried on a USB stick when no network ever comes."""

    format: Literal["souk-bundle"] = "souk-bundle"
    protocol: int = PROTOCOL_VERSION
    device_id: uuid.UUID
    created_at: dt.datetime
    summaries: Annotated[list[DaySummary], Field(min_length=1, max_length=400)]
    signature: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def bundle_signature(
    token_sha256_hex: str, device_id: uuid.UUID, summaries: list[DaySummary]
) -> str:
    """HMAC-SHA256 over the device id and summaries, keyed by the token's SHA-256.

    The stall knows its token; the server knows only its hash, which is the key, so both
    can compute it.
    """
    body = canonical_json(
        {"device_id": str(device_id), "summaries": [s.model_dump(mode="json") for s in summaries]}
    )
    return hmac.new(bytes.fromhex(token_sha256_hex), body, hashlib.sha256).hexdigest()
