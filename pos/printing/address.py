"""Where the printer is: the address typed for each connection, checked before it is saved.

An address is refused, with the form it should have, in the user's language
(:class:`~pos.errors.InputError`; what was typed reads left to right in an Arabic
message): a USB printer is its vendor and product numbers in hexadecimal (``0416:5011``,
as ``lsusb`` shows them); a network printer is an IPv4 address or a host name, with a
port from 1 to 65535 when it is not 9100 (``192.168.1.50:9100``, ``printer.local``); a
serial port or a device file is a full path (``/dev/ttyUSB0``, ``COM3``,
``/dev/usb/lp0``); a system printer (CUPS, Windows) is a name.

:func:`parse` only reads the text (no I/O: it answers at once, on the UI thread too).
:func:`look_up` asks the system and runs off the UI thread: a device file or serial port
that is not there is saved with a warning, since a USB printer's device appears only
once the printer is plugged in and switched on; a system printer's name is refused when
the system lists its printers and that name is not among them, and saved with a warning
when the list cannot be read.
"""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

from pos.errors import InputError, Ltr
from pos.i18n import latin_digits

DEFAULT_PORT: Final = 9100
#: the printer settings' field that holds the address, per connection
FIELDS: Final = {"usb": "usb", "network": "host", "serial": "serial_port", "file": "device",
                 "cups": "name", "win32": "name"}  # fmt: skip
#: an address of the right form, per connection, for the messages
EXAMPLES: Final = {"usb": "0416:5011", "network": "192.168.1.50:9100", "serial": "/dev/ttyUSB0",
                   "file": "/dev/usb/lp0", "cups": "XP-58", "win32": "XP-58"}  # fmt: skip
#: the printing system a system printer's connection goes through
SYSTEMS: Final = {"cups": "CUPS", "win32": "Windows"}
#: connections whose address the system is asked about (:func:`look_up`)
LOOKED_UP: Final = frozenset({"serial", "file", "cups", "win32"})

_USB = re.compile(r"(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})", re.IGNORECASE)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
_COM = re.compile(r"COM[1-9][0-9]{0,2}", re.IGNORECASE)
#: what a CUPS printer name cannot hold (``lpadmin``: space, tab, "/" and "#")
_NOT_IN_CUPS_NAME = re.compile(r"[\s/#\\'\"]")

Printers = Callable[[str], "list[str] | None"]


def parse(connection: str, text: str) -> dict[str, Any]:
    """The printer settings' fields that ``text`` sets for ``connection`` (nothing for
    ``none``); raises :class:`~pos.errors.InputError` for an address of the wrong form."""
    if connection == "none":
        return {}
    if connection not in FIELDS:
        raise ValueError(f"unknown printer connection {connection!r}")
    text = latin_digits(text).strip()
    if not text:
        raise InputError("printing.address.empty", example=Ltr(EXAMPLES[connection]))
    if connection == "usb":
        return {"usb": _usb(text)}
    if connection == "network":
        host, port = _network(text)
        return {"host": host, "port": port}
    if connection == "serial":
        if not (_COM.fullmatch(text) or os.path.isabs(text)):
            raise InputError("printing.address.serial", path=Ltr(text))
        return {"serial_port": text.upper() if _COM.fullmatch(text) else text}
    if connection == "file":
        if not os.path.isabs(text):
            raise InputError("printing.address.device", path=Ltr(text))
        return {"device": text}
    bad = _NOT_IN_CUPS_NAME if connection == "cups" else None
    if len(text) > 127 or not text.isprintable() or (bad is not None and bad.search(text)):
        raise InputError("printing.address.name", name=Ltr(text))
    return {"name": text}


def shown(config: Mapping[str, Any]) -> str:
    """The address as the seller types it, from the printer settings (a network printer's
    port shows when it is not 9100); the inverse of :func:`parse`."""
    connection = str(config.get("connection") or "none")
    field = FIELDS.get(connection)
    if field is None:
        return ""
    value = str(config.get(field) or "")
    if connection != "network" or not value:
        return value
    port = config.get("port", DEFAULT_PORT)
    host = f"[{value}]" if ":" in value else value
    return host if port == DEFAULT_PORT else f"{host}:{port}"


def _usb(text: str) -> str:
    found = _USB.fullmatch(text.replace(" ", ""))
    vendor, product = (int(part, 16) for part in found.groups()) if found else (0, 0)
    if not vendor or not product:
        raise InputError("printing.address.usb", address=Ltr(text))
    return f"{vendor:04x}:{product:04x}"


def _network(text: str) -> tuple[str, int]:
    """(host, port) of ``host``, ``host:port``, an IPv6 address or ``[IPv6]:port``."""
    host, port = text, None
    if text.startswith("["):
        host, close, rest = text[1:].partition("]")
        if not close or (rest and not rest.startswith(":")):
            raise InputError("printing.address.host", host=Ltr(text))
        port = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    if not host:
        raise InputError("printing.address.empty", example=Ltr(EXAMPLES["network"]))
    host = _host(host)
    if port is not None and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        shown_host = f"[{host}]" if ":" in host else host
        raise InputError("printing.address.port", host=shown_host)
    return host, int(port) if port is not None else DEFAULT_PORT


def _host(host: str) -> str:
    """``host`` when it is an IPv4 or IPv6 address or a host name."""
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise InputError("printing.address.host", host=Ltr(host)) from None
    if re.fullmatch(r"[0-9.]+", host):  # all digits: an IPv4 address, or a mistake
        parts = host.split(".")
        if len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 and len(p) <= 3
                                      for p in parts):  # fmt: skip
            raise InputError("printing.address.ipv4", host=Ltr(host))
        return ".".join(str(int(p)) for p in parts)
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InputError("printing.address.host", host=Ltr(host))
    return host


def system_printers(connection: str) -> list[str] | None:
    """The printers the system knows for ``connection`` (``cups``: ``lpstat -e``;
    ``win32``: the Windows spooler), or None when the list cannot be read (no CUPS, its
    scheduler stopped, not Windows). Runs a command or asks the spooler: not on the UI
    thread."""
    if connection == "win32":
        return _windows_printers()
    try:
        result = subprocess.run(["lpstat", "-e"], capture_output=True, text=True, timeout=5,
                                check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def _windows_printers() -> list[str] | None:
    if not sys.platform.startswith("win"):
        return None
    try:
        import win32print

        flags = win32print.PRINTER_ENUM_LOCAL | win32print.PRINTER_ENUM_CONNECTIONS
        return [str(entry[2]) for entry in win32print.EnumPrinters(flags, None, 1)]
    except Exception:  # no pywin32, the spooler stopped
        return None


def look_up(
    connection: str,
    fields: Mapping[str, Any],
    *,
    printers: Printers = system_printers,
    platform: str = sys.platform,
) -> tuple[dict[str, Any], InputError | None]:
    """What the system says of an address :func:`parse` took: the fields to save (a
    system printer's name spelt as the system spells it) and a warning to show with
    "Saved." (None when the printer is there). Raises :class:`~pos.errors.InputError`
    when the address cannot be a printer: a folder, a system printer on a system
    without that printing (Windows' on Linux, CUPS on Windows), or a name the system's
    list of printers lacks. Asks the system: not on the UI thread."""
    found = dict(fields)
    if (connection == "win32") != platform.startswith("win") and connection in SYSTEMS:
        raise InputError("printing.address.not_here", system=SYSTEMS[connection])
    if connection in ("serial", "file"):
        path = str(fields[FIELDS[connection]])
        if _COM.fullmatch(path):
            return found, None
        if os.path.isdir(path):
            raise InputError("printing.address.folder", path=Ltr(path))
        if not os.path.exists(path):
            return found, InputError("printing.address.missing", path=Ltr(path))
        return found, None
    if connection not in ("cups", "win32"):
        return found, None
    name = str(fields["name"])
    known = printers(connection)
    if known is None:
        return found, InputError("printing.address.unlisted", name=Ltr(name))
    same = [printer for printer in known if printer.casefold() == name.casefold()]
    if same:
        found["name"] = name if name in same else same[0]
        return found, None
    if not known:
        raise InputError("printing.address.no_system_printer", name=Ltr(name))
    raise InputError("printing.address.unknown_name", name=Ltr(name), known=Ltr(", ".join(known)))
