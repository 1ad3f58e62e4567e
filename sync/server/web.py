"""Rendering of the dashboard's HTML templates (``resources/dashboard/*.html``).

A template holds ``{{t:key}}`` for a translated string, ``{{name}}`` for an escaped value
``{{json:name}}`` for a value embedded as JSON in a ``<script type="application/json">``
and ``{{html:name}}`` for markup the server built (with its values escaped).
"""

from __future__ import annotations

import functools
import html
import json
import re
from typing import Any

from sync.server.i18n import Translator, asset

_TOKEN = re.compile(r"\{\{(?:(t|json|html):)?([a-z_]+)\}\}")

STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


@functools.cache
def template(name: str) -> str:
    return asset(name).decode()


def embed_json(value: Any) -> str:
    """JSON safe inside a script element: no ``</script>``, no HTML comments."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(name: str, t: Translator, **values: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        kind, key = match.group(1), match.group(2)
        if kind == "t":
            return html.escape(t(key))
        if kind == "json":
            return embed_json(values[key])
        if kind == "html":  # markup built by the server, its values escaped already
            return str(values[key])
        return html.escape(str(values[key]))

    return _TOKEN.sub(replace, template(name))


def template_keys(name: str) -> set[str]:
    """The catalogue keys a template uses (for the translation tests)."""
    return {m.group(2) for m in _TOKEN.finditer(template(name)) if m.group(1) == "t"}
