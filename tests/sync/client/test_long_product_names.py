"""Product texts the organisers' server would refuse (a description pasted in a CSV as the
name) are refused at the stall, and a day already holding such a sale still reaches the
organisers."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import update

from pos import catalogue
from pos.errors import InputError
from pos.models import Product
from sync.client.engine import sync_store
from tests.sync.client.conftest import FAST
from tests.sync.client.support import LiveServer, Till
from tests.sync.client.test_reenrol import edition_net, stall_net

HEADER = "sku,name_ar,name_fr,price\n"
LONG = "Huile d'argan alimentaire pressée à froid " * 6  # 252 characters


def test_a_csv_name_too_long_for_the_organisers_is_refused_at_import(till: Till) -> None:
    with pytest.raises(InputError) as refused, till.store.write() as s:
        catalogue.import_csv(s, f"{HEADER}ARG-LONG,زيت أركان,{LONG},150\n")
    assert refused.value.message("fr") == (
        "Ligne 2 : Le nom du produit dépasse 120 caractères. Rien n'a été importé.")
    assert refused.value.message("ar").startswith("السطر 2: اسم المنتج يتجاوز 120 حرفًا.")
    with till.store.read() as s:
        assert s.query(Product).filter_by(sku="ARG-LONG").first() is None


def test_a_day_with_a_long_product_name_reaches_the_organisers(till: Till,
                                                               server: LiveServer) -> None:
    with till.store.write() as s:
        catalogue.add_or_update(s, catalogue.ProductData(
            sku="ARG-LONG", name_ar="زيت أركان", name_fr="Argan", price=15_000))
        # as a database of an earlier release holds it: no limit on the texts then
        s.execute(update(Product).where(Product.sku == "ARG-LONG")
                  .values(name_fr=LONG, member="Fatima\x00"))
    with till.store.read() as s:
        till.products = [s.query(Product).filter_by(sku="ARG-LONG").one()]
    till.sell(random.Random(1), lines=1)
    outcome = sync_store(till.store, **FAST)
    assert outcome.set_aside == [] and outcome.ok
    assert edition_net(server, server.market_id) == stall_net(till.store)
