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
# Control characters (Cc), line and paragraph separators, and the bidirectional embeddings, overrides and
# isolates, which make text print in another order than it is stored.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MULTILINE_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What prints: letters, numbers, punctuation and symbols, but the fillers that are letters and print
# nothing (Hangul fillers, the halfwidth filler, the braille blank).
_PRINTS = ("L", "N", "P", "S")
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def storable(value: str) -> bool:
    """No NUL and no lone surrogate: text UTF-8, PostgreSQL and SQLite all hold the same way."""
    return _UNSTORABLE.search(value) is None


def one_line(value: str) -> bool:
    """Storable and without control characters."""
    return _CONTROL.search(value) is None and storable(value)


def visible(value: str) -> bool:
    """At least one character that prints: a letter, number, punctuation or symbol that is no filler (not
    only spaces, zero-width, format or combining characters)."""
    if value.isascii():
        return bool(value.strip())
    return any(unicodedata.category(c).startswith(_PRINTS) and c not in _FILLERS for c in value)


def name_problem(value: Any, limit: int) -> str | None:
    """Why `value` is no name, title or label of at most `limit` characters; None when it is one."""
    if not isinstance(value, str) or len(value) > limit:
        return f"must be a non-empty string of at most {limit} characters"
    if not one_line(value):
        return "must not contain control characters, U+0000 or unpaired surrogates"
    if not visible(value):
        return "must contain a visible character"
    return None


def text_problem(value: Any, limit: int) -> str | None:
    """Why `value` is no free text (a description) of at most `limit` characters; None when it is. Lines
    and tabs are allowed; other control characters and bidirectional overrides are not."""
    if not isinstance(value, str) or len(value) > limit:
        return f"must be a string of at most {limit} characters"
    if not storable(value) or _MULTILINE_CONTROL.search(value):
        return "must not contain control characters, U+0000 or unpaired surrogates"
    return None


MAX_DEPTH = 64  # JSON nesting a request may carry: far more than any input of this API has


def unstorable_in(value: Any) -> bool:
    """Whether any string in a JSON value (its keys included) is not storable. Iterative: no nesting
    depth makes it recurse."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
    return False


def depth_of(value: Any) -> int:
    """How deeply a JSON value nests (a scalar is 0), counted without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            pending.extend((v, depth + 1) for v in item)
    return deepest


UNSTORABLE_MESSAGE = "Text must not contain the NUL character (U+0000) or unpaired UTF-16 surrogates."


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A text cell a spreadsheet shows as text: one that would start a formula (`=`, `+`, `-`, `@`, a tab
    or a carriage return) gets a leading apostrophe (OWASP's advice against CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
