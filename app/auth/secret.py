"""When LIAISON_JWT_SECRET is unset, `serve` makes one and keeps it beside the SQLite file (or in the
working directory), so that tokens minted by `liaison token` keep working across restarts."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from app.settings import Settings

FILENAME = "liaison.jwt-secret"


def secret_path(settings: Settings) -> Path:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / FILENAME
    return Path.cwd() / FILENAME


def ensure_jwt_secret(settings: Settings, *, create: bool) -> tuple[Settings, Path | None]:
    """The settings with a JWT secret, and the file it came from (None when the environment set it)."""
    if settings.jwt_secret:
        return settings, None
    path = secret_path(settings)
    if path.exists():
        value = path.read_text().strip()
    elif create:
        value = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(value + "\n")
    else:
        return settings, None
    return settings.model_copy(update={"jwt_secret": value}), path
