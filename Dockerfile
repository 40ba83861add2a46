FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/liaison

COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps -e . \
 && useradd --system --uid 10001 liaison && mkdir -p /var/lib/liaison && chown liaison /var/lib/liaison
USER liaison

ENV LIAISON_DATABASE_URL=sqlite+aiosqlite:////var/lib/liaison/liaison.db
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
CMD ["liaison", "serve", "--host", "0.0.0.0", "--port", "8000"]
