"""Opaque list cursors, the same in REST (`next_cursor`) and GraphQL (`pageInfo.endCursor`)."""

from __future__ import annotations

import base64
import binascii
import json

from app.domain.errors import FieldError, Invalid
from app.domain.text import one_line


def encode_cursor(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


MAX_CURSOR = 512  # the cursors we give hold one id: a few dozen characters


def decode_cursor(cursor: str, pointer: str = "/cursor") -> str:
    """The position a cursor we gave names. Anything else (too long, not base64, not our JSON, a value
    no id can be: control characters, lone surrogates) is the same 422, never an exception."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body = json.loads(raw)
        after = body["after"] if isinstance(body, dict) else None
        if not isinstance(after, str) or not one_line(after):
            raise ValueError
        return after
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise Invalid("The cursor is not one this API gave.", [FieldError(pointer, "unknown cursor")]) from exc
