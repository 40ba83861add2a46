FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/liaison

# The runtime dependencies only (no test or lint tools), at the versions the dev lock pins.
COPY requirements-runtime.lock ./
RUN pip install --no-cache-dir -r requirements-runtime.lock

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps -e . \
 && useradd --system --uid 10001 liaison && mkdir -p /var/lib/liaison && chown liaison /var/lib/liaison
USER liaison

# Embedded (SQLite) by default: the database and the generated secret in /var/lib/liaison (mount a volume).
ENV LIAISON_DATA_DIR=/var/lib/liaison
EXPOSE 8000
# No HEALTHCHECK here: the image also runs `worker` and `migrate`, which serve no HTTP. The compose file
# checks the API's /readyz.
CMD ["liaison", "serve", "--host", "0.0.0.0", "--port", "8000"]
