"""Reading printed matter back as a person and a phone would: its text, and its QR codes."""

from __future__ import annotations

import io
import re
import unicodedata

import pypdfium2
import zxingcpp
from PIL import Image

# Lam and an alef drawn as one ligature (لا, لأ, لى …): pdfium gives the ligature's two letters
# back in visual order, so a run of lams and alefs is compared as the letters it holds.
_LAM_ALEF = re.compile("[لاأإآى]{2,}")


def flat(text: str) -> str:
    """NFKC (Arabic presentation forms back to letters), no bidi controls, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _LAM_ALEF.sub(lambda m: "".join(sorted(m.group(0))), text)
    return " ".join(text.split())


def words(text: str) -> str:
    """flat() without punctuation: pdfium may move an Arabic comma to the other side of a
    number next to it ("2030،" comes back as "،2030"); the words stay in order."""
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in flat(text))
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    """The text of every page, as pdfium reads it (Arabic in logical order)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def pdf_pages(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def render(pdf: bytes, dpi: float = 100) -> Image.Image:
    """The first page as an image, as a printer or a screen shows it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def qr_codes(image: Image.Image) -> list[str]:
    """Every QR code a real decoder finds in the image (zxing-cpp), top to bottom."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ordered = sorted(found, key=lambda c: (c.position.top_left.y, c.position.top_left.x))
    return [code.text for code in ordered]


def png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
