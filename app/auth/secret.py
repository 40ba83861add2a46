"""When LIAISON_JWT_SECRET is unset, `serve` makes one and keeps it beside the SQLite file (or in the
data directory), so that tokens minted by `liaison token` keep working across restarts."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from app.settings import Settings

FILENAME = "liaison.jwt-secret"


def secret_path(settings: Settings) -> Path:
    """Beside the SQLite file; with another database, in the data directory (never the working one)."""
    database = settings.sqlite_file
    return (database.parent if database else settings.data_dir.expanduser().resolve()) / FILENAME


def ensure_jwt_secret(settings: Settings, *, create: bool) -> tuple[Settings, Path | None, bool]:
    """The settings with a JWT secret, the file it came from (None when the environment set it), and whether
    it was made just now."""
    if settings.jwt_secret:
        return settings, None, False
    path = secret_path(settings)
    made = False
    if path.exists():
        value = path.read_text().strip()
    elif create:
        value = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(value + "\n")
        made = True
    else:
        return settings, None, False
    return settings.model_copy(update={"jwt_secret": value}), path, made
