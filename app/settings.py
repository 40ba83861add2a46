"""One Settings object, read from the environment (prefix LIAISON_) and a `.env` file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """$XDG_DATA_HOME/liaison, else ~/.local/share/liaison."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "liaison"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIAISON_", env_file=".env", extra="ignore")

    # Where an embedded (SQLite) deployment keeps its database and generated secret, whatever directory a
    # command runs from: every `liaison` command reads the same settings, so they open the same database.
    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    # Empty: the SQLite file `liaison.db` in `data_dir`. Production: postgresql+asyncpg://user:pass@host/db
    database_url: str = ""
    auto_migrate: bool = True
    db_pool_size: int = Field(default=20, ge=1, le=500)
    db_max_overflow: int = Field(default=10, ge=0, le=500)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)

    jwt_secret: str | None = None
    jwt_issuer: str = "liaison"
    jwt_audience: str = "liaison"
    jwt_public_key: str | None = None
    jwt_jwks_url: str | None = None
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    access_token_ttl_seconds: int = Field(default=3600, ge=60, le=86_400)
    # How stale a process's view of revoked API clients may get: a deleted client's tokens stop working
    # on every process within this many seconds (one small query per process per period, under traffic).
    revocation_poll_seconds: float = Field(default=0.25, gt=0, le=60)

    rate_limit: str = "600/minute"
    # POST /v1/oauth/token, before any credential is looked up: per client id, and per client address.
    token_rate_limit_per_client: str = "20/minute"
    token_rate_limit_per_address: str = "120/minute"
    # GET /v1/org-chart answers at most this many units (422 beyond: narrow it with root_id or max_depth,
    # or page through /v1/units).
    org_chart_max_units: int = Field(default=10_000, ge=1, le=1_000_000)
    rate_limit_storage: str = "memory://"

    max_body_bytes: int = 1024 * 1024
    sync_max_body_bytes: int = 16 * 1024 * 1024  # POST /v1/sync/org-chart: 10,000 people is about 2 MiB
    # A request's line and headers: larger is answered 431 (app/server.py); slower than this many seconds,
    # from the connection's start or the request's first byte, is answered 408.
    max_header_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    header_timeout: float = Field(default=10.0, gt=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    # Browser origins allowed to call the API (CORS), e.g. ["https://app.example.com"]; none by default.
    cors_origins: list[str] = Field(default_factory=list)

    webhook_allow_private_networks: bool = False
    webhook_retry_schedule: str = "5,300,1800,7200,18000,36000,36000"
    webhook_timeout: float = Field(default=15.0, gt=0)
    webhook_disable_after: int = Field(default=5 * 24 * 3600, ge=1, description="seconds of failing before disabling")
    webhook_concurrency: int = Field(default=32, ge=1, le=1000)
    webhook_per_endpoint: int = Field(default=4, ge=1, le=100)
    # The most of a worker's slots one organization's deliveries hold at once: the rest stay for the others.
    webhook_per_organization: int = Field(default=16, ge=1, le=1000)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_lease_seconds: float = Field(
        default=60.0, gt=0, description="how long a claim holds before another worker may take it"
    )

    # The scheduler's pass (timed jobs: check-in reminders): how often a worker looks for due jobs.
    scheduler_poll_seconds: float = Field(default=1.0, gt=0, le=3600)
    # How long a worker's claim on a batch of due jobs holds: a worker that dies mid-batch leaves its jobs to
    # the others after this (a job that ran commits its end; one whose claim was taken over commits nothing).
    scheduler_lease_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Moves the domain's clock by this many seconds in this process (every process of a deployment must
    # read the same value). For tests and demos only: a week of cadences without waiting a week.
    clock_offset_seconds: float = Field(default=0.0, ge=-10 * 365 * 86_400, le=10 * 365 * 86_400)

    graphql_max_depth: int = 12
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2000
    # The most a GraphQL operation may cost, computed before it runs (app/graphql/cost.py): about the number
    # of fields it can resolve. 200,000 admits a page of 200 units with their people, reports and memberships
    # (140,201) and refuses lists nested in lists nested in lists (the people/units/members chain: 46 million).
    graphql_max_cost: int = Field(default=200_000, ge=1)

    @field_validator("webhook_retry_schedule")
    @classmethod
    def _schedule_is_seconds(cls, v: str) -> str:
        parts = [p.strip() for p in v.split(",") if p.strip()]
        if not parts or any(not p.isdigit() for p in parts):
            raise ValueError("a comma-separated list of whole seconds")
        return ",".join(parts)

    @model_validator(mode="after")
    def _database_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir.expanduser().resolve() / 'liaison.db'}"
        return self

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database's file, if the database is one (and not in memory)."""
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        return Path(url.database).expanduser().resolve()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
