# Nabo in a container: python -m bot with the database on a volume.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/nabo.sqlite3

WORKDIR /app

# The code and catalogs, installed in place (dependencies come from pyproject.toml).
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
