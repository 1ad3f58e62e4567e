"""The printer's address is checked before it is saved: an address of the wrong form is
refused with the form it should have, in the seller's language; a device file not there
yet is saved with a warning; a system printer's name is checked against the system's
list (a real ``lpstat`` command on the PATH)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from pos import settings
from pos.db import Store
from pos.errors import InputError
from pos.models import Setting
from pos.printing import address
from pos.printing.escpos_out import PrinterSettings


def refused(connection: str, text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        address.parse(connection, text)
    return caught.value


# the addresses a first morning at the stall saved as "ready", and the form each must have
@pytest.mark.parametrize(("connection", "text", "key", "form"), [
    ("network", "192.168.1.300:abc", "printing.address.ipv4", "192.168.1.50"),
    ("network", "192.168.1.300", "printing.address.ipv4", "192.168.1.50"),
    ("network", "10.0.0.99:91000", "printing.address.port", "10.0.0.99:9100"),
    ("network", "printer.local:abc", "printing.address.port", "printer.local:9100"),
    ("network", "printer.local:", "printing.address.port", "printer.local:9100"),
    ("network", "10.0.0.99:0", "printing.address.port", "10.0.0.99:9100"),
    ("network", "my printer", "printing.address.host", "192.168.1.50"),
    ("network", "", "printing.address.empty", "192.168.1.50:9100"),
    ("usb", "04b8", "printing.address.usb", "0416:5011"),
    ("usb", "zz:yy", "printing.address.usb", "0416:5011"),
    ("usb", "0000:0000", "printing.address.usb", "0416:5011"),
    ("file", "usb/lp0", "printing.address.device", "/dev/usb/lp0"),
    ("serial", "ttyUSB0", "printing.address.serial", "COM3"),
    ("cups", "Receipt printer", "printing.address.name", "CUPS"),
])  # fmt: skip
def test_an_address_of_the_wrong_form_is_refused_with_the_form_it_needs(
    connection: str, text: str, key: str, form: str
) -> None:
    error = refused(connection, text)
    assert error.key == key
    for lang in ("ar", "fr", "en"):
        message = error.message(lang)
        assert form in message, (lang, message)
        assert "{" not in message
    assert "nombre de 1 à 65535" in refused("network", "10.0.0.99:91000").message("fr")
    assert "من 0 إلى 255" in refused("network", "192.168.1.300").message("ar")


@pytest.mark.parametrize(("connection", "text", "fields", "shown"), [
    ("network", "192.168.1.50", {"host": "192.168.1.50", "port": 9100}, "192.168.1.50"),
    ("network", " 192.168.1.50:9101 ", {"host": "192.168.1.50", "port": 9101},
     "192.168.1.50:9101"),
    ("network", "printer.local", {"host": "printer.local", "port": 9100}, "printer.local"),
    ("network", "١٩٢.١٦٨.١.٥٠:٩١٠٠", {"host": "192.168.1.50", "port": 9100}, "192.168.1.50"),
    ("network", "[fe80::1]:9101", {"host": "fe80::1", "port": 9101}, "[fe80::1]:9101"),
    ("usb", "0x0416:0x5011", {"usb": "0416:5011"}, "0416:5011"),
    ("usb", "4B8:E15", {"usb": "04b8:0e15"}, "04b8:0e15"),
    ("serial", "com3", {"serial_port": "COM3"}, "COM3"),
    ("serial", "/dev/rfcomm0", {"serial_port": "/dev/rfcomm0"}, "/dev/rfcomm0"),
    ("file", "/dev/usb/lp0", {"device": "/dev/usb/lp0"}, "/dev/usb/lp0"),
    ("cups", "XP-58", {"name": "XP-58"}, "XP-58"),
    ("win32", "EPSON TM-T20II Receipt", {"name": "EPSON TM-T20II Receipt"},
     "EPSON TM-T20II Receipt"),
    ("none", "anything", {}, ""),
])  # fmt: skip
def test_a_right_address_gives_the_printer_settings(
    connection: str, text: str, fields: dict[str, object], shown: str
) -> None:
    assert address.parse(connection, text) == fields
    config = {**PrinterSettings(connection=connection).to_dict(), **fields}  # type: ignore[arg-type]
    assert address.shown(config) == shown  # as the settings show it again
    if connection != "none":
        assert address.parse(connection, shown) == fields


def test_printer_settings_with_a_bad_address_are_never_stored(store: Store) -> None:
    with store.write() as s:
        PrinterSettings(connection="network", host="10.0.0.5", port=9101).save(s)
    for bad in (PrinterSettings(connection="usb", usb="04b8"),
                PrinterSettings(connection="network", host="192.168.1.300"),
                PrinterSettings(connection="network", host="10.0.0.99", port=91000)):  # fmt: skip
        with pytest.raises(InputError), store.write() as s:
            bad.save(s)
    with store.read() as s:
        assert PrinterSettings.load(s).address == "10.0.0.5:9101"
        assert s.scalars(select(Setting.key)).all() == [settings.PRINTER]


def test_a_device_file_not_there_yet_is_saved_with_a_warning(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    assert address.look_up("file", {"device": str(device)}) == ({"device": str(device)}, None)
    missing = str(tmp_path / "usb" / "lp0")
    fields, warning = address.look_up("file", {"device": missing})
    assert fields == {"device": missing} and warning is not None
    assert warning.message("fr").startswith(f"{missing} n'existe pas pour le moment")
    assert "« Page de test »" in warning.message("fr")
    assert "صفحة تجريبية" in warning.message("ar")
    _, warning = address.look_up("serial", {"serial_port": missing})
    assert warning is not None and warning.key == "printing.address.missing"
    assert address.look_up("serial", {"serial_port": "COM3"})[1] is None
    with pytest.raises(InputError) as folder:
        address.look_up("file", {"device": str(tmp_path)})
    assert folder.value.message("en") == (
        f"{tmp_path} is a folder, not a printer: type the printer's device file, e.g. /dev/usb/lp0."
    )


def fake_lpstat(folder: Path, script: str) -> None:
    """A real ``lpstat`` command in ``folder`` (a shell script), first on the PATH."""
    folder.mkdir(exist_ok=True)
    lpstat = folder / "lpstat"
    lpstat.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    lpstat.chmod(lpstat.stat().st_mode | stat.S_IXUSR)


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands for CUPS' lpstat")
def test_a_system_printer_name_is_checked_against_the_system_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/bin{os.pathsep}/usr/bin")
    fake_lpstat(bin_dir, 'printf "XP58\\nOffice\\n"')
    assert address.system_printers("cups") == ["XP58", "Office"]
    assert address.look_up("cups", {"name": "xp58"}) == ({"name": "XP58"}, None)
    with pytest.raises(InputError) as unknown:
        address.look_up("cups", {"name": "NoSuchPrinter"})
    assert unknown.value.message("fr") == (
        "Cet ordinateur n'a pas d'imprimante nommée « NoSuchPrinter ». "
        "Ses imprimantes : XP58, Office."
    )
    fake_lpstat(bin_dir, "exit 0")  # CUPS runs, and knows no printer
    with pytest.raises(InputError) as none:
        address.look_up("cups", {"name": "XP58"})
    assert none.value.key == "printing.address.no_system_printer"
    # the list cannot be read (the scheduler stopped, no CUPS at all): saved, with a warning
    fake_lpstat(bin_dir, 'echo "lpstat: Scheduler is not running." >&2; exit 1')
    assert address.system_printers("cups") is None
    fields, warning = address.look_up("cups", {"name": "XP58"})
    assert fields == {"name": "XP58"} and warning is not None
    assert warning.message("en").startswith(
        "The list of this computer's printers cannot be read, so “XP58” was not checked"
    )
    (bin_dir / "lpstat").unlink()
    assert address.look_up("cups", {"name": "XP58"})[1] is not None
    with pytest.raises(InputError) as windows:  # a Windows printer on a Linux till
        address.look_up("win32", {"name": "XP58"}, platform="linux")
    assert windows.value.message("fr") == (
        "Cet ordinateur n'imprime pas par Windows : choisissez un autre branchement."
    )
