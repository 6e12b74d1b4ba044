# Nabo in a container: python -m bot with the database on a volume.
#
# tests/test_dockerfile.py plays this build without Docker: the COPY lines (and
# .dockerignore), the RUN steps, USER and CMD, then checks that the result answers
# /start as that user. So whatever Nabo needs at run time (files, fonts, system
# libraries) belongs here, and a new kind of step needs teaching to that test.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/nabo.sqlite3

WORKDIR /app

# The code and catalogs, installed in place (dependencies come from pyproject.toml).
# Posters need nothing from the system: their fonts are in bot/offline/printing/fonts/
# (copied with bot/), and fpdf2, HarfBuzz (uharfbuzz) and pdfium (pypdfium2) come as
# wheels with their libraries inside.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY locales ./locales
# Editable install: Nabo finds locales/ beside its packages, as in a checkout.
RUN pip install -e . \
    && pybabel compile -d locales -D messages --statistics

RUN useradd --system --uid 10001 --home-dir /app nabo \
    && mkdir -p /data \
    && chown nabo /data
USER nabo
VOLUME ["/data"]

# No secrets in the image: pass BOT_TOKEN and the rest at run time (docker run --env-file .env).
CMD ["python", "-m", "bot"]
