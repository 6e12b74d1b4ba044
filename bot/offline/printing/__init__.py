"""Printed matter: posters, flyers, door posters and share images with a QR code of a link.

Used by the command line (``python -m bot poster``) and the chat (/poster), so it lives
with the offline tools and never imports python-telegram-bot. Layout is fpdf2 with
HarfBuzz text shaping (uharfbuzz) and fpdf2's own bidi, so Arabic is joined and right to
left; QR codes are segno's, drawn as vector squares; the share PNG is the PDF rendered by
pdfium. The fonts are the static Noto files in ``fonts/`` (SIL OFL, see fonts/OFL.txt).
A new kind of sheet is a new layout function in ``layouts.py`` and a kind in ``make.py``.
"""
