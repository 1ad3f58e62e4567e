"""Sample documents: the settings screen's preview, the benchmark and the golden images.

Built from plain model objects (nothing is written to the database) with fixed dates, ids
and hashes, so that they draw the same every time.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from pos.cart import TaxLine
from pos.models import Payment, Sale, SaleLine
from pos.money import line_amount
from pos.receipts import Shop
from pos.reports import CashSummary, DayReport, MemberTotal, MethodTotal

SAMPLE_HASH: Final = "9f2c4e7a1b3d5f60" + "8a7b6c5d4e3f2a1b" * 3
SAMPLE_TIME: Final = dt.datetime(2025, 5, 12, 13, 32)  # UTC; 14:32 in Morocco (UTC+1)
SAMPLE_SHOP: Final = Shop(
    name_ar="تعاونية تيفاوين للأركان", name_fr="Coopérative Tifawin", ice="001234567000089",
    city="Essaouira", city_ar="الصويرة", market_ar="السوق المتنقل للمنتجات المجالية",
    market_fr="Souk itinérant des produits du terroir", market_city="Fès", stand="12",
    device_prefix="T03",
)  # fmt: skip

#: (name_ar, name_fr, unit, unit price, quantity in thousandths, line discount, tax rate)
PRODUCTS: Final = (
    ("زيت أركان غذائي 250 مل", "Huile d'argan alimentaire 250 ml", "piece", 12000, 2000, 0, 0),
    ("أملو باللوز 250 غ", "Amlou aux amandes 250 g", "piece", 6500, 1000, 650, 20),
    ("عسل الزعتر", "Miel de thym", "kg", 30000, 1250, 0, 0),
    ("زعفران تالوين 1 غ", "Safran de Taliouine 1 g", "piece", 4000, 3000, 0, 0),
    ("كسكس الشعير 1 كلغ", "Couscous d'orge 1 kg", "piece", 3500, 2000, 0, 0),
    ("صابون بلدي بالأركان", "Savon beldi à l'argan", "piece", 2500, 1000, 0, 20),
    ("ماء الورد 250 مل", "Eau de rose 250 ml", "piece", 3000, 1000, 0, 20),
    ("زيت الزيتون البكر 1 لتر", "Huile d'olive vierge extra 1 l", "piece", 8500, 1000, 0, 0),
    ("تمر المجهول", "Dattes Mejhoul", "kg", 9000, 500, 0, 0),
    ("غاسول طبيعي", "Ghassoul naturel", "piece", 2000, 2000, 0, 20),
    ("سلة من الدوم", "Panier en doum", "piece", 15000, 1000, 1500, 20),
    ("زربية صغيرة منسوجة يدويا", "Petit tapis tissé main", "piece", 45000, 1000, 0, 20),
    ("لوز مقشر", "Amandes décortiquées", "kg", 11000, 750, 0, 0),
    ("شاي بالأعشاب الطبية", "Tisane aux plantes médicinales", "piece", 2500, 2000, 0, 0),
    ("زبدة الكاكاو والأركان", "Beurre de karité et d'argan", "piece", 5500, 1000, 0, 20),
)


def sample_sale(lines: int = 3, *, number: int = 123, tendered: int | None = None) -> Sale:
    """A cash sale of the first ``lines`` sample products (at most 15)."""
    sale_lines = []
    for i, (ar, fr, unit, price, qty, discount, rate) in enumerate(PRODUCTS[:lines]):
        gross = line_amount(price, qty)
        sale_lines.append(SaleLine(
            position=i, sku=f"S{i:02d}", name_ar=ar, name_fr=fr, category="", member="",
            unit=unit, unit_price=price, list_price=price, quantity=qty, discount=discount,
            cart_discount=0, total=gross - discount, tax_rate=rate,
        ))  # fmt: skip
    subtotal = sum(line_amount(ln.unit_price, ln.quantity) for ln in sale_lines)
    discount = sum(ln.discount for ln in sale_lines)
    total = subtotal - discount
    handed = tendered if tendered is not None else -(-total // 10000) * 10000
    sale = Sale(
        id="3f2a9c1e-8b7d-4e21-9a55-0c6d2b1f7e44", kind="sale", number=number,
        created_at=SAMPLE_TIME, utc_offset_minutes=60, local_hour=14, cashier_name="Fatima",
        subtotal=subtotal, discount=discount, cart_discount=0, total=total, reason="",
    )  # fmt: skip
    sale.lines = sale_lines
    sale.payments = [Payment(position=0, method="cash", amount=total, tendered=handed,
                             change=handed - total, reference="")]  # fmt: skip
    return sale


def sample_refund() -> Sale:
    """A cash refund of three sample lines, one of them a product with a French name only
    (quantities, amounts and discounts negative, as :mod:`pos.refunds` records them)."""
    sale = sample_sale(3, number=124)
    soap = SaleLine(
        position=3, sku="S90", name_ar="", name_fr="2 savons beldi (lot)", category="",
        member="", unit="piece", unit_price=4500, list_price=4500, quantity=1000, discount=0,
        cart_discount=0, total=4500, tax_rate=20,
    )  # fmt: skip
    lines = [*sale.lines, soap]
    for ln in lines:
        ln.quantity, ln.discount, ln.total = -ln.quantity, -ln.discount, -ln.total
    subtotal = -sum(line_amount(ln.unit_price, -ln.quantity) for ln in lines)
    discount = sum(ln.discount for ln in lines)
    refund = Sale(
        id="7c1d0b5e-2f4a-4c83-b6e9-5d0a8e3f9b12", kind="refund", number=124,
        created_at=SAMPLE_TIME + dt.timedelta(minutes=41), utc_offset_minutes=60,
        local_hour=15, cashier_name="Fatima", subtotal=subtotal, discount=discount,
        cart_discount=0, total=subtotal - discount, reason="flacon cassé",
    )  # fmt: skip
    refund.lines = lines
    refund.payments = [Payment(position=0, method="cash", amount=refund.total, tendered=None,
                               change=-refund.total, reference="")]  # fmt: skip
    return refund


def sample_day_report() -> DayReport:
    """A closed day: Z report number 7, with a cash count."""
    count = {"20000": 5, "10000": 5, "5000": 4, "2000": 3, "1000": 1, "200": 2}
    counted = sum(int(k) * v for k, v in count.items())
    expected = 50000 + 1_394_50 - 12000
    return DayReport(
        day_id=7, date=dt.date(2025, 5, 12), status="closed",
        opened_at=dt.datetime(2025, 5, 12, 8, 2), closed_at=dt.datetime(2025, 5, 12, 18, 47),
        utc_offset_minutes=60, z_number=7, sales_count=38, refunds_count=1, voids_count=1,
        gross=4_218_50, refunds=12000, voids=8500, net=4_218_50 - 12000 - 8500,
        discounts=6_150, items=61_000, first_number=1201, last_number=1240,
        taxes=(TaxLine(rate=20, base=57_625, tax=11_525),),
        payments=(MethodTotal("card", 1_896_00, 9, sales=9),
                  MethodTotal("cash", 1_394_50, 27, sales=25, refunds=1, voids=1),
                  MethodTotal("mobile", 7_05_00 - 1_00_00 + 3_00, 4, sales=4)),
        products=(), hours=(),
        members=(MemberTotal("Fatima Aït Ouahmane", 2_100_00, 18_000),
                  MemberTotal("Mohamed Ouchen", 1_250_00, 9_000),
                  MemberTotal("", 660_00, 34_000)),
        cash=CashSummary(opening_float=50000, cash_sales=1_394_50, cash_in=0, cash_out=12000,
                         expected=expected, counted=counted, difference=counted - expected,
                         count_detail=count),
        journal_seq=1315, journal_hash=SAMPLE_HASH, grand_total=98_412_35,
        generated_at=dt.datetime(2025, 5, 12, 17, 48, tzinfo=dt.UTC), z_label="7",
    )  # fmt: skip
