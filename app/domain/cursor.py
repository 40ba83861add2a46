"""Opaque list cursors, the same in REST (`next_cursor`) and GraphQL (`pageInfo.endCursor`)."""

from __future__ import annotations

import base64
import binascii
import json

from app.domain.errors import FieldError, Invalid


def encode_cursor(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, pointer: str = "/cursor") -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
        if not isinstance(after, str):
            raise ValueError
        return after
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise Invalid("The cursor is not one this API gave.", [FieldError(pointer, "unknown cursor")]) from exc
