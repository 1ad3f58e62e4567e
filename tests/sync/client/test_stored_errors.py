"""An error the stall keeps for its sync panel is stored whole, however long the words
that came with it (a TLS failure's text, a proxy's page), and is read back in any language."""

from __future__ import annotations

import json

import pytest

from sync.client.errors import NotTheServer, describe


@pytest.mark.parametrize("length", [10, 140, 400, 5000])
def test_a_long_detail_is_cut_not_the_stored_message(length: int) -> None:
    detail = "certificate verify failed: " + "é" * length
    error = NotTheServer("sync.err.tls", detail=detail, url="https://" + "x" * length,
                         ca_file="/media/usb/" + "ca" * length)
    stored = error.to_text()
    assert len(stored) <= 300
    key, params = json.loads(stored)  # still the message id and its parameters
    assert key == "sync.err.tls" and detail.startswith(params["detail"])
    for lang in ("ar", "fr", "en"):
        said = describe(stored, lang)
        assert said and "sync.err" not in said and "{" not in said
