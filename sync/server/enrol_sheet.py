"""The enrolment codes of a market's stalls as one printable page.

``souk-server enrol-code --market ID --url URL --html FILE`` writes it: a slip per stall, in
the order of the stands, to cut out and hand over on the morning of the first day. Each
slip gives the stand, the cooperative's names in Arabic and in French, the server's address
and the one-time code (in large letters, and as a QR code that a phone reads as text), until
when the code is valid in Morocco's time, and how to enter it at the till, in Arabic and in
French whatever the organiser's language (the seller's till may be in either). The page
stands alone (no script, no file beside it) and prints on A4, up to six slips a page (four
with long names), none cut across two.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

from sync.server.admin import Issued
from sync.server.i18n import Translator
from sync.server.messages import tr
from sync.server.models import Market

#: the languages each slip says how to enrol in, the seller's till being in either
SLIP_LANGUAGES = ("ar", "fr")

STYLE = """
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "Noto Naskh Arabic", "DejaVu Sans", sans-serif;
       margin: 0; color: #000; }
h1 { font-size: 14pt; margin: 0 0 2mm; }
p.lead { font-size: 10pt; margin: 0 0 4mm; }
.slips { display: grid; grid-template-columns: 1fr 1fr; }
.slip { border: 1px dashed #555; padding: 3mm 4mm; break-inside: avoid;
        page-break-inside: avoid; display: grid; grid-template-columns: 1fr 28mm;
        grid-template-areas: "who qr" "code code" "url url" "how how"; gap: 1mm 3mm; }
.who { grid-area: who; }
.label { font-family: "Noto Sans", "Noto Naskh Arabic", "DejaVu Sans", sans-serif;
         font-size: 8pt; font-weight: normal; letter-spacing: normal; color: #333; }
.stand { font-size: 26pt; font-weight: bold; line-height: 1.1; }
.stand > bdi { white-space: nowrap; }
.name { font-size: 11pt; }
.qr { grid-area: qr; width: 28mm; height: 28mm; }
.qr svg { width: 100%; height: 100%; }
.code, .url { text-align: center; font-family: "DejaVu Sans Mono", "Noto Sans Mono", monospace;
              font-weight: bold; }
.code { grid-area: code; font-size: 20pt; letter-spacing: 1mm; }
.code > bdi { white-space: nowrap; }
.url { grid-area: url; font-size: 13pt; }
.url > bdi { white-space: nowrap; }
.how { grid-area: how; font-size: 8.5pt; }
.how p { margin: 0.5mm 0; }
"""


def _qr_svg(text: str) -> str:
    """``text`` as an inline SVG QR code (its XML declaration left out)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=1).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]


def _ltr(text: str) -> str:
    """An address, a code or a number kept left to right inside right-to-left text."""
    return f'<bdi dir="ltr">{html.escape(text)}</bdi>'


def _in(lang: str, text: str, tag: str = "span") -> str:
    """``text`` marked as written in ``lang``, in its direction."""
    direction = "rtl" if lang == "ar" else "ltr"
    return f'<{tag} lang="{lang}" dir="{direction}">{text}</{tag}>'


def _labels(languages: Sequence[str], key: str) -> str:
    """A label in each of ``languages``, side by side (``Stand · الرواق``)."""
    return '<div class="label">' + " · ".join(
        _in(lang, html.escape(tr(lang, key))) for lang in languages) + "</div>"


#: the width of a slip's text (half the A4 page's 190 mm, less its padding), of its stand
#: (beside the 28 mm QR code and the 3 mm gap), and a letter's advance, in ems, in the
#: widest of the sheet's fonts: a monospace one, and DejaVu Sans Bold (a stand's)
SLIP_TEXT_MM, STAND_MM, MONO_EM, BOLD_EM = 86, 55, 0.61, 0.72


def _one_line(text: str, width_mm: float, em: float, largest: str) -> str:
    """``text``, left to right, in letters as large as ``largest`` or smaller, so that
    it holds on one line of ``width_mm`` (its element says ``white-space: nowrap``)."""
    fit = width_mm / (em * max(1, len(text)))
    return (f'<bdi dir="ltr" style="font-size: min({largest}, {fit:.2f}mm)">'
            f"{html.escape(text)}</bdi>")


def _address(url: str) -> str:
    """The server's address on one line, its letters smaller when it is too long for the
    slip at 13 pt: cut across two lines at a hyphen, a seller would take the hyphen for
    the end of a line and leave it out."""
    return _one_line(url, SLIP_TEXT_MM, MONO_EM, "13pt")


def _stand(stand: str) -> str:
    """The stand on one line, its letters smaller when it is too long for its place at
    26 pt: ``Allée B 12 bis`` cut after ``B 12`` reads as stand B 12."""
    return _one_line(stand, STAND_MM, BOLD_EM, "26pt")


def _slip(issued: Issued, url: str, languages: Sequence[str]) -> str:
    c = issued.cooperative
    how = "".join(
        _in(lang, html.escape(tr(lang, "server.sheet.how",
                                 until=Translator(lang).moment(issued.row.expires_at),
                                 zone=Translator(lang).zone)), "p")
        for lang in languages)
    return (
        '<section class="slip">'
        f'<div class="who">{_labels(languages, "server.sheet.stand")}'
        f'<div class="stand">{_stand(c.stand)}</div>'
        f'<div class="name">{_in("ar", html.escape(c.name_ar), "bdi")}</div>'
        f'<div class="name">{_in("fr", html.escape(c.name_fr), "bdi")}</div>'
        "</div>"
        f'<div class="qr">{_qr_svg(issued.code)}</div>'
        f'<div class="code">{_labels(languages, "server.sheet.code")}'
        f'<bdi dir="ltr">{html.escape(issued.code)}</bdi></div>'
        f'<div class="url">{_labels(languages, "server.sheet.address")}{_address(url)}</div>'
        f'<div class="how">{how}</div>'
        "</section>"
    )


def enrol_sheet(lang: str, market: Market, issued: Sequence[Issued], url: str) -> str:
    """The page of the codes ``issued`` for ``market``'s stalls, its title in ``lang``."""
    t = Translator(lang)
    name = market.name_ar if lang == "ar" else market.name_fr
    title = tr(lang, "server.sheet.title", id=market.id, name=name)
    lead = tr(lang, "server.sheet.lead", count=len(issued), url=_ltr(url),
              starts=_ltr(t.date(market.starts_on)), ends=_ltr(t.date(market.ends_on)))
    # the page's language first, then the other one a seller's till may be in
    languages = sorted(SLIP_LANGUAGES, key=lambda other: other != lang)
    slips = "\n".join(_slip(i, url, languages) for i in issued)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{t.dir}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n<p class=\"lead\">{lead}</p>\n"
        f'<div class="slips">\n{slips}\n</div>\n</body>\n</html>\n'
    )
