"""What text the service stores, one rule for every field and every transport.

Three classes of character are refused, whatever the field:
- U+0000, which PostgreSQL cannot store (and SQLite would store, so the engines would disagree);
- lone UTF-16 surrogates (U+D800..U+DFFF), which JSON escapes can carry (`"\\ud800"`) but no UTF-8
  text, database or log line can hold;
and in one-line text (names, titles, systems, external ids, identifiers) the control characters
(Unicode category Cc: newlines, tabs, escapes), which a name never needs and which make two values
that print alike differ. A name must also show something: text of only spaces, zero-width or other
invisible characters (categories Z*, Cc, Cf) is blank."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Co", "Cs"})


def storable(value: str) -> bool:
    """No NUL and no lone surrogate: text UTF-8, PostgreSQL and SQLite all hold the same way."""
    return _UNSTORABLE.search(value) is None


def one_line(value: str) -> bool:
    """Storable and without control characters."""
    return _CONTROL.search(value) is None and storable(value)


def visible(value: str) -> bool:
    """At least one character that prints (not only spaces, zero-width or format characters)."""
    if value.isascii():
        return bool(value.strip())
    return any(unicodedata.category(c) not in _INVISIBLE for c in value)


def name_problem(value: Any, limit: int) -> str | None:
    """Why `value` is no name, title or label of at most `limit` characters; None when it is one."""
    if not isinstance(value, str) or len(value) > limit:
        return f"must be a non-empty string of at most {limit} characters"
    if not one_line(value):
        return "must not contain control characters, U+0000 or unpaired surrogates"
    if not visible(value):
        return "must contain a visible character"
    return None


def unstorable_in(value: Any) -> bool:
    """Whether any string in a JSON value (its keys included) is not storable."""
    if isinstance(value, str):
        return not storable(value)
    if isinstance(value, dict):
        return any(unstorable_in(k) or unstorable_in(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(unstorable_in(v) for v in value)
    return False


UNSTORABLE_MESSAGE = "Text must not contain the NUL character (U+0000) or unpaired UTF-16 surrogates."
